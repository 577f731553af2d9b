// _FusedElementwise: an expression program over blocks. The elementwise fusion pass turns a chain or
// tree of float32/float64 elementwise ops into one node; its kernel walks the data once, kFusedBlock
// elements at a time: each op of the program runs over the block (a tight loop the compiler
// vectorizes) reading the inputs straight from their buffers and intermediate values from a small
// per-thread scratch that stays in L1, and the outputs are written straight into the output buffers.
// No intermediate tensor is ever allocated. The root output reuses a dead input's buffer when the
// executor handed the kernel the only reference to it (in-place forwarding).
//
// Each op computes exactly what its own kernel in elementwise.cc computes (same expressions, same
// order), so results are bit-identical to the unfused graph. When the inputs do not fit the fast path
// (non-scalar broadcasting, a dtype the program was not built for) the original kernels run one after
// another instead, with their own shape checks and error messages.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/fused_kernels.h"

namespace graphrt {
namespace {

enum class Code : uint8_t {
  kAdd, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference, kPow,
  kNeg, kAbs, kSign, kSquare, kSqrt, kRsqrt, kExp, kLog, kLog1p, kExpm1, kTanh, kSigmoid, kReciprocal,
  kFloor, kCeil, kSin, kCos, kRelu, kRelu6, kElu, kSelu, kSoftplus, kSoftsign, kLeakyRelu, kRint, kErf,
  // Not ops of their own: a Mul by a rank-0 value whose only reader adds (subtracts) a rank-0 value,
  // run as one pass d = a * b[0] + b[1] (- b[1]): two roundings, as the two ops, never an FMA (this
  // file is compiled with -ffp-contract=off).
  kMulAdd, kMulSub,
  // ... and then a Maximum/Minimum with a rank-0 value (an affine map and a clamp: x*w+b then relu):
  // b holds {s, t, c, c_is_first_operand}.
  kMulAddMax, kMulAddMin, kMulSubMax, kMulSubMin,
};

struct OpInfo {
  Code code;
  int arity;
  int cost;  // in units of one add, as the unfused kernels' ForRange cost
};

const std::unordered_map<std::string, OpInfo>& OpTable() {
  static const auto* const table = new std::unordered_map<std::string, OpInfo>{
      {"Add", {Code::kAdd, 2, 1}}, {"AddV2", {Code::kAdd, 2, 1}}, {"Sub", {Code::kSub, 2, 1}},
      {"Mul", {Code::kMul, 2, 1}}, {"RealDiv", {Code::kDiv, 2, 1}}, {"Div", {Code::kDiv, 2, 1}},
      {"Maximum", {Code::kMaximum, 2, 1}}, {"Minimum", {Code::kMinimum, 2, 1}},
      {"SquaredDifference", {Code::kSquaredDifference, 2, 1}}, {"Pow", {Code::kPow, 2, 16}},
      {"Neg", {Code::kNeg, 1, 1}}, {"Abs", {Code::kAbs, 1, 1}}, {"Sign", {Code::kSign, 1, 1}},
      {"Square", {Code::kSquare, 1, 1}}, {"Sqrt", {Code::kSqrt, 1, 16}}, {"Rsqrt", {Code::kRsqrt, 1, 16}},
      {"Exp", {Code::kExp, 1, 16}}, {"Log", {Code::kLog, 1, 16}}, {"Log1p", {Code::kLog1p, 1, 16}},
      {"Expm1", {Code::kExpm1, 1, 16}}, {"Tanh", {Code::kTanh, 1, 16}}, {"Sigmoid", {Code::kSigmoid, 1, 16}},
      {"Reciprocal", {Code::kReciprocal, 1, 1}}, {"Floor", {Code::kFloor, 1, 1}}, {"Ceil", {Code::kCeil, 1, 1}},
      {"Sin", {Code::kSin, 1, 16}}, {"Cos", {Code::kCos, 1, 16}}, {"Relu", {Code::kRelu, 1, 1}},
      {"Relu6", {Code::kRelu6, 1, 1}}, {"Elu", {Code::kElu, 1, 16}}, {"Selu", {Code::kSelu, 1, 16}},
      {"Softplus", {Code::kSoftplus, 1, 16}}, {"Softsign", {Code::kSoftsign, 1, 16}},
      {"LeakyRelu", {Code::kLeakyRelu, 1, 1}}, {"Rint", {Code::kRint, 1, 1}}, {"Round", {Code::kRint, 1, 1}},
      {"Erf", {Code::kErf, 1, 16}},
  };
  return *table;
}

// Operand accessors: a vector (element j) or a rank-0 value held in a register for the whole loop.
template <typename C> struct Vec {
  const C* p;
  C operator()(int64_t j) const { return p[j]; }
};
template <typename C> struct Scal {
  C v;
  C operator()(int64_t) const { return v; }
};

// One binary op over `n` elements: d[j] = f(a(j), b(j)). The expressions are those of
// elementwise.cc's functors for floating-point C.
template <typename C, typename A, typename B>
inline __attribute__((always_inline)) void RunBinary(Code code, A a, B b, C* d, int64_t n) {
  switch (code) {
    case Code::kAdd: for (int64_t j = 0; j < n; ++j) d[j] = a(j) + b(j); break;
    case Code::kSub: for (int64_t j = 0; j < n; ++j) d[j] = a(j) - b(j); break;
    case Code::kMul: for (int64_t j = 0; j < n; ++j) d[j] = a(j) * b(j); break;
    case Code::kDiv: for (int64_t j = 0; j < n; ++j) d[j] = a(j) / b(j); break;
    case Code::kMaximum:
      for (int64_t j = 0; j < n; ++j) {
        const C x = a(j), y = b(j);
        d[j] = std::isnan(x) ? x : (std::isnan(y) ? y : (x > y ? x : y));
      }
      break;
    case Code::kMinimum:
      for (int64_t j = 0; j < n; ++j) {
        const C x = a(j), y = b(j);
        d[j] = std::isnan(x) ? x : (std::isnan(y) ? y : (x < y ? x : y));
      }
      break;
    case Code::kSquaredDifference:
      for (int64_t j = 0; j < n; ++j) {
        const C t = a(j) - b(j);
        d[j] = t * t;
      }
      break;
    case Code::kPow: for (int64_t j = 0; j < n; ++j) d[j] = std::pow(a(j), b(j)); break;
    default: break;
  }
}

// One unary op: d[j] = f(a[j]).
template <typename C>
inline __attribute__((always_inline)) void RunUnary(Code code, C alpha, const C* a, C* d, int64_t n) {
  switch (code) {
    case Code::kNeg: for (int64_t j = 0; j < n; ++j) d[j] = -a[j]; break;
    case Code::kAbs: for (int64_t j = 0; j < n; ++j) d[j] = a[j] < 0 ? -a[j] : a[j]; break;
    case Code::kSign:  // NaN stays NaN, as in the unfused kernel
      for (int64_t j = 0; j < n; ++j) d[j] = std::isnan(a[j]) ? a[j] : static_cast<C>((C(0) < a[j]) - (a[j] < C(0)));
      break;
    case Code::kSquare: for (int64_t j = 0; j < n; ++j) d[j] = a[j] * a[j]; break;
    case Code::kSqrt: for (int64_t j = 0; j < n; ++j) d[j] = std::sqrt(a[j]); break;
    case Code::kRsqrt: for (int64_t j = 0; j < n; ++j) d[j] = C(1) / std::sqrt(a[j]); break;
    case Code::kExp: for (int64_t j = 0; j < n; ++j) d[j] = std::exp(a[j]); break;
    case Code::kLog: for (int64_t j = 0; j < n; ++j) d[j] = std::log(a[j]); break;
    case Code::kLog1p: for (int64_t j = 0; j < n; ++j) d[j] = std::log1p(a[j]); break;
    case Code::kExpm1: for (int64_t j = 0; j < n; ++j) d[j] = std::expm1(a[j]); break;
    case Code::kTanh: for (int64_t j = 0; j < n; ++j) d[j] = std::tanh(a[j]); break;
    case Code::kSigmoid: for (int64_t j = 0; j < n; ++j) d[j] = C(1) / (C(1) + std::exp(-a[j])); break;
    case Code::kReciprocal: for (int64_t j = 0; j < n; ++j) d[j] = C(1) / a[j]; break;
    case Code::kFloor: for (int64_t j = 0; j < n; ++j) d[j] = std::floor(a[j]); break;
    case Code::kCeil: for (int64_t j = 0; j < n; ++j) d[j] = std::ceil(a[j]); break;
    case Code::kSin: for (int64_t j = 0; j < n; ++j) d[j] = std::sin(a[j]); break;
    case Code::kCos: for (int64_t j = 0; j < n; ++j) d[j] = std::cos(a[j]); break;
    case Code::kRelu: for (int64_t j = 0; j < n; ++j) d[j] = a[j] > C(0) ? a[j] : C(0); break;
    case Code::kRelu6:
      for (int64_t j = 0; j < n; ++j) d[j] = a[j] < C(0) ? C(0) : (a[j] > C(6) ? C(6) : a[j]);
      break;
    case Code::kElu: for (int64_t j = 0; j < n; ++j) d[j] = a[j] > 0 ? a[j] : std::expm1(a[j]); break;
    case Code::kSelu:
      for (int64_t j = 0; j < n; ++j) {
        const C x = a[j];
        d[j] = x > 0 ? C(1.0507009873554804934193349852946) * x : C(1.7580993408473768599402175208123) * std::expm1(x);
      }
      break;
    case Code::kSoftplus:
      for (int64_t j = 0; j < n; ++j) {
        const C x = a[j];
        d[j] = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
      }
      break;
    case Code::kSoftsign: for (int64_t j = 0; j < n; ++j) d[j] = a[j] / (C(1) + std::fabs(a[j])); break;
    case Code::kLeakyRelu:
      for (int64_t j = 0; j < n; ++j) d[j] = a[j] > C(0) ? a[j] : static_cast<C>(a[j] * alpha);
      break;
    case Code::kRint: for (int64_t j = 0; j < n; ++j) d[j] = std::nearbyint(a[j]); break;
    case Code::kErf: for (int64_t j = 0; j < n; ++j) d[j] = std::erf(a[j]); break;
    default: break;
  }
}

// `scalar`: bit 0 when operand a is rank 0 (a[0] for every element), bit 1 for b.
// d = Maximum/Minimum(a * s +/- t, c) (operands in the graph's order), each step as its own op computes.
template <typename C, bool kSub, bool kMax, bool kCFirst>
inline __attribute__((always_inline)) void AffineClamp(const C* a, C s, C t, C c, C* d, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    const C v = kSub ? a[j] * s - t : a[j] * s + t;
    const C x = kCFirst ? c : v, y = kCFirst ? v : c;
    d[j] = std::isnan(x) ? x : (std::isnan(y) ? y : (kMax ? (x > y ? x : y) : (x < y ? x : y)));
  }
}

template <typename C, bool kSub, bool kMax>
inline __attribute__((always_inline)) void AffineClampOrder(const C* a, const C* b, C* d, int64_t n) {
  if (b[3] != C(0)) {
    AffineClamp<C, kSub, kMax, true>(a, b[0], b[1], b[2], d, n);
  } else {
    AffineClamp<C, kSub, kMax, false>(a, b[0], b[1], b[2], d, n);
  }
}

template <typename C>
inline __attribute__((always_inline)) void RunOpImpl(Code code, int arity, int scalar, C alpha, const C* a,
                                                     const C* b, C* d, int64_t n) {
  switch (code) {
    case Code::kMulAddMax: return AffineClampOrder<C, false, true>(a, b, d, n);
    case Code::kMulAddMin: return AffineClampOrder<C, false, false>(a, b, d, n);
    case Code::kMulSubMax: return AffineClampOrder<C, true, true>(a, b, d, n);
    case Code::kMulSubMin: return AffineClampOrder<C, true, false>(a, b, d, n);
    default: break;
  }
  if (code == Code::kMulAdd || code == Code::kMulSub) {
    const C s = b[0], t = b[1];
    if (code == Code::kMulAdd) {
      for (int64_t j = 0; j < n; ++j) d[j] = a[j] * s + t;
    } else {
      for (int64_t j = 0; j < n; ++j) d[j] = a[j] * s - t;
    }
    return;
  }
  if (arity == 1) {
    RunUnary<C>(code, alpha, a, d, n);
  } else if (scalar == 2) {
    RunBinary<C>(code, Vec<C>{a}, Scal<C>{b[0]}, d, n);
  } else if (scalar == 1) {
    RunBinary<C>(code, Scal<C>{a[0]}, Vec<C>{b}, d, n);
  } else {
    RunBinary<C>(code, Vec<C>{a}, Vec<C>{b}, d, n);
  }
}

// Compiled for AVX-512, AVX2 and baseline x86-64, picked at load time by the CPU (the wheel stays
// portable). Wider vectors change no result: each op is one IEEE operation or one libm call per
// element, and no op has a multiply feeding an add that could be contracted into an FMA.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GRAPHRT_TARGET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GRAPHRT_TARGET_CLONES
#endif
GRAPHRT_TARGET_CLONES void RunOpFloat(Code code, int arity, int scalar, float alpha, const float* a, const float* b,
                                      float* d, int64_t n) {
  RunOpImpl<float>(code, arity, scalar, alpha, a, b, d, n);
}
GRAPHRT_TARGET_CLONES void RunOpDouble(Code code, int arity, int scalar, double alpha, const double* a,
                                       const double* b, double* d, int64_t n) {
  RunOpImpl<double>(code, arity, scalar, alpha, a, b, d, n);
}
inline void RunOp(Code code, int arity, int scalar, float alpha, const float* a, const float* b, float* d,
                  int64_t n) {
  RunOpFloat(code, arity, scalar, alpha, a, b, d, n);
}
inline void RunOp(Code code, int arity, int scalar, double alpha, const double* a, const double* b, double* d,
                  int64_t n) {
  RunOpDouble(code, arity, scalar, alpha, a, b, d, n);
}

// Per-thread scratch for registers and scalar blocks: grown once, reused by every later step.
template <typename C>
C* Scratch(size_t elements) {
  thread_local std::vector<double> buf;
  const size_t doubles = (elements * sizeof(C) + sizeof(double) - 1) / sizeof(double);
  if (buf.size() < doubles) buf.resize(doubles);
  return reinterpret_cast<C*>(buf.data());
}

class FusedElementwiseKernel : public OpKernel {
 public:
  FusedElementwiseKernel(const NodeDef& def, FusedElementwiseSpec spec) : OpKernel(def), spec_(std::move(spec)) {
    const int nl = spec_.num_leaves;
    const int nops = static_cast<int>(spec_.ops.size());
    codes_.reserve(nops);
    for (const auto& op : spec_.ops) {
      const OpInfo& info = OpTable().at(op.type);
      codes_.push_back(info.code);
      cost_ += info.cost;
    }
    // Leaves each value depends on (for the shape rule: a value computed from rank-0 leaves only is
    // rank 0 itself), and the register of each op that is not an output, freed after its last use.
    deps_.assign(nops, std::vector<char>(nl, 0));
    std::vector<int> last_use(nops, -1);
    for (int k = 0; k < nops; ++k) {
      for (int a : spec_.ops[k].args) {
        if (a < nl) {
          deps_[k][a] = 1;
        } else {
          for (int l = 0; l < nl; ++l) deps_[k][l] |= deps_[a - nl][l];
          last_use[a - nl] = k;
        }
      }
    }
    too_big_ = nl > kMaxFast || nops > kMaxFast || static_cast<int>(spec_.outputs.size()) > kMaxFast;
    output_of_.assign(nops, -1);
    for (size_t i = 0; i < spec_.outputs.size(); ++i) output_of_[spec_.outputs[i]] = static_cast<int>(i);
    reg_.assign(nops, -1);
    std::vector<int> free_regs;
    for (int k = 0; k < nops; ++k) {
      if (output_of_[k] < 0) {
        if (free_regs.empty()) {
          reg_[k] = num_regs_++;
        } else {
          reg_[k] = free_regs.back();
          free_regs.pop_back();
        }
      }
      // Operands whose last use is this op give their register back (after this op wrote its own:
      // an op never writes the register it reads).
      for (int a : spec_.ops[k].args) {
        if (a >= nl && last_use[a - nl] == k && reg_[a - nl] >= 0 &&
            std::find(free_regs.begin(), free_regs.end(), reg_[a - nl]) == free_regs.end()) {
          free_regs.push_back(reg_[a - nl]);
        }
      }
    }
    FindMulAddPairs();
  }

