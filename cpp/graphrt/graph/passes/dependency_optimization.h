// Dependency optimization (Grappler's pass of that name): a stateless node whose outputs nobody reads
// (no data consumer, not fetched) and that is only the control input of other nodes computes a value
// that can never be observed. Such a node is dropped and its control consumers wait directly on what
// it waited on (the producers of its inputs and its own control inputs), so ordering is kept while the
// work goes. `tf.group(*[x + i for i in ...])` then runs no additions at all, as in TensorFlow.
//
// Never dropped: stateful nodes, targets, fetched nodes, check ops (CheckNumerics) whose purpose is
// the error they may raise, and nodes whose bypass would add more control edges than it removes
// (Grappler's rule: fan-in x fan-out <= fan-in + fan-out).
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void OptimizeDependencies(OptGraph* g);

}  // namespace graphrt
