// Common-subexpression elimination: stateless, unpinned nodes with the same op, attrs, device and
// data inputs compute the same values, so each later one is merged into the first (its readers and
// fetches are rewired to it). Inputs of commutative numeric ops (Add, AddV2, Mul) are compared as a
// set. Consts compare by value (up to 1 MiB); sources other than Const (placeholders, readers, ...)
// are never merged.
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void EliminateCommonSubexpressions(OptGraph* g);

}  // namespace graphrt
