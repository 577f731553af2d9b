// Sorting-ish and scan kernels: Unique, TopKV2 (and legacy TopK), Cumsum, Cumprod.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

// ---- Unique: y = distinct values in first-occurrence order, idx[i] = position of x[i] in y ----
class UniqueKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto t = GetTypeAttr(def, "out_idx");
    out_idx_ = t.ok() ? t.value() : DT_INT32;
    if (out_idx_ != DT_INT32 && out_idx_ != DT_INT64) return InvalidArgument("out_idx must be int32 or int64");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.shape().rank() != 1) return InvalidArgument("unique expects a 1D vector.");
    const int64_t n = x.num_elements();
    if (out_idx_ == DT_INT32 && n > INT32_MAX) return InvalidArgument("unique does not support input sizes that fit in int32 only");
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::vector<int64_t> firsts;  // position in x of each unique value
    auto run = [&](auto key_of) {
      using K = decltype(key_of(int64_t{0}));
      std::unordered_map<K, int64_t> seen;
      seen.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        auto [it, inserted] = seen.emplace(key_of(i), static_cast<int64_t>(firsts.size()));
        if (inserted) firsts.push_back(i);
        idx[i] = it->second;
      }
    };
    bool ok = true;
    if (x.dtype() == DT_STRING) {
      const std::string* p = x.data<std::string>();
      run([p](int64_t i) { return p[i]; });
    } else {
      ok = DispatchNumeric(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* p = x.data<T>();
        run([p](int64_t i) { return Load(p[i]); });
      });
    }
    if (!ok) return InvalidArgument("Unique does not support " + DataTypeName(x.dtype()));
    const int64_t u = static_cast<int64_t>(firsts.size());
    ASSIGN_OR_RETURN(Tensor y, ctx->AllocateOutput(0, x.dtype(), Shape({u})));
    if (x.dtype() == DT_STRING) {
      for (int64_t j = 0; j < u; ++j) y.data<std::string>()[j] = x.data<std::string>()[firsts[j]];
    } else {
      const size_t es = DataTypeSize(x.dtype());
      for (int64_t j = 0; j < u; ++j) {
        std::memcpy(static_cast<char*>(y.raw()) + j * es, static_cast<const char*>(x.raw()) + firsts[j] * es, es);
      }
    }
    ASSIGN_OR_RETURN(Tensor it, ctx->AllocateOutput(1, out_idx_, Shape({n})));
    for (int64_t i = 0; i < n; ++i) {
      if (out_idx_ == DT_INT32) {
        it.data<int32_t>()[i] = static_cast<int32_t>(idx[i]);
      } else {
        it.data<int64_t>()[i] = idx[i];
      }
    }
    return Status::OK();
  }

 private:
  DataType out_idx_ = DT_INT32;
};

// ---- TopKV2 / TopK: the k largest along the last dim; ties keep the lower index first ----
template <typename C> bool IsNan(C v) {
  if constexpr (std::is_floating_point<C>::value) return std::isnan(v); else return false;
}

class TopKKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    v2_ = def.op == "TopKV2";
    if (!v2_) {
      ASSIGN_OR_RETURN(k_attr_, GetIntAttr(def, "k"));
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    int64_t k = k_attr_;
    if (v2_) {
      const Tensor& kt = ctx->input(1);
      if (kt.shape().rank() != 0) return InvalidArgument("k must be 0-D, got shape " + kt.shape().ToString());
      ASSIGN_OR_RETURN(k, ReadIndexScalar(kt, "k"));
    }
    if (k < 0) return InvalidArgument("Need k >= 0, got " + std::to_string(k));
    const int rank = in.shape().rank();
    if (rank < 1) return InvalidArgument("input must be >= 1-D, got shape " + in.shape().ToString());
    const int64_t n = in.shape().dim(rank - 1);
    if (n < k) {
      return InvalidArgument("input must have at least k columns. Had " + std::to_string(n) + ", needed " + std::to_string(k));
    }
    std::vector<int64_t> od(in.shape().dims());
    od.back() = k;
    const int64_t rows = n == 0 ? Shape(std::vector<int64_t>(od.begin(), od.end() - 1)).num_elements() : in.num_elements() / n;
    ASSIGN_OR_RETURN(Tensor values, ctx->AllocateOutput(0, in.dtype(), Shape(od)));
    ASSIGN_OR_RETURN(Tensor indices, ctx->AllocateOutput(1, DT_INT32, Shape(od)));
    if (k == 0 || rows == 0) return Status::OK();
    if (n > INT32_MAX) return InvalidArgument("TopK: last dimension does not fit in int32");
    bool ok = DispatchNumeric(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* p = in.data<T>();
      T* pv = values.data<T>();
      int32_t* pi = indices.data<int32_t>();
      ForRange(ctx->intra_op(), rows, [&](int64_t r0, int64_t r1) {
        std::vector<int32_t> order(static_cast<size_t>(n));
        for (int64_t r = r0; r < r1; ++r) {
          const T* row = p + r * n;
          std::iota(order.begin(), order.end(), 0);
          // NaN ranks above everything so the order is a strict weak ordering.
          auto before = [row](int32_t a, int32_t b) {
            const C va = Load(row[a]), vb = Load(row[b]);
            const bool na = IsNan(va), nb = IsNan(vb);
            if (na != nb) return na;
            if (!na && va != vb) return va > vb;
            return a < b;
          };
          if (k < n) {
            std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
          } else {
            std::sort(order.begin(), order.end(), before);
          }
          for (int64_t j = 0; j < k; ++j) {
            pv[r * k + j] = row[order[j]];
            pi[r * k + j] = order[j];
          }
        }
      }, static_cast<int>(std::clamp<int64_t>(n, 2, 16384)));
    });
    if (!ok || in.dtype() == DT_BOOL) return InvalidArgument("TopK does not support " + DataTypeName(in.dtype()));
    return Status::OK();
  }

 private:
  bool v2_ = true;
  int64_t k_attr_ = 0;
};

