#include "graphrt/runtime/plan.h"

#include <map>
#include <mutex>
#include <set>

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
                                                const std::vector<std::string>& targets) {
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
  ASSIGN_OR_RETURN(std::vector<int> order, PruneForSignature(graph, fed, fetch_nodes, target_nodes));

  // Slots: feeds first, then each plan node's outputs in plan order.
  std::vector<int> plan_index(graph.num_nodes(), -1);
  int next_slot = static_cast<int>(feeds.size());
  plan->nodes.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = graph.node(order[i]);
    plan_index[order[i]] = static_cast<int>(i);
    PlanNode& pn = plan->nodes[i];
    ASSIGN_OR_RETURN(std::shared_ptr<OpKernel> k, kernels->Get(graph, order[i]));
    pn.kernel = k.get();
    pn.expensive = k->expensive();
    plan->kernels.push_back(std::move(k));
    pn.output_base = next_slot;
    pn.num_outputs = n.num_outputs;
    next_slot += n.num_outputs;
  }
  plan->num_slots = next_slot;
  plan->slot_consumers.assign(next_slot, 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = graph.node(order[i]);
    PlanNode& pn = plan->nodes[i];
    for (const TensorId& in : n.inputs) {
      auto f = feed_slot.find({in.node, in.output});
      int slot;
      if (f != feed_slot.end()) {
        slot = f->second;
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
  for (const TensorId& t : fetch_ids) {
    auto f = feed_slot.find({t.node, t.output});
    int slot = f != feed_slot.end() ? f->second : plan->nodes[plan_index[t.node]].output_base + t.output;
    plan->fetch_slots.push_back(slot);
    ++plan->slot_consumers[slot];
  }
  return std::shared_ptr<const Plan>(std::move(plan));
}

}  // namespace graphrt
