// OptGraph: the per-plan copy of a pruned graph that the optimization passes rewrite. The session's
// Graph is the user's graph (it only grows, and its kernels are cached per node), so passes never
// touch it: an OptGraph node either points at an original node (its NodeDef and, when the plan is
// built, its kernel from the session's KernelCache) or is synthesized by a pass (a folded constant, a
// fused node), with a kernel of its own that the Plan owns.
//
// Rules every pass follows:
// - Stateful nodes (IsStatefulNode) are never folded, merged, fused or removed.
// - "Pinned" nodes (with control inputs, or the control input of another node) are left alone and
//   never looked through, so ordering by control edges is kept exactly.
// - Fetched tensors keep their names: a pass that replaces a tensor rewires the fetch to a tensor of
//   the same value (OptGraph::fetches), and fed tensors are plan feed slots no pass can replace.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graphrt/graph/graph.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

// A tensor of the OptGraph: output `output` of node `node`, or (feed >= 0) the plan's feed slot.
struct OptRef {
  int node = -1;
  int output = 0;
  int feed = -1;

  bool is_feed() const { return feed >= 0; }
  bool operator==(const OptRef& o) const { return node == o.node && output == o.output && feed == o.feed; }
  bool operator!=(const OptRef& o) const { return !(*this == o); }
  bool operator<(const OptRef& o) const {
    if (feed != o.feed) return feed < o.feed;
    if (node != o.node) return node < o.node;
    return output < o.output;
  }
};

struct OptNode {
  const NodeDef* def = nullptr;        // the original node's NodeDef, or owned_def
  std::shared_ptr<NodeDef> owned_def;  // synthesized nodes only
  const OpDef* op = nullptr;           // null for synthesized nodes
  int graph_id = -1;                   // the original node's id in the session Graph; -1: synthesized
  int num_outputs = 0;
  std::vector<OptRef> inputs;
  std::vector<int> control_inputs;
  std::shared_ptr<OpKernel> kernel;    // synthesized nodes' kernel (original nodes use the session cache)
  bool expensive = false;              // synthesized nodes: worth another pool thread
  bool dead = false;
};

// Counters of what the passes did, reported through Plan::stats (and the Python Plan.stats).
struct PassStats {
  int pruned_nodes = 0;           // nodes after pruning, before any pass
  int constants_folded = 0;       // nodes evaluated at plan time
  int constants_created = 0;      // Const nodes synthesized for their values
  int cse_merged = 0;             // nodes merged into an identical one
  int arithmetic_simplified = 0;  // nodes bypassed or rewired by arithmetic simplification
  int elementwise_groups = 0;     // fused elementwise nodes created
  int elementwise_ops_fused = 0;  // elementwise nodes they replace
  int matmul_fused = 0;           // _FusedMatMul nodes created
  int conv_fused = 0;             // _FusedConv2D nodes created
  int dead_removed = 0;           // nodes no longer needed after rewriting
  int dependencies_removed = 0;   // unread stateless nodes that were only control inputs
  int inplace_candidates = 0;     // slots read once: their buffer may be forwarded in place
};

// Which passes run (SessionOptions.optimizer_switches; all on by default).
struct PassOptions {
  bool dependency_optimization = true;
  bool constant_folding = true;
  bool cse = true;
  bool arithmetic = true;
  bool fusion = true;               // elementwise fusion and MatMul/Conv2D + BiasAdd (+ Relu)
  bool memory_optimization = true;  // fused kernels write their output into a dead input's buffer
  int64_t max_folded_constant_bytes = int64_t{10} << 20;

  bool any() const { return dependency_optimization || constant_folding || cse || arithmetic || fusion; }
};

class OptGraph {
 public:
  // The kernel of an original node (from the session's cache).
  using KernelFn = std::function<StatusOr<std::shared_ptr<OpKernel>>(int graph_id)>;

  OptGraph(const Graph* graph, KernelFn kernel_for) : graph_(graph), kernel_for_(std::move(kernel_for)) {}

  const Graph& graph() const { return *graph_; }
  StatusOr<std::shared_ptr<OpKernel>> KernelFor(int graph_id) const { return kernel_for_(graph_id); }

  std::vector<OptNode> nodes;
  std::vector<OptRef> fetches;
  std::vector<int> targets;
  PassStats stats;

  int AddNode(OptNode node);
  // Rewires every data input and fetch that reads `from` to read `to` (one sweep over the graph).
  void ReplaceAllUses(const OptRef& from, const OptRef& to);
  // The same for many replacements at once; chains (a -> b -> c) are followed.
  void ReplaceAllUses(const std::map<OptRef, OptRef>& forward);
  static OptRef Resolve(const std::map<OptRef, OptRef>& forward, OptRef r);

  bool IsStateful(int n) const;
  // Has control inputs, or is a control input of a live node, or is a target.
  bool IsPinned(int n) const { return pinned_[n]; }
  bool IsFetched(const OptRef& t) const;
  // Recomputes the pinned flags (after nodes were added).
  void RefreshPinned();
  // Live nodes in a topological order (inputs first).
  std::vector<int> TopoOrder() const;
  // Data consumers of each node: (consumer, input index) per edge, over live nodes.
  std::vector<std::vector<std::pair<int, int>>> Consumers() const;
  // Marks dead the stateless, unpinned nodes nothing needs any more.
  void RemoveDeadNodes();

  // The value of a live, unpinned Const node (computed once by its kernel), or null.
  const Tensor* ConstValue(int n);

 private:
  const Graph* graph_;
  KernelFn kernel_for_;
  std::vector<char> pinned_;
  std::vector<std::unique_ptr<Tensor>> const_values_;
  std::vector<char> const_checked_;
};

// Whether a node of this op type must never be folded, merged, fused or removed: OpDef.stateful, and the
// op types TensorFlow marks stateful (variables, queues, readers, random, Assert/Print, functional
// control flow, session handles) plus Placeholder-like sources.
bool IsStatefulOpType(const std::string& op, const OpDef* def);

// A NodeDef attr "T" (or "dtype") as a DataType, DT_INVALID when absent.
DataType NodeDtype(const NodeDef& def);

}  // namespace graphrt
