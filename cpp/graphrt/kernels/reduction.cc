// Reductions over a set of axes (Sum, Mean, Max, Min, Prod, All, Any; attr keep_dims) and ArgMax/ArgMin.
// The input's dimensions are simplified first (size-1 dimensions dropped, neighbours with the same
// reduced/kept role merged), then rows of the innermost dimension are folded into an accumulator per
// output element: a contiguous inner reduction when the last dimension is reduced, a vector combine
// when it is kept.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

template <typename C> constexpr bool kIsFloat = std::is_floating_point<C>::value;

// Sum/Mean/Prod accumulate floats in double and integers in uint64 (wrapping exactly like the
// narrow type would, without signed-overflow UB).
template <typename T>
using WideAcc = typename std::conditional<kIsFloat<typename MathType<T>::type>, double, uint64_t>::type;

template <typename T> WideAcc<T> LiftWide(T v) {
  using C = typename MathType<T>::type;
  if constexpr (kIsFloat<C>) return static_cast<double>(Load(v));
  else return static_cast<uint64_t>(static_cast<int64_t>(v));
}
template <typename T> T LowerWide(WideAcc<T> a) {
  using C = typename MathType<T>::type;
  if constexpr (kIsFloat<C>) return Store<T>(static_cast<C>(a));
  else return static_cast<T>(a);
}

template <typename T> struct SumR {
  using A = WideAcc<T>;
  static A Init() { return A(0); }
  static A Lift(T v) { return LiftWide(v); }
  static A Combine(A a, A b) { return a + b; }
  static T Finalize(A a, int64_t) { return LowerWide<T>(a); }
};
template <typename T> struct MeanR : SumR<T> {
  static T Finalize(typename SumR<T>::A a, int64_t count) {
    using C = typename MathType<T>::type;
    if constexpr (kIsFloat<C>) {
      return Store<T>(static_cast<C>(a / static_cast<double>(count)));  // 0/0 = NaN for an empty set
    } else {
      if (count == 0) return T(0);
      const T sum = static_cast<T>(a);
      if constexpr (std::is_signed<T>::value) return static_cast<T>(static_cast<int64_t>(sum) / count);
      else return static_cast<T>(static_cast<uint64_t>(sum) / static_cast<uint64_t>(count));
    }
  }
};
template <typename T> struct ProdR {
  using A = WideAcc<T>;
  static A Init() { return A(1); }
  static A Lift(T v) { return LiftWide(v); }
  static A Combine(A a, A b) { return a * b; }
  static T Finalize(A a, int64_t) { return LowerWide<T>(a); }
};
// Max/Min propagate NaN; the identity of an empty set is -inf/+inf for floats, lowest/max for ints.
template <typename T> struct MaxR {
  using A = typename MathType<T>::type;
  static A Init() {
    if constexpr (kIsFloat<A>) return -std::numeric_limits<A>::infinity(); else return std::numeric_limits<A>::lowest();
  }
  static A Lift(T v) { return Load(v); }
  static A Combine(A a, A b) {
    if constexpr (kIsFloat<A>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
    return a < b ? b : a;
  }
  static T Finalize(A a, int64_t) { return Store<T>(a); }
};
template <typename T> struct MinR {
  using A = typename MathType<T>::type;
  static A Init() {
    if constexpr (kIsFloat<A>) return std::numeric_limits<A>::infinity(); else return std::numeric_limits<A>::max();
  }
  static A Lift(T v) { return Load(v); }
  static A Combine(A a, A b) {
    if constexpr (kIsFloat<A>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
    return b < a ? b : a;
  }
  static T Finalize(A a, int64_t) { return Store<T>(a); }
};
template <typename T> struct AllR {
  using A = bool;
  static A Init() { return true; }
  static A Lift(T v) { return static_cast<bool>(Load(v)); }
  static A Combine(A a, A b) { return a && b; }
  static T Finalize(A a, int64_t) { return Store<T>(static_cast<typename MathType<T>::type>(a)); }
};
template <typename T> struct AnyR {
  using A = bool;
  static A Init() { return false; }
  static A Lift(T v) { return static_cast<bool>(Load(v)); }
  static A Combine(A a, A b) { return a || b; }
  static T Finalize(A a, int64_t) { return Store<T>(static_cast<typename MathType<T>::type>(a)); }
};

struct ReductionPlan {
  Shape out_shape;
  std::vector<int64_t> dims;  // simplified input dims
  std::vector<bool> reduced;  // per simplified dim
  int64_t reduced_count = 1;  // elements folded into each output
};

StatusOr<ReductionPlan> PlanReduction(const Shape& in, const Tensor& axes_t, bool keep_dims) {
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadIndexVector(axes_t, "reduction_indices"));
  const int rank = in.rank();
  std::vector<bool> bitmap(rank, false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return InvalidArgument("Invalid reduction dimension " + std::to_string(a) + " for input with " +
                             std::to_string(rank) + " dimension(s)");
    }
    const int idx = static_cast<int>(a < 0 ? a + rank : a);
    if (bitmap[idx]) {
      return InvalidArgument("Invalid reduction arguments: Axes contains duplicate dimension: " + std::to_string(idx));
    }
    bitmap[idx] = true;
  }
  ReductionPlan p;
  std::vector<int64_t> out;
  for (int i = 0; i < rank; ++i) {
    const int64_t d = in.dim(i);
    if (bitmap[i]) {
      p.reduced_count *= d;
      if (keep_dims) out.push_back(1);
    } else {
      out.push_back(d);
    }
    if (d == 1) continue;
    if (!p.dims.empty() && p.reduced.back() == bitmap[i]) {
      p.dims.back() *= d;
    } else {
      p.dims.push_back(d);
      p.reduced.push_back(bitmap[i]);
    }
  }
  p.out_shape = Shape(std::move(out));
  return p;
}

