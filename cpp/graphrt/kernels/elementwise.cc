// Elementwise math: unary ops, broadcasting binary ops (arithmetic, comparison, logical), BiasAdd and AddN.
// Each op is a small functor; the kernels own dtype dispatch, broadcasting, buffer reuse and the
// integer error checks (division by zero, negative integer powers) that must never crash.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

template <typename C> constexpr bool kIsSignedInt = std::is_integral<C>::value && std::is_signed<C>::value && !std::is_same<C, bool>::value;
template <typename C> constexpr bool kIsInt = std::is_integral<C>::value && !std::is_same<C, bool>::value;

// Truncating integer division that cannot trap: INT_MIN / -1 wraps as two's complement would.
template <typename C> C SafeDiv(C a, C b) {
  if constexpr (kIsSignedInt<C>) {
    if (b == -1) return static_cast<C>(C(0) - static_cast<typename std::make_unsigned<C>::type>(a));
  }
  return static_cast<C>(a / b);
}
template <typename C> C SafeRem(C a, C b) {
  if constexpr (kIsSignedInt<C>) {
    if (b == -1) return 0;
  }
  return static_cast<C>(a % b);
}

// ---- binary functors ----
struct AddF { template <typename C> C operator()(C a, C b) const { return static_cast<C>(a + b); } };
struct SubF { template <typename C> C operator()(C a, C b) const { return static_cast<C>(a - b); } };
struct MulF { template <typename C> C operator()(C a, C b) const { return static_cast<C>(a * b); } };
struct DivF {
  static constexpr bool kIntDivision = true;
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) return SafeDiv(a, b); else return static_cast<C>(a / b);
  }
};
struct FloorDivF {
  static constexpr bool kIntDivision = true;
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) {
      C q = SafeDiv(a, b);
      if constexpr (kIsSignedInt<C>) {
        if (SafeRem(a, b) != 0 && ((a < 0) != (b < 0))) q = static_cast<C>(q - 1);
      }
      return q;
    } else {
      return std::floor(a / b);
    }
  }
};
struct FloorModF {
  static constexpr bool kIntDivision = true;
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) {
      C r = SafeRem(a, b);
      if constexpr (kIsSignedInt<C>) {
        if (r != 0 && ((r < C(0)) != (b < C(0)))) r = static_cast<C>(r + b);
      }
      return r;
    } else if constexpr (std::is_same<C, bool>::value) {
      return false;
    } else {
      C r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    }
  }
};
struct PowF {
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) {
      // b >= 0 is checked before the loop runs.
      C result = 1, base = a;
      auto e = static_cast<typename std::make_unsigned<C>::type>(b);
      while (e) {
        if (e & 1) result = static_cast<C>(result * base);
        base = static_cast<C>(base * base);
        e >>= 1;
      }
      return result;
    } else if constexpr (std::is_same<C, bool>::value) {
      return a || !b;
    } else {
      return std::pow(a, b);
    }
  }
};
struct MaximumF {
  template <typename C> C operator()(C a, C b) const {
    if constexpr (std::is_floating_point<C>::value) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
    return a > b ? a : b;
  }
};
struct MinimumF {
  template <typename C> C operator()(C a, C b) const {
    if constexpr (std::is_floating_point<C>::value) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
    return a < b ? a : b;
  }
};
// ReluGrad(gradients, features): the gradient where the Relu's input (or output) was positive, else 0.
struct ReluGradF {
  template <typename C> C operator()(C g, C f) const { return f > C(0) ? g : C(0); }
};
struct SquaredDifferenceF {
  template <typename C> C operator()(C a, C b) const { C d = static_cast<C>(a - b); return static_cast<C>(d * d); }
};
struct LessF { template <typename C> bool operator()(C a, C b) const { return a < b; } };
struct LessEqualF { template <typename C> bool operator()(C a, C b) const { return a <= b; } };
struct GreaterF { template <typename C> bool operator()(C a, C b) const { return a > b; } };
struct GreaterEqualF { template <typename C> bool operator()(C a, C b) const { return a >= b; } };
struct EqualF { template <typename C> bool operator()(C a, C b) const { return a == b; } };
struct NotEqualF { template <typename C> bool operator()(C a, C b) const { return a != b; } };
struct LogicalAndF { template <typename C> bool operator()(C a, C b) const { return a && b; } };
struct LogicalOrF { template <typename C> bool operator()(C a, C b) const { return a || b; } };
struct DivNoNanF {
  template <typename C> C operator()(C a, C b) const {
    if (b == C(0)) return C(0);
    if constexpr (kIsInt<C>) return SafeDiv(a, b); else return static_cast<C>(a / b);
  }
};
struct TruncateDivF {
  static constexpr bool kIntDivision = true;
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) return SafeDiv(a, b);
    else if constexpr (std::is_same<C, bool>::value) return a;
    else return std::trunc(a / b);
  }
};
struct TruncateModF {
  static constexpr bool kIntDivision = true;
  template <typename C> C operator()(C a, C b) const {
    if constexpr (kIsInt<C>) return SafeRem(a, b);
    else if constexpr (std::is_same<C, bool>::value) return false;
    else return std::fmod(a, b);
  }
};
struct Atan2F {
  template <typename C> C operator()(C a, C b) const {
    if constexpr (std::is_floating_point<C>::value) return std::atan2(a, b);
    else return static_cast<C>(std::atan2(double(a), double(b)));
  }
};

