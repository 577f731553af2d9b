// Backward kernels of the NN family, with TF's op names and attrs: Conv2DBackpropFilter,
// DepthwiseConv2dNativeBackpropInput/Filter, MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad,
// FusedBatchNormGrad (V1, V2, V3; training and inference), LRNGrad, MirrorPadGrad, and Digamma (the
// derivative of Lgamma). NHWC natively; NCHW through transposed copies. float/double compute in
// their own type, half in float.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/blas.h"
#include "graphrt/kernels/conv_util.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {


std::string Str(int64_t v) { return std::to_string(v); }


// A 1-D int32/int64 tensor of 4 non-negative sizes (input_sizes / filter_sizes / orig_input_shape).
StatusOr<Shape> ReadSizes4(const Tensor& t, const std::string& op, const char* what) {
  if (t.shape().rank() != 1 || t.num_elements() != 4) {
    return InvalidArgument(op + ": " + what + " input must be 1-dimensional with 4 elements, got shape " +
                           t.shape().ToString());
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadIndexVector(t, what));
  for (int64_t d : v) {
    if (d < 0) return InvalidArgument(op + ": " + what + " must be non-negative, got " + t.shape().ToString());
  }
  return Shape::Make(v);
}

struct Geom {
  Dims4 in, out;
  int64_t kh, kw, pad_t, pad_l;
};

// Checks the output size implied by (input, filter, params) against out_backprop's spatial dims.
Status ConvBackpropGeom(const std::string& label, const ConvParams& p, const Dims4& in, int64_t kh, int64_t kw,
                        const Dims4& od, Geom* g) {
  int64_t oh, ow;
  RETURN_IF_ERROR(WindowOutputSize(in.h, kh, p.dil_h, p.stride_h, p.padding, p.pad_top, p.pad_bottom, &oh, &g->pad_t));
  RETURN_IF_ERROR(WindowOutputSize(in.w, kw, p.dil_w, p.stride_w, p.padding, p.pad_left, p.pad_right, &ow, &g->pad_l));
  if (in.n != od.n) return InvalidArgument(label + ": input and out_backprop must have the same batch size");
  if (oh != od.h || ow != od.w) {
    return InvalidArgument(label + ": Size of out_backprop doesn't match computed: actual = " + Str(od.h) + "x" +
                           Str(od.w) + ", computed = " + Str(oh) + "x" + Str(ow));
  }
  g->in = in;
  g->out = od;
  g->kh = kh;
  g->kw = kw;
  return Status::OK();
}

// ---- Conv2DBackpropFilter --------------------------------------------------------------------------

class Conv2DBackpropFilterKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    const Tensor& dy = ctx->input(2);
    ASSIGN_OR_RETURN(Shape fshape, ReadSizes4(ctx->input(1), "Conv2DBackpropFilter", "filter_sizes"));
    if (input.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional: " + input.shape().ToString());
    if (dy.shape().rank() != 4) return InvalidArgument("out_backprop must be 4-dimensional: " + dy.shape().ToString());
    if (input.dtype() != dy.dtype()) return InvalidArgument("input and out_backprop must have the same type");
    const Dims4 in = ReadDims(input.shape(), p_.nchw), od = ReadDims(dy.shape(), p_.nchw);
    const int64_t kh = fshape.dim(0), kw = fshape.dim(1);
    if (in.c != fshape.dim(2)) {
      return InvalidArgument("Conv2DCustomBackpropFilter: input and filter must have the same depth: " + Str(in.c) +
                             " vs " + Str(fshape.dim(2)));
    }
    if (od.c != fshape.dim(3)) {
      return InvalidArgument("Conv2DCustomBackpropFilter: filter and out_backprop must have the same out_depth: " +
                             Str(fshape.dim(3)) + " vs " + Str(od.c));
    }
    Geom g;
    RETURN_IF_ERROR(ConvBackpropGeom("Conv2DCustomBackpropFilter", p_, in, kh, kw, od, &g));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dy.dtype(), fshape));
    if (kh * kw * in.c > kIntMax || od.c > kIntMax) return InvalidArgument("Conv2DBackpropFilter dimensions are too large");
    switch (dy.dtype()) {
      case DT_FLOAT: Run<float>(ctx, input, dy, out, g); break;
      case DT_DOUBLE: Run<double>(ctx, input, dy, out, g); break;
      case DT_HALF: Run<Half>(ctx, input, dy, out, g); break;
      default: return InvalidArgument("Conv2DBackpropFilter does not support " + DataTypeName(dy.dtype()));
    }
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& input, const Tensor& dy_t, const Tensor& out, const Geom& g) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4 &in = g.in, &od = g.out;
    const int64_t k = g.kh * g.kw * in.c, oc = od.c, rows = od.n * od.h * od.w;
    std::vector<C> df(static_cast<size_t>(out.num_elements()), C(0));
    if (k > 0 && oc > 0 && rows > 0) {
      std::vector<C> x = LoadNhwc<T, C>(input, p_.nchw, in, pool);
      std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
      const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(kIntMax, kColBufferBytes / (k * int64_t(sizeof(C)))));
      std::vector<C> col(static_cast<size_t>(std::min(chunk, rows) * k));
      for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        const int64_t nr = std::min(chunk, rows - r0);
        auto im2col = [&](int64_t a, int64_t b) {
          Im2ColRows(x.data(), in, od, g.kh, g.kw, p_, g.pad_t, g.pad_l, r0, a, b, col.data());
        };
        ParallelRows(pool, nr, k, im2col);
        // df[K, OC] += col[rows, K]^T * dy[rows, OC]
        ParallelGemm(pool, true, false, k, oc, nr, C(1), col.data(), k, dy.data() + r0 * oc, oc, C(r0 == 0 ? 0 : 1),
                     df.data(), oc);
      }
    }
    StoreFlat<T>(df, out);
  }

  ConvParams p_;
};

