// FunctionRunner: runs one FunctionDef of a graph's library as a nested step. The body becomes a
// private Graph (each input arg a Placeholder of its name), pruned and planned once; Run executes
// that plan inline on the calling thread.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graphrt/graph/graph.h"
#include "graphrt/runtime/executor.h"
#include "graphrt/runtime/plan.h"

namespace graphrt {

class FunctionRunner {
 public:
  // NotFound when the library has no such function; InvalidArgument for a malformed body.
  static StatusOr<std::unique_ptr<FunctionRunner>> Create(const KernelEnv& env, const std::string& name);

  // Runs inline on this thread under the calling step's control (cancellation, deadline).
  Status Run(const std::vector<Tensor>& args, const OpKernelContext& caller, std::vector<Tensor>* rets) const;
  const FunctionDef& def() const { return *def_; }

 private:
  FunctionRunner(const FunctionDef* def, KernelEnv env) : def_(def), kernels_(env) {}
  const FunctionDef* def_;
  Graph graph_;
  KernelCache kernels_;
  std::shared_ptr<const Plan> plan_;
};

}  // namespace graphrt
