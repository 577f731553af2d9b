#include "graphrt/graph/passes/optimize.h"

#include "graphrt/graph/passes/arithmetic.h"
#include "graphrt/graph/passes/constant_folding.h"
#include "graphrt/graph/passes/contraction_fusion.h"
#include "graphrt/graph/passes/cse.h"
#include "graphrt/graph/passes/dependency_optimization.h"
#include "graphrt/graph/passes/elementwise_fusion.h"

namespace graphrt {

void OptimizeGraph(OptGraph* g, const PassOptions& options) {
  g->RefreshPinned();
  if (!options.any()) return;
  if (options.dependency_optimization) OptimizeDependencies(g);
  if (options.arithmetic) SimplifyArithmetic(g);
  if (options.constant_folding) FoldConstants(g, options);
  if (options.cse) EliminateCommonSubexpressions(g);
  if (options.arithmetic) SimplifyArithmetic(g);
  if (options.fusion) {
    FuseContractions(g, options);
    FuseElementwise(g, options);
  }
  g->RemoveDeadNodes();
}

PassOptions PassOptionsFromSwitches(const std::map<std::string, bool>& switches) {
  auto on = [&](const char* name) {
    auto it = switches.find(name);
    return it == switches.end() || it->second;
  };
  PassOptions o;
  o.dependency_optimization = on("dependency_optimization");
  o.constant_folding = on("constant_folding");
  o.cse = on("common_subexpression_elimination");
  o.arithmetic = on("arithmetic_optimization");
  o.fusion = on("fusion");
  o.memory_optimization = on("memory_optimization");
  return o;
}

}  // namespace graphrt
