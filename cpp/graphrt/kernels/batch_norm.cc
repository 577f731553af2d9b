// FusedBatchNorm (V1, V2, V3) training and inference, and LRN (local response normalization).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/conv_util.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

class FusedBatchNormKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(nchw_, ReadDataFormat(def));
    ASSIGN_OR_RETURN(epsilon_, GetFloatAttr(def, "epsilon", 1e-4f));
    ASSIGN_OR_RETURN(factor_, GetFloatAttr(def, "exponential_avg_factor", 1.0f));
    ASSIGN_OR_RETURN(training_, GetBoolAttr(def, "is_training", true));
    v3_ = def.op == "FusedBatchNormV3";
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& scale = ctx->input(1);
    const Tensor& offset = ctx->input(2);
    const Tensor& mean_in = ctx->input(3);
    const Tensor& var_in = ctx->input(4);
    if (x.shape().rank() != 4) return InvalidArgument("input must be 4-dimensional" + x.shape().ToString());
    if (scale.shape().rank() != 1) return InvalidArgument("scale must be 1-dimensional" + scale.shape().ToString());
    if (offset.shape().rank() != 1) return InvalidArgument("offset must be 1-dimensional" + offset.shape().ToString());
    if (mean_in.shape().rank() != 1) return InvalidArgument("estimated_mean must be 1-dimensional" + mean_in.shape().ToString());
    if (var_in.shape().rank() != 1) return InvalidArgument("estimated_variance must be 1-dimensional" + var_in.shape().ToString());
    const DataType u = scale.dtype();
    if (offset.dtype() != u || mean_in.dtype() != u || var_in.dtype() != u) {
      return InvalidArgument("scale, offset, mean and variance must have the same type");
    }
    if (u != DT_FLOAT && !(u == DT_DOUBLE && x.dtype() == DT_DOUBLE)) {
      return InvalidArgument("FusedBatchNorm: scale must be float32 (float64 for float64 inputs), got " + DataTypeName(u));
    }
    const Shape& s = x.shape();
    const int64_t n = s.dim(0), c = nchw_ ? s.dim(1) : s.dim(3), hw = nchw_ ? s.dim(2) * s.dim(3) : s.dim(1) * s.dim(2);
    auto check_c = [&](const Tensor& t, const char* what) -> Status {
      if (t.shape().dim(0) != c) {
        return InvalidArgument(std::string(what) + " must have the same number of elements as the channels of x, got " +
                               std::to_string(t.shape().dim(0)) + " and " + std::to_string(c));
      }
      return Status::OK();
    };
    RETURN_IF_ERROR(check_c(scale, "scale"));
    RETURN_IF_ERROR(check_c(offset, "offset"));
    if (!training_ || factor_ != 1.0f) {
      RETURN_IF_ERROR(check_c(mean_in, "mean"));
      RETURN_IF_ERROR(check_c(var_in, "variance"));
    }
    ASSIGN_OR_RETURN(Tensor y, ctx->AllocateOutput(0, x.dtype(), s));
    std::vector<Tensor> stats(4);
    for (int i = 0; i < 4; ++i) {
      ASSIGN_OR_RETURN(stats[i], ctx->AllocateOutput(i + 1, u, Shape({c})));
    }
    if (v3_) {
      ASSIGN_OR_RETURN(Tensor r3, ctx->AllocateOutput(5, u, Shape({0})));
      (void)r3;
    }
    auto getu = [&](const Tensor& t, int64_t i) -> double {
      return u == DT_FLOAT ? double(t.data<float>()[i]) : t.data<double>()[i];
    };
    auto setu = [&](const Tensor& t, int64_t i, double v) {
      if (u == DT_FLOAT) t.data<float>()[i] = static_cast<float>(v);
      else t.data<double>()[i] = v;
    };
    const int64_t rest = n * hw;
    std::vector<double> mean(static_cast<size_t>(c)), var(static_cast<size_t>(c));
    bool ok = false;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      ok = true;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      // Element (b, i, ch) with i over the spatial positions.
      auto at = [&](int64_t b, int64_t i, int64_t ch) { return nchw_ ? (b * c + ch) * hw + i : (b * hw + i) * c + ch; };
      if (training_) {
        std::vector<double> sum(static_cast<size_t>(c), 0.0), sq(static_cast<size_t>(c), 0.0);
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < hw; ++i)
            for (int64_t ch = 0; ch < c; ++ch) sum[ch] += double(Load(px[at(b, i, ch)]));
        for (int64_t ch = 0; ch < c; ++ch) mean[ch] = rest > 0 ? sum[ch] / double(rest) : std::nan("");
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < hw; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
              const double d = double(Load(px[at(b, i, ch)])) - mean[ch];
              sq[ch] += d * d;
            }
        for (int64_t ch = 0; ch < c; ++ch) var[ch] = rest > 0 ? sq[ch] / double(rest) : std::nan("");
      } else {
        for (int64_t ch = 0; ch < c; ++ch) {
          mean[ch] = getu(mean_in, ch);
          var[ch] = getu(var_in, ch);
        }
      }
      std::vector<double> mul(static_cast<size_t>(c)), add(static_cast<size_t>(c));
      for (int64_t ch = 0; ch < c; ++ch) {
        mul[ch] = getu(scale, ch) / std::sqrt(var[ch] + double(epsilon_));
        add[ch] = getu(offset, ch) - mean[ch] * mul[ch];
      }
      auto body = [&](int64_t a, int64_t e) {
        for (int64_t b = a; b < e; ++b)
          for (int64_t i = 0; i < hw; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
              const int64_t k = at(b, i, ch);
              py[k] = Store<T>(static_cast<typename MathType<T>::type>(double(Load(px[k])) * mul[ch] + add[ch]));
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
    const double adjust = training_ ? double(rest) / double(rest > 1 ? rest - 1 : 1) : 1.0;
    const double f = factor_;
    for (int64_t ch = 0; ch < c; ++ch) {
      double bm = mean[ch], bv = var[ch] * adjust;
      if (training_ && f != 1.0) {
        bm = (1 - f) * getu(mean_in, ch) + f * bm;
        bv = (1 - f) * getu(var_in, ch) + f * bv;
      }
      setu(stats[0], ch, bm);
      setu(stats[1], ch, bv);
      setu(stats[2], ch, mean[ch]);
      setu(stats[3], ch, var[ch]);
    }
    return Status::OK();
  }

 private:
  bool nchw_ = false, training_ = true, v3_ = false;
  float epsilon_ = 1e-4f, factor_ = 1.0f;
};

class LRNKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    if (FindAttr(def, "depth_radius") != nullptr) {
      ASSIGN_OR_RETURN(radius_, GetIntAttr(def, "depth_radius"));
    }
    if (radius_ < 0 || radius_ > std::numeric_limits<int>::max()) {
      return InvalidArgument("depth_radius = " + std::to_string(radius_) + " must be non-negative and fit in int");
    }
    ASSIGN_OR_RETURN(bias_, GetFloatAttr(def, "bias", 1.0f));
    ASSIGN_OR_RETURN(alpha_, GetFloatAttr(def, "alpha", 1.0f));
    ASSIGN_OR_RETURN(beta_, GetFloatAttr(def, "beta", 0.5f));
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.shape().rank() != 4) return InvalidArgument("in must be 4-dimensional");
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
      T* po = out.data<T>();
      auto body = [&](int64_t a, int64_t b) {
        for (int64_t r = a; r < b; ++r) {
          const T* in = px + r * depth;
          for (int64_t d = 0; d < depth; ++d) {
            const int64_t lo = std::max<int64_t>(0, d - radius_), hi = std::min<int64_t>(depth, d + radius_ + 1);
            C sum = 0;
            for (int64_t j = lo; j < hi; ++j) {
              const C v = Load(in[j]);
              sum += v * v;
            }
            const C v = Load(in[d]);
            po[r * depth + d] = Store<T>(static_cast<C>(v * std::pow(C(bias_) + C(alpha_) * sum, -C(beta_))));
          }
        }
      };
      const int64_t cost = depth * (2 * radius_ + 2);
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
    if (!ok) return InvalidArgument("LRN does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  int64_t radius_ = 5;
  float bias_ = 1.0f, alpha_ = 1.0f, beta_ = 0.5f;
};

void RegisterBatchNormKernels(OpRegistry* r) {
  r->RegisterOp({"FusedBatchNorm", FixedArity(5, 5)});
  r->RegisterKernel("FusedBatchNorm", "T", {DT_FLOAT, DT_DOUBLE}, MakeFactory<FusedBatchNormKernel>());
  r->RegisterOp({"FusedBatchNormV2", FixedArity(5, 5)});
  r->RegisterKernel("FusedBatchNormV2", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF}, MakeFactory<FusedBatchNormKernel>());
  r->RegisterOp({"FusedBatchNormV3", FixedArity(5, 6)});
  r->RegisterKernel("FusedBatchNormV3", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF}, MakeFactory<FusedBatchNormKernel>());
  r->RegisterOp({"LRN", FixedArity(1, 1)});
  r->RegisterKernel("LRN", "T", {DT_FLOAT, DT_HALF}, MakeFactory<LRNKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterBatchNormKernels);

}  // namespace graphrt
