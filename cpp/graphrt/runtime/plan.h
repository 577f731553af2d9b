// Plan: everything needed to execute one (feeds, fetches, targets) signature, computed once and
// cached: the pruned and optimized nodes in topological order, their kernels, value slots and
// dependency counts.
//
// BuildPlan prunes the session's Graph for the signature, copies the needed nodes into an OptGraph
// (graph/passes/opt_graph.h) and runs the enabled graph passes on that copy: the session's Graph is
// never changed. Original nodes keep the session's cached kernels; nodes the passes synthesize (folded
// constants, fused nodes) get kernels owned by this Plan (Plan::kernels keeps both alive).
// Placement runs on Plan::graph_nodes — the real nodes the signature needs, before optimization — so
// devices, colocation and placement errors are exactly those of the unoptimized graph whatever the
// passes do; a synthesized node only stands for nodes placed that way.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graphrt/graph/graph.h"
#include "graphrt/graph/passes/opt_graph.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

struct PlanNode {
  OpKernel* kernel = nullptr;        // owned by the session's kernel cache, kept alive by Plan::kernels
  std::vector<int> input_slots;
  int output_base = 0;                // slots [output_base, output_base + num_outputs)
  int num_outputs = 0;
  std::vector<int> successors;        // plan-node indices whose pending count this node decrements
  int initial_pending = 0;
  bool expensive = false;
};

struct Plan {
  std::vector<std::string> feed_names, fetch_names, target_names;
  std::vector<DataType> feed_dtypes;  // declared dtype of each fed tensor's producer, DT_INVALID if unknown
  std::vector<PlanNode> nodes;
  std::vector<int> roots;             // plan nodes with no pending inputs
  int num_slots = 0;                  // feeds occupy [0, feed_names.size())
  std::vector<int> fetch_slots;
  std::vector<int> slot_consumers;    // reads of each slot per step (+1 for a fetched slot: never freed)
  std::vector<std::shared_ptr<OpKernel>> kernels;
  std::vector<int> graph_nodes;       // session Graph ids of the pruned nodes (before optimization), for placement
  PassStats stats;                    // what the graph passes did
};

class KernelCache;

StatusOr<std::shared_ptr<const Plan>> BuildPlan(const Graph& graph, KernelCache* kernels,
                                                const std::vector<std::string>& feeds,
                                                const std::vector<std::string>& fetches,
                                                const std::vector<std::string>& targets,
                                                const PassOptions& options = PassOptions());

// One kernel per graph node per session, created when a plan first needs it (Const values are
// decoded once, not once per plan).
class KernelCache {
 public:
  explicit KernelCache(KernelEnv env = KernelEnv()) : env_(env) {}
  StatusOr<std::shared_ptr<OpKernel>> Get(const Graph& graph, int node_id);
  void Clear();

 private:
  KernelEnv env_;
  std::mutex mu_;
  std::vector<std::shared_ptr<OpKernel>> kernels_;
};

}  // namespace graphrt
