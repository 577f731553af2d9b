// Stateful random ops: RandomUniform, RandomUniformInt, RandomStandardNormal, TruncatedNormal,
// RandomShuffle, Multinomial.
//
// Each kernel instance (one per node per session) owns a Philox4x32-10 counter-based generator
// keyed by its (seed, seed2) attrs; seed == seed2 == 0 draws a fresh key from std::random_device.
// A Compute call takes the next "run" number (atomically) and derives every value it needs from the
// counter (sub-stream, element index, run), so a step's values depend only on (key, run, index):
// the same seeds give the same sequence in every new session, each run draws fresh values, and
// element ranges can be generated in parallel.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

struct Block {
  uint32_t w[4];
};

inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3").
inline Block Philox(uint64_t key, uint32_t sub, uint64_t index, uint32_t run) {
  uint32_t c0 = sub, c1 = static_cast<uint32_t>(index), c2 = static_cast<uint32_t>(index >> 32), c3 = run;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{kM0} * c0;
    const uint64_t p1 = uint64_t{kM1} * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0;
    c1 = n1;
    c2 = n2;
    c3 = n3;
    k0 += kW0;
    k1 += kW1;
  }
  return Block{{c0, c1, c2, c3}};
}

// [0, 1) from 24 (float) or 53 (double) random bits.
inline float U32ToFloat(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
inline double U64ToDouble(uint64_t x) { return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0); }
inline uint64_t Join(uint32_t lo, uint32_t hi) { return (uint64_t{hi} << 32) | lo; }

// Two standard normals from two (0, 1] uniforms (Box-Muller).
inline void BoxMuller(double u1, double u2, double* z0, double* z1) {
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 6.283185307179586476925 * u2;
  *z0 = r * std::cos(theta);
  *z1 = r * std::sin(theta);
}

class RandomKernelBase : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status InitSeeds(const NodeDef& def) {
    auto s1 = GetIntAttr(def, "seed");
    auto s2 = GetIntAttr(def, "seed2");
    const int64_t seed = s1.ok() ? s1.value() : 0, seed2 = s2.ok() ? s2.value() : 0;
    if (seed == 0 && seed2 == 0) {
      std::random_device rd;
      key_ = (uint64_t{rd()} << 32) ^ rd() ^ SplitMix64(reinterpret_cast<uintptr_t>(this));
    } else {
      key_ = SplitMix64(static_cast<uint64_t>(seed) ^ SplitMix64(static_cast<uint64_t>(seed2) + 0x1234567ull));
    }
    return Status::OK();
  }

 protected:
  uint32_t NextRun() { return run_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t key_ = 0;

 private:
  std::atomic<uint32_t> run_{0};
};

StatusOr<Shape> ReadShapeInput(const Tensor& t) {
  if (t.shape().rank() != 1) return InvalidArgument("shape must be a vector of {int32,int64}, got shape " + t.shape().ToString());
  ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadIndexVector(t, "shape"));
  return Shape::Make(dims);
}

enum class Dist { kUniform, kNormal, kTruncatedNormal };

