// Convolutions: Conv2D (im2col + OpenBLAS gemm), DepthwiseConv2dNative (direct loop) and
// Conv2DBackpropInput (gemm + col2im gather). NHWC natively; NCHW through transposed copies.
// float/double compute in their own type, half in float.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/blas.h"
#include "graphrt/kernels/conv_direct.h"
#include "graphrt/kernels/conv_util.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {





// Window geometry of one conv: output sizes and padding before.
struct ConvGeom {
  Dims4 in;
  int64_t kh, kw, out_h, out_w, pad_t, pad_l;
};

Status ComputeGeom(const ConvParams& p, const Dims4& in, int64_t kh, int64_t kw, ConvGeom* g) {
  g->in = in;
  g->kh = kh;
  g->kw = kw;
  RETURN_IF_ERROR(WindowOutputSize(in.h, kh, p.dil_h, p.stride_h, p.padding, p.pad_top, p.pad_bottom, &g->out_h, &g->pad_t));
  RETURN_IF_ERROR(WindowOutputSize(in.w, kw, p.dil_w, p.stride_w, p.padding, p.pad_left, p.pad_right, &g->out_w, &g->pad_l));
  return Status::OK();
}

// ---- Conv2D ------------------------------------------------------------------------------------

class Conv2DKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    if (input.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional" + input.shape().ToString());
    if (filter.shape().rank() != 4) return InvalidArgument("filter must be 4-dimensional: " + filter.shape().ToString());
    if (input.dtype() != filter.dtype()) return InvalidArgument("input and filter must have the same type");
    const Dims4 in = ReadDims(input.shape(), p_.nchw);
    const int64_t kh = filter.shape().dim(0), kw = filter.shape().dim(1), oc = filter.shape().dim(3);
    if (in.c != filter.shape().dim(2)) {
      return InvalidArgument("input and filter must have the same depth: " + std::to_string(in.c) + " vs " +
                             std::to_string(filter.shape().dim(2)));
    }
    ConvGeom g;
    RETURN_IF_ERROR(ComputeGeom(p_, in, kh, kw, &g));
    const Dims4 od{in.n, g.out_h, g.out_w, oc};
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(MakeShape(od, p_.nchw).dims()));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, input.dtype(), out_shape));
    if (out.num_elements() == 0) return Status::OK();
    const int64_t k = kh * kw * in.c;
    if (k > kIntMax || oc > kIntMax) return InvalidArgument("Conv2D dimensions are too large");
    bool ok = false;
    switch (input.dtype()) {
      case DT_FLOAT: ok = Run<float>(ctx, input, filter, out, g, od); break;
      case DT_DOUBLE: ok = Run<double>(ctx, input, filter, out, g, od); break;
      case DT_HALF: ok = Run<Half>(ctx, input, filter, out, g, od); break;
      default: return InvalidArgument("Conv2D does not support " + DataTypeName(input.dtype()));
    }
    (void)ok;
    return Status::OK();
  }

 private:
  template <typename T>
  bool Run(OpKernelContext* ctx, const Tensor& input, const Tensor& filter, const Tensor& out, const ConvGeom& g,
           const Dims4& od) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    const int64_t oc = od.c;
    const int64_t k = g.kh * g.kw * in.c;
    const int64_t rows = od.n * od.h * od.w;
    // Inputs as contiguous NHWC arrays of C; float/double NHWC inputs are used in place.
    std::vector<C> in_buf, f_buf, out_buf;
    const C* x;
    const C* f;
    if (std::is_same<T, C>::value && !p_.nchw) {
      x = reinterpret_cast<const C*>(input.data<T>());
    } else {
      in_buf = LoadNhwc<T, C>(input, p_.nchw, in, pool);
      x = in_buf.data();
    }
    if (std::is_same<T, C>::value) {
      f = reinterpret_cast<const C*>(filter.data<T>());
    } else {
      f_buf = LoadFlat<T>(filter);
      f = f_buf.data();
    }
    C* y;
    if (std::is_same<T, C>::value && !p_.nchw) {
      y = reinterpret_cast<C*>(out.data<T>());
    } else {
      out_buf.assign(static_cast<size_t>(out.num_elements()), C(0));
      y = out_buf.data();
    }
    if (k == 0) {
      std::fill(y, y + rows * oc, C(0));
    } else if (std::is_same<C, float>::value && CanConvDirect(in, od, p_, g.kw)) {
      ParallelRows(pool, od.n * od.h, od.w * k * oc, [&](int64_t a, int64_t b) {
        ConvDirectRows(reinterpret_cast<const float*>(x), reinterpret_cast<const float*>(f), in, od, g.kh, g.kw, p_,
                       g.pad_t, g.pad_l, a, b, reinterpret_cast<float*>(y));
      });
    } else if (g.kh == 1 && g.kw == 1 && p_.stride_h == 1 && p_.stride_w == 1 && g.pad_t == 0 && g.pad_l == 0 &&
               od.h == in.h && od.w == in.w) {
      // 1x1 convolution: the input already is the patch matrix.
      for (int64_t r0 = 0; r0 < rows; r0 += kIntMax) {
        const int64_t r = std::min(rows - r0, kIntMax);
        ParallelGemm(pool, false, false, r, oc, k, C(1), x + r0 * k, k, f, oc, C(0), y + r0 * oc, oc);
      }
    } else {
      const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(kIntMax, kColBufferBytes / (k * int64_t(sizeof(C)))));
      std::vector<C> col(static_cast<size_t>(std::min(chunk, rows) * k));
      for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        const int64_t nr = std::min(chunk, rows - r0);
        auto im2col = [&](int64_t a, int64_t b) {
          Im2ColRows(x, in, od, g.kh, g.kw, p_, g.pad_t, g.pad_l, r0, a, b, col.data());
        };
        ParallelRows(pool, nr, k, im2col);
        ParallelGemm(pool, false, false, nr, oc, k, C(1), col.data(), k, f, oc, C(0), y + r0 * oc, oc);
      }
    }
    if (!out_buf.empty()) StoreFromNhwc<T, C>(out_buf, out, p_.nchw, od, pool);
    return true;
  }

  ConvParams p_;
};

