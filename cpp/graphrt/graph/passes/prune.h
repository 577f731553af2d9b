// Pruning: the nodes a step must run to produce its fetches and targets, given the fed tensors.
// A fed tensor cuts the graph: its producer runs only if something else needs it.
#pragma once
#include <set>
#include <utility>
#include <vector>

#include "graphrt/graph/graph.h"

namespace graphrt {

// Returns the needed node ids in a topological order (inputs first); InvalidArgument when the
// needed subgraph has a cycle.
StatusOr<std::vector<int>> PruneForSignature(const Graph& graph, const std::set<std::pair<int, int>>& fed,
                                             const std::vector<int>& fetch_nodes,
                                             const std::vector<int>& target_nodes);

}  // namespace graphrt