// RandomUniform / RandomStandardNormal / TruncatedNormal: output dtype attr `dtype`.
template <Dist D>
class RandomFloatKernel : public RandomKernelBase {
 public:
  using RandomKernelBase::RandomKernelBase;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "dtype"));
    if (dtype_ != DT_FLOAT && dtype_ != DT_DOUBLE && dtype_ != DT_HALF) {
      return InvalidArgument(type() + " does not support dtype " + DataTypeName(dtype_));
    }
    return InitSeeds(def);
  }

  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(Shape shape, ReadShapeInput(ctx->input(0)));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dtype_, shape));
    const uint32_t run = NextRun();
    const int64_t n = shape.num_elements();
    if (n == 0) return Status::OK();
    DispatchNumeric(dtype_, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, Half>) {
        T* po = out.data<T>();
        ForRange(ctx->intra_op(), n, [&](int64_t b, int64_t e) { Fill<T>(po, b, e, run); }, 20);
      }
    });
    return Status::OK();
  }

 private:
  template <typename T>
  void Fill(T* po, int64_t begin, int64_t end, uint32_t run) const {
    constexpr bool kDouble = std::is_same_v<T, double>;
    if constexpr (D == Dist::kTruncatedNormal) {
      // Element i owns sub-streams (attempt, i): resample until |z| <= 2.
      for (int64_t i = begin; i < end; ++i) {
        double z = 0;
        for (uint32_t attempt = 0;; ++attempt) {
          Block blk = Philox(key_, attempt + 1, static_cast<uint64_t>(i), run);
          double u1 = 1.0 - U64ToDouble(Join(blk.w[0], blk.w[1]));
          double u2 = U64ToDouble(Join(blk.w[2], blk.w[3]));
          double z0, z1;
          BoxMuller(u1, u2, &z0, &z1);
          if (std::fabs(z0) <= 2.0) { z = z0; break; }
          if (std::fabs(z1) <= 2.0) { z = z1; break; }
        }
        po[i] = Store<T>(static_cast<typename MathType<T>::type>(z));
      }
      return;
    }
    // Uniform: float/half use one 32-bit word per element (4 per block), double two (2 per block).
    // Normal: one block gives two uniforms pairs for float (4 values) or one pair for double (2 values).
    const int64_t per_block = kDouble ? 2 : 4;
    int64_t i = begin;
    while (i < end) {
      const int64_t blk_index = i / per_block;
      Block blk = Philox(key_, 0, static_cast<uint64_t>(blk_index), run);
      double vals[4];
      if constexpr (D == Dist::kUniform) {
        if (kDouble) {
          vals[0] = U64ToDouble(Join(blk.w[0], blk.w[1]));
          vals[1] = U64ToDouble(Join(blk.w[2], blk.w[3]));
        } else {
          for (int j = 0; j < 4; ++j) vals[j] = U32ToFloat(blk.w[j]);
        }
      } else {
        if (kDouble) {
          BoxMuller(1.0 - U64ToDouble(Join(blk.w[0], blk.w[1])), U64ToDouble(Join(blk.w[2], blk.w[3])), &vals[0],
                    &vals[1]);
        } else {
          BoxMuller(1.0 - U32ToFloat(blk.w[0]), U32ToFloat(blk.w[1]), &vals[0], &vals[1]);
          BoxMuller(1.0 - U32ToFloat(blk.w[2]), U32ToFloat(blk.w[3]), &vals[2], &vals[3]);
        }
      }
      const int64_t first = blk_index * per_block;
      for (int64_t j = i - first; j < per_block && first + j < end; ++j) {
        using C = typename MathType<T>::type;
        C v = static_cast<C>(vals[j]);
        if constexpr (D == Dist::kUniform) {
          // Rounding to float/half may reach 1.0; keep the interval half-open.
          if (!(v < C(1))) v = std::nextafter(C(1), C(0));
          T s = Store<T>(v);
          if constexpr (std::is_same_v<T, Half>) {
            if (!(HalfToFloat(s) < 1.0f)) s = FloatToHalf(0.99951171875f);  // largest half below 1
          }
          po[first + j] = s;
        } else {
          po[first + j] = Store<T>(v);
        }
      }
      i = first + per_block;
    }
  }

  DataType dtype_ = DT_FLOAT;
};

