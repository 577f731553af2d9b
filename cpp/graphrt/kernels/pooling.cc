// MaxPool and AvgPool over the spatial dimensions of NHWC or NCHW tensors, SAME or VALID padding.
// AvgPool divides by the number of in-bounds cells of each window, as TF does.
#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/conv_util.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

template <bool kMax>
class PoolKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(nchw_, ReadDataFormat(def));
    ASSIGN_OR_RETURN(padding_, ReadPadding(def));
    if (padding_ == Padding::kExplicit) return InvalidArgument("EXPLICIT padding is not supported by " + def.op);
    ASSIGN_OR_RETURN(std::vector<int64_t> ksize, GetIntListAttr(def, "ksize", {}, true));
    ASSIGN_OR_RETURN(std::vector<int64_t> strides, GetIntListAttr(def, "strides", {}, true));
    if (ksize.size() != 4) return InvalidArgument("Sliding window ksize field must specify 4 dimensions");
    if (strides.size() != 4) return InvalidArgument("Sliding window stride field must specify 4 dimensions");
    const int hi = nchw_ ? 2 : 1, wi = nchw_ ? 3 : 2, ci = nchw_ ? 1 : 3;
    if (ksize[0] != 1 || strides[0] != 1) {
      return InvalidArgument("Pooling is not yet supported on the batch dimension.");
    }
    if (ksize[ci] != 1 || strides[ci] != 1) {
      return InvalidArgument("Pooling is not yet supported on the depth dimension.");
    }
    for (int64_t v : ksize) {
      if (v <= 0) return InvalidArgument("Sliding window ksize for dimension must be positive");
    }
    for (int64_t v : strides) {
      if (v <= 0) return InvalidArgument("Sliding window stride must be positive");
    }
    kh_ = ksize[hi];
    kw_ = ksize[wi];
    sh_ = strides[hi];
    sw_ = strides[wi];
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional");
    const Shape& s = x.shape();
    const int64_t n = s.dim(0), h = nchw_ ? s.dim(2) : s.dim(1), w = nchw_ ? s.dim(3) : s.dim(2),
                  c = nchw_ ? s.dim(1) : s.dim(3);
    int64_t oh, ow, pt, pl;
    RETURN_IF_ERROR(WindowOutputSize(h, kh_, 1, sh_, padding_, 0, 0, &oh, &pt));
    RETURN_IF_ERROR(WindowOutputSize(w, kw_, 1, sw_, padding_, 0, 0, &ow, &pl));
    const Shape out_shape = nchw_ ? Shape({n, c, oh, ow}) : Shape({n, oh, ow, c});
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), out_shape));
    if (out.num_elements() == 0) return Status::OK();
    // Element strides of n, h, w, c in the input and the output.
    const int64_t isn = h * w * c, ish = nchw_ ? w : w * c, isw = nchw_ ? 1 : c, isc = nchw_ ? h * w : 1;
    const int64_t osn = oh * ow * c, osh = nchw_ ? ow : ow * c, osw = nchw_ ? 1 : c, osc = nchw_ ? oh * ow : 1;
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      ok = true;
      const T* px = x.data<T>();
      T* po = out.data<T>();
      // NHWC in the compute type (float, double, int): each window cell's C channels are contiguous
      // and the running max/sum lives in the output row itself, so the channel loop is a plain
      // vectorizable loop with no scratch, no per-window fill and no per-element dtype conversion.
      auto body_nhwc = [&](int64_t a, int64_t b) {
        const C init = kMax ? (std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity()
                                                                    : std::numeric_limits<C>::lowest())
                            : C(0);
        for (int64_t r = a; r < b; ++r) {
          const int64_t y = r % oh, b_ = r / oh;
          const int64_t h0 = std::max<int64_t>(y * sh_ - pt, 0), h1 = std::min<int64_t>(y * sh_ - pt + kh_, h);
          for (int64_t xw = 0; xw < ow; ++xw) {
            const int64_t w0 = std::max<int64_t>(xw * sw_ - pl, 0), w1 = std::min<int64_t>(xw * sw_ - pl + kw_, w);
            C* dst = reinterpret_cast<C*>(po) + b_ * osn + y * osh + xw * c;
            std::fill(dst, dst + c, init);
            for (int64_t i = h0; i < h1; ++i) {
              const C* row = reinterpret_cast<const C*>(px) + b_ * isn + i * ish;
              for (int64_t j = w0; j < w1; ++j) {
                const C* src = row + j * c;
                for (int64_t ch = 0; ch < c; ++ch) {
                  const C v = src[ch];
                  if (kMax) {
                    dst[ch] = (v > dst[ch] || v != v) ? v : dst[ch];
                  } else {
                    dst[ch] += v;
                  }
                }
              }
            }
            if (!kMax) {
              const C count = static_cast<C>(std::max<int64_t>((h1 - h0) * (w1 - w0), 1));
              for (int64_t ch = 0; ch < c; ++ch) dst[ch] = static_cast<C>(dst[ch] / count);
            }
          }
        }
      };
      auto body = [&](int64_t a, int64_t b) {
        if (std::is_same<T, C>::value && !nchw_) {
          body_nhwc(a, b);
          return;
        }
        std::vector<C> acc(static_cast<size_t>(c));
        for (int64_t r = a; r < b; ++r) {
          const int64_t y = r % oh, b_ = r / oh;
          const int64_t h0 = std::max<int64_t>(y * sh_ - pt, 0), h1 = std::min<int64_t>(y * sh_ - pt + kh_, h);
          for (int64_t xw = 0; xw < ow; ++xw) {
            const int64_t w0 = std::max<int64_t>(xw * sw_ - pl, 0), w1 = std::min<int64_t>(xw * sw_ - pl + kw_, w);
            std::fill(acc.begin(), acc.end(),
                      kMax ? (std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity()
                                                                   : std::numeric_limits<C>::lowest())
                           : C(0));
            for (int64_t i = h0; i < h1; ++i) {
              for (int64_t j = w0; j < w1; ++j) {
                const T* src = px + b_ * isn + i * ish + j * isw;
                for (int64_t ch = 0; ch < c; ++ch) {
                  const C v = Load(src[ch * isc]);
                  if (kMax) {
                    if (v > acc[ch] || v != v) acc[ch] = v;
                  } else {
                    acc[ch] += v;
                  }
                }
              }
            }
            const int64_t count = std::max<int64_t>((h1 - h0) * (w1 - w0), 1);
            T* dst = po + b_ * osn + y * osh + xw * osw;
            for (int64_t ch = 0; ch < c; ++ch) {
              dst[ch * osc] = Store<T>(kMax ? acc[ch] : static_cast<C>(acc[ch] / static_cast<C>(count)));
            }
          }
        }
      };
      const int64_t rows = n * oh, cost = ow * kh_ * kw_ * c;
      if (ctx->intra_op() == nullptr || ctx->intra_op()->num_threads() == 0 || rows < 2 ||
          rows * cost < kParallelMinElements * 2) {
        body(0, rows);
      } else {
        ctx->intra_op()->ParallelFor(rows, std::max<int64_t>(1, kParallelMinElements / std::max<int64_t>(cost, 1)), body);
      }
    };
    switch (x.dtype()) {
      case DT_FLOAT: run(float{}); break;
      case DT_DOUBLE: run(double{}); break;
      case DT_HALF: run(Half{}); break;
      case DT_INT32: if (kMax) run(int32_t{}); break;
      case DT_INT64: if (kMax) run(int64_t{}); break;
      default: break;
    }
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  bool nchw_ = false;
  Padding padding_ = Padding::kValid;
  int64_t kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1;
};

void RegisterPoolingKernels(OpRegistry* r) {
  r->RegisterOp({"MaxPool", FixedArity(1, 1)});
  r->RegisterKernel("MaxPool", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64}, MakeFactory<PoolKernel<true>>());
  r->RegisterOp({"AvgPool", FixedArity(1, 1)});
  r->RegisterKernel("AvgPool", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF}, MakeFactory<PoolKernel<false>>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterPoolingKernels);

}  // namespace graphrt