template <typename F, typename = void> struct CostOf { static constexpr int value = 1; };
template <typename F> struct CostOf<F, std::void_t<decltype(F::kCost)>> { static constexpr int value = F::kCost; };

template <typename F, typename = void> struct IsIntDivision : std::false_type {};
template <typename F> struct IsIntDivision<F, std::void_t<decltype(F::kIntDivision)>> : std::true_type {};

template <typename F>
class BinaryKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.dtype() != b.dtype()) {
      return InvalidArgument(type() + " got mismatched input types " + DataTypeName(a.dtype()) + " and " +
                             DataTypeName(b.dtype()));
    }
    auto shape = BroadcastShapes(a.shape(), b.shape());
    if (!shape.ok()) return shape.status();
    Status status;
    DispatchNumeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      using R = decltype(F()(C(), C()));
      constexpr bool kBoolOut = std::is_same<R, bool>::value && !std::is_same<C, bool>::value;
      using TO = typename std::conditional<kBoolOut, bool, T>::type;
      if constexpr (kIsInt<T>) {
        if constexpr (IsIntDivision<F>::value) {
          const T* pb = b.data<T>();
          for (int64_t i = 0, n = b.num_elements(); i < n; ++i) {
            if (pb[i] == 0) { status = InvalidArgument("Integer division by zero"); return; }
          }
        }
        if constexpr (std::is_same<F, PowF>::value && kIsSignedInt<T>) {
          const T* pb = b.data<T>();
          for (int64_t i = 0, n = b.num_elements(); i < n; ++i) {
            if (pb[i] < 0) { status = InvalidArgument("Integers to negative integer powers are not allowed"); return; }
          }
        }
      }
      int reuse = -1;
      if (!kBoolOut) reuse = a.shape() == shape.value() ? 0 : (b.shape() == shape.value() ? 1 : -1);
      auto out = ctx->AllocateOutput(0, DataTypeOf<TO>::value, shape.value(), reuse);
      if (!out.ok()) { status = out.status(); return; }
      const F f;
      BroadcastBinary<T, T, TO>(a, b, out.value(), ctx->intra_op(),
                                [&f](T x, T y) { return Store<TO>(static_cast<typename MathType<TO>::type>(f(Load(x), Load(y)))); });
    });
    return status;
  }
};

