// DirectSession: owns the graph (extended incrementally), the kernel cache, the plan cache keyed by
// signature, and the thread pools. Thread-safe: many threads may Run at once; Extend and plan
// creation take the graph lock, a Run of a cached plan touches only the plan.
#pragma once
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graphrt/graph/graph.h"
#include "graphrt/runtime/executor.h"
#include "graphrt/runtime/plan.h"
#include "graphrt/runtime/resource_mgr.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

struct SessionOptions {
  int inter_op_threads = 0;  // 0 = number of cores
  int intra_op_threads = 0;  // 0 = number of cores
};

class DirectSession {
 public:
  explicit DirectSession(const SessionOptions& options);
  ~DirectSession();

  // Adds the nodes in a serialized GraphDef (the nodes created since the last Extend).
  Status Extend(std::string_view graph_def_bytes);
  StatusOr<std::shared_ptr<const Plan>> GetPlan(const std::vector<std::string>& feeds,
                                                const std::vector<std::string>& fetches,
                                                const std::vector<std::string>& targets);
  Status Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches);
  void Close();
  bool closed() const;

  std::string SerializedGraphDef() const;
  int num_nodes() const;
  size_t num_cached_plans() const;
  int inter_op_threads() const { return inter_op_threads_; }
  int intra_op_threads() const { return intra_op_threads_; }

 private:
  int inter_op_threads_, intra_op_threads_;
  mutable std::shared_mutex graph_mu_;
  Graph graph_;
  ResourceMgr resources_;  // before kernels_: kernels hold a pointer to it
  KernelCache kernels_;
  mutable std::mutex plans_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Plan>> plans_;
  bool closed_ = false;
  // Workers beyond the calling thread, which always takes part.
  std::unique_ptr<ThreadPool> inter_op_;
  std::unique_ptr<ThreadPool> intra_op_;
  ExecutorEnv env_;
};

}  // namespace graphrt
