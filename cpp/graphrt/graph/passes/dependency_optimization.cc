#include "graphrt/graph/passes/dependency_optimization.h"

#include <algorithm>
#include <string>
#include <vector>

namespace graphrt {
namespace {

bool IsCheckOp(const std::string& op) { return op == "CheckNumerics" || op == "CheckNumericsV2"; }

void AddUnique(std::vector<int>* v, int x) {
  if (std::find(v->begin(), v->end(), x) == v->end()) v->push_back(x);
}

}  // namespace

void OptimizeDependencies(OptGraph* g) {
  const int n = static_cast<int>(g->nodes.size());
  std::vector<char> is_target(n, 0), fetched(n, 0);
  std::vector<int> data_readers(n, 0);  // data edges out of each node, from live nodes
  for (int t : g->targets) is_target[t] = 1;
  for (const OptRef& f : g->fetches) {
    if (!f.is_feed()) fetched[f.node] = 1;
  }
  std::vector<std::vector<int>> control_consumers(n);
  for (int i = 0; i < n; ++i) {
    if (g->nodes[i].dead) continue;
    for (const OptRef& in : g->nodes[i].inputs) {
      if (!in.is_feed()) ++data_readers[in.node];
    }
    for (int c : g->nodes[i].control_inputs) control_consumers[c].push_back(i);
  }
  // Consumers before producers: a producer whose only reader was just dropped becomes a control
  // input itself, and is looked at afterwards.
  std::vector<int> order = g->TopoOrder();
  std::reverse(order.begin(), order.end());
  int removed = 0;
  for (int id : order) {
    OptNode& node = g->nodes[id];
    if (node.dead || is_target[id] || fetched[id] || data_readers[id] > 0 || control_consumers[id].empty()) continue;
    if (g->IsStateful(id) || IsCheckOp(node.def->op)) continue;
    // What the consumers must still wait for: the producers of the node's inputs (feeds are ready
    // before the step starts) and its own control inputs.
    std::vector<int> waits;
    for (const OptRef& in : node.inputs) {
      if (!in.is_feed()) AddUnique(&waits, in.node);
    }
    for (int c : node.control_inputs) AddUnique(&waits, c);
    const size_t fan_in = waits.size(), fan_out = control_consumers[id].size();
    if (fan_in * fan_out > fan_in + fan_out) continue;
    for (int consumer : control_consumers[id]) {
      std::vector<int>& ctrl = g->nodes[consumer].control_inputs;
      ctrl.erase(std::remove(ctrl.begin(), ctrl.end(), id), ctrl.end());
      for (int w : waits) {
        if (w == consumer) continue;
        if (std::find(ctrl.begin(), ctrl.end(), w) == ctrl.end()) {
          ctrl.push_back(w);
          control_consumers[w].push_back(consumer);
        }
      }
    }
    // The node no longer reads its inputs: producers it fed may now be control-only themselves.
    for (const OptRef& in : node.inputs) {
      if (!in.is_feed()) --data_readers[in.node];
    }
    for (int w : waits) {
      auto& cc = control_consumers[w];
      cc.erase(std::remove(cc.begin(), cc.end(), id), cc.end());
    }
    node.dead = true;
    node.inputs.clear();
    node.control_inputs.clear();
    ++removed;
  }
  g->stats.dependencies_removed += removed;
  if (removed > 0) g->RefreshPinned();
}

}  // namespace graphrt