// ---- unary functors ----
struct NegF { template <typename C> C operator()(C a) const { if constexpr (std::is_same<C, bool>::value) return a; else return static_cast<C>(-a); } };
struct AbsF {
  template <typename C> C operator()(C a) const {
    if constexpr (std::is_unsigned<C>::value) return a; else return static_cast<C>(a < 0 ? -a : a);
  }
};
// NaN gives NaN (TensorFlow 2.x's kernel; TF 1.x documented 0), zeros give +0.
struct SignF {
  template <typename C> C operator()(C a) const {
    if constexpr (std::is_floating_point<C>::value) {
      if (std::isnan(a)) return a;
    }
    return static_cast<C>((C(0) < a) - (a < C(0)));
  }
};
struct SquareF { template <typename C> C operator()(C a) const { return static_cast<C>(a * a); } };
struct SqrtF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::sqrt(a); } };
struct RsqrtF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return C(1) / std::sqrt(a); } };
struct ExpF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::exp(a); } };
struct LogF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::log(a); } };
struct TanhF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::tanh(a); } };
struct SigmoidF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return C(1) / (C(1) + std::exp(-a)); } };
struct ReciprocalF { template <typename C> C operator()(C a) const { return C(1) / a; } };
struct FloorF { template <typename C> C operator()(C a) const { return std::floor(a); } };
struct CeilF { template <typename C> C operator()(C a) const { return std::ceil(a); } };
struct SinF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::sin(a); } };
struct CosF {
  static constexpr int kCost = 16;
  template <typename C> C operator()(C a) const { return std::cos(a); } };
struct ReluF { template <typename C> C operator()(C a) const { return a > C(0) ? a : C(0); } };
struct LogicalNotF { template <typename C> C operator()(C a) const { return !a; } };

// Float math on any C: integer and bool inputs (never registered for these ops) go through double.
template <typename C, typename Fn> C FloatMath(C a, const Fn& fn) {
  if constexpr (std::is_floating_point<C>::value) return fn(a); else return static_cast<C>(fn(static_cast<double>(a)));
}
#define GRAPHRT_FLOAT_UNARY(NAME, EXPR)                                                         \
  struct NAME {                                                                                 \
    static constexpr int kCost = 16;                                                            \
    template <typename C> C operator()(C a) const {                                             \
      return FloatMath(a, [](auto x) -> decltype(x) { return EXPR; });                          \
    }                                                                                           \
  };
GRAPHRT_FLOAT_UNARY(Expm1F, std::expm1(x))
GRAPHRT_FLOAT_UNARY(Log1pF, std::log1p(x))
GRAPHRT_FLOAT_UNARY(TanF, std::tan(x))
GRAPHRT_FLOAT_UNARY(AsinF, std::asin(x))
GRAPHRT_FLOAT_UNARY(AcosF, std::acos(x))
GRAPHRT_FLOAT_UNARY(AtanF, std::atan(x))
GRAPHRT_FLOAT_UNARY(SinhF, std::sinh(x))
GRAPHRT_FLOAT_UNARY(CoshF, std::cosh(x))
GRAPHRT_FLOAT_UNARY(EluF, x > 0 ? x : std::expm1(x))
GRAPHRT_FLOAT_UNARY(SeluF, x > 0 ? decltype(x)(1.0507009873554804934193349852946) * x
                                 : decltype(x)(1.7580993408473768599402175208123) * std::expm1(x))
