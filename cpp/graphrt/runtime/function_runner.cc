#include "graphrt/runtime/function_runner.h"

namespace graphrt {

StatusOr<std::unique_ptr<FunctionRunner>> FunctionRunner::Create(const KernelEnv& env, const std::string& name) {
  const FunctionDef* def = env.functions ? env.functions->Find(name) : nullptr;
  if (def == nullptr) return NotFound("Function '" + name + "' is not defined in the graph's library");
  std::unique_ptr<FunctionRunner> runner(new FunctionRunner(def, env));
  GraphDef body;
  std::vector<std::string> feeds, fetches;
  for (const FunctionArg& arg : def->input_args) {
    if (!IsValidDataType(arg.type)) {
      return InvalidArgument("Function '" + name + "' input '" + arg.name + "' has an unsupported type");
    }
    NodeDef p;
    p.name = arg.name;
    p.op = "Placeholder";
    p.attr["dtype"].kind = AttrValue::Kind::kType;
    p.attr["dtype"].type = arg.type;
    body.node.push_back(std::move(p));
    feeds.push_back(arg.name + ":0");
  }
  body.node.insert(body.node.end(), def->node_def.begin(), def->node_def.end());
  Status s = runner->graph_.Extend(body);
  if (!s.ok()) return InvalidArgument("In function '" + name + "': " + s.message());
  for (const FunctionArg& arg : def->output_args) {
    auto it = def->ret.find(arg.name);
    if (it == def->ret.end()) return InvalidArgument("Function '" + name + "' has no ret for output '" + arg.name + "'");
    fetches.push_back(it->second);
  }
  auto plan = BuildPlan(runner->graph_, &runner->kernels_, feeds, fetches, {});
  if (!plan.ok()) return Status(plan.status().code(), "In function '" + name + "': " + plan.status().message(), plan.status().node());
  runner->plan_ = std::move(plan).value();
  return runner;
}

Status FunctionRunner::Run(const std::vector<Tensor>& args, const OpKernelContext& caller,
                           std::vector<Tensor>* rets) const {
  ExecutorEnv env;
  env.intra_op = caller.intra_op();
  env.control = caller.control();
  return RunStep(*plan_, args, env, rets);
}

}  // namespace graphrt
