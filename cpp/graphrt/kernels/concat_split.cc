// Joining and splitting along an axis: ConcatV2, Pack, Unpack, Split, SplitV. Data moves by element
// byte size (strings element-wise), so every dtype is served.
#include <string>
#include <vector>

#include "graphrt/kernels/array_util.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }

// Copies `in` into `out` at position `offset` along `axis` (in's other dims equal out's).
void CopyIntoAxis(const Tensor& in, const Tensor& out, int axis, int64_t offset, ThreadPool* pool) {
  std::vector<int64_t> os = RowMajorStrides(out.shape());
  StridedCopy(in, 0, RowMajorStrides(in.shape()), out, offset * os[axis], os, in.shape().dims(), pool);
}

// Copies the slab [offset, offset + out.dim(axis)) of `in` along `axis` into `out`.
void CopyFromAxis(const Tensor& in, const Tensor& out, int axis, int64_t offset, ThreadPool* pool) {
  std::vector<int64_t> is = RowMajorStrides(in.shape());
  StridedCopy(in, offset * is[axis], is, out, 0, RowMajorStrides(out.shape()), out.shape().dims(), pool);
}

class ConcatV2Kernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const int n = ctx->num_inputs() - 1;
    if (n < 1) return InvalidArgument("ConcatOp : Expected at least one input");
    const Tensor& axis_t = ctx->input(n);
    if (axis_t.shape().rank() != 0) {
      return InvalidArgument("ConcatOp : Expected concatenating dimensions to be a scalar, got shape " +
                             axis_t.shape().ToString());
    }
    ASSIGN_OR_RETURN(int64_t axis64, ReadIndexScalar(axis_t, "axis"));
    const Tensor& first = ctx->input(0);
    const int rank = first.shape().rank();
    if (rank == 0) return InvalidArgument("ConcatOp : Can't concatenate scalars (use tf.stack instead)");
    if (axis64 < -rank || axis64 >= rank) {
      return InvalidArgument("ConcatOp : Expected concatenating dimensions in the range [" + Str(-rank) + ", " +
                             Str(rank) + "), but got " + Str(axis64));
    }
    const int axis = static_cast<int>(axis64 < 0 ? axis64 + rank : axis64);
    int64_t total = 0;
    for (int i = 0; i < n; ++i) {
      const Tensor& t = ctx->input(i);
      if (t.dtype() != first.dtype()) {
        return InvalidArgument("ConcatOp : Expected all inputs to have type " + DataTypeName(first.dtype()) +
                               ", but input " + Str(i) + " has type " + DataTypeName(t.dtype()));
      }
      if (t.shape().rank() != rank) {
        return InvalidArgument("ConcatOp : Ranks of all input tensors should match: shape[0] = " +
                               first.shape().ToString() + " vs. shape[" + Str(i) + "] = " + t.shape().ToString());
      }
      for (int d = 0; d < rank; ++d) {
        if (d != axis && t.shape().dim(d) != first.shape().dim(d)) {
          return InvalidArgument("ConcatOp : Dimension " + Str(d) + " in both shapes must be equal: shape[0] = " +
                                 first.shape().ToString() + " vs. shape[" + Str(i) + "] = " + t.shape().ToString());
        }
      }
      total += t.shape().dim(axis);
    }
    std::vector<int64_t> dims = first.shape().dims();
    dims[axis] = total;
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    if (n == 1) {
      ctx->set_output(0, first);
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, first.dtype(), shape));
    int64_t offset = 0;
    for (int i = 0; i < n; ++i) {
      CopyIntoAxis(ctx->input(i), out, axis, offset, ctx->intra_op());
      offset += ctx->input(i).shape().dim(axis);
    }
    return Status::OK();
  }
};

class PackKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto a = GetIntAttr(def, "axis");
    axis_ = a.ok() ? a.value() : 0;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const int n = ctx->num_inputs();
    const Tensor& first = ctx->input(0);
    const int rank = first.shape().rank();
    if (axis_ < -(rank + 1) || axis_ > rank) {
      return InvalidArgument("axis = " + Str(axis_) + " not in [" + Str(-(rank + 1)) + ", " + Str(rank + 1) + ")");
    }
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank + 1 : axis_);
    for (int i = 1; i < n; ++i) {
      const Tensor& t = ctx->input(i);
      if (t.dtype() != first.dtype()) {
        return InvalidArgument("Pack: all inputs must have type " + DataTypeName(first.dtype()) + ", but values[" +
                               Str(i) + "] has type " + DataTypeName(t.dtype()));
      }
      if (t.shape() != first.shape()) {
        return InvalidArgument("Shapes of all inputs must match: values[0].shape = " + first.shape().ToString() +
                               " != values[" + Str(i) + "].shape = " + t.shape().ToString());
      }
    }
    std::vector<int64_t> dims = first.shape().dims();
    dims.insert(dims.begin() + axis, n);
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, first.dtype(), shape));
    for (int i = 0; i < n; ++i) {
      CopyIntoAxis(ctx->input(i).WithShape(Shape(InsertOne(first.shape().dims(), axis))), out, axis, i,
                   ctx->intra_op());
    }
    return Status::OK();
  }

  static std::vector<int64_t> InsertOne(std::vector<int64_t> d, int axis) {
    d.insert(d.begin() + axis, 1);
    return d;
  }

 private:
  int64_t axis_ = 0;
};

class UnpackKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto a = GetIntAttr(def, "axis");
    axis_ = a.ok() ? a.value() : 0;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    const int num = ctx->num_outputs();
    if (axis_ < -rank || axis_ >= rank || rank == 0) {
      return InvalidArgument("axis = " + Str(axis_) + " not in [" + Str(-rank) + ", " + Str(rank) + ")");
    }
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
    if (in.shape().dim(axis) != num) {
      return InvalidArgument("Input shape axis " + Str(axis) + " must equal " + Str(num) + ", got shape " +
                             in.shape().ToString());
    }
    std::vector<int64_t> piece = in.shape().dims();
    piece[axis] = 1;
    std::vector<int64_t> out_dims = in.shape().dims();
    out_dims.erase(out_dims.begin() + axis);
    for (int i = 0; i < num; ++i) {
      ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(i, in.dtype(), Shape(out_dims)));
      CopyFromAxis(in, out.WithShape(Shape(piece)), axis, i, ctx->intra_op());
    }
    return Status::OK();
  }

 private:
  int64_t axis_ = 0;
};

// Splits `in` along `axis` into pieces of the given sizes (outputs 0..n-1).
Status SplitInto(OpKernelContext* ctx, const Tensor& in, int axis, const std::vector<int64_t>& sizes) {
  int64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> dims = in.shape().dims();
    dims[axis] = sizes[i];
    if (sizes.size() == 1) {
      ctx->set_output(0, in);
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(static_cast<int>(i), in.dtype(), Shape(dims)));
    CopyFromAxis(in, out, axis, offset, ctx->intra_op());
    offset += sizes[i];
  }
  return Status::OK();
}

StatusOr<int> SplitAxis(const Tensor& t, int rank) {
  if (t.num_elements() != 1) return InvalidArgument("split_dim must be a scalar but has shape " + t.shape().ToString());
  ASSIGN_OR_RETURN(int64_t d, ReadIndexScalar(t, "split_dim"));
  if (d < -rank || d >= rank) {
    return InvalidArgument("-input rank(-" + Str(rank) + ") <= split_dim < input rank (" + Str(rank) + "), but got " +
                           Str(d));
  }
  return static_cast<int>(d < 0 ? d + rank : d);
}

class SplitKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(1);
    const int num = ctx->num_outputs();
    ASSIGN_OR_RETURN(int axis, SplitAxis(ctx->input(0), in.shape().rank()));
    const int64_t size = in.shape().dim(axis);
    if (size % num != 0) {
      return InvalidArgument("Number of ways to split should evenly divide the split dimension, but got split_dim " +
                             Str(axis) + " (size = " + Str(size) + ") and num_split " + Str(num));
    }
    return SplitInto(ctx, in, axis, std::vector<int64_t>(num, size / num));
  }
};

class SplitVKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int num = ctx->num_outputs();
    ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ReadIndexVector(ctx->input(1), "size_splits"));
    if (ctx->input(1).shape().rank() != 1 || static_cast<int>(sizes.size()) != num) {
      return InvalidArgument("size_splits must be a vector of length num_split = " + Str(num) + ", got shape " +
                             ctx->input(1).shape().ToString());
    }
    ASSIGN_OR_RETURN(int axis, SplitAxis(ctx->input(2), in.shape().rank()));
    const int64_t size = in.shape().dim(axis);
    int neg = -1;
    int64_t known = 0;
    for (int i = 0; i < num; ++i) {
      if (sizes[i] == -1) {
        if (neg >= 0) return InvalidArgument("There can only be one -1 in the input.");
        neg = i;
      } else if (sizes[i] < 0) {
        return InvalidArgument("Split size at index " + Str(i) + " must be >= 0. Got: " + Str(sizes[i]));
      } else {
        known += sizes[i];
        if (known > size) break;
      }
    }
    if ((neg < 0 && known != size) || (neg >= 0 && known > size)) {
      return InvalidArgument(
          "Determined shape must either match input shape along split_dim exactly if fully specified, or be less "
          "than the size of the input along split_dim if not fully specified.  Got: " + Str(known));
    }
    if (neg >= 0) sizes[neg] = size - known;
    return SplitInto(ctx, in, axis, sizes);
  }
};

void RegisterConcatSplitKernels(OpRegistry* r) {
  r->RegisterOp({"ConcatV2", IntAttrArity("N", true, 1, false, 1, 1)});
  r->RegisterKernel("ConcatV2", "T", kAllTypes, MakeFactory<ConcatV2Kernel>());
  r->RegisterOp({"Pack", IntAttrArity("N", true, 0, false, 1, 1)});
  r->RegisterKernel("Pack", "T", kAllTypes, MakeFactory<PackKernel>());
  r->RegisterOp({"Unpack", IntAttrArity("num", false, 1, true, 0, 0)});
  r->RegisterKernel("Unpack", "T", kAllTypes, MakeFactory<UnpackKernel>());
  r->RegisterOp({"Split", IntAttrArity("num_split", false, 2, true, 0, 1)});
  r->RegisterKernel("Split", "T", kAllTypes, MakeFactory<SplitKernel>());
  r->RegisterOp({"SplitV", IntAttrArity("num_split", false, 3, true, 0, 1)});
  r->RegisterKernel("SplitV", "T", kAllTypes, MakeFactory<SplitVKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterConcatSplitKernels);

}  // namespace graphrt
