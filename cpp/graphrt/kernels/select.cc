// Three-input elementwise ops: Select (TF1 tf.where(cond, x, y)), SelectV2 (all three broadcast) and
// ClipByValue (t, clip_value_min, clip_value_max, all three broadcast).
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

// Strides of `in` in the index space of `out` (numpy broadcasting, in's rank <= out's): 0 on
// broadcast dimensions.
std::vector<int64_t> StridesIn(const Shape& in, const Shape& out) {
  const int rank = out.rank();
  std::vector<int64_t> s(rank, 0);
  int64_t m = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const int k = in.rank() - rank + i;
    const int64_t d = k >= 0 ? in.dim(k) : 1;
    s[i] = d == 1 ? 0 : m;
    m *= d;
  }
  return s;
}

// body(o, i0, i1, i2) for every output element o, with each input's broadcast element index.
template <typename Body>
void ForEachBroadcast3(const Shape& s0, const Shape& s1, const Shape& s2, const Shape& out, ThreadPool* pool,
                       const Body& body) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const int64_t n0 = s0.num_elements(), n1 = s1.num_elements(), n2 = s2.num_elements();
  if ((n0 == n || n0 == 1) && (n1 == n || n1 == 1) && (n2 == n || n2 == 1)) {
    const int64_t k0 = n0 == n ? 1 : 0, k1 = n1 == n ? 1 : 0, k2 = n2 == n ? 1 : 0;
    if (k0 == 1 && k1 == 1 && k2 == 1) {
      // Same shapes (the common case): plain indexing the compiler can vectorize.
      ForRange(pool, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) body(i, i, i, i);
      });
      return;
    }
    ForRange(pool, n, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) body(i, i * k0, i * k1, i * k2);
    });
    return;
  }
  const int rank = out.rank();
  const std::vector<int64_t>& dims = out.dims();
  const std::vector<int64_t> st0 = StridesIn(s0, out), st1 = StridesIn(s1, out), st2 = StridesIn(s2, out);
  const int64_t inner = dims[rank - 1];
  const int64_t rows = n / inner;
  ForRange(pool, rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, o0 = 0, o1 = 0, o2 = 0;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t idx = rem % dims[d];
        rem /= dims[d];
        o0 += idx * st0[d];
        o1 += idx * st1[d];
        o2 += idx * st2[d];
      }
      for (int64_t j = 0; j < inner; ++j) {
        body(r * inner + j, o0 + j * st0[rank - 1], o1 + j * st1[rank - 1], o2 + j * st2[rank - 1]);
      }
    }
  }, static_cast<int>(std::min<int64_t>(inner, 64)));
}

StatusOr<Shape> Broadcast3(const Shape& a, const Shape& b, const Shape& c) {
  ASSIGN_OR_RETURN(Shape ab, BroadcastShapes(a, b));
  return BroadcastShapes(ab, c);
}