// ---- DepthwiseConv2dNative ---------------------------------------------------------------------

class DepthwiseConvKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    if (input.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional" + input.shape().ToString());
    if (filter.shape().rank() != 4) return InvalidArgument("filter must be 4-dimensional: " + filter.shape().ToString());
    if (input.dtype() != filter.dtype()) return InvalidArgument("input and filter must have the same type");
    const Dims4 in = ReadDims(input.shape(), p_.nchw);
    const int64_t kh = filter.shape().dim(0), kw = filter.shape().dim(1), mult = filter.shape().dim(3);
    if (in.c != filter.shape().dim(2)) {
      return InvalidArgument("input and filter must have the same depth: " + std::to_string(in.c) + " vs " +
                             std::to_string(filter.shape().dim(2)));
    }
    ConvGeom g;
    RETURN_IF_ERROR(ComputeGeom(p_, in, kh, kw, &g));
    if (mult != 0 && in.c > std::numeric_limits<int64_t>::max() / mult) return InvalidArgument("depth overflow");
    const Dims4 od{in.n, g.out_h, g.out_w, in.c * mult};
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(MakeShape(od, p_.nchw).dims()));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, input.dtype(), out_shape));
    if (out.num_elements() == 0) return Status::OK();
    bool ok = true;
    switch (input.dtype()) {
      case DT_FLOAT: Run<float>(ctx, input, filter, out, g, od, mult); break;
      case DT_DOUBLE: Run<double>(ctx, input, filter, out, g, od, mult); break;
      case DT_HALF: Run<Half>(ctx, input, filter, out, g, od, mult); break;
      default: ok = false;
    }
    if (!ok) return InvalidArgument("DepthwiseConv2dNative does not support " + DataTypeName(input.dtype()));
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& input, const Tensor& filter, const Tensor& out, const ConvGeom& g,
           const Dims4& od, int64_t mult) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    std::vector<C> x = LoadNhwc<T, C>(input, p_.nchw, in, pool);
    std::vector<C> f = LoadFlat<T>(filter);
    std::vector<C> y(static_cast<size_t>(out.num_elements()), C(0));
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t r = a; r < b; ++r) {
        const int64_t oh = r % od.h, n = r / od.h;
        for (int64_t ow = 0; ow < od.w; ++ow) {
          C* dst = y.data() + ((n * od.h + oh) * od.w + ow) * od.c;
          for (int64_t i = 0; i < g.kh; ++i) {
            const int64_t ih = oh * p_.stride_h - g.pad_t + i * p_.dil_h;
            if (ih < 0 || ih >= in.h) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
              const int64_t iw = ow * p_.stride_w - g.pad_l + j * p_.dil_w;
              if (iw < 0 || iw >= in.w) continue;
              const C* src = x.data() + ((n * in.h + ih) * in.w + iw) * in.c;
              const C* fw = f.data() + (i * g.kw + j) * in.c * mult;
              for (int64_t c = 0; c < in.c; ++c) {
                for (int64_t m = 0; m < mult; ++m) dst[c * mult + m] += src[c] * fw[c * mult + m];
              }
            }
          }
        }
      }
    };
    ParallelRows(pool, od.n * od.h, od.w * g.kh * g.kw * od.c, body);
    StoreFromNhwc<T, C>(y, out, p_.nchw, od, pool);
  }

  ConvParams p_;
};