  // Mul(x, s) read only by the next op, Add(that, t) / Add(t, that) / Sub(that, t), with s and t leaves:
  // candidates for one kMulAdd/kMulSub pass when s and t turn out rank 0 at run time.
  void FindMulAddPairs() {
    const int nl = spec_.num_leaves;
    const int nops = static_cast<int>(spec_.ops.size());
    std::vector<int> readers(nops, 0);
    for (const auto& op : spec_.ops) {
      for (int a : op.args) {
        if (a >= nl) ++readers[a - nl];
      }
    }
    pair_.assign(nops, Pair{});
    for (int k = 0; k + 1 < nops; ++k) {
      const auto& mul = spec_.ops[k];
      const auto& add = spec_.ops[k + 1];
      if (codes_[k] != Code::kMul || readers[k] != 1 || output_of_[k] >= 0 || mul.args.size() != 2) continue;
      if (pair_[k].role != 0 || add.args.size() != 2) continue;
      const Code c = codes_[k + 1];
      int t;
      if (c == Code::kAdd && add.args[0] == nl + k) {
        t = add.args[1];
      } else if (c == Code::kAdd && add.args[1] == nl + k) {
        t = add.args[0];
      } else if (c == Code::kSub && add.args[0] == nl + k) {
        t = add.args[1];
      } else {
        continue;
      }
      if (t >= nl) continue;
      for (int side = 0; side < 2; ++side) {
        const int sarg = mul.args[side], xarg = mul.args[1 - side];
        if (sarg >= nl) continue;
        pair_[k] = Pair{1, xarg, sarg, t};
        pair_[k + 1] = Pair{2, xarg, sarg, t, c == Code::kAdd ? Code::kMulAdd : Code::kMulSub};
        break;
      }
    }
    // A pair's Add/Sub read only by the next op, a Maximum/Minimum with a leaf: the three as one pass.
    clamp_.assign(nops, Clamp{});
    for (int k = 1; k + 1 < nops; ++k) {
      if (pair_[k].role != 2 || readers[k] != 1 || output_of_[k] >= 0) continue;
      const auto& mm = spec_.ops[k + 1];
      const Code c = codes_[k + 1];
      if ((c != Code::kMaximum && c != Code::kMinimum) || mm.args.size() != 2) continue;
      const bool first = mm.args[1] == nl + k;  // the leaf is the first operand
      const int leaf = first ? mm.args[0] : mm.args[1];
      if ((first ? mm.args[1] : mm.args[0]) != nl + k || leaf >= nl) continue;
      const bool sub = pair_[k].code == Code::kMulSub, mx = c == Code::kMaximum;
      const Code code = sub ? (mx ? Code::kMulSubMax : Code::kMulSubMin) : (mx ? Code::kMulAddMax : Code::kMulAddMin);
      clamp_[k + 1] = Clamp{true, leaf, first, code};
    }
  }

