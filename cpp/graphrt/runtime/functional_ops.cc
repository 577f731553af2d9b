// If and While: functional control flow whose branches and bodies are functions of the graph's
// library, run as nested steps on the calling thread (only the taken branch executes). These kernels
// live in runtime/ because they run the executor; they register like any kernel family.
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/function_runner.h"

namespace graphrt {
namespace {

StatusOr<std::string> FuncAttr(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kFunc || !a->func) {
    return InvalidArgument("NodeDef '" + node.name + "' (" + node.op + ") is missing function attr '" + name + "'");
  }
  return a->func->name;
}

size_t TypeListSize(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  return a == nullptr ? 0 : a->list.type.size();
}

// TF's truth value of a condition tensor: a scalar's value, or "non-empty" for other shapes.
StatusOr<bool> Truthy(const Tensor& t) {
  if (t.shape().rank() != 0) return t.num_elements() > 0;
  switch (t.dtype()) {
    case DT_BOOL: return t.data<bool>()[0];
    case DT_FLOAT: return t.data<float>()[0] != 0;
    case DT_DOUBLE: return t.data<double>()[0] != 0;
    case DT_INT32: return t.data<int32_t>()[0] != 0;
    case DT_INT64: return t.data<int64_t>()[0] != 0;
    case DT_STRING: return !t.data<std::string>()[0].empty();
    default: return InvalidArgument("Unsupported condition type " + DataTypeName(t.dtype()));
  }
}

Status CheckCount(const std::vector<Tensor>& got, size_t want, const std::string& what) {
  if (got.size() != want) {
    return InvalidArgument(what + " returned " + std::to_string(got.size()) + " values, expected " + std::to_string(want));
  }
  return Status::OK();
}

class IfKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(std::string then_name, FuncAttr(def, "then_branch"));
    ASSIGN_OR_RETURN(std::string else_name, FuncAttr(def, "else_branch"));
    ASSIGN_OR_RETURN(then_, FunctionRunner::Create(env(), then_name));
    ASSIGN_OR_RETURN(else_, FunctionRunner::Create(env(), else_name));
    num_outputs_ = TypeListSize(def, "Tout");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(bool take_then, Truthy(ctx->input(0)));
    std::vector<Tensor> args, rets;
    for (int i = 1; i < ctx->num_inputs(); ++i) args.push_back(ctx->input(i));
    const FunctionRunner& branch = take_then ? *then_ : *else_;
    RETURN_IF_ERROR(branch.Run(args, *ctx, &rets));
    RETURN_IF_ERROR(CheckCount(rets, num_outputs_, "If branch '" + branch.def().name + "'"));
    for (size_t i = 0; i < rets.size(); ++i) ctx->set_output(static_cast<int>(i), rets[i]);
    return Status::OK();
  }

 private:
  std::unique_ptr<FunctionRunner> then_, else_;
  size_t num_outputs_ = 0;
};

class WhileKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(std::string cond_name, FuncAttr(def, "cond"));
    ASSIGN_OR_RETURN(std::string body_name, FuncAttr(def, "body"));
    ASSIGN_OR_RETURN(cond_, FunctionRunner::Create(env(), cond_name));
    ASSIGN_OR_RETURN(body_, FunctionRunner::Create(env(), body_name));
    return Status::OK();
  }
  bool expensive() const override { return true; }
  Status Compute(OpKernelContext* ctx) override {
    std::vector<Tensor> vars, cond_out, next;
    for (int i = 0; i < ctx->num_inputs(); ++i) vars.push_back(ctx->input(i));
    for (;;) {
      RETURN_IF_ERROR(ctx->CheckStop());  // a runaway loop still honours close, timeouts and Ctrl-C
      RETURN_IF_ERROR(cond_->Run(vars, *ctx, &cond_out));
      RETURN_IF_ERROR(CheckCount(cond_out, 1, "While cond '" + cond_->def().name + "'"));
      ASSIGN_OR_RETURN(bool go, Truthy(cond_out[0]));
      if (!go) break;
      RETURN_IF_ERROR(body_->Run(vars, *ctx, &next));
      RETURN_IF_ERROR(CheckCount(next, vars.size(), "While body '" + body_->def().name + "'"));
      for (size_t i = 0; i < vars.size(); ++i) {
        if (next[i].dtype() != vars[i].dtype()) {
          return InvalidArgument("While body '" + body_->def().name + "' changed the type of loop variable " +
                                 std::to_string(i) + " from " + DataTypeName(vars[i].dtype()) + " to " +
                                 DataTypeName(next[i].dtype()));
        }
      }
      vars.swap(next);
    }
    for (size_t i = 0; i < vars.size(); ++i) ctx->set_output(static_cast<int>(i), vars[i]);
    return Status::OK();
  }

 private:
  std::unique_ptr<FunctionRunner> cond_, body_;
};

StatusOr<OpArity> IfArity(const NodeDef& n) {
  return OpArity{1 + static_cast<int>(TypeListSize(n, "Tin")), static_cast<int>(TypeListSize(n, "Tout"))};
}
StatusOr<OpArity> WhileArity(const NodeDef& n) {
  int k = static_cast<int>(TypeListSize(n, "T"));
  return OpArity{k, k};
}

void RegisterFunctionalKernels(OpRegistry* r) {
  for (const char* op : {"If", "StatelessIf"}) {
    r->RegisterOp({op, IfArity, /*stateful=*/true});
    r->RegisterKernel(op, "", {}, MakeFactory<IfKernel>());
  }
  for (const char* op : {"While", "StatelessWhile"}) {
    r->RegisterOp({op, WhileArity, /*stateful=*/true});
    r->RegisterKernel(op, "", {}, MakeFactory<WhileKernel>());
  }
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterFunctionalKernels);

}  // namespace graphrt