// log(1 + exp(x)) without overflow for large |x|.
GRAPHRT_FLOAT_UNARY(SoftplusF, x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)))
GRAPHRT_FLOAT_UNARY(SoftsignF, x / (decltype(x)(1) + std::fabs(x)))
// Round half to even (the default FE_TONEAREST mode), like np.round / np.rint.
GRAPHRT_FLOAT_UNARY(RintF, std::nearbyint(x))
GRAPHRT_FLOAT_UNARY(ErfF, std::erf(x))
GRAPHRT_FLOAT_UNARY(ErfcF, std::erfc(x))
#undef GRAPHRT_FLOAT_UNARY
struct RoundF {
  template <typename C> C operator()(C a) const {
    if constexpr (std::is_floating_point<C>::value) return std::nearbyint(a); else return a;
  }
};
// lgamma_r: the reentrant form, since std::lgamma writes the global signgam.
struct LgammaF {
  static constexpr int kCost = 32;
  template <typename C> C operator()(C a) const {
    int sign = 0;
    if constexpr (std::is_same<C, float>::value) return lgammaf_r(a, &sign);
    else return static_cast<C>(lgamma_r(static_cast<double>(a), &sign));
  }
};
struct Relu6F {
  template <typename C> C operator()(C a) const {
    if constexpr (std::is_same<C, bool>::value) return a;
    else return a < C(0) ? C(0) : (a > C(6) ? C(6) : a);
  }
};
struct IsNanF { template <typename C> bool operator()(C a) const { if constexpr (std::is_floating_point<C>::value) return std::isnan(a); else return false; } };
struct IsInfF { template <typename C> bool operator()(C a) const { if constexpr (std::is_floating_point<C>::value) return std::isinf(a); else return false; } };
struct IsFiniteF { template <typename C> bool operator()(C a) const { if constexpr (std::is_floating_point<C>::value) return std::isfinite(a); else return true; } };
// LeakyRelu: attr alpha (float, default 0.2).
struct LeakyReluF {
  float alpha = 0.2f;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "alpha");
    if (a != nullptr) {
      if (a->kind != AttrValue::Kind::kF) return InvalidArgument("LeakyRelu attr 'alpha' must be a float");
      alpha = a->f;
    }
    return Status::OK();
  }
  template <typename C> C operator()(C a) const {
    if constexpr (std::is_floating_point<C>::value) return a > C(0) ? a : static_cast<C>(a * static_cast<C>(alpha));
    else return a;
  }
};

template <typename F, typename = void> struct HasInit : std::false_type {};
template <typename F> struct HasInit<F, std::void_t<decltype(std::declval<F&>().Init(std::declval<const NodeDef&>()))>> : std::true_type {};

template <typename F>
class UnaryKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    if constexpr (HasInit<F>::value) return f_.Init(def);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    Status status;
    DispatchNumeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      using R = decltype(F()(C()));
      // Predicates (IsNan, ...) write bool whatever the input type.
      constexpr bool kBoolOut = std::is_same<R, bool>::value && !std::is_same<C, bool>::value;
      using TO = typename std::conditional<kBoolOut, bool, T>::type;
      auto out = ctx->AllocateOutput(0, DataTypeOf<TO>::value, a.shape(), kBoolOut ? -1 : 0);
      if (!out.ok()) { status = out.status(); return; }
      const T* pa = a.data<T>();
      TO* po = out.value().template data<TO>();
      const F& f = f_;
      ForRange(ctx->intra_op(), a.num_elements(), [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) po[i] = Store<TO>(static_cast<typename MathType<TO>::type>(f(Load(pa[i]))));
      }, CostOf<F>::value);
    });
    return status;
  }

 private:
  F f_;
};

// BiasAdd: value + bias along the channel dimension (last for NHWC, 1 for NCHW).
class BiasAddKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* a = FindAttr(def, "data_format");
    if (a != nullptr && a->kind == AttrValue::Kind::kS && !a->s.empty()) {
      if (a->s == "NCHW") nchw_ = true;
      else if (a->s != "NHWC") return InvalidArgument("Invalid data format: " + a->s);
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& v = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (v.dtype() != b.dtype()) {
      return InvalidArgument("BiasAdd got mismatched input types " + DataTypeName(v.dtype()) + " and " + DataTypeName(b.dtype()));
    }
    if (v.shape().rank() < 2) return InvalidArgument("Input tensor must be at least 2D: " + v.shape().ToString());
    if (b.shape().rank() != 1) return InvalidArgument("Biases must be 1D: " + b.shape().ToString());
    const int cdim = nchw_ ? 1 : v.shape().rank() - 1;
    const int64_t channels = v.shape().dim(cdim);
    if (b.shape().dim(0) != channels) {
      return InvalidArgument("Must provide as many biases as the channel dimension of the input tensor: " +
                             b.shape().ToString() + " vs. " + v.shape().ToString());
    }
    int64_t inner = 1;
    for (int i = cdim + 1; i < v.shape().rank(); ++i) inner *= v.shape().dim(i);
    Status status;
    DispatchNumeric(v.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      auto out = ctx->AllocateOutput(0, v.dtype(), v.shape(), 0);
      if (!out.ok()) { status = out.status(); return; }
      const T* pv = v.data<T>();
      const T* pb = b.data<T>();
      T* po = out.value().template data<T>();
      const int64_t n = v.num_elements();
      if (n == 0) return;
      // Element i has channel (i / inner) % channels.
      ForRange(ctx->intra_op(), n, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) {
          po[i] = Store<T>(static_cast<C>(Load(pv[i]) + Load(pb[(i / inner) % channels])));
        }
      }, 2);
    });
    return status;
  }

 private:
  bool nchw_ = false;
};

class AddNKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& first = ctx->input(0);
    for (int i = 1; i < ctx->num_inputs(); ++i) {
      if (ctx->input(i).shape() != first.shape() || ctx->input(i).dtype() != first.dtype()) {
        return InvalidArgument("AddN inputs must have the same shape and type: input 0 is " + first.DebugString() +
                               ", input " + std::to_string(i) + " is " + ctx->input(i).DebugString());
      }
    }
    Status status;
    DispatchNumeric(first.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      auto out = ctx->AllocateOutput(0, first.dtype(), first.shape(), 0);
      if (!out.ok()) { status = out.status(); return; }
      T* po = out.value().template data<T>();
      std::vector<const T*> ins;
      for (int i = 0; i < ctx->num_inputs(); ++i) ins.push_back(ctx->input(i).template data<T>());
      ForRange(ctx->intra_op(), first.num_elements(), [&](int64_t s, int64_t e) {
        for (int64_t j = s; j < e; ++j) {
          C acc = Load(ins[0][j]);
          for (size_t k = 1; k < ins.size(); ++k) acc = static_cast<C>(acc + Load(ins[k][j]));
          po[j] = Store<T>(acc);
        }
      });
    });
    return status;
  }
};

const std::vector<DataType> kFloatTypes = {DT_FLOAT, DT_DOUBLE, DT_HALF};
const std::vector<DataType> kSignedTypes = {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64, DT_INT8, DT_INT16};

template <typename F>
void Binary(OpRegistry* r, const char* op, const std::vector<DataType>& types, const char* type_attr = "T") {
  r->RegisterOp({op, FixedArity(2, 1)});
  r->RegisterKernel(op, type_attr, types, MakeFactory<BinaryKernel<F>>());
}
template <typename F>
void Unary(OpRegistry* r, const char* op, const std::vector<DataType>& types, const char* type_attr = "T") {
  r->RegisterOp({op, FixedArity(1, 1)});
  r->RegisterKernel(op, type_attr, types, MakeFactory<UnaryKernel<F>>());
}

}  // namespace