  Status Compute(OpKernelContext* ctx) override {
    const int nl = spec_.num_leaves;
    if (too_big_) return Fallback(ctx);
    // Fast path: every leaf has the program's dtype; leaves of rank > 0 share one shape; every output
    // depends on at least one of those (or everything is rank 0). Fixed-size state: a repeated step
    // makes no heap allocation besides its outputs.
    const Shape* full = nullptr;
    std::array<char, kMaxFast> is_full{};
    for (int i = 0; i < nl; ++i) {
      const Tensor& t = ctx->input(i);
      if (t.dtype() != spec_.dtype) return Fallback(ctx);
      if (t.shape().rank() == 0) continue;
      if (full == nullptr) {
        full = &t.shape();
      } else if (t.shape() != *full) {
        return Fallback(ctx);
      }
      is_full[i] = 1;
    }
    if (full != nullptr) {
      for (int op : spec_.outputs) {
        bool any = false;
        for (int l = 0; l < nl; ++l) any |= deps_[op][l] && is_full[l];
        if (!any) return Fallback(ctx);
      }
    }
    static const Shape kScalar;
    const Shape& shape = full != nullptr ? *full : kScalar;
    if (spec_.dtype == DT_FLOAT) return Run<float>(ctx, shape, is_full);
    if (spec_.dtype == DT_DOUBLE) return Run<double>(ctx, shape, is_full);
    return Fallback(ctx);
  }

