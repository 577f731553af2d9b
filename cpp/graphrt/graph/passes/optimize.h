// The graph optimizer: runs the enabled passes over a plan's OptGraph, in TensorFlow's order —
// arithmetic simplification (pass-throughs first, so constants show), constant folding, common-
// subexpression elimination, arithmetic simplification again (on folded values), then fusion
// (MatMul/Conv2D + BiasAdd (+ Relu) before elementwise fusion, so a Relu goes to the contraction) —
// and finally drops the nodes nothing needs any more. Pruning (passes/prune.h) has already run.
#pragma once
#include <map>
#include <string>

#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

void OptimizeGraph(OptGraph* g, const PassOptions& options);

// Pass switches from SessionOptions.optimizer_switches (pass name -> on; absent = on):
// "constant_folding", "common_subexpression_elimination", "arithmetic_optimization", "fusion"
// (RewriterConfig.remapping), "memory_optimization".
PassOptions PassOptionsFromSwitches(const std::map<std::string, bool>& switches);

}  // namespace graphrt