// ---- Cumsum / Cumprod ----
// Integer overflow wraps (two's complement) instead of being undefined behaviour.
template <typename C> C ScanAdd(C a, C b) {
  if constexpr (std::is_integral<C>::value) {
    using U = typename std::make_unsigned<C>::type;
    return static_cast<C>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename C> C ScanMul(C a, C b) {
  if constexpr (std::is_integral<C>::value) {
    using U = typename std::make_unsigned<C>::type;
    using W = typename std::conditional<(sizeof(U) < sizeof(unsigned)), unsigned, U>::type;
    return static_cast<C>(static_cast<U>(static_cast<W>(static_cast<U>(a)) * static_cast<W>(static_cast<U>(b))));
  } else {
    return a * b;
  }
}

template <bool kProd>
class ScanKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(exclusive_, GetBoolAttr(def, "exclusive", false));
    ASSIGN_OR_RETURN(reverse_, GetBoolAttr(def, "reverse", false));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const Tensor& axis_t = ctx->input(1);
    if (axis_t.shape().rank() != 0) return InvalidArgument("ScanOp: axis must be a scalar, not " + axis_t.shape().ToString());
    ASSIGN_OR_RETURN(int64_t axis, ReadIndexScalar(axis_t, "axis"));
    const int rank = in.shape().rank();
    if (axis < -rank || axis >= rank) {
      return InvalidArgument("ScanOp: Expected scan axis in the range [" + std::to_string(-rank) + ", " +
                             std::to_string(rank) + "), but got " + std::to_string(axis));
    }
    if (axis < 0) axis += rank;
    const auto& d = in.shape().dims();
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= d[i];
    for (int i = static_cast<int>(axis) + 1; i < rank; ++i) inner *= d[i];
    const int64_t n = d[axis];
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), in.shape()));
    if (out.num_elements() == 0) return Status::OK();
    const bool exclusive = exclusive_, reverse = reverse_;
    bool ok = DispatchNumeric(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      if constexpr (!std::is_same<T, bool>::value) {
        const T* p = in.data<T>();
        T* po = out.data<T>();
        const C init = kProd ? C(1) : C(0);
        ForRange(ctx->intra_op(), outer * inner, [&](int64_t l0, int64_t l1) {
          for (int64_t l = l0; l < l1; ++l) {
            const int64_t o = l / inner, i = l % inner;
            const int64_t base = o * n * inner + i;
            C acc = init;
            for (int64_t s = 0; s < n; ++s) {
              const int64_t j = reverse ? n - 1 - s : s;
              const int64_t at = base + j * inner;
              const C v = Load(p[at]);
              if (exclusive) {
                po[at] = Store<T>(acc);
                acc = kProd ? ScanMul<C>(acc, v) : ScanAdd<C>(acc, v);
              } else {
                acc = kProd ? ScanMul<C>(acc, v) : ScanAdd<C>(acc, v);
                po[at] = Store<T>(acc);
              }
            }
          }
        }, static_cast<int>(std::clamp<int64_t>(n, 1, 16384)));
      }
    });
    if (!ok || in.dtype() == DT_BOOL) return InvalidArgument("Scan does not support " + DataTypeName(in.dtype()));
    return Status::OK();
  }

 private:
  bool exclusive_ = false, reverse_ = false;
};

}  // namespace

namespace {
void RegisterSortScanKernels(OpRegistry* r) {
  r->RegisterOp({"Unique", FixedArity(1, 2)});
  r->RegisterKernel("Unique", "T", kAllTypes, MakeFactory<UniqueKernel>());
  r->RegisterOp({"TopKV2", FixedArity(2, 2)});
  r->RegisterKernel("TopKV2", "T", kRealNumberTypes, MakeFactory<TopKKernel>());
  r->RegisterOp({"TopK", FixedArity(1, 2)});
  r->RegisterKernel("TopK", "T", kRealNumberTypes, MakeFactory<TopKKernel>());
  r->RegisterOp({"Cumsum", FixedArity(2, 1)});
  r->RegisterKernel("Cumsum", "T", kRealNumberTypes, MakeFactory<ScanKernel<false>>());
  r->RegisterOp({"Cumprod", FixedArity(2, 1)});
  r->RegisterKernel("Cumprod", "T", kRealNumberTypes, MakeFactory<ScanKernel<true>>());
}
}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterSortScanKernels);

}  // namespace graphrt