 private:
  static constexpr int kMaxFast = 64;  // leaves, ops and outputs the fast path handles

  template <typename C>
  Status Run(OpKernelContext* ctx, const Shape& shape, const std::array<char, kMaxFast>& is_full) {
    const int nl = spec_.num_leaves;
    const int nops = static_cast<int>(spec_.ops.size());
    const int nout = static_cast<int>(spec_.outputs.size());
    // Outputs: the root may write into a dead full input's buffer (it runs last in each block, and
    // reads element j before writing element j); the others get fresh buffers.
    int reuse = -1;
    if (spec_.reuse_inputs) {
      for (int i = 0; i < nl && reuse < 0; ++i) {
        if (is_full[i] && ctx->input(i).CanReuseBuffer()) reuse = i;
      }
    }
    std::array<C*, kMaxFast> out_ptr{};
    for (int i = 0; i < nout; ++i) {
      ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(i, spec_.dtype, shape, i == 0 ? reuse : -1));
      out_ptr[i] = out.data<C>();
    }
    const int64_t n = shape.num_elements();
    if (n == 0) return Status::OK();
    std::array<const C*, kMaxFast> leaf{};
    std::array<C, kMaxFast> scalar{};
    std::array<int, kMaxFast> scalar_slot{};
    int num_scalars = 0;
    for (int i = 0; i < nl; ++i) {
      leaf[i] = ctx->input(i).template data<C>();
      scalar_slot[i] = -1;
      if (!is_full[i]) {
        scalar[i] = leaf[i][0];
        scalar_slot[i] = num_scalars++;
      }
    }
    // Mul/Add pairs whose two leaves are rank 0 this step run as one pass.
    std::array<char, kMaxFast> use_pair{}, use_clamp{};
    std::array<std::array<C, 4>, kMaxFast> pair_scalars{};
    for (int k = 0; k < nops; ++k) {
      const Pair& p = pair_[k];
      if (p.role != 0 && !is_full[p.s] && !is_full[p.t]) {
        use_pair[k] = 1;
        pair_scalars[k] = {scalar[p.s], scalar[p.t], C(0), C(0)};
      }
    }
    for (int k = 1; k < nops; ++k) {
      const Clamp& cl = clamp_[k];
      if (cl.valid && use_pair[k - 1] && !is_full[cl.c]) {
        use_clamp[k] = 1;
        pair_scalars[k] = {scalar[pair_[k - 1].s], scalar[pair_[k - 1].t], scalar[cl.c], C(cl.first ? 1 : 0)};
      }
    }
    const int64_t block = std::min<int64_t>(kFusedBlock, n);
    auto body = [&](int64_t begin, int64_t end) {
      // Register k at k * stride: the stride is a block plus a cache line or two, so registers do not
      // sit at the same offset modulo 4 KiB (loads then falsely wait on stores to another register).
      constexpr int64_t stride = kFusedBlock + 128 / sizeof(C) + 64 / sizeof(C);
      C* scratch = Scratch<C>(static_cast<size_t>(num_regs_ + num_scalars) * stride + 64 / sizeof(C));
      // 64-byte aligned.
      scratch += ((64 - reinterpret_cast<uintptr_t>(scratch) % 64) % 64) / sizeof(C);
      C* regs = scratch;
      C* scalars = scratch + static_cast<size_t>(num_regs_) * stride;
      for (int i = 0; i < nl; ++i) {
        if (scalar_slot[i] >= 0) {
          std::fill(scalars + scalar_slot[i] * stride, scalars + scalar_slot[i] * stride + kFusedBlock, scalar[i]);
        }
      }
      const C* args[2];
      std::array<C*, kMaxFast> values{};
      for (int64_t s = begin; s < end; s += block) {
        const int64_t len = std::min(block, end - s);
        // Leaf or value `src` over this block (a rank-0 leaf as its filled scalar block).
        auto operand = [&](int src) -> const C* {
          if (src >= nl) return values[src - nl];
          return is_full[src] ? leaf[src] + s : scalars + scalar_slot[src] * stride;
        };
        for (int k = 0; k < nops; ++k) {
          const auto& op = spec_.ops[k];
          // A paired Mul, or a pair's Add/Sub that the clamp after it runs: the next op does the work.
          if (use_pair[k] && (pair_[k].role == 1 || (k + 1 < nops && use_clamp[k + 1]))) continue;
          C* dst = output_of_[k] >= 0 ? out_ptr[output_of_[k]] + s : regs + reg_[k] * stride;
          values[k] = dst;
          if (use_clamp[k] || use_pair[k]) {
            const Code code = use_clamp[k] ? clamp_[k].code : pair_[k].code;
            const int x = use_clamp[k] ? pair_[k - 1].x : pair_[k].x;
            RunOp(code, 2, 0, static_cast<C>(op.alpha), operand(x), pair_scalars[k].data(), dst, len);
            continue;
          }
          int scalar_mask = 0;
          for (size_t a = 0; a < op.args.size(); ++a) {
            const int src = op.args[a];
            args[a] = operand(src);
            if (src < nl && !is_full[src]) scalar_mask |= 1 << a;
          }
          const int arity = static_cast<int>(op.args.size());
          RunOp(codes_[k], arity, scalar_mask, static_cast<C>(op.alpha), args[0], arity > 1 ? args[1] : args[0], dst,
                len);
        }
      }
    };
    if (n <= kFusedBlock) {
      body(0, n);
    } else {
      ForRange(ctx->intra_op(), n, body, std::max(cost_, 1));
    }
    return Status::OK();
  }

