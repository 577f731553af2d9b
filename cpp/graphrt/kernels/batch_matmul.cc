// BatchMatMul (equal batch dims) and BatchMatMulV2 (numpy-broadcast batch dims): one matrix product
// per batch entry over the last two dims, with adj_x / adj_y transposing them (real types only).
// float/double go through OpenBLAS gemm per batch; int32/int64/half through a plain loop.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/blas.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class BatchMatMulKernel : public OpKernel {
 public:
  BatchMatMulKernel(const NodeDef& def, bool broadcast) : OpKernel(def), broadcast_(broadcast) {}
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(adj_x_, GetBoolAttr(def, "adj_x", false));
    ASSIGN_OR_RETURN(adj_y_, GetBoolAttr(def, "adj_y", false));
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& y = ctx->input(1);
    const Shape& xs = x.shape();
    const Shape& ys = y.shape();
    if (x.dtype() != y.dtype()) return InvalidArgument("BatchMatMul inputs must have the same type");
    if (xs.rank() < 2) return InvalidArgument("In[0] ndims must be >= 2: " + std::to_string(xs.rank()));
    if (ys.rank() < 2) return InvalidArgument("In[1] ndims must be >= 2: " + std::to_string(ys.rank()));
    const int xr = xs.rank(), yr = ys.rank();
    // Batch dims of the output and the strides (in matrices) of each operand over them.
    std::vector<int64_t> batch;
    std::vector<int64_t> sx, sy;
    if (!broadcast_) {
      if (xr != yr) {
        return InvalidArgument("In[0] and In[1] has different ndims: " + xs.ToString() + " vs. " + ys.ToString());
      }
      for (int i = 0; i < xr - 2; ++i) {
        if (xs.dim(i) != ys.dim(i)) {
          return InvalidArgument("In[0].dim(" + std::to_string(i) + ") and In[1].dim(" + std::to_string(i) +
                                 ") must be the same: " + xs.ToString() + " vs " + ys.ToString());
        }
      }
    }
    const int br = std::max(xr, yr) - 2;
    batch.resize(br);
    sx.assign(br, 0);
    sy.assign(br, 0);
    {
      int64_t mx = 1, my = 1;
      for (int i = br - 1; i >= 0; --i) {
        const int ix = xr - 2 - br + i, iy = yr - 2 - br + i;
        const int64_t dx = ix >= 0 ? xs.dim(ix) : 1, dy = iy >= 0 ? ys.dim(iy) : 1;
        if (dx != dy && dx != 1 && dy != 1) {
          return InvalidArgument("In[0] and In[1] must have compatible batch dimensions: " + xs.ToString() +
                                 " vs. " + ys.ToString());
        }
        batch[i] = dx == 1 ? dy : dx;
        sx[i] = dx == 1 ? 0 : mx;
        sy[i] = dy == 1 ? 0 : my;
        mx *= dx;
        my *= dy;
      }
    }
    const int64_t xrows = xs.dim(xr - 2), xcols = xs.dim(xr - 1);
    const int64_t yrows = ys.dim(yr - 2), ycols = ys.dim(yr - 1);
    const int64_t m = adj_x_ ? xcols : xrows;
    const int64_t k = adj_x_ ? xrows : xcols;
    const int64_t k2 = adj_y_ ? ycols : yrows;
    const int64_t n = adj_y_ ? yrows : ycols;
    if (k != k2) {
      return InvalidArgument("Matrix size-incompatible: In[0]: " + xs.ToString() + ", In[1]: " + ys.ToString());
    }
    constexpr int64_t kBlasMax = 0x7fffffff;
    if (m > kBlasMax || n > kBlasMax || k > kBlasMax) return InvalidArgument("BatchMatMul dimension exceeds 2^31-1");
    std::vector<int64_t> out_dims = batch;
    out_dims.push_back(m);
    out_dims.push_back(n);
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(out_dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), out_shape));
    const int64_t num_out = out_shape.num_elements();
    if (num_out == 0) return Status::OK();
    if (k == 0) {
      std::memset(out.raw(), 0, out.bytes());
      return Status::OK();
    }
    int64_t nbatch = 1;
    for (int64_t b : batch) nbatch *= b;
    const int64_t x_mat = xrows * xcols, y_mat = yrows * ycols, o_mat = m * n;
    auto offsets = [&](int64_t b, int64_t* ox, int64_t* oy) {
      int64_t rem = b, a = 0, c = 0;
      for (int i = br - 1; i >= 0; --i) {
        const int64_t idx = rem % batch[i];
        rem /= batch[i];
        a += idx * sx[i];
        c += idx * sy[i];
      }
      *ox = a * x_mat;
      *oy = c * y_mat;
    };
    const bool big = m * n * k >= 64 * 64 * 64;
    if (x.dtype() == DT_FLOAT || x.dtype() == DT_DOUBLE) {
      const int64_t lda = xcols, ldb = ycols;
      const bool is_float = x.dtype() == DT_FLOAT;
      const bool ta = adj_x_, tb = adj_y_;
      // Products [b0, b1), each split over `pool` (null: on this thread).
      auto gemm = [&](ThreadPool* pool, int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          int64_t ox, oy;
          offsets(b, &ox, &oy);
          if (is_float) {
            ParallelGemm(pool, ta, tb, m, n, k, 1.0f, x.data<float>() + ox, lda, y.data<float>() + oy, ldb, 0.0f,
                         out.data<float>() + b * o_mat, n);
          } else {
            ParallelGemm(pool, ta, tb, m, n, k, 1.0, x.data<double>() + ox, lda, y.data<double>() + oy, ldb, 0.0,
                         out.data<double>() + b * o_mat, n);
          }
        }
      };
      if (big || nbatch == 1 || ctx->intra_op() == nullptr) {
        // Large matrices: each product is split over the pool.
        gemm(ctx->intra_op(), 0, nbatch);
      } else {
        // Many small matrices: one thread per product, batches split across the intra-op pool.
        const int64_t per = std::max<int64_t>(1, m * n * k);
        const int64_t min_batches = std::max<int64_t>(1, kParallelMinElements * 8 / per);
        if (nbatch >= 2 * min_batches) {
          ctx->intra_op()->ParallelFor(nbatch, min_batches, [&](int64_t b0, int64_t b1) { gemm(nullptr, b0, b1); });
        } else {
          gemm(nullptr, 0, nbatch);
        }
      }
      return Status::OK();
    }
    const bool tra = adj_x_, trb = adj_y_;
    bool handled = DispatchNumeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      T* po = out.data<T>();
      const int64_t lda = xcols, ldb = ycols;
      // Work items: (batch, output row).
      auto rows = [&](int64_t r0, int64_t r1) {
        std::vector<C> acc(static_cast<size_t>(n));
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t b = r / m, i = r % m;
          int64_t ox, oy;
          offsets(b, &ox, &oy);
          const T* pa = px + ox;
          const T* pb = py + oy;
          std::fill(acc.begin(), acc.end(), C(0));
          for (int64_t p = 0; p < k; ++p) {
            const C av = Load(tra ? pa[p * lda + i] : pa[i * lda + p]);
            for (int64_t j = 0; j < n; ++j) {
              acc[j] = static_cast<C>(acc[j] + av * Load(trb ? pb[j * ldb + p] : pb[p * ldb + j]));
            }
          }
          T* o = po + b * o_mat + i * n;
          for (int64_t j = 0; j < n; ++j) o[j] = Store<T>(acc[j]);
        }
      };
      const int64_t total_rows = nbatch * m;
      if (ctx->intra_op() && num_out * k >= kParallelMinElements * 8) {
        ctx->intra_op()->ParallelFor(total_rows, std::max<int64_t>(1, kParallelMinElements / std::max<int64_t>(1, n * k)),
                                     rows);
      } else {
        rows(0, total_rows);
      }
    });
    if (!handled) return InvalidArgument("BatchMatMul does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  bool broadcast_;
  bool adj_x_ = false, adj_y_ = false;
};

class BatchMatMulV1Kernel : public BatchMatMulKernel {
 public:
  explicit BatchMatMulV1Kernel(const NodeDef& def) : BatchMatMulKernel(def, false) {}
};

class BatchMatMulV2Kernel : public BatchMatMulKernel {
 public:
  explicit BatchMatMulV2Kernel(const NodeDef& def) : BatchMatMulKernel(def, true) {}
};

void RegisterBatchMatMulKernels(OpRegistry* r) {
  const std::vector<DataType> types = {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_HALF};
  r->RegisterOp({"BatchMatMul", FixedArity(2, 1)});
  r->RegisterKernel("BatchMatMul", "T", types, MakeFactory<BatchMatMulV1Kernel>());
  r->RegisterOp({"BatchMatMulV2", FixedArity(2, 1)});
  r->RegisterKernel("BatchMatMulV2", "T", types, MakeFactory<BatchMatMulV2Kernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterBatchMatMulKernels);

}  // namespace graphrt