// acc (one per output element, initialised) folded with every input element.
template <typename R, typename T>
void Accumulate(const T* in, const ReductionPlan& p, typename R::A* acc, ThreadPool* pool) {
  using A = typename R::A;
  const int k = static_cast<int>(p.dims.size());
  if (k == 0) {  // one element (all dims of size 1)
    acc[0] = R::Combine(acc[0], R::Lift(in[0]));
    return;
  }
  const int64_t inner = p.dims[k - 1];
  const bool inner_reduced = p.reduced[k - 1];
  if (k == 1 && inner_reduced) {
    // Full reduction: partials per chunk, combined in order.
    const int64_t chunks = pool == nullptr ? 1 : std::max<int64_t>(1, std::min<int64_t>(64, inner / (1 << 16)));
    // Not std::vector: vector<bool> packs bits, which threads could not write independently.
    std::unique_ptr<A[]> partial(new A[chunks]);
    std::fill(partial.get(), partial.get() + chunks, R::Init());
    auto body = [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t b = inner * c / chunks, e = inner * (c + 1) / chunks;
        A r = R::Init();
        for (int64_t j = b; j < e; ++j) r = R::Combine(r, R::Lift(in[j]));
        partial[c] = r;
      }
    };
    if (chunks > 1) pool->ParallelFor(chunks, 1, body); else body(0, 1);
    for (int64_t c = 0; c < chunks; ++c) acc[0] = R::Combine(acc[0], partial[c]);
    return;
  }
  // Output strides of the outer (non-innermost) simplified dims: 0 where reduced.
  std::vector<int64_t> ostride(k, 0);
  {
    int64_t m = inner_reduced ? 1 : inner;
    for (int i = k - 2; i >= 0; --i) {
      if (!p.reduced[i]) { ostride[i] = m; m *= p.dims[i]; }
    }
  }
  // Rows [r0, r1) of the innermost dim; rows of one slice of dims[0] never share outputs with
  // another slice when dims[0] is kept, so those slices may run in parallel.
  auto run_rows = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, o = 0;
      for (int d = k - 2; d >= 0; --d) {
        o += (rem % p.dims[d]) * ostride[d];
        rem /= p.dims[d];
      }
      const T* row = in + r * inner;
      if (inner_reduced) {
        A v = R::Init();
        for (int64_t j = 0; j < inner; ++j) v = R::Combine(v, R::Lift(row[j]));
        acc[o] = R::Combine(acc[o], v);
      } else {
        A* a = acc + o;
        for (int64_t j = 0; j < inner; ++j) a[j] = R::Combine(a[j], R::Lift(row[j]));
      }
    }
  };
  const int64_t rows = p.reduced.size() == 1 ? 1 : [&] {
    int64_t n = 1;
    for (int i = 0; i < k - 1; ++i) n *= p.dims[i];
    return n;
  }();
  const int64_t n = rows * inner;
  if (pool == nullptr || pool->num_threads() == 0 || n < kParallelMinElementsMemoryBound || p.reduced[0] || k < 2) {
    run_rows(0, rows);
  } else {
    const int64_t per_slice = rows / p.dims[0];
    pool->ParallelFor(p.dims[0], 1, [&](int64_t s0, int64_t s1) { run_rows(s0 * per_slice, s1 * per_slice); });
  }
}

template <template <typename> class R>
class ReduceKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(keep_dims_, GetBoolAttr(def, "keep_dims", false));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    ASSIGN_OR_RETURN(ReductionPlan p, PlanReduction(x.shape(), ctx->input(1), keep_dims_));
    const bool is_bool_op = std::is_same<R<bool>, AllR<bool>>::value || std::is_same<R<bool>, AnyR<bool>>::value;
    if (is_bool_op && x.dtype() != DT_BOOL) {
      return InvalidArgument(type() + " expects a bool input, got " + DataTypeName(x.dtype()));
    }
    Status status;
    const bool ok = DispatchNumeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using Red = R<T>;
      auto out = ctx->AllocateOutput(0, x.dtype(), p.out_shape);
      if (!out.ok()) { status = out.status(); return; }
      const int64_t out_n = p.out_shape.num_elements();
      if (out_n == 0) return;
      std::unique_ptr<typename Red::A[]> acc(new typename Red::A[out_n]);
      std::fill(acc.get(), acc.get() + out_n, Red::Init());
      if (x.num_elements() > 0) Accumulate<Red>(x.data<T>(), p, acc.get(), ctx->intra_op());
      T* po = out.value().template data<T>();
      for (int64_t i = 0; i < out_n; ++i) po[i] = Red::Finalize(acc[i], p.reduced_count);
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return status;
  }

 private:
  bool keep_dims_ = false;
};