// ---- DepthwiseConv2dNativeBackpropInput / Filter ---------------------------------------------------

class DepthwiseBackpropInputKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const std::string label = "DepthwiseConv2DBackpropInput";
    ASSIGN_OR_RETURN(Shape in_shape, ReadSizes4(ctx->input(0), label, "input_sizes"));
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    if (filter.shape().rank() != 4) return InvalidArgument("filter must be 4-dimensional: " + filter.shape().ToString());
    if (dy.shape().rank() != 4) return InvalidArgument("out_backprop must be 4-dimensional: " + dy.shape().ToString());
    if (filter.dtype() != dy.dtype()) return InvalidArgument("filter and out_backprop must have the same type");
    const Dims4 in = ReadDims(in_shape, p_.nchw), od = ReadDims(dy.shape(), p_.nchw);
    const int64_t kh = filter.shape().dim(0), kw = filter.shape().dim(1), mult = filter.shape().dim(3);
    if (in.c != filter.shape().dim(2)) {
      return InvalidArgument(label + ": input and filter must have the same in_depth: " + Str(in.c) + " vs " +
                             Str(filter.shape().dim(2)));
    }
    if (mult != 0 && in.c > std::numeric_limits<int64_t>::max() / mult) return InvalidArgument("depth overflow");
    if (od.c != in.c * mult) {
      return InvalidArgument(label + ": out_backprop depth " + Str(od.c) + " must be in_depth * depth_multiplier = " +
                             Str(in.c * mult));
    }
    Geom g;
    RETURN_IF_ERROR(ConvBackpropGeom(label, p_, in, kh, kw, od, &g));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dy.dtype(), in_shape));
    if (out.num_elements() == 0) return Status::OK();
    switch (dy.dtype()) {
      case DT_FLOAT: Run<float>(ctx, filter, dy, out, g, mult); break;
      case DT_DOUBLE: Run<double>(ctx, filter, dy, out, g, mult); break;
      case DT_HALF: Run<Half>(ctx, filter, dy, out, g, mult); break;
      default: return InvalidArgument(type() + " does not support " + DataTypeName(dy.dtype()));
    }
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& filter, const Tensor& dy_t, const Tensor& out, const Geom& g,
           int64_t mult) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4 &in = g.in, &od = g.out;
    std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
    std::vector<C> f = LoadFlat<T>(filter);
    std::vector<C> dx(static_cast<size_t>(out.num_elements()), C(0));
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t r = a; r < b; ++r) {
        const int64_t ih = r % in.h, n = r / in.h;
        for (int64_t iw = 0; iw < in.w; ++iw) {
          C* dst = dx.data() + ((n * in.h + ih) * in.w + iw) * in.c;
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
              const C* src = dy.data() + ((n * od.h + oh) * od.w + ow) * od.c;
              const C* fw = f.data() + (i * g.kw + j) * in.c * mult;
              for (int64_t c = 0; c < in.c; ++c) {
                C s = 0;
                for (int64_t m = 0; m < mult; ++m) s += src[c * mult + m] * fw[c * mult + m];
                dst[c] += s;
              }
            }
          }
        }
      }
    };
    ParallelRows(pool, in.n * in.h, in.w * g.kh * g.kw * od.c, body);
    StoreFromNhwc<T, C>(dx, out, p_.nchw, in, pool);
  }

  ConvParams p_;
};

class DepthwiseBackpropFilterKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadConvParams(def, true, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const std::string label = "DepthwiseConv2DBackpropFilter";
    const Tensor& input = ctx->input(0);
    ASSIGN_OR_RETURN(Shape fshape, ReadSizes4(ctx->input(1), label, "filter_sizes"));
    const Tensor& dy = ctx->input(2);
    if (input.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional: " + input.shape().ToString());
    if (dy.shape().rank() != 4) return InvalidArgument("out_backprop must be 4-dimensional: " + dy.shape().ToString());
    if (input.dtype() != dy.dtype()) return InvalidArgument("input and out_backprop must have the same type");
    const Dims4 in = ReadDims(input.shape(), p_.nchw), od = ReadDims(dy.shape(), p_.nchw);
    const int64_t kh = fshape.dim(0), kw = fshape.dim(1), mult = fshape.dim(3);
    if (in.c != fshape.dim(2)) {
      return InvalidArgument(label + ": input and filter must have the same in_depth: " + Str(in.c) + " vs " +
                             Str(fshape.dim(2)));
    }
    if (mult != 0 && in.c > std::numeric_limits<int64_t>::max() / mult) return InvalidArgument("depth overflow");
    if (od.c != in.c * mult) {
      return InvalidArgument(label + ": out_backprop depth " + Str(od.c) + " must be in_depth * depth_multiplier = " +
                             Str(in.c * mult));
    }
    Geom g;
    RETURN_IF_ERROR(ConvBackpropGeom(label, p_, in, kh, kw, od, &g));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dy.dtype(), fshape));
    if (out.num_elements() == 0) return Status::OK();
    switch (dy.dtype()) {
      case DT_FLOAT: Run<float>(ctx, input, dy, out, g, mult); break;
      case DT_DOUBLE: Run<double>(ctx, input, dy, out, g, mult); break;
      case DT_HALF: Run<Half>(ctx, input, dy, out, g, mult); break;
      default: return InvalidArgument(type() + " does not support " + DataTypeName(dy.dtype()));
    }
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& input, const Tensor& dy_t, const Tensor& out, const Geom& g,
           int64_t mult) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4 &in = g.in, &od = g.out;
    std::vector<C> x = LoadNhwc<T, C>(input, p_.nchw, in, pool);
    std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
    std::vector<C> df(static_cast<size_t>(out.num_elements()), C(0));
    // One filter tap per task: each writes its own [in_c, mult] slice.
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t tap = a; tap < b; ++tap) {
        const int64_t i = tap / g.kw, j = tap % g.kw;
        C* dst = df.data() + tap * in.c * mult;
        for (int64_t n = 0; n < od.n; ++n) {
          for (int64_t oh = 0; oh < od.h; ++oh) {
            const int64_t ih = oh * p_.stride_h - g.pad_t + i * p_.dil_h;
            if (ih < 0 || ih >= in.h) continue;
            for (int64_t ow = 0; ow < od.w; ++ow) {
              const int64_t iw = ow * p_.stride_w - g.pad_l + j * p_.dil_w;
              if (iw < 0 || iw >= in.w) continue;
              const C* src = x.data() + ((n * in.h + ih) * in.w + iw) * in.c;
              const C* gy = dy.data() + ((n * od.h + oh) * od.w + ow) * od.c;
              for (int64_t c = 0; c < in.c; ++c) {
                for (int64_t m = 0; m < mult; ++m) dst[c * mult + m] += src[c] * gy[c * mult + m];
              }
            }
          }
        }
      }
    };
    ParallelRows(pool, g.kh * g.kw, od.n * od.h * od.w * od.c, body);
    StoreFlat<T>(df, out);
  }

  ConvParams p_;
};

