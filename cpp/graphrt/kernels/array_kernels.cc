// Source and pass-through kernels: Const, Placeholder, PlaceholderWithDefault, Identity,
// StopGradient, NoOp.
#include "graphrt/graph/tensor_proto.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class ConstKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(value_, GetTensorAttr(def, "value"));
    auto dtype = GetTypeAttr(def, "dtype");
    if (dtype.ok() && dtype.value() != value_.dtype()) {
      return InvalidArgument("Const node '" + def.name + "': dtype attr " + DataTypeName(dtype.value()) +
                             " does not match value of type " + DataTypeName(value_.dtype()));
    }
    return Status::OK();
  }
  // Shares the buffer: consumers never write into it because the kernel keeps a reference.
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, value_);
    return Status::OK();
  }

 private:
  Tensor value_;
};

std::string ShapeString(const TensorShapeProto& s) {
  if (s.unknown_rank) return "<unknown>";
  std::string out = "[";
  for (size_t i = 0; i < s.dims.size(); ++i) {
    if (i) out += ",";
    out += s.dims[i] < 0 ? "?" : std::to_string(s.dims[i]);
  }
  return out + "]";
}

// Runs only when the placeholder was not fed.
class PlaceholderKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(DataType dtype, GetTypeAttr(def, "dtype"));
    auto shape = GetShapeAttr(def, "shape");
    std::string shape_str = shape.ok() ? ShapeString(shape.value()) : "<unknown>";
    message_ = "You must feed a value for placeholder tensor '" + def.name + "' with dtype " +
               DataTypeName(dtype) + (shape.ok() && !shape->unknown_rank ? " and shape " + shape_str : "");
    return Status::OK();
  }
  Status Compute(OpKernelContext*) override { return Status(Code::kInvalidArgument, message_, name()); }

 private:
  std::string message_;
};

class IdentityKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, ctx->input(0));
    return Status::OK();
  }
};

class NoOpKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext*) override { return Status::OK(); }
};

}  // namespace

namespace {
void RegisterArrayKernels(OpRegistry* r) {
  r->RegisterOp({"Const", FixedArity(0, 1)});
  r->RegisterKernel("Const", "", {}, MakeFactory<ConstKernel>());
  r->RegisterOp({"Placeholder", FixedArity(0, 1)});
  r->RegisterKernel("Placeholder", "", {}, MakeFactory<PlaceholderKernel>());
  for (const char* op : {"Identity", "PlaceholderWithDefault", "StopGradient", "Snapshot"}) {
    r->RegisterOp({op, FixedArity(1, 1)});
    r->RegisterKernel(op, "", {}, MakeFactory<IdentityKernel>());
  }
  r->RegisterOp({"NoOp", FixedArity(0, 0)});
  r->RegisterKernel("NoOp", "", {}, MakeFactory<NoOpKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterArrayKernels);

}  // namespace graphrt
