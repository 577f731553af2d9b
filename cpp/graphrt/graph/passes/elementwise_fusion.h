// Elementwise fusion: a connected set of float32/float64 elementwise nodes of one dtype (unary and
// binary math, see IsFusibleElementwiseOp) becomes one _FusedElementwise node whose kernel computes the
// whole expression in one pass over the data, with no intermediate buffers.
//
// A group grows from a root (its last node) through the producers of its members' inputs; a producer
// joins only when every reader of its value is already in the group, so values leave the group only
// through the root and the rewrite cannot create a cycle. Members whose value is fetched become extra
// outputs of the fused node (they are still produced, under their names). The fused node takes the
// root's name. At run time the kernel checks the shapes (operands of one shape, or rank 0) and falls
// back to the members' own kernels otherwise, so broadcasting and errors are unchanged.
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void FuseElementwise(OptGraph* g, const PassOptions& options);

}  // namespace graphrt
