// _FusedMatMul and _FusedConv2D (TensorFlow's names, attr fused_ops = ["BiasAdd"] or
// ["BiasAdd", "Relu"]): the contraction node's own kernel (the MatMul's gemm, the Conv2D's
// im2col + gemm) writes a fresh output, then one epilogue loop adds the bias and applies the Relu in
// place on it (a float MatMul on graphrt's own gemm does both in its store pass instead): no buffer
// for the BiasAdd or Relu results, one pass over the output instead of two, and two nodes fewer for
// the executor. The epilogue computes v + b then (r > 0 ? r : 0), as BiasAdd and Relu do, so results
// are bit-identical; errors keep the wording and the node name of the op at fault.
#include <algorithm>
#include <cstring>

#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/fused_kernels.h"

namespace graphrt {
namespace {

class FusedContractionKernel : public OpKernel {
 public:
  FusedContractionKernel(const NodeDef& def, FusedContractionSpec spec) : OpKernel(def), spec_(std::move(spec)) {}
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    std::vector<Tensor> in{ctx->input(0), ctx->input(1)}, out(1);
    if (!spec_.bias_nchw) {
      // A contraction that adds the bias (and the Relu) in its own store pass saves the epilogue's
      // pass over the output; it declines anything but a plain float bias vector along the columns.
      OpKernelContext sub(&in, &out, ctx->intra_op(), ctx->control());
      if (spec_.contraction->ComputeWithBias(&sub, ctx->input(2), !spec_.relu_name.empty()) && out[0].initialized()) {
        ctx->set_output(0, std::move(out[0]));
        return Status::OK();
      }
      out[0] = Tensor();
    }
    {
      OpKernelContext sub(&in, &out, ctx->intra_op(), ctx->control());
      Status s = spec_.contraction->Compute(&sub);
      if (!s.ok()) return s.WithNode(spec_.contraction_name);
    }
    if (!out[0].initialized()) return Internal("Kernel " + spec_.contraction->type() + " did not set output 0");
    in.clear();
    Tensor v = std::move(out[0]);
    const Tensor& b = ctx->input(2);
    if (spec_.bias_is_add) {
      const int r = v.shape().rank();
      const bool vector_bias = v.dtype() == b.dtype() && r >= 1 && v.shape().dim(r - 1) > 0 &&
                               ((b.shape().rank() == 1 && b.shape().dim(0) == v.shape().dim(r - 1)) ||
                                (b.shape().rank() == 2 && r >= 2 && b.shape().dim(0) == 1 &&
                                 b.shape().dim(1) == v.shape().dim(r - 1)));
      if (!vector_bias) return Unfused(ctx, std::move(v));
      if (!v.ClaimForRewrite()) {
        ASSIGN_OR_RETURN(v, v.Copy());
      }
      if (v.dtype() == DT_FLOAT) {
        Epilogue<float>(ctx, v, b, v.shape().dim(r - 1), 1);
      } else if (v.dtype() == DT_DOUBLE) {
        Epilogue<double>(ctx, v, b, v.shape().dim(r - 1), 1);
      } else {
        return Unfused(ctx, std::move(v));
      }
      ctx->set_output(0, std::move(v));
      return Status::OK();
    }
    // BiasAdd's checks and wording.
    if (v.dtype() != b.dtype()) {
      return Status(Code::kInvalidArgument, "BiasAdd got mismatched input types " + DataTypeName(v.dtype()) + " and " +
                    DataTypeName(b.dtype()), spec_.bias_name);
    }
    if (v.shape().rank() < 2) {
      return Status(Code::kInvalidArgument, "Input tensor must be at least 2D: " + v.shape().ToString(), spec_.bias_name);
    }
    if (b.shape().rank() != 1) {
      return Status(Code::kInvalidArgument, "Biases must be 1D: " + b.shape().ToString(), spec_.bias_name);
    }
    const int cdim = spec_.bias_nchw ? 1 : v.shape().rank() - 1;
    const int64_t channels = v.shape().dim(cdim);
    if (b.shape().dim(0) != channels) {
      return Status(Code::kInvalidArgument,
                    "Must provide as many biases as the channel dimension of the input tensor: " +
                        b.shape().ToString() + " vs. " + v.shape().ToString(),
                    spec_.bias_name);
    }
    // The contraction's output is its own fresh buffer; should it ever share one, write a copy.
    if (!v.ClaimForRewrite()) {
      ASSIGN_OR_RETURN(v, v.Copy());
    }
    int64_t inner = 1;
    for (int i = cdim + 1; i < v.shape().rank(); ++i) inner *= v.shape().dim(i);
    if (v.dtype() == DT_FLOAT) {
      Epilogue<float>(ctx, v, b, channels, inner);
    } else if (v.dtype() == DT_DOUBLE) {
      Epilogue<double>(ctx, v, b, channels, inner);
    } else {
      return Status(Code::kInvalidArgument, "_Fused" + spec_.contraction->type() + " does not support " +
                    DataTypeName(v.dtype()), name());
    }
    ctx->set_output(0, std::move(v));
    return Status::OK();
  }

