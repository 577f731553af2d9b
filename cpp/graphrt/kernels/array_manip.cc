// Array manipulation: Size, Rank, ExpandDims, Squeeze, ZerosLike, OnesLike, IdentityN, Range,
// ReverseV2, BroadcastTo. Ops that only move data serve every dtype through byte-size copies.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <type_traits>
#include <string>
#include <vector>

#include "graphrt/kernels/array_util.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }

class SizeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto t = GetTypeAttr(def, "out_type");
    out_type_ = t.ok() ? t.value() : DT_INT32;
    if (out_type_ != DT_INT32 && out_type_ != DT_INT64) return InvalidArgument("Size out_type must be int32 or int64");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const int64_t n = ctx->input(0).num_elements();
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, out_type_, Shape()));
    if (out_type_ == DT_INT32) {
      if (n > INT32_MAX) return InvalidArgument("Number of elements was larger than representable by 32-bit output type");
      out.data<int32_t>()[0] = static_cast<int32_t>(n);
    } else {
      out.data<int64_t>()[0] = n;
    }
    return Status::OK();
  }

 private:
  DataType out_type_ = DT_INT32;
};

class RankKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_INT32, Shape()));
    out.data<int32_t>()[0] = ctx->input(0).shape().rank();
    return Status::OK();
  }
};

class ExpandDimsKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    if (ctx->input(1).num_elements() != 1) {
      return InvalidArgument("'dim' must be a tensor with a single value, got shape " + ctx->input(1).shape().ToString());
    }
    ASSIGN_OR_RETURN(int64_t dim, ReadIndexScalar(ctx->input(1), "dim"));
    const int rank = in.shape().rank();
    if (dim < -1 - rank || dim > rank) {
      return InvalidArgument("Tried to expand dim index " + Str(dim) + " for tensor with " + Str(rank) + " dimensions.");
    }
    if (dim < 0) dim += rank + 1;
    std::vector<int64_t> dims = in.shape().dims();
    dims.insert(dims.begin() + dim, 1);
    ctx->set_output(0, in.WithShape(Shape(dims)));
    return Status::OK();
  }
};

class SqueezeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(squeeze_dims_, GetIntListAttrOrEmpty(def, "squeeze_dims"));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    std::vector<bool> drop(rank, false);
    for (int64_t d : squeeze_dims_) {
      if (d < -rank || d >= rank) {
        return InvalidArgument("Tried to squeeze dim index " + Str(d) + " for tensor with " + Str(rank) + " dimensions.");
      }
      const int a = static_cast<int>(d < 0 ? d + rank : d);
      if (in.shape().dim(a) != 1) {
        return InvalidArgument("Can not squeeze dim[" + Str(a) + "], expected a dimension of 1, got " +
                               Str(in.shape().dim(a)));
      }
      drop[a] = true;
    }
    std::vector<int64_t> dims;
    for (int i = 0; i < rank; ++i) {
      const bool squeeze = squeeze_dims_.empty() ? in.shape().dim(i) == 1 : drop[i];
      if (!squeeze) dims.push_back(in.shape().dim(i));
    }
    ctx->set_output(0, in.WithShape(Shape(dims)));
    return Status::OK();
  }

 private:
  std::vector<int64_t> squeeze_dims_;
};

class ZerosLikeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), in.shape(), in.dtype() == DT_STRING ? -1 : 0));
    FillZero(out);
    return Status::OK();
  }
};

class OnesLikeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), in.shape(), 0));
    const bool ok = DispatchNumeric(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T one = Store<T>(static_cast<typename MathType<T>::type>(1));
      T* p = out.data<T>();
      ForRange(ctx->intra_op(), out.num_elements(), [&](int64_t b, int64_t e) { std::fill(p + b, p + e, one); });
    });
    if (!ok) return InvalidArgument("OnesLike does not support type " + DataTypeName(in.dtype()));
    return Status::OK();
  }
};

class IdentityNKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    for (int i = 0; i < ctx->num_inputs() && i < ctx->num_outputs(); ++i) ctx->set_output(i, ctx->input(i));
    return Status::OK();
  }
};

class RangeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const char* names[3] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; ++i) {
      if (ctx->input(i).shape().rank() != 0) {
        return InvalidArgument(std::string(names[i]) + " must be a scalar, not shape " + ctx->input(i).shape().ToString());
      }
    }
    const DataType dt = ctx->input(0).dtype();
    if (ctx->input(1).dtype() != dt || ctx->input(2).dtype() != dt) {
      return InvalidArgument("Range: start, limit and delta must have the same type");
    }
    switch (dt) {
      case DT_FLOAT: return Run<float>(ctx);
      case DT_DOUBLE: return Run<double>(ctx);
      case DT_INT32: return Run<int32_t>(ctx);
      case DT_INT64: return Run<int64_t>(ctx);
      default: return InvalidArgument("Range does not support type " + DataTypeName(dt));
    }
  }

 private:
  template <typename T>
  Status Run(OpKernelContext* ctx) {
    const T start = ctx->input(0).data<T>()[0];
    const T limit = ctx->input(1).data<T>()[0];
    const T delta = ctx->input(2).data<T>()[0];
    if (delta == T(0)) return InvalidArgument("Requires delta != 0: " + ToStr(delta));
    if (delta > T(0) && start > limit) {
      return InvalidArgument("Requires start <= limit when delta > 0: " + ToStr(start) + "/" + ToStr(limit));
    }
    if (delta < T(0) && start < limit) {
      return InvalidArgument("Requires start >= limit when delta < 0: " + ToStr(start) + "/" + ToStr(limit));
    }
    int64_t size;
    if constexpr (std::is_integral_v<T>) {
      // |limit - start| and |delta| as unsigned: no overflow for any int64 values.
      const uint64_t span = start <= limit ? uint64_t(limit) - uint64_t(start) : uint64_t(start) - uint64_t(limit);
      const uint64_t step = delta > 0 ? uint64_t(delta) : uint64_t(0) - uint64_t(delta);
      const uint64_t n = span / step + (span % step != 0 ? 1 : 0);
      if (n > uint64_t(INT64_MAX)) return InvalidArgument("Requires ((limit - start) / delta) <= 2^63 - 1");
      size = static_cast<int64_t>(n);
    } else {
      const double n = std::ceil(std::abs((static_cast<double>(limit) - static_cast<double>(start)) /
                                          static_cast<double>(delta)));
      if (!std::isfinite(n) || n > 9.2e18) return InvalidArgument("Requires ((limit - start) / delta) <= 2^63 - 1");
      size = static_cast<int64_t>(n);
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DataTypeOf<T>::value, Shape({size})));
    T* p = out.data<T>();
    if constexpr (std::is_integral_v<T>) {
      // Modular arithmetic: the step after the last element may pass the type's range.
      uint64_t val = static_cast<uint64_t>(start);
      for (int64_t i = 0; i < size; ++i) {
        p[i] = static_cast<T>(val);
        val += static_cast<uint64_t>(delta);
      }
    } else {
      T val = start;  // accumulated, as TF does
      for (int64_t i = 0; i < size; ++i) {
        p[i] = val;
        val += delta;
      }
    }
    return Status::OK();
  }
  template <typename T>
  static std::string ToStr(T v) {
    if constexpr (std::is_integral_v<T>) {
      return std::to_string(v);
    } else {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
      return buf;
    }
  }
};

class ReverseV2Kernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    if (ctx->input(1).shape().rank() != 1) {
      return InvalidArgument("'dims' must be 1-dimension, not " + Str(ctx->input(1).shape().rank()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadIndexVector(ctx->input(1), "axis"));
    std::vector<bool> rev(rank, false);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < -rank || axes[i] >= rank) {
        return InvalidArgument("'axis'[" + Str(static_cast<int64_t>(i)) + "] = " + Str(axes[i]) +
                               " is out of valid range [" + Str(-rank) + ", " + Str(rank - 1) + "]");
      }
      const int a = static_cast<int>(axes[i] < 0 ? axes[i] + rank : axes[i]);
      if (rev[a]) return InvalidArgument("axis " + Str(a) + " specified more than once.");
      rev[a] = true;
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), in.shape()));
    if (out.num_elements() == 0) return Status::OK();
    std::vector<int64_t> is = RowMajorStrides(in.shape());
    int64_t off = 0;
    for (int i = 0; i < rank; ++i) {
      if (rev[i]) {
        off += (in.shape().dim(i) - 1) * is[i];
        is[i] = -is[i];
      }
    }
    StridedCopy(in, off, is, out, 0, RowMajorStrides(in.shape()), in.shape().dims(), ctx->intra_op());
    return Status::OK();
  }
};

class BroadcastToKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    if (ctx->input(1).shape().rank() != 1) {
      return InvalidArgument("shape must be a vector, got shape " + ctx->input(1).shape().ToString());
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadIndexVector(ctx->input(1), "shape"));
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    const int rank = shape.rank(), in_rank = in.shape().rank();
    bool ok = in_rank <= rank;
    std::vector<int64_t> in_full_strides(rank, 0);
    if (ok) {
      std::vector<int64_t> is = RowMajorStrides(in.shape());
      for (int i = 0; i < in_rank; ++i) {
        const int o = rank - in_rank + i;
        const int64_t d = in.shape().dim(i);
        if (d == shape.dim(o)) {
          in_full_strides[o] = d == 1 ? 0 : is[i];
        } else if (d == 1) {
          in_full_strides[o] = 0;
        } else {
          ok = false;
        }
      }
    }
    if (!ok) {
      return InvalidArgument("Unable to broadcast tensor of shape " + in.shape().ToString() + " to tensor of shape " +
                             shape.ToString());
    }
    if (in.shape() == shape) {
      ctx->set_output(0, in);
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), shape));
    StridedCopy(in, 0, in_full_strides, out, 0, RowMajorStrides(shape), dims, ctx->intra_op());
    return Status::OK();
  }
};

StatusOr<OpArity> IdentityNArity(const NodeDef& node) {
  const AttrValue* a = FindAttr(node, "T");
  if (a == nullptr || a->kind != AttrValue::Kind::kList || a->list.type.empty()) {
    return InvalidArgument("NodeDef '" + node.name + "' (IdentityN) needs a non-empty list(type) attr 'T'");
  }
  if (a->list.type.size() > (1u << 20)) return InvalidArgument("IdentityN: too many inputs");
  const int n = static_cast<int>(a->list.type.size());
  return OpArity{n, n};
}

void RegisterArrayManipKernels(OpRegistry* r) {
  r->RegisterOp({"Size", FixedArity(1, 1)});
  r->RegisterKernel("Size", "", {}, MakeFactory<SizeKernel>());
  r->RegisterOp({"Rank", FixedArity(1, 1)});
  r->RegisterKernel("Rank", "", {}, MakeFactory<RankKernel>());
  r->RegisterOp({"ExpandDims", FixedArity(2, 1)});
  r->RegisterKernel("ExpandDims", "", {}, MakeFactory<ExpandDimsKernel>());
  r->RegisterOp({"Squeeze", FixedArity(1, 1)});
  r->RegisterKernel("Squeeze", "", {}, MakeFactory<SqueezeKernel>());
  r->RegisterOp({"ZerosLike", FixedArity(1, 1)});
  r->RegisterKernel("ZerosLike", "T", kAllTypes, MakeFactory<ZerosLikeKernel>());
  r->RegisterOp({"OnesLike", FixedArity(1, 1)});
  std::vector<DataType> ones_types = kRealNumberTypes;
  ones_types.push_back(DT_BOOL);
  r->RegisterKernel("OnesLike", "T", ones_types, MakeFactory<OnesLikeKernel>());
  r->RegisterOp({"IdentityN", IdentityNArity});
  r->RegisterKernel("IdentityN", "", {}, MakeFactory<IdentityNKernel>());
  r->RegisterOp({"Range", FixedArity(3, 1)});
  r->RegisterKernel("Range", "Tidx", {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64}, MakeFactory<RangeKernel>());
  r->RegisterOp({"ReverseV2", FixedArity(2, 1)});
  r->RegisterKernel("ReverseV2", "T", kAllTypes, MakeFactory<ReverseV2Kernel>());
  r->RegisterOp({"BroadcastTo", FixedArity(2, 1)});
  r->RegisterKernel("BroadcastTo", "T", kAllTypes, MakeFactory<BroadcastToKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterArrayManipKernels);

}  // namespace graphrt
