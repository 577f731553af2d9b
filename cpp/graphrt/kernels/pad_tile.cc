// Slice, Tile, Pad, PadV2, MirrorPad: every dtype via byte-size copies (strings element-wise).
#include <cstring>
#include <string>
#include <vector>

#include "graphrt/kernels/array_util.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }

class SliceKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    const Tensor& bt = ctx->input(1);
    const Tensor& st = ctx->input(2);
    if (bt.shape().rank() != 1 || st.shape().rank() != 1 || bt.num_elements() != rank || st.num_elements() != rank) {
      return InvalidArgument("Expected begin and size arguments to be 1-D tensors of size " + Str(rank) +
                             ", but got shapes " + bt.shape().ToString() + " and " + st.shape().ToString() +
                             " instead.");
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> begin, ReadIndexVector(bt, "begin"));
    ASSIGN_OR_RETURN(std::vector<int64_t> size, ReadIndexVector(st, "size"));
    for (int i = 0; i < rank; ++i) {
      const int64_t d = in.shape().dim(i);
      if (size[i] == -1) size[i] = d - begin[i];
      if (begin[i] < 0 || begin[i] > d) {
        return InvalidArgument("Expected begin[" + Str(i) + "] in [0, " + Str(d) + "], but got " + Str(begin[i]));
      }
      if (size[i] < 0 || size[i] > d - begin[i]) {
        return InvalidArgument("Expected size[" + Str(i) + "] in [0, " + Str(d - begin[i]) + "], but got " +
                               Str(size[i]));
      }
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), Shape(size)));
    std::vector<int64_t> is = RowMajorStrides(in.shape());
    int64_t off = 0;
    for (int i = 0; i < rank; ++i) off += begin[i] * is[i];
    StridedCopy(in, off, is, out, 0, RowMajorStrides(out.shape()), size, ctx->intra_op());
    return Status::OK();
  }
};

class TileKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    const Tensor& mt = ctx->input(1);
    if (mt.shape().rank() != 1 || mt.num_elements() != rank) {
      return InvalidArgument("Expected multiples argument to be a vector of length " + Str(rank) + " but got length " +
                             (mt.shape().rank() == 1 ? Str(mt.num_elements()) : mt.shape().ToString()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> mult, ReadIndexVector(mt, "multiples"));
    std::vector<int64_t> out_dims(rank);
    for (int i = 0; i < rank; ++i) {
      if (mult[i] < 0) return InvalidArgument("Expected multiples[" + Str(i) + "] >= 0, but got " + Str(mult[i]));
      const int64_t d = in.shape().dim(i);
      if (d != 0 && mult[i] > INT64_MAX / d) return InvalidArgument("Tile: output shape is too large");
      out_dims[i] = d * mult[i];
    }
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(out_dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), shape));
    // The output viewed as [m0, d0, m1, d1, ...]: the input repeats along each m (stride 0).
    std::vector<int64_t> is = RowMajorStrides(in.shape()), os = RowMajorStrides(shape);
    std::vector<int64_t> dims, isv, osv;
    for (int i = 0; i < rank; ++i) {
      const int64_t d = in.shape().dim(i);
      dims.push_back(mult[i]);
      isv.push_back(0);
      osv.push_back(d * os[i]);
      dims.push_back(d);
      isv.push_back(is[i]);
      osv.push_back(os[i]);
    }
    StridedCopy(in, 0, isv, out, 0, osv, dims, ctx->intra_op());
    return Status::OK();
  }
};

StatusOr<std::vector<std::pair<int64_t, int64_t>>> ReadPaddings(const Tensor& in, const Tensor& p) {
  const int rank = in.shape().rank();
  if (p.shape().rank() != 2 || p.shape().dim(1) != 2) {
    return InvalidArgument("paddings must be a matrix with 2 columns: " + p.shape().ToString());
  }
  if (p.shape().dim(0) != rank) {
    return InvalidArgument("The first dimension of paddings must be the rank of inputs" + p.shape().ToString() + " " +
                           in.shape().ToString());
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadIndexVector(p.WithShape(Shape({2 * rank})), "paddings"));
  std::vector<std::pair<int64_t, int64_t>> out(rank);
  for (int i = 0; i < rank; ++i) {
    if (v[2 * i] < 0 || v[2 * i + 1] < 0) {
      return InvalidArgument("Paddings must be non-negative: " + Str(v[2 * i]) + " " + Str(v[2 * i + 1]));
    }
    out[i] = {v[2 * i], v[2 * i + 1]};
  }
  return out;
}

StatusOr<Shape> PaddedShape(const Tensor& in, const std::vector<std::pair<int64_t, int64_t>>& pads) {
  std::vector<int64_t> dims(in.shape().rank());
  for (int i = 0; i < in.shape().rank(); ++i) {
    const int64_t d = in.shape().dim(i);
    if (pads[i].first > INT64_MAX - d || pads[i].second > INT64_MAX - d - pads[i].first) {
      return InvalidArgument("Pad: output shape is too large");
    }
    dims[i] = d + pads[i].first + pads[i].second;
  }
  return Shape::Make(dims);
}

class PadKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    v2_ = def.op == "PadV2";
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    ASSIGN_OR_RETURN(auto pads, ReadPaddings(in, ctx->input(1)));
    ASSIGN_OR_RETURN(Shape shape, PaddedShape(in, pads));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), shape));
    if (v2_) {
      const Tensor& cv = ctx->input(2);
      if (cv.shape().rank() != 0) return InvalidArgument("constant_values must be a scalar. Got: " + cv.shape().ToString());
      if (cv.dtype() != in.dtype()) {
        return InvalidArgument("constant_values must have type " + DataTypeName(in.dtype()) + ", got " +
                               DataTypeName(cv.dtype()));
      }
      FillFromElement(out, cv, 0, ctx->intra_op());
    } else {
      FillZero(out);
    }
    std::vector<int64_t> os = RowMajorStrides(shape);
    int64_t off = 0;
    for (int i = 0; i < shape.rank(); ++i) off += pads[i].first * os[i];
    StridedCopy(in, 0, RowMajorStrides(in.shape()), out, off, os, in.shape().dims(), ctx->intra_op());
    return Status::OK();
  }

 private:
  bool v2_ = false;
};

class MirrorPadKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "mode");
    if (a == nullptr || a->kind != AttrValue::Kind::kS) return InvalidArgument("MirrorPad requires a string attr 'mode'");
    if (a->s == "REFLECT") {
      offset_ = 1;
    } else if (a->s == "SYMMETRIC") {
      offset_ = 0;
    } else {
      return InvalidArgument("mode must be either REFLECT or SYMMETRIC, got " + a->s);
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int rank = in.shape().rank();
    ASSIGN_OR_RETURN(auto pads, ReadPaddings(in, ctx->input(1)));
    for (int i = 0; i < rank; ++i) {
      const int64_t d = in.shape().dim(i);
      if (pads[i].first > d - offset_ || pads[i].second > d - offset_) {
        return InvalidArgument(offset_ == 1 ? "paddings must be less than the dimension size: " + Str(pads[i].first) +
                                                  ", " + Str(pads[i].second) + " not less than " + Str(d)
                                            : "paddings must be no greater than the dimension size: " +
                                                  Str(pads[i].first) + ", " + Str(pads[i].second) + " greater than " +
                                                  Str(d));
      }
    }
    ASSIGN_OR_RETURN(Shape shape, PaddedShape(in, pads));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), shape));
    if (out.num_elements() == 0) return Status::OK();
    // The interior is a plain copy; then each dim's edges are mirrored from the already written
    // part of the output, one dim at a time (the edges of earlier dims included).
    std::vector<int64_t> os = RowMajorStrides(shape);
    int64_t off = 0;
    for (int i = 0; i < rank; ++i) off += pads[i].first * os[i];
    StridedCopy(in, 0, RowMajorStrides(in.shape()), out, off, os, in.shape().dims(), ctx->intra_op());
    // Region already written along dims < k is full; along dims >= k it is the interior.
    for (int k = 0; k < rank; ++k) {
      const int64_t d = in.shape().dim(k);
      std::vector<int64_t> dims(rank);
      int64_t base = 0;
      for (int i = 0; i < rank; ++i) {
        if (i < k) {
          dims[i] = shape.dim(i);
        } else {
          dims[i] = in.shape().dim(i);
          base += pads[i].first * os[i];
        }
      }
      dims[k] = 1;
      const int64_t base_k = base - pads[k].first * os[k];  // offset of row 0 along dim k
      for (int64_t j = 0; j < pads[k].first; ++j) {
        // output row j (before) mirrors output row 2*p - j - offset... expressed via input index.
        const int64_t src_in = pads[k].first - j - 1 + offset_;  // input index along k
        const int64_t src_row = pads[k].first + src_in;
        StridedCopy(out, base_k + src_row * os[k], os, out, base_k + j * os[k], os, dims, nullptr);
      }
      for (int64_t j = 0; j < pads[k].second; ++j) {
        const int64_t src_in = d - 1 - offset_ - j;
        const int64_t src_row = pads[k].first + src_in;
        const int64_t dst_row = pads[k].first + d + j;
        StridedCopy(out, base_k + src_row * os[k], os, out, base_k + dst_row * os[k], os, dims, nullptr);
      }
    }
    return Status::OK();
  }

 private:
  int64_t offset_ = 1;
};

void RegisterPadTileKernels(OpRegistry* r) {
  r->RegisterOp({"Slice", FixedArity(3, 1)});
  r->RegisterKernel("Slice", "T", kAllTypes, MakeFactory<SliceKernel>());
  r->RegisterOp({"Tile", FixedArity(2, 1)});
  r->RegisterKernel("Tile", "T", kAllTypes, MakeFactory<TileKernel>());
  r->RegisterOp({"Pad", FixedArity(2, 1)});
  r->RegisterKernel("Pad", "T", kAllTypes, MakeFactory<PadKernel>());
  r->RegisterOp({"PadV2", FixedArity(3, 1)});
  r->RegisterKernel("PadV2", "T", kAllTypes, MakeFactory<PadKernel>());
  r->RegisterOp({"MirrorPad", FixedArity(2, 1)});
  r->RegisterKernel("MirrorPad", "T", kAllTypes, MakeFactory<MirrorPadKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterPadTileKernels);

}  // namespace graphrt
