// Executor: runs one step of a Plan with pending-count dataflow scheduling. The calling thread runs
// nodes inline; only when more than one expensive node is ready at once are the extra ones handed to
// the inter-op pool. The first failing node cancels the rest of the step (later nodes are skipped,
// not run) and its Status, naming the node, is returned.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/runtime/plan.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

// Per-node timings for RunMetadata.step_stats (trace_level > NO_TRACE).
struct NodeExecStats {
  std::string node_name, op;
  int64_t all_start_micros = 0;    // since the epoch
  int64_t op_start_rel_micros = 0;  // relative to all_start_micros
  int64_t op_end_rel_micros = 0;
  int64_t all_end_rel_micros = 0;
  uint64_t thread_id = 0;
  std::vector<std::pair<DataType, std::vector<int64_t>>> outputs;  // dtype and shape of each output
  std::vector<int64_t> output_bytes;
};

class StepStatsCollector {
 public:
  void Add(NodeExecStats stats);
  std::vector<NodeExecStats> Take();

 private:
  std::mutex mu_;
  std::vector<NodeExecStats> nodes_;
};

struct ExecutorEnv {
  ThreadPool* inter_op = nullptr;          // may be null: everything inline
  ThreadPool* intra_op = nullptr;          // for kernels' ParallelFor; may be null
  const StepControl* control = nullptr;    // cancellation / deadline; may be null
  StepStatsCollector* stats = nullptr;     // per-node timings when tracing; may be null
};

// How many times step bookkeeping buffers were allocated or grown (a debug counter: a repeated step
// of the same plan on the same thread allocates none).
int64_t StepBufferAllocations();

// `feeds` are in plan->feed_names order; on success `fetches` holds one Tensor per fetch name.
Status RunStep(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
               std::vector<Tensor>* fetches);

// A step run incrementally (Session.partial_run): feeds arrive over several calls and each call runs
// every node whose inputs are ready, then returns; a node that reads a feed not given yet waits.
// The Step state (value slots, pending counts) lives between calls. One call at a time: the
// session serializes calls on a handle. `env` (and the StepControl it names) must outlive this.
class PartialStep {
 public:
  PartialStep(std::shared_ptr<const Plan> plan, const ExecutorEnv& env);
  ~PartialStep();
  PartialStep(const PartialStep&) = delete;
  PartialStep& operator=(const PartialStep&) = delete;

  const Plan& plan() const;
  // Whether fetch `fetch_index` (into plan().fetch_names) can be computed from the feeds marked in
  // `fed` (by feed index): no node it depends on reads a feed that is not marked.
  bool CanCompute(int fetch_index, const std::vector<bool>& fed) const;
  // Puts `values` into the slots of feeds `feed_indices` (never fed before), then runs every node that
  // became ready (the nodes that need no feed, on the first call) on the calling thread, expensive
  // ones also on the inter-op pool, until no work is in flight. Returns the step's first failure.
  Status Run(const std::vector<int>& feed_indices, const std::vector<Tensor>& values);
  // The computed value of fetch `fetch_index`; its slot is released (each fetch is taken once).
  StatusOr<Tensor> Take(int fetch_index);
  // True once every node of the plan has run (or been skipped after a failure).
  bool finished() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace graphrt
