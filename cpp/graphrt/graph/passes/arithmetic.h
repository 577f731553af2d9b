// Arithmetic simplification (TensorFlow's arithmetic optimizer, the cases that need no shape
// inference):
// - Identity / StopGradient / Snapshot: readers read the input directly (values are immutable once
//   produced, copy-on-write, so a pass-through needs no buffer of its own).
// - x*1, 1*x, x+0, 0+x, x-0, x/1: bypassed when the constant is a rank-0 Const of the op's dtype
//   (a scalar broadcasts to any shape, so the result is x itself). Note x+0 turns -0.0 into +0.0 in
//   IEEE arithmetic; like TensorFlow we still rewrite it.
// - Transpose(Transpose(x, p), q) with q∘p the identity permutation: bypassed (readers read x).
// - Reshape(Reshape(x, s1), s2): the outer Reshape reads x.
// Pinned nodes (control edges, targets) and stateful nodes are never bypassed or looked through.
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void SimplifyArithmetic(OptGraph* g);

}  // namespace graphrt
