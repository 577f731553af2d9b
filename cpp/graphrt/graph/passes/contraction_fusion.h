// MatMul + BiasAdd (+ Relu) -> _FusedMatMul, Conv2D + BiasAdd (+ Relu) -> _FusedConv2D (TensorFlow's
// remapper patterns and names; attr fused_ops lists the epilogue ops). Matched only when each inner
// node's one reader is the next node of the pattern and its value is not fetched; the fused node takes
// the name of the last node of the pattern (as TensorFlow's remapper does), float32/float64 only.
// An Add/AddV2 of the contraction and another tensor (`tf.matmul(x, w) + b`) is matched too: without
// static shapes, the kernel checks at run time that the other tensor is a bias vector along the last
// dimension and otherwise runs the Add (and Relu) kernels themselves.
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void FuseContractions(OptGraph* g, const PassOptions& options);

}  // namespace graphrt