  // The original kernels, one after another (general broadcasting, their own errors).
  Status Fallback(OpKernelContext* ctx) {

    const int nl = spec_.num_leaves;
    const int nops = static_cast<int>(spec_.ops.size());
    std::vector<Tensor> values(nl + nops);
    for (int i = 0; i < nl; ++i) values[i] = ctx->input(i);
    std::vector<int> uses(nl + nops, 0);
    for (const auto& op : spec_.ops) {
      for (int a : op.args) ++uses[a];
    }
    for (int k = 0; k < nops; ++k) {
      const auto& op = spec_.ops[k];
      std::vector<Tensor> in, out(1);
      for (int a : op.args) {
        // The last reader takes the value, so a kernel may reuse an intermediate buffer in place.
        if (--uses[a] == 0 && a >= nl && output_of_[a - nl] < 0) {
          in.push_back(std::move(values[a]));
        } else {
          in.push_back(values[a]);
        }
      }
      OpKernelContext sub(&in, &out, ctx->intra_op(), ctx->control());
      Status s = spec_.fallback[k]->Compute(&sub);
      if (!s.ok()) return s.WithNode(op.name);
      if (!out[0].initialized()) return Internal("Kernel " + op.type + " did not set output 0").WithNode(op.name);
      values[nl + k] = std::move(out[0]);
    }
    for (size_t i = 0; i < spec_.outputs.size(); ++i) ctx->set_output(static_cast<int>(i), values[nl + spec_.outputs[i]]);
    return Status::OK();
  }

