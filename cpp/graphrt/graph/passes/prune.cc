#include "graphrt/graph/passes/prune.h"

#include <unordered_map>

namespace graphrt {

StatusOr<std::vector<int>> PruneForSignature(const Graph& graph, const std::set<std::pair<int, int>>& fed,
                                             const std::vector<int>& fetch_nodes,
                                             const std::vector<int>& target_nodes) {
  std::vector<char> needed(graph.num_nodes(), 0);
  std::vector<int> stack(fetch_nodes);
  stack.insert(stack.end(), target_nodes.begin(), target_nodes.end());
  std::vector<int> order;
  while (!stack.empty()) {
    int id = stack.back();
    stack.pop_back();
    if (needed[id]) continue;
    needed[id] = 1;
    order.push_back(id);
    const Node& n = graph.node(id);
    for (const TensorId& in : n.inputs) {
      if (!fed.count({in.node, in.output})) stack.push_back(in.node);
    }
    for (int c : n.control_inputs) stack.push_back(c);
  }
  // Kahn's algorithm over the needed subgraph; leftovers mean a cycle.
  std::unordered_map<int, int> pending;
  std::unordered_map<int, std::vector<int>> succ;
  for (int id : order) {
    int count = 0;
    const Node& n = graph.node(id);
    for (const TensorId& in : n.inputs) {
      if (fed.count({in.node, in.output})) continue;
      ++count;
      succ[in.node].push_back(id);
    }
    for (int c : n.control_inputs) {
      ++count;
      succ[c].push_back(id);
    }
    pending[id] = count;
  }
  std::vector<int> topo, ready;
  for (int id : order) {
    if (pending[id] == 0) ready.push_back(id);
  }
  while (!ready.empty()) {
    int id = ready.back();
    ready.pop_back();
    topo.push_back(id);
    for (int s : succ[id]) {
      if (--pending[s] == 0) ready.push_back(s);
    }
  }
  if (topo.size() != order.size()) {
    for (int id : order) {
      if (pending[id] > 0) {
        return Status(Code::kInvalidArgument, "Graph contains a cycle through node '" + graph.node(id).def.name + "'",
                      graph.node(id).def.name);
      }
    }
  }
  return topo;
}

}  // namespace graphrt
