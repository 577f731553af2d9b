// Executor: runs one step of a Plan with pending-count dataflow scheduling. The calling thread runs
// nodes inline; only when more than one expensive node is ready at once are the extra ones handed to
// the inter-op pool. The first failing node cancels the rest of the step (later nodes are skipped,
// not run) and its Status, naming the node, is returned.
#pragma once
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/runtime/plan.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

struct ExecutorEnv {
  ThreadPool* inter_op = nullptr;  // may be null: everything inline
  ThreadPool* intra_op = nullptr;  // for kernels' ParallelFor; may be null
};

// `feeds` are in plan->feed_names order; on success `fetches` holds one Tensor per fetch name.
Status RunStep(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
               std::vector<Tensor>* fetches);

}  // namespace graphrt