// ArgMax/ArgMin over one axis; ties and NaN go to the first index (numpy's rule).
template <bool kMax>
class ArgKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "output_type");
    if (a != nullptr) {
      if (a->kind != AttrValue::Kind::kType || (a->type != DT_INT32 && a->type != DT_INT64)) {
        return InvalidArgument(def.op + " attr 'output_type' must be int32 or int64");
      }
      out_type_ = a->type;
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& dim_t = ctx->input(1);
    if (dim_t.shape().rank() != 0) {
      return InvalidArgument("dim must be a scalar, but received tensor of shape: " + dim_t.shape().ToString());
    }
    ASSIGN_OR_RETURN(int64_t dim, ReadIndexScalar(dim_t, "dimension"));
    const int rank = x.shape().rank();
    if (dim < -rank || dim >= rank) {
      return InvalidArgument("Expected dimension in the range [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                             "), but got " + std::to_string(dim));
    }
    const int axis = static_cast<int>(dim < 0 ? dim + rank : dim);
    const int64_t n = x.shape().dim(axis);
    if (n == 0) {
      return InvalidArgument("Reduction axis " + std::to_string(axis) + " is empty in shape " + x.shape().ToString());
    }
    int64_t outer = 1, inner = 1;
    std::vector<int64_t> out_dims;
    for (int i = 0; i < rank; ++i) {
      if (i < axis) outer *= x.shape().dim(i);
      if (i > axis) inner *= x.shape().dim(i);
      if (i != axis) out_dims.push_back(x.shape().dim(i));
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, out_type_, Shape(std::move(out_dims))));
    if (outer * inner == 0) return Status::OK();
    Status status;
    const bool ok = DispatchNumeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* px = x.data<T>();
      std::vector<int64_t> best_i(static_cast<size_t>(inner));
      std::vector<C> best_v(static_cast<size_t>(inner));
      for (int64_t o = 0; o < outer; ++o) {
        const T* base = px + o * n * inner;
        for (int64_t j = 0; j < inner; ++j) { best_i[j] = 0; best_v[j] = Load(base[j]); }
        for (int64_t k = 1; k < n; ++k) {
          const T* row = base + k * inner;
          for (int64_t j = 0; j < inner; ++j) {
            const C v = Load(row[j]);
            bool better;
            if constexpr (kIsFloat<C>) {
              if (std::isnan(best_v[j])) better = false;
              else if (std::isnan(v)) better = true;
              else better = kMax ? v > best_v[j] : v < best_v[j];
            } else {
              better = kMax ? v > best_v[j] : v < best_v[j];
            }
            if (better) { best_v[j] = v; best_i[j] = k; }
          }
        }
        if (out_type_ == DT_INT32) {
          int32_t* po = out.data<int32_t>() + o * inner;
          for (int64_t j = 0; j < inner; ++j) po[j] = static_cast<int32_t>(best_i[j]);
        } else {
          int64_t* po = out.data<int64_t>() + o * inner;
          for (int64_t j = 0; j < inner; ++j) po[j] = best_i[j];
        }
      }
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return status;
  }

 private:
  DataType out_type_ = DT_INT64;
};

void RegisterReductionKernels(OpRegistry* r) {
  auto reduce = [r](const char* op, KernelFactory f, bool bool_only) {
    r->RegisterOp({op, FixedArity(2, 1)});
    if (bool_only) r->RegisterKernel(op, "", {}, std::move(f));
    else r->RegisterKernel(op, "T", kRealNumberTypes, std::move(f));
  };
  reduce("Sum", MakeFactory<ReduceKernel<SumR>>(), false);
  reduce("Mean", MakeFactory<ReduceKernel<MeanR>>(), false);
  reduce("Prod", MakeFactory<ReduceKernel<ProdR>>(), false);
  reduce("Max", MakeFactory<ReduceKernel<MaxR>>(), false);
  reduce("Min", MakeFactory<ReduceKernel<MinR>>(), false);
  reduce("All", MakeFactory<ReduceKernel<AllR>>(), true);
  reduce("Any", MakeFactory<ReduceKernel<AnyR>>(), true);
  r->RegisterOp({"ArgMax", FixedArity(2, 1)});
  r->RegisterKernel("ArgMax", "T", kRealNumberTypes, MakeFactory<ArgKernel<true>>());
  r->RegisterOp({"ArgMin", FixedArity(2, 1)});
  r->RegisterKernel("ArgMin", "T", kRealNumberTypes, MakeFactory<ArgKernel<false>>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterReductionKernels);

}  // namespace graphrt
