// String ops: StringJoin (with scalar broadcasting) and Equal/NotEqual on strings.
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class StringJoinKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "separator");
    if (a != nullptr && a->kind == AttrValue::Kind::kS) separator_ = a->s;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    Shape shape;
    bool have_shape = false;
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      const Tensor& t = ctx->input(i);
      if (t.dtype() != DT_STRING) return InvalidArgument("StringJoin inputs must be strings");
      if (t.shape().rank() == 0) continue;
      if (have_shape && t.shape() != shape) {
        return InvalidArgument("Input shapes do not match: " + shape.ToString() + " vs. " + t.shape().ToString());
      }
      shape = t.shape();
      have_shape = true;
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_STRING, shape));
    for (int64_t j = 0; j < out.num_elements(); ++j) {
      std::string s;
      for (int i = 0; i < ctx->num_inputs(); ++i) {
        const Tensor& t = ctx->input(i);
        if (i) s += separator_;
        s += t.data<std::string>()[t.shape().rank() == 0 ? 0 : j];
      }
      out.data<std::string>()[j] = std::move(s);
    }
    return Status::OK();
  }

 private:
  std::string separator_;
};

// Equal/NotEqual on strings with numpy broadcasting (the numeric kernels live in elementwise.cc).
template <bool kEqual>
class StringCompareKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.dtype() != DT_STRING || b.dtype() != DT_STRING) return InvalidArgument("Expected two string tensors");
    ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a.shape(), b.shape()));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_BOOL, shape));
    BroadcastBinary<std::string, std::string, bool>(
        a, b, out, nullptr, [](const std::string& x, const std::string& y) { return (x == y) == kEqual; });
    return Status::OK();
  }
};

void RegisterStringKernels(OpRegistry* r) {
  r->RegisterOp({"StringJoin", AttrArity("N", 1)});
  r->RegisterKernel("StringJoin", "", {}, MakeFactory<StringJoinKernel>());
  r->RegisterKernel("Equal", "T", {DT_STRING}, MakeFactory<StringCompareKernel<true>>());
  r->RegisterKernel("NotEqual", "T", {DT_STRING}, MakeFactory<StringCompareKernel<false>>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterStringKernels);

}  // namespace graphrt
