// DirectSession: owns the graph (extended incrementally), the kernel cache, the plan cache keyed by
// signature, and the thread pools. Thread-safe: many threads may Run at once; Extend and plan
// creation take the graph lock, a Run of a cached plan touches only the plan.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graphrt/graph/graph.h"
#include "graphrt/runtime/device.h"
#include "graphrt/runtime/executor.h"
#include "graphrt/runtime/plan.h"
#include "graphrt/runtime/resource_mgr.h"
#include "graphrt/runtime/step_control.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

// One of ConfigProto.session_inter_op_thread_pool.
struct InterOpPoolOptions {
  int num_threads = 0;      // 0 = inter_op_threads (or the number of cores)
  std::string global_name;  // non-empty: one process-wide pool of that name, shared by sessions
};

struct SessionOptions {
  SessionOptions() = default;
  SessionOptions(int inter, int intra) : inter_op_threads(inter), intra_op_threads(intra) {}

  // Threads of a pool count the calling thread, which always takes part in a step.
  int inter_op_threads = 0;  // 0 = number of cores; < 0 (shared-pool mode) = steps run inline
  int intra_op_threads = 0;  // 0 = number of cores
  // Inter-op pools, as TensorFlow's DirectSession: `inter_op_pools` when given (RunOptions'
  // inter_op_thread_pool picks one), else a pool of the session's own (use_per_session_threads),
  // else a process-wide pool shared by every session asking for the same number of threads.
  bool use_per_session_threads = false;
  std::vector<InterOpPoolOptions> inter_op_pools;
  int cpu_device_count = 1;  // ConfigProto.device_count['CPU']
  bool allow_soft_placement = false;
  bool log_device_placement = false;
  // Default step timeout (ConfigProto.operation_timeout_in_ms); recorded, enforced by step cancellation.
  int64_t operation_timeout_in_ms = 0;
  // Graph optimization passes switched on or off by GraphOptions (pass name -> on); absent = on.
  std::map<std::string, bool> optimizer_switches;
};

struct InterOpPoolInfo {
  int num_threads = 0;  // counting the calling thread
  std::string global_name;
  bool owned = false;   // false: shared with other sessions
  uintptr_t id = 0;     // identity of the pool (0 = steps run inline)
};

// Per-step options (RunOptions): pool, timeout, an interrupt poll (the binding's Ctrl-C check) and
// a collector for per-node timings when tracing.
struct RunStepOptions {
  int inter_op_pool = 0;
  int64_t timeout_ms = 0;  // 0: the session's operation_timeout_in_ms, if any
  std::function<Status()> poll;
  StepStatsCollector* stats = nullptr;
};

struct PartialRunState;  // one partial run's step and bookkeeping (session.cc)

class DirectSession {
 public:
  explicit DirectSession(const SessionOptions& options);
  ~DirectSession();
  // Not OK when the options cannot be honoured (a named pool configured with another size); the
  // session is then unusable.
  const Status& init_status() const { return init_status_; }

  // Adds the nodes in a serialized GraphDef (the nodes created since the last Extend).
  Status Extend(std::string_view graph_def_bytes);
  StatusOr<std::shared_ptr<const Plan>> GetPlan(const std::vector<std::string>& feeds,
                                                const std::vector<std::string>& fetches,
                                                const std::vector<std::string>& targets);
  // Plans are placed when built (once per plan; nodes keep their device for the session's life).
  // `inter_op_pool`: RunOptions.inter_op_thread_pool (-1 = run in the caller's thread).
  Status Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches,
             int inter_op_pool = 0);
  // A step under a StepController: Close() cancels it (CancelledError), a timeout stops it
  // (DeadlineExceeded), `poll` may interrupt it.
  Status Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches,
             const RunStepOptions& options);
  // Partial runs (Session.partial_run_setup / partial_run): a step over the plan for (feeds, fetches,
  // targets) that runs incrementally. Returns its handle. The handle's state is freed once every feed
  // has been fed and every fetch fetched, when a partial run fails, or when the session closes.
  // `poll` (may be null) is the interrupt check of each partial_run call.
  StatusOr<std::string> PartialRunSetup(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                        const std::vector<std::string>& targets, std::function<Status()> poll = nullptr);
  // Feeds `feeds` (named by `feed_names`, each declared in the setup and not fed before), runs what
  // became runnable, and returns the values of `fetch_names` (declared, not fetched before, and
  // computable from the feeds given so far) in that order. TensorFlow's errors and wording.
  Status PartialRun(const std::string& handle, const std::vector<std::string>& feed_names,
                    const std::vector<Tensor>& feeds, const std::vector<std::string>& fetch_names,
                    std::vector<Tensor>* fetches);
  size_t num_partial_runs() const;
  // The session's resources (stored session tensors are looked up here by the binding).
  ResourceMgr* resource_mgr() { return &resources_; }

  // Cancels in-flight steps, wakes blocked ops (queues) and drops plans, kernels and resources.
  void Close();
  bool closed() const;

  std::string SerializedGraphDef() const;
  int num_nodes() const;
  size_t num_cached_plans() const;
  int inter_op_threads() const { return inter_op_threads_; }
  int intra_op_threads() const { return intra_op_threads_; }
  std::vector<InterOpPoolInfo> inter_op_pools() const { return pool_info_; }
  // Identity of the pool a step with this RunOptions.inter_op_thread_pool uses (0: inline or invalid).
  uintptr_t inter_op_pool_id(int pool) const;
  const std::vector<Device>& devices() const { return placer_.devices(); }
  // (node, device) for every node placed so far.
  std::vector<std::pair<std::string, std::string>> Placement() const;
  const SessionOptions& options() const { return options_; }

 private:
  SessionOptions options_;
  Status init_status_;
  int inter_op_threads_, intra_op_threads_;
  mutable std::shared_mutex graph_mu_;
  Graph graph_;
  ResourceMgr resources_;  // before kernels_: kernels hold a pointer to it
  KernelCache kernels_;
  PassOptions pass_options_;  // graph passes for every plan, from optimizer_switches
  mutable std::mutex plans_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Plan>> plans_;
  bool closed_ = false;
  Placer placer_;
  // Workers beyond the calling thread, which always takes part. Shared pools live for the process.
  std::vector<std::shared_ptr<ThreadPool>> inter_op_;
  std::vector<InterOpPoolInfo> pool_info_;
  std::unique_ptr<ThreadPool> intra_op_;
  std::vector<ExecutorEnv> envs_;  // one per inter-op pool
  ExecutorEnv inline_env_;         // no inter-op pool
  std::mutex steps_mu_;
  std::unordered_set<StepController*> steps_;  // in-flight steps, cancelled by Close()
  mutable std::mutex partial_mu_;
  std::unordered_map<std::string, std::shared_ptr<PartialRunState>> partial_runs_;
  int64_t next_partial_run_ = 0;
};

}  // namespace graphrt
