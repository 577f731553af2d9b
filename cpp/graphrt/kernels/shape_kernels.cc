// Shape manipulation: Shape, Reshape (with -1), Fill, StridedSlice (all five masks).
#include <algorithm>
#include <cstring>

#include "graphrt/kernels/array_util.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class ShapeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto t = GetTypeAttr(def, "out_type");
    out_type_ = t.ok() ? t.value() : DT_INT32;
    if (out_type_ != DT_INT32 && out_type_ != DT_INT64) return InvalidArgument("Shape out_type must be int32 or int64");
    return Status::OK();
  }
  // Shape has one input; ShapeN (same kernel) has N inputs and N outputs.
  Status Compute(OpKernelContext* ctx) override {
    for (int k = 0; k < ctx->num_inputs(); ++k) {
      const Shape& s = ctx->input(k).shape();
      ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(k, out_type_, Shape({s.rank()})));
      for (int i = 0; i < s.rank(); ++i) {
        if (out_type_ == DT_INT32) {
          if (s.dim(i) > INT32_MAX) return InvalidArgument("Shape dimension does not fit in int32; use out_type=int64");
          out.data<int32_t>()[i] = static_cast<int32_t>(s.dim(i));
        } else {
          out.data<int64_t>()[i] = s.dim(i);
        }
      }
    }
    return Status::OK();
  }

 private:
  DataType out_type_ = DT_INT32;
};

class ReshapeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadIndexVector(ctx->input(1), "shape"));
    int unknown = -1;
    int64_t known = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] == -1) {
        if (unknown >= 0) return InvalidArgument("Only one input size may be -1, not both " + std::to_string(unknown) + " and " + std::to_string(i));
        unknown = static_cast<int>(i);
      } else if (dims[i] < 0) {
        return InvalidArgument("Size " + std::to_string(i) + " must be non-negative, not " + std::to_string(dims[i]));
      } else {
        if (dims[i] != 0 && known > INT64_MAX / dims[i]) return InvalidArgument("Reshape: requested shape is too large");
        known *= dims[i];
      }
    }
    const int64_t n = in.num_elements();
    if (unknown >= 0) {
      if (known == 0 || n % known != 0) {
        return InvalidArgument("Input to reshape is a tensor with " + std::to_string(n) +
                               " values, but the requested shape requires a multiple of " + std::to_string(known));
      }
      dims[unknown] = n / known;
    } else if (known != n) {
      return InvalidArgument("Input to reshape is a tensor with " + std::to_string(n) +
                             " values, but the requested shape has " + std::to_string(known));
    }
    ctx->set_output(0, in.WithShape(Shape(dims)));
    return Status::OK();
  }
};

class FillKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadIndexVector(ctx->input(0), "dims"));
    if (ctx->input(0).shape().rank() != 1) return InvalidArgument("dims must be a vector, got shape " + ctx->input(0).shape().ToString());
    const Tensor& value = ctx->input(1);
    if (value.shape().rank() != 0) return InvalidArgument("value must be a scalar, got shape " + value.shape().ToString());
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, value.dtype(), shape));
    if (value.dtype() == DT_STRING) {
      for (int64_t i = 0; i < shape.num_elements(); ++i) out.data<std::string>()[i] = value.data<std::string>()[0];
      return Status::OK();
    }
    DispatchNumeric(value.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T v = value.data<T>()[0];
      T* po = out.data<T>();
      ForRange(ctx->intra_op(), shape.num_elements(), [&](int64_t b, int64_t e) { std::fill(po + b, po + e, v); });
    });
    return Status::OK();
  }
};

// ---- StridedSlice ----
struct DimSlice {
  int64_t begin, stride, length;
};

class StridedSliceKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    for (auto [name, field] : {std::pair<const char*, int64_t*>{"begin_mask", &begin_mask_}, {"end_mask", &end_mask_},
                               {"ellipsis_mask", &ellipsis_mask_}, {"new_axis_mask", &new_axis_mask_},
                               {"shrink_axis_mask", &shrink_axis_mask_}}) {
      auto v = GetIntAttr(def, name);
      *field = v.ok() ? v.value() : 0;
    }
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> begin, ReadIndexVector(ctx->input(1), "begin"));
    ASSIGN_OR_RETURN(std::vector<int64_t> end, ReadIndexVector(ctx->input(2), "end"));
    ASSIGN_OR_RETURN(std::vector<int64_t> strides, ReadIndexVector(ctx->input(3), "strides"));
    const int k = static_cast<int>(begin.size());
    if (end.size() != begin.size() || strides.size() != begin.size()) {
      return InvalidArgument("Expected begin, end, and strides to be 1D equal size tensors");
    }
    if (k > 64) return InvalidArgument("StridedSlice supports at most 64 index entries");
    const int rank = in.shape().rank();
    auto bit = [](int64_t mask, int i) { return ((mask >> i) & 1) != 0; };
    int ellipsis_at = -1, real = 0;
    for (int i = 0; i < k; ++i) {
      if (bit(ellipsis_mask_, i)) {
        if (ellipsis_at >= 0) return InvalidArgument("Multiple ellipses in slice spec not allowed");
        ellipsis_at = i;
      } else if (!bit(new_axis_mask_, i)) {
        ++real;
      }
    }
    if (real > rank) {
      return InvalidArgument("Index out of range using input dim " + std::to_string(rank) + "; input has only " +
                             std::to_string(rank) + " dims");
    }
    // Walk the sparse spec: each real entry slices one input dim, the ellipsis covers the dims no
    // entry names, new axes only add size-1 output dims.
    std::vector<DimSlice> dims(rank);
    std::vector<int64_t> out_dims;
    int d = 0;
    auto full = [&](int dim) {
      dims[dim] = {0, 1, in.shape().dim(dim)};
      out_dims.push_back(in.shape().dim(dim));
    };
    for (int i = 0; i < k; ++i) {
      if (i == ellipsis_at) {
        int covered = rank - real;
        for (int j = 0; j < covered; ++j) full(d++);
      } else if (bit(new_axis_mask_, i)) {
        out_dims.push_back(1);
      } else {
        const int64_t size = in.shape().dim(d);
        if (strides[i] == 0) return InvalidArgument("strides[" + std::to_string(i) + "] must be non-zero");
        if (bit(shrink_axis_mask_, i)) {
          int64_t idx = begin[i] < 0 ? begin[i] + size : begin[i];
          if (idx < 0 || idx >= size) {
            return InvalidArgument("slice index " + std::to_string(begin[i]) + " of dimension " + std::to_string(d) +
                                   " out of bounds.");
          }
          dims[d] = {idx, 1, 1};
        } else {
          const int64_t s = strides[i];
          int64_t b, e;
          auto norm = [size](int64_t v) { return v < 0 ? v + size : v; };
          if (s > 0) {
            b = bit(begin_mask_, i) ? 0 : std::clamp<int64_t>(norm(begin[i]), 0, size);
            e = bit(end_mask_, i) ? size : std::clamp<int64_t>(norm(end[i]), 0, size);
            int64_t len = e > b ? (e - b + s - 1) / s : 0;
            dims[d] = {b, s, len};
          } else {
            b = bit(begin_mask_, i) ? size - 1 : std::clamp<int64_t>(norm(begin[i]), -1, size - 1);
            e = bit(end_mask_, i) ? -1 : std::clamp<int64_t>(norm(end[i]), -1, size - 1);
            int64_t len = b > e ? (b - e + (-s) - 1) / (-s) : 0;
            dims[d] = {b, s, len};
          }
          out_dims.push_back(dims[d].length);
        }
        ++d;
      }
    }
    while (d < rank) full(d++);  // implicit trailing ellipsis

    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), Shape(out_dims)));
    const int64_t total = out.num_elements();
    if (total == 0) return Status::OK();
    // One strided copy: contiguous inner runs (stride 1 on the last sliced dim) go by memcpy.
    std::vector<int64_t> in_strides = RowMajorStrides(in.shape());
    std::vector<int64_t> src_strides(rank), lengths(rank);
    int64_t offset = 0;
    for (int i = 0; i < rank; ++i) {
      offset += dims[i].begin * in_strides[i];
      src_strides[i] = dims[i].stride * in_strides[i];
      lengths[i] = dims[i].length;
    }
    StridedCopy(in, offset, src_strides, out, 0, RowMajorStrides(Shape(lengths)), lengths, ctx->intra_op());
    return Status::OK();
  }

 private:
  int64_t begin_mask_ = 0, end_mask_ = 0, ellipsis_mask_ = 0, new_axis_mask_ = 0, shrink_axis_mask_ = 0;
};

}  // namespace

namespace {
void RegisterShapeKernels(OpRegistry* r) {
  r->RegisterOp({"Shape", FixedArity(1, 1)});
  r->RegisterKernel("Shape", "", {}, MakeFactory<ShapeKernel>());
  r->RegisterOp({"ShapeN", [](const NodeDef& n) -> StatusOr<OpArity> {
                   ASSIGN_OR_RETURN(OpArity a, AttrArity("N", 0)(n));
                   return OpArity{a.num_inputs, a.num_inputs};
                 }});
  r->RegisterKernel("ShapeN", "", {}, MakeFactory<ShapeKernel>());
  r->RegisterOp({"Reshape", FixedArity(2, 1)});
  r->RegisterKernel("Reshape", "", {}, MakeFactory<ReshapeKernel>());
  r->RegisterOp({"Fill", FixedArity(2, 1)});
  r->RegisterKernel("Fill", "", {}, MakeFactory<FillKernel>());
  r->RegisterOp({"StridedSlice", FixedArity(4, 1)});
  r->RegisterKernel("StridedSlice", "", {}, MakeFactory<StridedSliceKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterShapeKernels);

}  // namespace graphrt