// Select (v1): `condition` has x's shape, is a scalar, or is a vector over x's first dimension.
// SelectV2: condition, x and y broadcast together.
template <bool kV2>
class SelectKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& cond = ctx->input(0);
    const Tensor& x = ctx->input(1);
    const Tensor& y = ctx->input(2);
    if (cond.dtype() != DT_BOOL) return InvalidArgument("condition must be bool, got " + DataTypeName(cond.dtype()));
    if (x.dtype() != y.dtype()) {
      return InvalidArgument(type() + " got mismatched input types " + DataTypeName(x.dtype()) + " and " +
                             DataTypeName(y.dtype()));
    }
    Shape out_shape;
    Shape cond_view = cond.shape();
    if constexpr (kV2) {
      auto s = Broadcast3(cond.shape(), x.shape(), y.shape());
      if (!s.ok()) {
        return InvalidArgument("condition " + cond.shape().ToString() + ", then " + x.shape().ToString() +
                               ", and else " + y.shape().ToString() + " must be broadcastable");
      }
      out_shape = s.value();
    } else {
      if (x.shape() != y.shape()) {
        return InvalidArgument("'then' and 'else' must have the same size.  but received: " + x.shape().ToString() +
                               " vs. " + y.shape().ToString());
      }
      out_shape = x.shape();
      if (cond.shape() == x.shape() || cond.shape().rank() == 0) {
        // elementwise or scalar: ordinary broadcasting covers both
      } else if (cond.shape().rank() == 1 && x.shape().rank() >= 1) {
        if (cond.shape().dim(0) != x.shape().dim(0)) {
          return InvalidArgument("Number of batches of 'then' must match size of 'cond', but saw: " +
                                 std::to_string(x.shape().dim(0)) + " vs. " + std::to_string(cond.shape().dim(0)));
        }
        // A [n] condition acts as [n, 1, ..., 1] against x.
        std::vector<int64_t> d(x.shape().rank(), 1);
        d[0] = cond.shape().dim(0);
        cond_view = Shape(std::move(d));
      } else {
        return InvalidArgument(
            "'cond' must be a scalar, a vector, or have the same shape as 'then', but saw shapes " +
            cond.shape().ToString() + " and " + x.shape().ToString());
      }
    }
    Status status;
    const bool ok = DispatchAllTypes(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      int reuse = -1;
      if constexpr (!std::is_same<T, std::string>::value) {
        reuse = x.shape() == out_shape ? 1 : (y.shape() == out_shape ? 2 : -1);
      }
      auto out = ctx->AllocateOutput(0, x.dtype(), out_shape, reuse);
      if (!out.ok()) { status = out.status(); return; }
      const bool* pc = cond.data<bool>();
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      T* po = out.value().template data<T>();
      ForEachBroadcast3(cond_view, x.shape(), y.shape(), out_shape, ctx->intra_op(),
                        [&](int64_t o, int64_t ic, int64_t ix, int64_t iy) { po[o] = pc[ic] ? px[ix] : py[iy]; });
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return status;
  }
};

// ClipByValue: max(min(t, clip_value_max), clip_value_min), the three inputs broadcast together.
class ClipByValueKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& t = ctx->input(0);
    const Tensor& lo = ctx->input(1);
    const Tensor& hi = ctx->input(2);
    if (t.dtype() != lo.dtype() || t.dtype() != hi.dtype()) {
      return InvalidArgument("ClipByValue inputs must have the same type, got " + DataTypeName(t.dtype()) + ", " +
                             DataTypeName(lo.dtype()) + " and " + DataTypeName(hi.dtype()));
    }
    auto s = Broadcast3(t.shape(), lo.shape(), hi.shape());
    if (!s.ok()) {
      return InvalidArgument("clip_value_min " + lo.shape().ToString() + " and clip_value_max " + hi.shape().ToString() +
                             " must be broadcastable to t " + t.shape().ToString());
    }
    const Shape out_shape = s.value();
    Status status;
    DispatchNumeric(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      auto out = ctx->AllocateOutput(0, t.dtype(), out_shape, t.shape() == out_shape ? 0 : -1);
      if (!out.ok()) { status = out.status(); return; }
      const T* pt = t.data<T>();
      const T* pl = lo.data<T>();
      const T* ph = hi.data<T>();
      T* po = out.value().template data<T>();
      ForEachBroadcast3(t.shape(), lo.shape(), hi.shape(), out_shape, ctx->intra_op(),
                        [&](int64_t o, int64_t it, int64_t il, int64_t ih) {
                          C v = Load(pt[it]);
                          const C l = Load(pl[il]), h = Load(ph[ih]);
                          if constexpr (std::is_floating_point<C>::value) {
                            if (std::isnan(v)) { po[o] = pt[it]; return; }
                          }
                          if (h < v) v = h;
                          if (v < l) v = l;
                          po[o] = Store<T>(v);
                        });
    });
    return status;
  }
};

void RegisterSelectKernels(OpRegistry* r) {
  r->RegisterOp({"Select", FixedArity(3, 1)});
  r->RegisterKernel("Select", "T", kAllTypes, MakeFactory<SelectKernel<false>>());
  r->RegisterOp({"SelectV2", FixedArity(3, 1)});
  r->RegisterKernel("SelectV2", "T", kAllTypes, MakeFactory<SelectKernel<true>>());
  r->RegisterOp({"ClipByValue", FixedArity(3, 1)});
  r->RegisterKernel("ClipByValue", "T", kRealNumberTypes, MakeFactory<ClipByValueKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterSelectKernels);

}  // namespace graphrt