namespace {
void RegisterElementwiseKernels(OpRegistry* r) {
  const auto& num = kRealNumberTypes;
  std::vector<DataType> num_bool = kRealNumberTypes;
  num_bool.push_back(DT_BOOL);
  Binary<AddF>(r, "Add", num);
  Binary<AddF>(r, "AddV2", num);
  Binary<SubF>(r, "Sub", num);
  Binary<MulF>(r, "Mul", num);
  Binary<DivF>(r, "RealDiv", num);
  Binary<DivF>(r, "Div", num);
  Binary<FloorDivF>(r, "FloorDiv", num);
  Binary<FloorModF>(r, "FloorMod", num);
  Binary<PowF>(r, "Pow", num);
  Binary<MaximumF>(r, "Maximum", num);
  Binary<MinimumF>(r, "Minimum", num);
  Binary<SquaredDifferenceF>(r, "SquaredDifference", num);
  Binary<ReluGradF>(r, "ReluGrad", num);
  Binary<LessF>(r, "Less", num);
  Binary<LessEqualF>(r, "LessEqual", num);
  Binary<GreaterF>(r, "Greater", num);
  Binary<GreaterEqualF>(r, "GreaterEqual", num);
  Binary<EqualF>(r, "Equal", num_bool);
  Binary<NotEqualF>(r, "NotEqual", num_bool);
  // The logical ops take bool only and, as in TF, have no type attr.
  Binary<LogicalAndF>(r, "LogicalAnd", {DT_BOOL}, "");
  Binary<LogicalOrF>(r, "LogicalOr", {DT_BOOL}, "");

  Unary<NegF>(r, "Neg", kSignedTypes);
  Unary<AbsF>(r, "Abs", kSignedTypes);
  Unary<SignF>(r, "Sign", kSignedTypes);
  Unary<SquareF>(r, "Square", num);
  Unary<ReluF>(r, "Relu", num);
  Unary<SqrtF>(r, "Sqrt", kFloatTypes);
  Unary<RsqrtF>(r, "Rsqrt", kFloatTypes);
  Unary<ExpF>(r, "Exp", kFloatTypes);
  Unary<LogF>(r, "Log", kFloatTypes);
  Unary<TanhF>(r, "Tanh", kFloatTypes);
  Unary<SigmoidF>(r, "Sigmoid", kFloatTypes);
  Unary<ReciprocalF>(r, "Reciprocal", kFloatTypes);
  Unary<FloorF>(r, "Floor", kFloatTypes);
  Unary<CeilF>(r, "Ceil", kFloatTypes);
  Unary<SinF>(r, "Sin", kFloatTypes);
  Unary<CosF>(r, "Cos", kFloatTypes);
  Unary<LogicalNotF>(r, "LogicalNot", {DT_BOOL}, "");

  Binary<DivNoNanF>(r, "DivNoNan", kFloatTypes);
  Binary<TruncateDivF>(r, "TruncateDiv", num);
  Binary<TruncateModF>(r, "TruncateMod", {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64});
  Binary<Atan2F>(r, "Atan2", kFloatTypes);

  Unary<Expm1F>(r, "Expm1", kFloatTypes);
  Unary<Log1pF>(r, "Log1p", kFloatTypes);
  Unary<TanF>(r, "Tan", kFloatTypes);
  Unary<AsinF>(r, "Asin", kFloatTypes);
  Unary<AcosF>(r, "Acos", kFloatTypes);
  Unary<AtanF>(r, "Atan", kFloatTypes);
  Unary<SinhF>(r, "Sinh", kFloatTypes);
  Unary<CoshF>(r, "Cosh", kFloatTypes);
  Unary<Relu6F>(r, "Relu6", num);
  Unary<EluF>(r, "Elu", kFloatTypes);
  Unary<SeluF>(r, "Selu", kFloatTypes);
  Unary<SoftplusF>(r, "Softplus", kFloatTypes);
  Unary<SoftsignF>(r, "Softsign", kFloatTypes);
  Unary<LeakyReluF>(r, "LeakyRelu", kFloatTypes);
  Unary<RoundF>(r, "Round", kSignedTypes);
  Unary<RintF>(r, "Rint", kFloatTypes);
  Unary<ErfF>(r, "Erf", kFloatTypes);
  Unary<ErfcF>(r, "Erfc", kFloatTypes);
  Unary<LgammaF>(r, "Lgamma", kFloatTypes);
  Unary<IsNanF>(r, "IsNan", kFloatTypes);
  Unary<IsInfF>(r, "IsInf", kFloatTypes);
  Unary<IsFiniteF>(r, "IsFinite", kFloatTypes);

  r->RegisterOp({"BiasAdd", FixedArity(2, 1)});
  r->RegisterKernel("BiasAdd", "T", num, MakeFactory<BiasAddKernel>());

  r->RegisterOp({"AddN", AttrArity("N", 1)});
  r->RegisterKernel("AddN", "T", num, MakeFactory<AddNKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterElementwiseKernels);

}  // namespace graphrt