// ---- pooling gradients -------------------------------------------------------------------------

struct PoolParams {
  bool nchw = false;
  Padding padding = Padding::kValid;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
};

Status ReadPoolParams(const NodeDef& def, PoolParams* p) {
  ASSIGN_OR_RETURN(p->nchw, ReadDataFormat(def));
  ASSIGN_OR_RETURN(p->padding, ReadPadding(def));
  if (p->padding == Padding::kExplicit) return InvalidArgument("EXPLICIT padding is not supported by " + def.op);
  ASSIGN_OR_RETURN(std::vector<int64_t> ksize, GetIntListAttr(def, "ksize", {}, true));
  ASSIGN_OR_RETURN(std::vector<int64_t> strides, GetIntListAttr(def, "strides", {}, true));
  if (ksize.size() != 4) return InvalidArgument("Sliding window ksize field must specify 4 dimensions");
  if (strides.size() != 4) return InvalidArgument("Sliding window strides field must specify 4 dimensions");
  const int hi = p->nchw ? 2 : 1, wi = p->nchw ? 3 : 2, ci = p->nchw ? 1 : 3;
  if (ksize[0] != 1 || strides[0] != 1) return InvalidArgument("Pooling is not yet supported on the batch dimension.");
  if (ksize[ci] != 1 || strides[ci] != 1) return InvalidArgument("Pooling is not yet supported on the depth dimension.");
  for (int64_t v : ksize) {
    if (v <= 0) return InvalidArgument("Sliding window ksize for dimension must be positive");
  }
  for (int64_t v : strides) {
    if (v <= 0) return InvalidArgument("Sliding window stride must be positive");
  }
  p->kh = ksize[hi];
  p->kw = ksize[wi];
  p->sh = strides[hi];
  p->sw = strides[wi];
  return Status::OK();
}

struct PoolGeom {
  Dims4 in;
  int64_t oh, ow, pt, pl;
};

Status ComputePoolGeom(const PoolParams& p, const Shape& in_shape, PoolGeom* g) {
  if (in_shape.rank() != 4) return InvalidArgument("orig_input must be 4-dimensional: " + in_shape.ToString());
  g->in = ReadDims(in_shape, p.nchw);
  RETURN_IF_ERROR(WindowOutputSize(g->in.h, p.kh, 1, p.sh, p.padding, 0, 0, &g->oh, &g->pt));
  RETURN_IF_ERROR(WindowOutputSize(g->in.w, p.kw, 1, p.sw, p.padding, 0, 0, &g->ow, &g->pl));
  return Status::OK();
}

Status CheckPooledShape(const PoolParams& p, const PoolGeom& g, const Shape& s, const char* what) {
  const Shape want = p.nchw ? Shape({g.in.n, g.in.c, g.oh, g.ow}) : Shape({g.in.n, g.oh, g.ow, g.in.c});
  if (!(s == want)) {
    return InvalidArgument(std::string("Expected ") + what + " shape to be " + want.ToString() + ", but got " +
                           s.ToString());
  }
  return Status::OK();
}

// Flat index of the first maximum of one window of x (NHWC, compute type C), NaN-aware as MaxPool.
template <typename C>
int64_t WindowArgMax(const C* x, const Dims4& in, const PoolParams& p, const PoolGeom& g, int64_t n, int64_t y,
                     int64_t xw, int64_t ch) {
  const int64_t h0 = std::max<int64_t>(y * p.sh - g.pt, 0), h1 = std::min<int64_t>(y * p.sh - g.pt + p.kh, in.h);
  const int64_t w0 = std::max<int64_t>(xw * p.sw - g.pl, 0), w1 = std::min<int64_t>(xw * p.sw - g.pl + p.kw, in.w);
  int64_t best = -1;
  C acc = C(0);
  for (int64_t i = h0; i < h1; ++i) {
    for (int64_t j = w0; j < w1; ++j) {
      const int64_t idx = ((n * in.h + i) * in.w + j) * in.c + ch;
      const C v = x[idx];
      if (best < 0 || v > acc || (v != v && acc == acc)) {
        acc = v;
        best = idx;
      }
    }
  }
  return best;
}

class MaxPoolGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadPoolParams(def, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& y = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    if (y.shape().rank() != 4) return InvalidArgument("orig_output must be 4-dimensional: " + y.shape().ToString());
    if (dy.shape().rank() != 4) return InvalidArgument("grad must be 4-dimensional: " + dy.shape().ToString());
    if (x.dtype() != dy.dtype() || y.dtype() != dy.dtype()) {
      return InvalidArgument("orig_input, orig_output and grad must have the same type");
    }
    PoolGeom g;
    RETURN_IF_ERROR(ComputePoolGeom(p_, x.shape(), &g));
    RETURN_IF_ERROR(CheckPooledShape(p_, g, y.shape(), "orig_output"));
    RETURN_IF_ERROR(CheckPooledShape(p_, g, dy.shape(), "grad"));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    if (out.num_elements() == 0) return Status::OK();
    bool ok = true;
    switch (x.dtype()) {
      case DT_FLOAT: Run<float>(ctx, x, dy, out, g); break;
      case DT_DOUBLE: Run<double>(ctx, x, dy, out, g); break;
      case DT_HALF: Run<Half>(ctx, x, dy, out, g); break;
      default: ok = false;
    }
    if (!ok) return InvalidArgument("MaxPoolGrad does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& x_t, const Tensor& dy_t, const Tensor& out, const PoolGeom& g) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    const Dims4 od{in.n, g.oh, g.ow, in.c};
    std::vector<C> x = LoadNhwc<T, C>(x_t, p_.nchw, in, pool);
    std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
    std::vector<C> dx(x.size(), C(0));
    // Windows of one image only scatter into that image: split by image.
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t n = a; n < b; ++n)
        for (int64_t yy = 0; yy < g.oh; ++yy)
          for (int64_t xw = 0; xw < g.ow; ++xw)
            for (int64_t ch = 0; ch < in.c; ++ch) {
              const int64_t idx = WindowArgMax(x.data(), in, p_, g, n, yy, xw, ch);
              if (idx >= 0) dx[idx] += dy[((n * g.oh + yy) * g.ow + xw) * in.c + ch];
            }
    };
    ParallelRows(pool, in.n, g.oh * g.ow * in.c * p_.kh * p_.kw, body);
    StoreFromNhwc<T, C>(dx, out, p_.nchw, in, pool);
  }

  PoolParams p_;
};

// The gradient of MaxPoolGrad with respect to its `grad` input: grad[argmax] per output window.
class MaxPoolGradGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadPoolParams(def, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& y = ctx->input(1);
    const Tensor& gg = ctx->input(2);
    if (y.shape().rank() != 4) return InvalidArgument("orig_output must be 4-dimensional: " + y.shape().ToString());
    if (x.dtype() != gg.dtype() || y.dtype() != gg.dtype()) {
      return InvalidArgument("orig_input, orig_output and grad must have the same type");
    }
    PoolGeom g;
    RETURN_IF_ERROR(ComputePoolGeom(p_, x.shape(), &g));
    RETURN_IF_ERROR(CheckPooledShape(p_, g, y.shape(), "orig_output"));
    if (!(gg.shape() == x.shape())) {
      return InvalidArgument("grad must have the shape of orig_input " + x.shape().ToString() + ", got " +
                             gg.shape().ToString());
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), y.shape()));
    if (out.num_elements() == 0) return Status::OK();
    bool ok = true;
    switch (x.dtype()) {
      case DT_FLOAT: Run<float>(ctx, x, gg, out, g); break;
      case DT_DOUBLE: Run<double>(ctx, x, gg, out, g); break;
      case DT_HALF: Run<Half>(ctx, x, gg, out, g); break;
      default: ok = false;
    }
    if (!ok) return InvalidArgument("MaxPoolGradGrad does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& x_t, const Tensor& gg_t, const Tensor& out, const PoolGeom& g) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    const Dims4 od{in.n, g.oh, g.ow, in.c};
    std::vector<C> x = LoadNhwc<T, C>(x_t, p_.nchw, in, pool);
    std::vector<C> gg = LoadNhwc<T, C>(gg_t, p_.nchw, in, pool);
    std::vector<C> res(static_cast<size_t>(out.num_elements()), C(0));
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t r = a; r < b; ++r) {
        const int64_t yy = r % g.oh, n = r / g.oh;
        for (int64_t xw = 0; xw < g.ow; ++xw)
          for (int64_t ch = 0; ch < in.c; ++ch) {
            const int64_t idx = WindowArgMax(x.data(), in, p_, g, n, yy, xw, ch);
            res[((n * g.oh + yy) * g.ow + xw) * in.c + ch] = idx >= 0 ? gg[idx] : C(0);
          }
      }
    };
    ParallelRows(pool, in.n * g.oh, g.ow * in.c * p_.kh * p_.kw, body);
    StoreFromNhwc<T, C>(res, out, p_.nchw, od, pool);
  }

  PoolParams p_;
};

class AvgPoolGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) { return ReadPoolParams(def, &p_); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(Shape in_shape, ReadSizes4(ctx->input(0), "AvgPoolGrad", "orig_input_shape"));
    const Tensor& dy = ctx->input(1);
    if (dy.shape().rank() != 4) return InvalidArgument("grad must be 4-dimensional: " + dy.shape().ToString());
    PoolGeom g;
    RETURN_IF_ERROR(ComputePoolGeom(p_, in_shape, &g));
    RETURN_IF_ERROR(CheckPooledShape(p_, g, dy.shape(), "grad"));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dy.dtype(), in_shape));
    if (out.num_elements() == 0) return Status::OK();
    bool ok = true;
    switch (dy.dtype()) {
      case DT_FLOAT: Run<float>(ctx, dy, out, g); break;
      case DT_DOUBLE: Run<double>(ctx, dy, out, g); break;
      case DT_HALF: Run<Half>(ctx, dy, out, g); break;
      default: ok = false;
    }
    if (!ok) return InvalidArgument("AvgPoolGrad does not support " + DataTypeName(dy.dtype()));
    return Status::OK();
  }

 private:
  template <typename T>
  void Run(OpKernelContext* ctx, const Tensor& dy_t, const Tensor& out, const PoolGeom& g) {
    using C = typename MathType<T>::type;
    ThreadPool* pool = ctx->intra_op();
    const Dims4& in = g.in;
    const Dims4 od{in.n, g.oh, g.ow, in.c};
    std::vector<C> dy = LoadNhwc<T, C>(dy_t, p_.nchw, od, pool);
    std::vector<C> dx(static_cast<size_t>(out.num_elements()), C(0));
    auto body = [&](int64_t a, int64_t b) {
      for (int64_t n = a; n < b; ++n)
        for (int64_t yy = 0; yy < g.oh; ++yy) {
          const int64_t h0 = std::max<int64_t>(yy * p_.sh - g.pt, 0);
          const int64_t h1 = std::min<int64_t>(yy * p_.sh - g.pt + p_.kh, in.h);
          for (int64_t xw = 0; xw < g.ow; ++xw) {
            const int64_t w0 = std::max<int64_t>(xw * p_.sw - g.pl, 0);
            const int64_t w1 = std::min<int64_t>(xw * p_.sw - g.pl + p_.kw, in.w);
            const int64_t count = std::max<int64_t>((h1 - h0) * (w1 - w0), 1);
            const C* src = dy.data() + ((n * g.oh + yy) * g.ow + xw) * in.c;
            for (int64_t i = h0; i < h1; ++i)
              for (int64_t j = w0; j < w1; ++j) {
                C* dst = dx.data() + ((n * in.h + i) * in.w + j) * in.c;
                for (int64_t ch = 0; ch < in.c; ++ch) dst[ch] += src[ch] / static_cast<C>(count);
              }
          }
        }
    };
    ParallelRows(pool, in.n, g.oh * g.ow * in.c * p_.kh * p_.kw, body);
    StoreFromNhwc<T, C>(dx, out, p_.nchw, in, pool);
  }

  PoolParams p_;
};

// ---- FusedBatchNormGrad ------------------------------------------------------------------------

class FusedBatchNormGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(nchw_, ReadDataFormat(def));
    ASSIGN_OR_RETURN(epsilon_, GetFloatAttr(def, "epsilon", 1e-4f));
    ASSIGN_OR_RETURN(training_, GetBoolAttr(def, "is_training", true));
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& dy = ctx->input(0);
    const Tensor& x = ctx->input(1);
    const Tensor& scale = ctx->input(2);
    const Tensor& r1 = ctx->input(3);  // batch mean (training) or population mean
    const Tensor& r2 = ctx->input(4);  // batch variance (training) or population variance
    if (dy.shape().rank() != 4) return InvalidArgument("y_backprop must be 4-dimensional" + dy.shape().ToString());
    if (x.shape().rank() != 4) return InvalidArgument("x must be 4-dimensional" + x.shape().ToString());
    if (scale.shape().rank() != 1) return InvalidArgument("scale must be 1-dimensional" + scale.shape().ToString());
    if (r1.shape().rank() != 1) return InvalidArgument("reserve_space_1 must be 1-dimensional" + r1.shape().ToString());
    if (r2.shape().rank() != 1) return InvalidArgument("reserve_space_2 must be 1-dimensional" + r2.shape().ToString());
    if (!(dy.shape() == x.shape())) {
      return InvalidArgument("x and y_backprop must have same shape, but x has shape " + x.shape().ToString() +
                             " and y_backprop has shape " + dy.shape().ToString());
    }
    if (dy.dtype() != x.dtype()) return InvalidArgument("x and y_backprop must have the same type");
    const DataType u = scale.dtype();
    if (r1.dtype() != u || r2.dtype() != u) return InvalidArgument("scale and reserve spaces must have the same type");
    if (u != DT_FLOAT && !(u == DT_DOUBLE && x.dtype() == DT_DOUBLE)) {
      return InvalidArgument(type() + ": scale must be float32 (float64 for float64 inputs), got " + DataTypeName(u));
    }
    const Shape& s = x.shape();
    const int64_t n = s.dim(0), c = nchw_ ? s.dim(1) : s.dim(3), hw = nchw_ ? s.dim(2) * s.dim(3) : s.dim(1) * s.dim(2);
    for (const Tensor* t : {&scale, &r1, &r2}) {
      if (t->shape().dim(0) != c) {
        return InvalidArgument("scale, reserve_space_1 and reserve_space_2 must have " + Str(c) +
                               " elements (the channels of x), got " + Str(t->shape().dim(0)));
      }
    }
    ASSIGN_OR_RETURN(Tensor dx, ctx->AllocateOutput(0, x.dtype(), s));
    ASSIGN_OR_RETURN(Tensor dscale, ctx->AllocateOutput(1, u, Shape({c})));
    ASSIGN_OR_RETURN(Tensor doffset, ctx->AllocateOutput(2, u, Shape({c})));
    ASSIGN_OR_RETURN(Tensor r3, ctx->AllocateOutput(3, u, Shape({0})));
    ASSIGN_OR_RETURN(Tensor r4, ctx->AllocateOutput(4, u, Shape({0})));
    (void)r3;
    (void)r4;
    auto getu = [&](const Tensor& t, int64_t i) -> double {
      return u == DT_FLOAT ? double(t.data<float>()[i]) : t.data<double>()[i];
    };
    auto setu = [&](const Tensor& t, int64_t i, double v) {
      if (u == DT_FLOAT) t.data<float>()[i] = static_cast<float>(v);
      else t.data<double>()[i] = v;
    };
    const int64_t rest = n * hw;
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      ok = true;
      const T* px = x.data<T>();
      const T* pdy = dy.data<T>();
      T* pdx = dx.data<T>();
      auto at = [&](int64_t b, int64_t i, int64_t ch) { return nchw_ ? (b * c + ch) * hw + i : (b * hw + i) * c + ch; };
      std::vector<double> rstd(c), mean(c), sum_dy(c, 0.0), sum_dy_xhat(c, 0.0);
      for (int64_t ch = 0; ch < c; ++ch) {
        mean[ch] = getu(r1, ch);
        rstd[ch] = 1.0 / std::sqrt(getu(r2, ch) + double(epsilon_));
      }
      for (int64_t b = 0; b < n; ++b)
        for (int64_t i = 0; i < hw; ++i)
          for (int64_t ch = 0; ch < c; ++ch) {
            const int64_t k = at(b, i, ch);
            const double g = double(Load(pdy[k]));
            sum_dy[ch] += g;
            sum_dy_xhat[ch] += g * (double(Load(px[k])) - mean[ch]) * rstd[ch];
          }
      std::vector<double> a(c), bterm(c), cterm(c);
      for (int64_t ch = 0; ch < c; ++ch) {
        const double sc = getu(scale, ch);
        a[ch] = sc * rstd[ch];
        if (training_ && rest > 0) {
          // dx = scale * rstd * (dy - mean(dy) - x_hat * mean(dy * x_hat))
          bterm[ch] = sum_dy[ch] / double(rest);
          cterm[ch] = sum_dy_xhat[ch] / double(rest);
        } else {
          bterm[ch] = 0;
          cterm[ch] = 0;
        }
        setu(dscale, ch, sum_dy_xhat[ch]);
        setu(doffset, ch, sum_dy[ch]);
      }
      auto body = [&](int64_t lo, int64_t hi) {
        for (int64_t b = lo; b < hi; ++b)
          for (int64_t i = 0; i < hw; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
              const int64_t k = at(b, i, ch);
              const double g = double(Load(pdy[k]));
              double v;
              if (training_) {
                const double xhat = (double(Load(px[k])) - mean[ch]) * rstd[ch];
                v = a[ch] * (g - bterm[ch] - xhat * cterm[ch]);
              } else {
                v = a[ch] * g;
              }
              pdx[k] = Store<T>(static_cast<typename MathType<T>::type>(v));
            }
      };
      if (ctx->intra_op() && ctx->intra_op()->num_threads() > 0 && n > 1 && x.num_elements() >= kParallelMinElements * 4) {
        ctx->intra_op()->ParallelFor(n, 1, body);
      } else {
        body(0, n);
      }
    };
    switch (x.dtype()) {
      case DT_FLOAT: run(float{}); break;
      case DT_DOUBLE: run(double{}); break;
      case DT_HALF: run(Half{}); break;
      default: break;
    }
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  bool nchw_ = false, training_ = true;
  float epsilon_ = 1e-4f;
};

// ---- LRNGrad -----------------------------------------------------------------------------------

class LRNGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    if (FindAttr(def, "depth_radius") != nullptr) {
      ASSIGN_OR_RETURN(radius_, GetIntAttr(def, "depth_radius"));
    }
    if (radius_ < 0 || radius_ > std::numeric_limits<int>::max()) {
      return InvalidArgument("depth_radius = " + Str(radius_) + " must be non-negative and fit in int");
    }
    ASSIGN_OR_RETURN(bias_, GetFloatAttr(def, "bias", 1.0f));
    ASSIGN_OR_RETURN(alpha_, GetFloatAttr(def, "alpha", 1.0f));
    ASSIGN_OR_RETURN(beta_, GetFloatAttr(def, "beta", 0.5f));
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& dy = ctx->input(0);
    const Tensor& x = ctx->input(1);
    const Tensor& y = ctx->input(2);
    if (dy.shape().rank() != 4 || x.shape().rank() != 4 || y.shape().rank() != 4) {
      return InvalidArgument("input_grads, input_image, and out_image should have 4 dimensions");
    }
    if (!(dy.shape() == x.shape()) || !(y.shape() == x.shape())) {
      return InvalidArgument("input_grads, input_image, and out_image should have the same shape: " +
                             dy.shape().ToString() + ", " + x.shape().ToString() + ", " + y.shape().ToString());
    }
    if (dy.dtype() != x.dtype() || y.dtype() != x.dtype()) {
      return InvalidArgument("input_grads, input_image, and out_image must have the same type");
    }
    const int64_t depth = x.shape().dim(3);
    const int64_t rows = x.num_elements() / std::max<int64_t>(depth, 1);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    if (x.num_elements() == 0) return Status::OK();
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      ok = true;
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      const T* pg = dy.data<T>();
      T* po = out.data<T>();
      auto body = [&](int64_t a, int64_t b) {
        std::vector<C> acc(static_cast<size_t>(depth));
        for (int64_t r = a; r < b; ++r) {
          const T* in = px + r * depth;
          std::fill(acc.begin(), acc.end(), C(0));
          for (int64_t i = 0; i < depth; ++i) {
            const int64_t lo = std::max<int64_t>(0, i - radius_), hi = std::min<int64_t>(depth, i + radius_ + 1);
            C norm = 0;
            for (int64_t j = lo; j < hi; ++j) {
              const C v = Load(in[j]);
              norm += v * v;
            }
            norm = C(alpha_) * norm + C(bias_);
            const C gi = Load(pg[r * depth + i]);
            const C yi = Load(py[r * depth + i]);
            const C common = -C(2) * C(alpha_) * C(beta_) * yi / norm * gi;
            for (int64_t j = lo; j < hi; ++j) acc[j] += common * Load(in[j]);
            acc[i] += std::pow(norm, -C(beta_)) * gi;
          }
          for (int64_t j = 0; j < depth; ++j) po[r * depth + j] = Store<T>(acc[j]);
        }
      };
      const int64_t cost = depth * (4 * radius_ + 4);
      if (ctx->intra_op() && ctx->intra_op()->num_threads() > 0 && rows > 1 && rows * cost >= kParallelMinElements * 2) {
        ctx->intra_op()->ParallelFor(rows, std::max<int64_t>(1, kParallelMinElements / std::max<int64_t>(cost, 1)), body);
      } else {
        body(0, rows);
      }
    };
    switch (x.dtype()) {
      case DT_FLOAT: run(float{}); break;
      case DT_HALF: run(Half{}); break;
      default: break;
    }
    if (!ok) return InvalidArgument("LRNGrad does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  int64_t radius_ = 5;
  float bias_ = 1.0f, alpha_ = 1.0f, beta_ = 0.5f;
};

// ---- MirrorPadGrad -----------------------------------------------------------------------------

class MirrorPadGradKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "mode");
    if (a == nullptr || a->kind != AttrValue::Kind::kS) return InvalidArgument("MirrorPadGrad requires a string attr 'mode'");
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
    const Tensor& paddings = ctx->input(1);
    const int rank = in.shape().rank();
    if (paddings.shape().rank() != 2 || paddings.shape().dim(0) != rank || paddings.shape().dim(1) != 2) {
      return InvalidArgument("The first dimension of paddings must be the rank of inputs" +
                             paddings.shape().ToString() + " " + in.shape().ToString());
    }
    std::vector<int64_t> pads(static_cast<size_t>(2 * rank));
    if (paddings.dtype() == DT_INT32) {
      for (int i = 0; i < 2 * rank; ++i) pads[i] = paddings.data<int32_t>()[i];
    } else if (paddings.dtype() == DT_INT64) {
      for (int i = 0; i < 2 * rank; ++i) pads[i] = paddings.data<int64_t>()[i];
    } else {
      return InvalidArgument("paddings must be int32 or int64, got " + DataTypeName(paddings.dtype()));
    }
    std::vector<int64_t> out_dims(static_cast<size_t>(rank));
    for (int k = 0; k < rank; ++k) {
      const int64_t before = pads[2 * k], after = pads[2 * k + 1], d = in.shape().dim(k);
      if (before < 0 || after < 0) {
        return InvalidArgument("Paddings must be non-negative: " + Str(before) + " " + Str(after));
      }
      const int64_t o = d - before - after;
      if (o < 0 || (offset_ == 0 && (before > o || after > o))) {
        return InvalidArgument("paddings must be no greater than the output dimension size: " + Str(before) + ", " +
                               Str(after) + " greater than " + Str(o));
      }
      if (offset_ == 1 && (before >= o || after >= o)) {
        return InvalidArgument("paddings must be less than the output dimension size: " + Str(before) + ", " +
                               Str(after) + " not less than " + Str(o));
      }
      out_dims[k] = o;
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(out_dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), out_shape));
    if (in.num_elements() == 0) {
      if (out.num_elements() > 0) return Internal("MirrorPadGrad: empty input with a non-empty output");
      return Status::OK();
    }
    // Per dim: the output offset each padded index folds onto.
    std::vector<std::vector<int64_t>> map(static_cast<size_t>(rank));
    int64_t stride = 1;
    for (int k = rank - 1; k >= 0; --k) {
      const int64_t before = pads[2 * k], o = out_dims[k], d = in.shape().dim(k);
      map[k].resize(static_cast<size_t>(d));
      for (int64_t i = 0; i < d; ++i) {
        int64_t src;
        if (i < before) {
          src = before - i - 1 + offset_;
        } else if (i >= before + o) {
          src = o - 1 - offset_ - (i - before - o);
        } else {
          src = i - before;
        }
        map[k][i] = src * stride;
      }
      stride *= o;
    }
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      ok = true;
      const T* pi = in.data<T>();
      std::vector<C> acc(static_cast<size_t>(out.num_elements()), C(0));
      if (rank == 0) {
        acc[0] = Load(pi[0]);
      } else {
        const int64_t inner = in.shape().dim(rank - 1);
        const int64_t outer = in.num_elements() / inner;
        std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
        const std::vector<int64_t>& last = map[rank - 1];
        for (int64_t r = 0; r < outer; ++r) {
          int64_t base = 0;
          for (int k = 0; k < rank - 1; ++k) base += map[k][idx[k]];
          const T* row = pi + r * inner;
          for (int64_t j = 0; j < inner; ++j) acc[base + last[j]] += Load(row[j]);
          for (int k = rank - 2; k >= 0; --k) {
            if (++idx[k] < in.shape().dim(k)) break;
            idx[k] = 0;
          }
        }
      }
      T* po = out.data<T>();
      for (size_t i = 0; i < acc.size(); ++i) po[i] = Store<T>(acc[i]);
    };
    switch (in.dtype()) {
      case DT_FLOAT: run(float{}); break;
      case DT_DOUBLE: run(double{}); break;
      case DT_HALF: run(Half{}); break;
      case DT_INT32: run(int32_t{}); break;
      case DT_INT64: run(int64_t{}); break;
      default: break;
    }
    if (!ok) return InvalidArgument("MirrorPadGrad does not support " + DataTypeName(in.dtype()));
    return Status::OK();
  }

 private:
  int64_t offset_ = 1;
};