 private:
  template <typename C>
  void Epilogue(OpKernelContext* ctx, const Tensor& v, const Tensor& b, int64_t channels, int64_t inner) const {
    C* pv = v.data<C>();
    const C* pb = b.data<C>();
    const int64_t n = v.num_elements();
    if (n == 0) return;
    const bool relu = !spec_.relu_name.empty();
    if (inner == 1) {
      // Channels last (MatMul, NHWC): rows of `channels` elements.
      const int64_t rows = n / channels;
      ForRange(ctx->intra_op(), rows, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          C* row = pv + r * channels;
          if (relu) {
            for (int64_t c = 0; c < channels; ++c) {
              const C t = row[c] + pb[c];
              row[c] = t > C(0) ? t : C(0);
            }
          } else {
            for (int64_t c = 0; c < channels; ++c) row[c] = row[c] + pb[c];
          }
        }
      }, static_cast<int>(std::min<int64_t>(4096, std::max<int64_t>(2, channels * 2))));
      return;
    }
    // Channels first (NCHW): planes of `inner` elements share one bias.
    const int64_t planes = n / inner;
    ForRange(ctx->intra_op(), planes, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        C* plane = pv + p * inner;
        const C bias = pb[p % channels];
        if (relu) {
          for (int64_t j = 0; j < inner; ++j) {
            const C t = plane[j] + bias;
            plane[j] = t > C(0) ? t : C(0);
          }
        } else {
          for (int64_t j = 0; j < inner; ++j) plane[j] = plane[j] + bias;
        }
      }
    }, static_cast<int>(std::min<int64_t>(4096, std::max<int64_t>(2, inner * 2))));
  }

  // The Add and Relu kernels on the contraction's output (broadcasting other than a bias vector).
  Status Unfused(OpKernelContext* ctx, Tensor v) {
    std::vector<Tensor> in(2), out(1);
    in[spec_.bias_operand] = ctx->input(2);
    in[1 - spec_.bias_operand] = std::move(v);
    {
      OpKernelContext sub(&in, &out, ctx->intra_op(), ctx->control());
      Status s = spec_.add_kernel->Compute(&sub);
      if (!s.ok()) return s.WithNode(spec_.bias_name);
    }
    if (!out[0].initialized()) return Internal("Kernel Add did not set output 0");
    if (spec_.relu_kernel) {
      std::vector<Tensor> rin{std::move(out[0])}, rout(1);
      in.clear();
      OpKernelContext sub(&rin, &rout, ctx->intra_op(), ctx->control());
      Status s = spec_.relu_kernel->Compute(&sub);
      if (!s.ok()) return s.WithNode(spec_.relu_name);
      if (!rout[0].initialized()) return Internal("Kernel Relu did not set output 0");
      out[0] = std::move(rout[0]);
    }
    ctx->set_output(0, std::move(out[0]));
    return Status::OK();
  }

  FusedContractionSpec spec_;
};

}  // namespace

std::shared_ptr<OpKernel> MakeFusedContractionKernel(const NodeDef& def, FusedContractionSpec spec) {
  return std::make_shared<FusedContractionKernel>(def, std::move(spec));
}

}  // namespace graphrt
