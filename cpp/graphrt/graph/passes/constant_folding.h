// Constant folding: a stateless node whose data inputs are all constants (Const nodes, or nodes
// folded before it) is evaluated once, at plan time, by its own kernel on the CPU; the values that
// live nodes or fetches still read become synthesized Const nodes ("ConstantFolding/<name>"). Values
// over PassOptions::max_folded_constant_bytes are not folded, nor are nodes whose kernel fails (the
// step then reports the error as it would without folding).
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void FoldConstants(OptGraph* g, const PassOptions& options);

// A kernel that outputs a fixed tensor (a folded value), shared with every step.
std::shared_ptr<OpKernel> MakeConstantKernel(const std::string& name, Tensor value);

}  // namespace graphrt