// ---- Conv2DBackpropInput -----------------------------------------------------------------------

class Conv2DBackpropInputKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& sizes = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    if (sizes.shape().rank() != 1 || sizes.num_elements() != 4) {
      return InvalidArgument("Conv2DBackpropInput: input_sizes input must be 1-dimensional with 4 elements, got shape " +
                             sizes.shape().ToString());
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> sz, ReadIndexVector(sizes, "input_sizes"));
    ASSIGN_OR_RETURN(Shape in_shape, Shape::Make(sz));
    if (filter.shape().rank() != 4) return InvalidArgument("filter must be 4-dimensional: " + filter.shape().ToString());
    if (dy.shape().rank() != 4) return InvalidArgument("out_backprop must be 4-dimensional: " + dy.shape().ToString());
    if (dy.dtype() != filter.dtype()) return InvalidArgument("filter and out_backprop must have the same type");
    const Dims4 in = ReadDims(in_shape, p_.nchw);
    const Dims4 od = ReadDims(dy.shape(), p_.nchw);
    const int64_t kh = filter.shape().dim(0), kw = filter.shape().dim(1);
    if (in.n != od.n) {
      return InvalidArgument("Conv2DCustomBackpropInput: input and out_backprop must have the same batch size");
    }
    if (in.c != filter.shape().dim(2)) {
      return InvalidArgument("Conv2DCustomBackpropInput: input and filter must have the same depth: " +
                             std::to_string(in.c) + " vs " + std::to_string(filter.shape().dim(2)));
    }
    if (od.c != filter.shape().dim(3)) {
      return InvalidArgument("Conv2DCustomBackpropInput: filter and out_backprop must have the same out_depth: " +
                             std::to_string(filter.shape().dim(3)) + " vs " + std::to_string(od.c));
    }
    ConvGeom g;
    RETURN_IF_ERROR(ComputeGeom(p_, in, kh, kw, &g));
    if (g.out_h != od.h || g.out_w != od.w) {
      return InvalidArgument("Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = " +
                             std::to_string(od.h) + "x" + std::to_string(od.w) + ", computed = " +
                             std::to_string(g.out_h) + "x" + std::to_string(g.out_w));
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dy.dtype(), in_shape));
    if (out.num_elements() == 0) return Status::OK();
    const int64_t k = kh * kw * in.c;
    if (k > kIntMax || od.c > kIntMax) return InvalidArgument("Conv2DBackpropInput dimensions are too large");
    switch (dy.dtype()) {
      case DT_FLOAT: Run<float>(ctx, filter, dy, out, g, od); break;
      case DT_DOUBLE: Run<double>(ctx, filter, dy, out, g, od); break;
      case DT_HALF: Run<Half>(ctx, filter, dy, out, g, od); break;
      default: return InvalidArgument("Conv2DBackpropInput does not support " + DataTypeName(dy.dtype()));
    }
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& filter, const Tensor& dy_t, const Tensor& out, const ConvGeom& g,
           const Dims4& od) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    const int64_t k = g.kh * g.kw * in.c;
    const int64_t m = od.h * od.w;  // output rows per image
    std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
    std::vector<C> f = LoadFlat<T>(filter);
    std::vector<C> dx(static_cast<size_t>(out.num_elements()), C(0));
    if (k > 0 && m > 0 && od.c > 0) {
      // Whole images per chunk, so the gather below sees every column row of its image.
      const int64_t per_image = m * k * int64_t(sizeof(C));
      const int64_t images = std::max<int64_t>(1, std::min<int64_t>(kColBufferBytes / std::max<int64_t>(per_image, 1),
                                                                    kIntMax / m));
      std::vector<C> col(static_cast<size_t>(std::min(images, in.n) * m * k));
      for (int64_t n0 = 0; n0 < in.n; n0 += images) {
        const int64_t nn = std::min(images, in.n - n0);
        // col[rows, K] = dy[rows, OC] * filter[K, OC]^T
        ParallelGemm(pool, false, true, nn * m, k, od.c, C(1), dy.data() + n0 * m * od.c, od.c, f.data(), od.c, C(0),
                     col.data(), k);
        auto gather = [&](int64_t a, int64_t b) {
          for (int64_t r = a; r < b; ++r) {
            const int64_t ih = r % in.h, nl = r / in.h;
            for (int64_t iw = 0; iw < in.w; ++iw) {
              C* dst = dx.data() + (((n0 + nl) * in.h + ih) * in.w + iw) * in.c;
              for (int64_t i = 0; i < g.kh; ++i) {
                const int64_t th = ih + g.pad_t - i * p_.dil_h;
                if (th < 0 || th % p_.stride_h != 0) continue;
                const int64_t oh = th / p_.stride_h;
                if (oh >= od.h) continue;
                for (int64_t j = 0; j < g.kw; ++j) {
                  const int64_t tw = iw + g.pad_l - j * p_.dil_w;
                  if (tw < 0 || tw % p_.stride_w != 0) continue;
                  const int64_t ow = tw / p_.stride_w;
                  if (ow >= od.w) continue;
                  const C* src = col.data() + (nl * m + oh * od.w + ow) * k + (i * g.kw + j) * in.c;
                  for (int64_t c = 0; c < in.c; ++c) dst[c] += src[c];
                }
              }
            }
          }
        };
        ParallelRows(pool, nn * in.h, in.w * g.kh * g.kw * in.c, gather);
      }
    }
    StoreFromNhwc<T, C>(dx, out, p_.nchw, in, pool);
  }

  ConvParams p_;
};

void RegisterConvKernels(OpRegistry* r) {
  const std::vector<DataType> floats = {DT_FLOAT, DT_DOUBLE, DT_HALF};
  r->RegisterOp({"Conv2D", FixedArity(2, 1)});
  r->RegisterKernel("Conv2D", "T", floats, MakeFactory<Conv2DKernel>());
  r->RegisterOp({"DepthwiseConv2dNative", FixedArity(2, 1)});
  r->RegisterKernel("DepthwiseConv2dNative", "T", floats, MakeFactory<DepthwiseConvKernel>());
  r->RegisterOp({"Conv2DBackpropInput", FixedArity(3, 1)});
  r->RegisterKernel("Conv2DBackpropInput", "T", floats, MakeFactory<Conv2DBackpropInputKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterConvKernels);

}  // namespace graphrt