// RandomUniformInt: [minval, maxval) for int32/int64 (attr Tout).
class RandomUniformIntKernel : public RandomKernelBase {
 public:
  using RandomKernelBase::RandomKernelBase;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "Tout"));
    if (dtype_ != DT_INT32 && dtype_ != DT_INT64) {
      return InvalidArgument("RandomUniformInt does not support Tout " + DataTypeName(dtype_));
    }
    return InitSeeds(def);
  }

  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(Shape shape, ReadShapeInput(ctx->input(0)));
    const Tensor& minval = ctx->input(1);
    const Tensor& maxval = ctx->input(2);
    if (minval.shape().rank() != 0) return InvalidArgument("minval must be 0-D, got shape " + minval.shape().ToString());
    if (maxval.shape().rank() != 0) return InvalidArgument("maxval must be 0-D, got shape " + maxval.shape().ToString());
    if (minval.dtype() != dtype_ || maxval.dtype() != dtype_) {
      return InvalidArgument("RandomUniformInt minval and maxval must have type " + DataTypeName(dtype_));
    }
    ASSIGN_OR_RETURN(int64_t lo, ReadIndexScalar(minval, "minval"));
    ASSIGN_OR_RETURN(int64_t hi, ReadIndexScalar(maxval, "maxval"));
    const int64_t n = shape.num_elements();
    if (n > 0 && !(lo < hi)) {
      return InvalidArgument("Need minval < maxval: " + std::to_string(lo) + " >= " + std::to_string(hi));
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dtype_, shape));
    const uint32_t run = NextRun();
    if (n == 0) return Status::OK();
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    auto value = [&](int64_t i) -> int64_t {
      Block blk = Philox(key_, 0, static_cast<uint64_t>(i / 2), run);
      const uint64_t r = (i % 2 == 0) ? Join(blk.w[0], blk.w[1]) : Join(blk.w[2], blk.w[3]);
      return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % range);
    };
    if (dtype_ == DT_INT32) {
      int32_t* po = out.data<int32_t>();
      ForRange(ctx->intra_op(), n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) po[i] = static_cast<int32_t>(value(i));
      }, 10);
    } else {
      int64_t* po = out.data<int64_t>();
      ForRange(ctx->intra_op(), n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) po[i] = value(i);
      }, 10);
    }
    return Status::OK();
  }

 private:
  DataType dtype_ = DT_INT32;
};

// RandomShuffle: a uniform permutation of the first dimension (Fisher-Yates).
class RandomShuffleKernel : public RandomKernelBase {
 public:
  using RandomKernelBase::RandomKernelBase;
  Status Init(const NodeDef& def) { return InitSeeds(def); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const uint32_t run = NextRun();
    if (in.num_elements() <= 1 || in.shape().rank() == 0 || in.shape().dim(0) <= 1) {
      ctx->set_output(0, in);
      return Status::OK();
    }
    const int64_t rows = in.shape().dim(0);
    std::vector<int64_t> perm(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) perm[i] = i;
    for (int64_t i = rows - 1; i > 0; --i) {
      Block blk = Philox(key_, 0, static_cast<uint64_t>(i), run);
      const uint64_t r = Join(blk.w[0], blk.w[1]);
      const int64_t j = static_cast<int64_t>(r % static_cast<uint64_t>(i + 1));
      std::swap(perm[i], perm[j]);
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), in.shape()));
    const int64_t row_elems = in.num_elements() / rows;
    if (in.dtype() == DT_STRING) {
      const std::string* src = in.data<std::string>();
      std::string* dst = out.data<std::string>();
      for (int64_t i = 0; i < rows; ++i) {
        std::copy(src + perm[i] * row_elems, src + (perm[i] + 1) * row_elems, dst + i * row_elems);
      }
      return Status::OK();
    }
    const size_t row_bytes = static_cast<size_t>(row_elems) * DataTypeSize(in.dtype());
    const char* src = static_cast<const char*>(in.raw());
    char* dst = static_cast<char*>(out.raw());
    for (int64_t i = 0; i < rows; ++i) std::memcpy(dst + i * row_bytes, src + perm[i] * row_bytes, row_bytes);
    return Status::OK();
  }
};