  FusedElementwiseSpec spec_;
  std::vector<Code> codes_;
  std::vector<std::vector<char>> deps_;
  std::vector<int> output_of_;
  std::vector<int> reg_;
  struct Pair {
    int role = 0;                 // 1: the Mul (skipped when paired), 2: the Add/Sub (runs the pair)
    int x = -1, s = -1, t = -1;   // the Mul's other operand, its rank-0 factor, the added leaf
    Code code = Code::kMulAdd;
  };
  std::vector<Pair> pair_;
  struct Clamp {
    bool valid = false;
    int c = -1;          // the Maximum/Minimum's leaf operand
    bool first = false;  // ... as its first operand
    Code code = Code::kMulAddMax;
  };
  std::vector<Clamp> clamp_;  // at the Maximum/Minimum that follows a pair
  int num_regs_ = 0;
  int cost_ = 0;
  bool too_big_ = false;
};

}  // namespace

bool IsFusibleElementwiseOp(const std::string& op, int num_inputs) {
  auto it = OpTable().find(op);
  return it != OpTable().end() && it->second.arity == num_inputs;
}

std::shared_ptr<OpKernel> MakeFusedElementwiseKernel(const NodeDef& def, FusedElementwiseSpec spec) {
  return std::make_shared<FusedElementwiseKernel>(def, std::move(spec));
}

}  // namespace graphrt
