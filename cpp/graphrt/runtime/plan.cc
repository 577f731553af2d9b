#include "graphrt/runtime/plan.h"

#include <map>
#include <mutex>
#include <set>

#include "graphrt/graph/passes/memory_planning.h"
#include "graphrt/graph/passes/optimize.h"
#include "graphrt/graph/passes/prune.h"
#include "graphrt/kernels/attrs.h"

namespace graphrt {

StatusOr<std::shared_ptr<OpKernel>> KernelCache::Get(const Graph& graph, int node_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(kernels_.size()) < graph.num_nodes()) kernels_.resize(graph.num_nodes());
  if (!kernels_[node_id]) {
    auto k = OpRegistry::Global().CreateKernel(graph.node(node_id).def, env_);
    if (!k.ok()) return k.status().WithNode(graph.node(node_id).def.name);
    kernels_[node_id] = std::shared_ptr<OpKernel>(std::move(k).value());
  }
  return kernels_[node_id];
}

void KernelCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  kernels_.clear();
}

namespace {

// Declared output dtype of a node, for feeds: the "dtype" or "T" attr of single-output ops.
DataType DeclaredDtype(const Node& n) {
  for (const char* attr : {"dtype", "T", "DstT"}) {
    auto t = GetTypeAttr(n.def, attr);
    if (t.ok()) return t.value();
  }
  return DT_INVALID;
}

}  // namespace

StatusOr<std::shared_ptr<const Plan>> BuildPlan(const Graph& graph, KernelCache* kernels,
                                                const std::vector<std::string>& feeds,
                                                const std::vector<std::string>& fetches,
                                                const std::vector<std::string>& targets,
                                                const PassOptions& options) {
  auto plan = std::make_shared<Plan>();
  plan->feed_names = feeds;
  plan->fetch_names = fetches;
  plan->target_names = targets;

  std::map<std::pair<int, int>, int> feed_slot;
  std::set<std::pair<int, int>> fed;
  for (size_t i = 0; i < feeds.size(); ++i) {
    ASSIGN_OR_RETURN(TensorId t, graph.ResolveTensor(feeds[i]));
    if (!feed_slot.emplace(std::make_pair(t.node, t.output), static_cast<int>(i)).second) {
      return InvalidArgument("The tensor '" + feeds[i] + "' is fed more than once");
    }
    fed.insert({t.node, t.output});
    plan->feed_dtypes.push_back(DeclaredDtype(graph.node(t.node)));
  }
  std::vector<TensorId> fetch_ids;
  std::vector<int> fetch_nodes, target_nodes;
  for (const std::string& f : fetches) {
    ASSIGN_OR_RETURN(TensorId t, graph.ResolveTensor(f));
    fetch_ids.push_back(t);
    if (!fed.count({t.node, t.output})) fetch_nodes.push_back(t.node);
  }
  for (const std::string& name : targets) {
    int id = graph.FindNode(name);
    if (id < 0) return NotFound("The name '" + name + "' refers to an Operation not in the graph.");
    target_nodes.push_back(id);
  }
  ASSIGN_OR_RETURN(std::vector<int> pruned, PruneForSignature(graph, fed, fetch_nodes, target_nodes));
  plan->graph_nodes = pruned;
  // Every needed node's kernel first, so a node that cannot get a kernel fails the plan whether or not
  // a pass would remove it (the session caches them: nothing is created twice).
  for (int id : pruned) {
    ASSIGN_OR_RETURN(std::shared_ptr<OpKernel> k, kernels->Get(graph, id));
    (void)k;
  }

  // The per-plan copy the passes rewrite: pruned nodes in their topological order, fed tensors as
  // feed slots.
  OptGraph g(&graph, [kernels, &graph](int id) { return kernels->Get(graph, id); });
  std::vector<int> opt_index(graph.num_nodes(), -1);
  g.nodes.reserve(pruned.size());
  for (int id : pruned) {
    const Node& n = graph.node(id);
    OptNode on;
    on.def = &n.def;
    on.op = n.op;
    on.graph_id = id;
    on.num_outputs = n.num_outputs;
    for (const TensorId& in : n.inputs) {
      auto f = feed_slot.find({in.node, in.output});
      on.inputs.push_back(f != feed_slot.end() ? OptRef{-1, 0, f->second} : OptRef{opt_index[in.node], in.output, -1});
    }
    for (int c : n.control_inputs) on.control_inputs.push_back(opt_index[c]);
    opt_index[id] = g.AddNode(std::move(on));
  }
  for (const TensorId& t : fetch_ids) {
    auto f = feed_slot.find({t.node, t.output});
    g.fetches.push_back(f != feed_slot.end() ? OptRef{-1, 0, f->second} : OptRef{opt_index[t.node], t.output, -1});
  }
  for (int t : target_nodes) g.targets.push_back(opt_index[t]);
  g.stats.pruned_nodes = static_cast<int>(pruned.size());
  OptimizeGraph(&g, options);
  const std::vector<int> order = g.TopoOrder();

  // Slots: feeds first, then each plan node's outputs in plan order.
  std::vector<int> plan_index(g.nodes.size(), -1);
  int next_slot = static_cast<int>(feeds.size());
  plan->nodes.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const OptNode& n = g.nodes[order[i]];
    plan_index[order[i]] = static_cast<int>(i);
    PlanNode& pn = plan->nodes[i];
    std::shared_ptr<OpKernel> k = n.kernel;
    if (!k) {
      ASSIGN_OR_RETURN(k, kernels->Get(graph, n.graph_id));
    }
    pn.kernel = k.get();
    pn.expensive = n.graph_id >= 0 ? k->expensive() : n.expensive;
    plan->kernels.push_back(std::move(k));
    pn.output_base = next_slot;
    pn.num_outputs = n.num_outputs;
    next_slot += n.num_outputs;
  }
  plan->num_slots = next_slot;
  plan->slot_consumers.assign(next_slot, 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const OptNode& n = g.nodes[order[i]];
    PlanNode& pn = plan->nodes[i];
    for (const OptRef& in : n.inputs) {
      int slot;
      if (in.is_feed()) {
        slot = in.feed;
      } else {
        const int src = plan_index[in.node];
        slot = plan->nodes[src].output_base + in.output;
        plan->nodes[src].successors.push_back(static_cast<int>(i));
        ++pn.initial_pending;
      }
      pn.input_slots.push_back(slot);
      ++plan->slot_consumers[slot];
    }
    for (int c : n.control_inputs) {
      plan->nodes[plan_index[c]].successors.push_back(static_cast<int>(i));
      ++pn.initial_pending;
    }
    if (pn.initial_pending == 0) plan->roots.push_back(static_cast<int>(i));
  }
  for (const OptRef& t : g.fetches) {
    const int slot = t.is_feed() ? t.feed : plan->nodes[plan_index[t.node]].output_base + t.output;
    plan->fetch_slots.push_back(slot);
    ++plan->slot_consumers[slot];
  }
  plan->stats = g.stats;
  std::vector<char> owned(plan->num_slots, 0);  // feeds are borrowed, Const values shared
  for (const PlanNode& pn : plan->nodes) {
    if (pn.kernel->type() == "Const") continue;
    for (int k = 0; k < pn.num_outputs; ++k) owned[pn.output_base + k] = 1;
  }
  plan->stats.inplace_candidates = CountInPlaceCandidates(plan->slot_consumers, owned);
  return std::shared_ptr<const Plan>(std::move(plan));
}

}  // namespace graphrt