// Multinomial: num_samples class indices per batch row, drawn from softmax(logits[row]).
class MultinomialKernel : public RandomKernelBase {
 public:
  using RandomKernelBase::RandomKernelBase;
  Status Init(const NodeDef& def) {
    auto t = GetTypeAttr(def, "output_dtype");
    out_type_ = t.ok() ? t.value() : DT_INT64;
    if (out_type_ != DT_INT32 && out_type_ != DT_INT64) {
      return InvalidArgument("Multinomial output_dtype must be int32 or int64");
    }
    return InitSeeds(def);
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& logits = ctx->input(0);
    if (logits.shape().rank() != 2) {
      return InvalidArgument("logits should be a matrix, got shape " + logits.shape().ToString());
    }
    ASSIGN_OR_RETURN(int64_t num_samples, ReadIndexScalar(ctx->input(1), "num_samples"));
    if (ctx->input(1).shape().rank() != 0) {
      return InvalidArgument("num_samples should be a scalar, got shape " + ctx->input(1).shape().ToString());
    }
    if (num_samples < 0) return InvalidArgument("num_samples should be nonnegative, got " + std::to_string(num_samples));
    const int64_t batch = logits.shape().dim(0), classes = logits.shape().dim(1);
    if (classes > std::numeric_limits<int32_t>::max()) {
      return InvalidArgument("num_classes should be at most max_int, got " + std::to_string(classes));
    }
    if (batch > 0 && num_samples > 0 && classes <= 0) {
      return InvalidArgument("num_classes should be positive, got " + std::to_string(classes));
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make({batch, num_samples}));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, out_type_, out_shape));
    const uint32_t run = NextRun();
    if (out_shape.num_elements() == 0) return Status::OK();
    std::vector<double> row(static_cast<size_t>(classes));
    bool handled = DispatchNumeric(logits.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* pl = logits.data<T>();
      for (int64_t b = 0; b < batch; ++b) {
        // Cumulative unnormalised probabilities exp(l - max); -inf logits get weight 0.
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t c = 0; c < classes; ++c) {
          const double v = static_cast<double>(Load(pl[b * classes + c]));
          if (std::isfinite(v)) mx = std::max(mx, v);
        }
        double total = 0;
        for (int64_t c = 0; c < classes; ++c) {
          const double v = static_cast<double>(Load(pl[b * classes + c]));
          if (std::isfinite(v)) total += std::exp(v - mx);
          row[c] = total;
        }
        for (int64_t s = 0; s < num_samples; ++s) {
          const int64_t idx = b * num_samples + s;
          Block blk = Philox(key_, 0, static_cast<uint64_t>(idx / 2), run);
          const double u = U64ToDouble(idx % 2 == 0 ? Join(blk.w[0], blk.w[1]) : Join(blk.w[2], blk.w[3]));
          int64_t c = classes - 1;
          if (total > 0) {
            const double target = u * total;
            c = std::upper_bound(row.begin(), row.end(), target) - row.begin();
            if (c >= classes) c = classes - 1;
            // Skip zero-weight classes at the end (only possible through rounding).
            while (c > 0 && row[c] == row[c - 1]) --c;
          }
          if (out_type_ == DT_INT32) {
            out.data<int32_t>()[idx] = static_cast<int32_t>(c);
          } else {
            out.data<int64_t>()[idx] = c;
          }
        }
      }
    });
    if (!handled) return InvalidArgument("Multinomial does not support " + DataTypeName(logits.dtype()));
    return Status::OK();
  }

 private:
  DataType out_type_ = DT_INT64;
};

void RegisterRandomKernels(OpRegistry* r) {
  const std::vector<DataType> float_types = {DT_FLOAT, DT_DOUBLE, DT_HALF};
  auto stateful = [](const char* name, int in, int out) {
    OpDef def{name, FixedArity(in, out)};
    def.stateful = true;
    return def;
  };
  r->RegisterOp(stateful("RandomUniform", 1, 1));
  r->RegisterKernel("RandomUniform", "dtype", float_types, MakeFactory<RandomFloatKernel<Dist::kUniform>>());
  r->RegisterOp(stateful("RandomStandardNormal", 1, 1));
  r->RegisterKernel("RandomStandardNormal", "dtype", float_types, MakeFactory<RandomFloatKernel<Dist::kNormal>>());
  r->RegisterOp(stateful("TruncatedNormal", 1, 1));
  r->RegisterKernel("TruncatedNormal", "dtype", float_types,
                    MakeFactory<RandomFloatKernel<Dist::kTruncatedNormal>>());
  r->RegisterOp(stateful("RandomUniformInt", 3, 1));
  r->RegisterKernel("RandomUniformInt", "Tout", {DT_INT32, DT_INT64}, MakeFactory<RandomUniformIntKernel>());
  r->RegisterOp(stateful("RandomShuffle", 1, 1));
  r->RegisterKernel("RandomShuffle", "T", kAllTypes, MakeFactory<RandomShuffleKernel>());
  r->RegisterOp(stateful("Multinomial", 2, 1));
  r->RegisterKernel("Multinomial", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF},
                    MakeFactory<MultinomialKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterRandomKernels);

}  // namespace graphrt
