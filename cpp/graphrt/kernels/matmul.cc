// MatMul: float/double through blas.h's ParallelGemm (graphrt's AVX-512 kernel for float where the
// CPU has it, OpenBLAS otherwise), split over the intra-op pool; integer and half types by a loop.
#include <algorithm>
#include <cstring>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/blas.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/gemm_b_cache.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class MatMulKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(transpose_a_, GetBoolAttr(def, "transpose_a", false));
    ASSIGN_OR_RETURN(transpose_b_, GetBoolAttr(def, "transpose_b", false));
    return Status::OK();
  }
  bool expensive() const override { return true; }

  // op(a) is m x k, op(b) is k2 x n (rank-2 inputs).
  struct Dims {
    int64_t m, k, k2, n;
  };
  Dims DimsOf(const Tensor& a, const Tensor& b) const {
    return {transpose_a_ ? a.shape().dim(1) : a.shape().dim(0), transpose_a_ ? a.shape().dim(0) : a.shape().dim(1),
            transpose_b_ ? b.shape().dim(1) : b.shape().dim(0), transpose_b_ ? b.shape().dim(0) : b.shape().dim(1)};
  }

  bool ComputeWithBias(OpKernelContext* ctx, const Tensor& bias, bool relu) override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.dtype() != DT_FLOAT || b.dtype() != DT_FLOAT || bias.dtype() != DT_FLOAT) return false;
    if (a.shape().rank() != 2 || b.shape().rank() != 2 || bias.shape().rank() != 1) return false;
    const Dims d = DimsOf(a, b);
    const int64_t m = d.m, k = d.k, n = d.n;
    if (k != d.k2 || bias.shape().dim(0) != n || m == 0 || n == 0 || k == 0 || !GemmCanAddBias(n)) return false;
    auto out = ctx->AllocateOutput(0, DT_FLOAT, Shape({m, n}));
    if (!out.ok()) return false;
    const auto packed_b = b_cache_.Lookup(b, transpose_b_, k, n, b.shape().dim(1));
    ParallelGemmBiasRelu(ctx->intra_op(), transpose_a_, transpose_b_, m, n, k, a.data<float>(), a.shape().dim(1),
                         b.data<float>(), b.shape().dim(1), out.value().data<float>(), n, bias.data<float>(), relu,
                         packed_b.get());
    return true;
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.shape().rank() != 2 || b.shape().rank() != 2) {
      return InvalidArgument("In[0] and In[1] must be matrices: In[0]: " + a.shape().ToString() +
                             ", In[1]: " + b.shape().ToString());
    }
    if (a.dtype() != b.dtype()) return InvalidArgument("MatMul inputs must have the same type");
    const Dims d = DimsOf(a, b);
    const int64_t m = d.m, k = d.k, n = d.n;
    if (k != d.k2) {
      return InvalidArgument("Matrix size-incompatible: In[0]: " + a.shape().ToString() + ", In[1]: " +
                             b.shape().ToString());
    }
    constexpr int64_t kBlasMax = 0x7fffffff;
    if (m > kBlasMax || n > kBlasMax || k > kBlasMax) return InvalidArgument("MatMul dimension exceeds 2^31-1");
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, a.dtype(), Shape({m, n})));
    if (m == 0 || n == 0) return Status::OK();
    if (k == 0) {
      std::memset(out.raw(), 0, out.bytes());
      return Status::OK();
    }
    const int64_t lda = a.shape().dim(1), ldb = b.shape().dim(1);
    if (a.dtype() == DT_FLOAT) {
      const auto packed_b = b_cache_.Lookup(b, transpose_b_, k, n, ldb);
      ParallelGemm(ctx->intra_op(), transpose_a_, transpose_b_, m, n, k, 1.0f, a.data<float>(), lda,
                   b.data<float>(), ldb, 0.0f, out.data<float>(), n, packed_b.get());
      return Status::OK();
    }
    if (a.dtype() == DT_DOUBLE) {
      ParallelGemm(ctx->intra_op(), transpose_a_, transpose_b_, m, n, k, 1.0, a.data<double>(), lda,
                   b.data<double>(), ldb, 0.0, out.data<double>(), n);
      return Status::OK();
    }
    bool handled = DispatchNumeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* po = out.data<T>();
      const bool tra = transpose_a_, trb = transpose_b_;
      auto rows = [&](int64_t r0, int64_t r1) {
        std::vector<C> acc(static_cast<size_t>(n));
        for (int64_t i = r0; i < r1; ++i) {
          std::fill(acc.begin(), acc.end(), C(0));
          for (int64_t p = 0; p < k; ++p) {
            C av = Load(tra ? pa[p * lda + i] : pa[i * lda + p]);
            for (int64_t j = 0; j < n; ++j) {
              acc[j] = static_cast<C>(acc[j] + av * Load(trb ? pb[j * ldb + p] : pb[p * ldb + j]));
            }
          }
          for (int64_t j = 0; j < n; ++j) po[i * n + j] = Store<T>(acc[j]);
        }
      };
      if (ctx->intra_op() && m * n * k >= kParallelMinElements * 8) {
        ctx->intra_op()->ParallelFor(m, 1, rows);
      } else {
        rows(0, m);
      }
    });
    if (!handled) return InvalidArgument("MatMul does not support " + DataTypeName(a.dtype()));
    return Status::OK();
  }

 private:
  bool transpose_a_ = false, transpose_b_ = false;
  GemmBCache b_cache_;  // B packed across steps while its contents are unchanged
};

}  // namespace

namespace {
void RegisterMatMulKernels(OpRegistry* r) {
  r->RegisterOp({"MatMul", FixedArity(2, 1)});
  r->RegisterKernel("MatMul", "T", {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_HALF}, MakeFactory<MatMulKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterMatMulKernels);

}  // namespace graphrt