// ---- Digamma -----------------------------------------------------------------------------------

// psi(x): reflection below 0, recurrence up to 10, then the asymptotic series. Poles (0, -1, -2, ...)
// give +inf, as Eigen's digamma.
double DigammaD(double x) {
  if (std::isnan(x)) return x;
  if (x == -std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0) {
    if (x == std::floor(x)) return std::numeric_limits<double>::infinity();
    const double pi = 3.14159265358979323846;
    // psi(x) = psi(1 - x) - pi / tan(pi x)
    return DigammaD(1.0 - x) - pi / std::tan(pi * x);
  }
  double result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  if (std::isinf(x)) return x;
  const double inv = 1 / x, inv2 = inv * inv;
  // Bernoulli terms B_2k / (2k x^2k)
  const double series =
      inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 -
      inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))));
  return result + std::log(x) - 0.5 * inv - series;
}

class DigammaKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), x.shape(), 0));
    const int64_t n = x.num_elements();
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      ok = true;
      const T* px = x.data<T>();
      T* po = out.data<T>();
      ForRange(ctx->intra_op(), n, [&](int64_t a, int64_t b) {
        for (int64_t i = a; i < b; ++i) po[i] = Store<T>(static_cast<C>(DigammaD(double(Load(px[i])))));
      }, 32);
    };
    switch (x.dtype()) {
      case DT_FLOAT: run(float{}); break;
      case DT_DOUBLE: run(double{}); break;
      case DT_HALF: run(Half{}); break;
      default: break;
    }
    if (!ok) return InvalidArgument("Digamma does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }
};

void RegisterNNGradKernels(OpRegistry* r) {
  const std::vector<DataType> floats = {DT_FLOAT, DT_DOUBLE, DT_HALF};
  r->RegisterOp({"Conv2DBackpropFilter", FixedArity(3, 1)});
  r->RegisterKernel("Conv2DBackpropFilter", "T", floats, MakeFactory<Conv2DBackpropFilterKernel>());
  r->RegisterOp({"DepthwiseConv2dNativeBackpropInput", FixedArity(3, 1)});
  r->RegisterKernel("DepthwiseConv2dNativeBackpropInput", "T", floats, MakeFactory<DepthwiseBackpropInputKernel>());
  r->RegisterOp({"DepthwiseConv2dNativeBackpropFilter", FixedArity(3, 1)});
  r->RegisterKernel("DepthwiseConv2dNativeBackpropFilter", "T", floats, MakeFactory<DepthwiseBackpropFilterKernel>());
  r->RegisterOp({"MaxPoolGrad", FixedArity(3, 1)});
  r->RegisterKernel("MaxPoolGrad", "T", floats, MakeFactory<MaxPoolGradKernel>());
  r->RegisterOp({"MaxPoolGradGrad", FixedArity(3, 1)});
  r->RegisterKernel("MaxPoolGradGrad", "T", floats, MakeFactory<MaxPoolGradGradKernel>());
  r->RegisterOp({"AvgPoolGrad", FixedArity(2, 1)});
  r->RegisterKernel("AvgPoolGrad", "T", floats, MakeFactory<AvgPoolGradKernel>());
  r->RegisterOp({"FusedBatchNormGrad", FixedArity(5, 5)});
  r->RegisterKernel("FusedBatchNormGrad", "T", {DT_FLOAT, DT_DOUBLE}, MakeFactory<FusedBatchNormGradKernel>());
  r->RegisterOp({"FusedBatchNormGradV2", FixedArity(5, 5)});
  r->RegisterKernel("FusedBatchNormGradV2", "T", floats, MakeFactory<FusedBatchNormGradKernel>());
  r->RegisterOp({"FusedBatchNormGradV3", FixedArity(6, 5)});
  r->RegisterKernel("FusedBatchNormGradV3", "T", floats, MakeFactory<FusedBatchNormGradKernel>());
  r->RegisterOp({"LRNGrad", FixedArity(3, 1)});
  r->RegisterKernel("LRNGrad", "T", {DT_FLOAT, DT_HALF}, MakeFactory<LRNGradKernel>());
  r->RegisterOp({"MirrorPadGrad", FixedArity(2, 1)});
  r->RegisterKernel("MirrorPadGrad", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64},
                    MakeFactory<MirrorPadGradKernel>());
  r->RegisterOp({"Digamma", FixedArity(1, 1)});
  r->RegisterKernel("Digamma", "T", floats, MakeFactory<DigammaKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterNNGradKernels);

}  // namespace graphrt
