// Softmax family: Softmax and LogSoftmax (any axis), SoftmaxCrossEntropyWithLogits,
// SparseSoftmaxCrossEntropyWithLogits, L2Loss and InTopKV2. Half is computed in float.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

template <typename Fn>
bool DispatchFloat(DataType dt, Fn&& fn) {
  switch (dt) {
    case DT_FLOAT: fn(float{}); return true;
    case DT_DOUBLE: fn(double{}); return true;
    case DT_HALF: fn(Half{}); return true;
    default: return false;
  }
}

// Runs body(begin, end) over `rows` rows of `row_cost` work each, split over the pool when large.
template <typename Body>
void ForRows(ThreadPool* pool, int64_t rows, int64_t row_cost, const Body& body) {
  const int64_t total = rows * std::max<int64_t>(row_cost, 1);
  if (pool == nullptr || pool->num_threads() == 0 || rows < 2 || total < kParallelMinElements * 2) {
    body(0, rows);
  } else {
    const int64_t min_rows = std::max<int64_t>(1, kParallelMinElements / std::max<int64_t>(row_cost, 1));
    pool->ParallelFor(rows, min_rows, body);
  }
}

// ---- Softmax / LogSoftmax ----------------------------------------------------------------------

template <bool kLog>
class SoftmaxKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    if (FindAttr(def, "axis") != nullptr) {
      ASSIGN_OR_RETURN(axis_, GetIntAttr(def, "axis"));
    }
    return Status::OK();
  }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const int rank = x.shape().rank();
    if (rank < 1) return InvalidArgument("logits must have >= 1 dimension, got " + x.shape().ToString());
    ASSIGN_OR_RETURN(int axis, CanonicalAxis(axis_, rank));
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= x.shape().dim(i);
    for (int i = axis + 1; i < rank; ++i) inner *= x.shape().dim(i);
    const int64_t n = x.shape().dim(axis);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), x.shape(), 0));
    if (x.num_elements() == 0) return Status::OK();
    bool ok = DispatchFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* px = x.data<T>();
      T* po = out.data<T>();
      auto body = [&](int64_t r0, int64_t r1) {
        std::vector<C> buf(static_cast<size_t>(n));
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t o = r / inner, i = r % inner;
          const int64_t base = o * n * inner + i;
          C mx = -std::numeric_limits<C>::infinity();
          for (int64_t j = 0; j < n; ++j) {
            buf[j] = Load(px[base + j * inner]);
            mx = std::max(mx, buf[j]);
          }
          if (std::isinf(mx) && mx < 0) mx = 0;  // an all -inf row: exp(-inf) = 0 everywhere
          C sum = 0;
          for (int64_t j = 0; j < n; ++j) sum += std::exp(buf[j] - mx);
          if (kLog) {
            const C lse = std::log(sum);
            for (int64_t j = 0; j < n; ++j) po[base + j * inner] = Store<T>(buf[j] - mx - lse);
          } else {
            const C inv = C(1) / sum;
            for (int64_t j = 0; j < n; ++j) po[base + j * inner] = Store<T>(std::exp(buf[j] - mx) * inv);
          }
        }
      };
      ForRows(ctx->intra_op(), outer * inner, n * 8, body);
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }

 private:
  int64_t axis_ = -1;
};

// ---- SoftmaxCrossEntropyWithLogits -------------------------------------------------------------

class SoftmaxXentKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    if (logits.dtype() != labels.dtype()) return InvalidArgument("logits and labels must have the same type");
    const Shape& ls = logits.shape();
    const Shape& lb = labels.shape();
    auto bcast = BroadcastShapes(ls, lb);
    if (!bcast.ok()) {
      return InvalidArgument("logits and labels must be broadcastable: logits_size=" + ls.ToString() +
                             " labels_size=" + lb.ToString());
    }
    const Shape shape = bcast.value();
    if (shape.rank() != 2 || ls.rank() != 2 || lb.rank() != 2) {
      return InvalidArgument("logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional");
    }
    const int64_t batch = shape.dim(0), classes = shape.dim(1);
    // Strides that broadcast a dimension of size 1.
    const int64_t lr = ls.dim(0) == 1 ? 0 : ls.dim(1), lc = ls.dim(1) == 1 ? 0 : 1;
    const int64_t br = lb.dim(0) == 1 ? 0 : lb.dim(1), bc = lb.dim(1) == 1 ? 0 : 1;
    ASSIGN_OR_RETURN(Tensor loss, ctx->AllocateOutput(0, logits.dtype(), Shape({batch})));
    ASSIGN_OR_RETURN(Tensor back, ctx->AllocateOutput(1, logits.dtype(), shape));
    if (batch == 0) return Status::OK();
    bool ok = DispatchFloat(logits.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* px = logits.data<T>();
      const T* py = labels.data<T>();
      T* pl = loss.data<T>();
      T* pb = back.data<T>();
      auto body = [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          C mx = -std::numeric_limits<C>::infinity();
          for (int64_t j = 0; j < classes; ++j) mx = std::max(mx, C(Load(px[r * lr + j * lc])));
          C sum = 0;
          for (int64_t j = 0; j < classes; ++j) sum += std::exp(C(Load(px[r * lr + j * lc])) - mx);
          const C lse = std::log(sum);
          C l = 0;
          for (int64_t j = 0; j < classes; ++j) {
            const C z = C(Load(px[r * lr + j * lc])) - mx;
            const C y = Load(py[r * br + j * bc]);
            l += y * (lse - z);
            pb[r * classes + j] = Store<T>(std::exp(z - lse) - y);
          }
          pl[r] = Store<T>(l);
        }
      };
      ForRows(ctx->intra_op(), batch, classes * 8, body);
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(logits.dtype()));
    return Status::OK();
  }
};

// ---- SparseSoftmaxCrossEntropyWithLogits -------------------------------------------------------

class SparseSoftmaxXentKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  bool expensive() const override { return true; }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    if (logits.shape().rank() != 2) return InvalidArgument("logits must be 2-D, but got shape " + logits.shape().ToString());
    if (labels.shape().rank() != 1) return InvalidArgument("labels must be 1-D, but got shape " + labels.shape().ToString());
    if (logits.shape().dim(0) != labels.shape().dim(0)) {
      return InvalidArgument("logits and labels must have the same first dimension, got logits shape " +
                             logits.shape().ToString() + " and labels shape " + labels.shape().ToString());
    }
    if (labels.dtype() != DT_INT32 && labels.dtype() != DT_INT64) {
      return InvalidArgument("labels must be int32 or int64, got " + DataTypeName(labels.dtype()));
    }
    const int64_t batch = logits.shape().dim(0), classes = logits.shape().dim(1);
    std::vector<int64_t> lab(static_cast<size_t>(batch));
    for (int64_t i = 0; i < batch; ++i) {
      lab[i] = labels.dtype() == DT_INT32 ? labels.data<int32_t>()[i] : labels.data<int64_t>()[i];
      if (lab[i] < 0 || lab[i] >= classes) {
        return InvalidArgument("Received a label value of " + std::to_string(lab[i]) +
                               " which is outside the valid range of [0, " + std::to_string(classes) + ").");
      }
    }
    ASSIGN_OR_RETURN(Tensor loss, ctx->AllocateOutput(0, logits.dtype(), Shape({batch})));
    ASSIGN_OR_RETURN(Tensor back, ctx->AllocateOutput(1, logits.dtype(), logits.shape()));
    if (batch == 0) return Status::OK();
    bool ok = DispatchFloat(logits.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      const T* px = logits.data<T>();
      T* pl = loss.data<T>();
      T* pb = back.data<T>();
      auto body = [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* x = px + r * classes;
          C mx = -std::numeric_limits<C>::infinity();
          for (int64_t j = 0; j < classes; ++j) mx = std::max(mx, C(Load(x[j])));
          C sum = 0;
          for (int64_t j = 0; j < classes; ++j) sum += std::exp(C(Load(x[j])) - mx);
          const C lse = std::log(sum);
          for (int64_t j = 0; j < classes; ++j) {
            pb[r * classes + j] = Store<T>(std::exp(C(Load(x[j])) - mx - lse) - (j == lab[r] ? C(1) : C(0)));
          }
          pl[r] = Store<T>(lse - (C(Load(x[lab[r]])) - mx));
        }
      };
      ForRows(ctx->intra_op(), batch, classes * 8, body);
    });
    if (!ok) return InvalidArgument(type() + " does not support " + DataTypeName(logits.dtype()));
    return Status::OK();
  }
};

// ---- L2Loss ------------------------------------------------------------------------------------

class L2LossKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), Shape({})));
    bool ok = DispatchFloat(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = x.data<T>();
      const int64_t n = x.num_elements();
      double acc = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(Load(p[i]));
        acc += v * v;
      }
      out.data<T>()[0] = Store<T>(static_cast<typename MathType<T>::type>(acc / 2));
    });
    if (!ok) return InvalidArgument("L2Loss does not support " + DataTypeName(x.dtype()));
    return Status::OK();
  }
};

// ---- InTopKV2 ----------------------------------------------------------------------------------

class InTopKKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& pred = ctx->input(0);
    const Tensor& targets = ctx->input(1);
    const Tensor& kt = ctx->input(2);
    if (pred.dtype() != DT_FLOAT) return InvalidArgument("predictions must be float32");
    if (pred.shape().rank() != 2) return InvalidArgument("predictions must be 2-dimensional");
    if (targets.shape().rank() != 1) return InvalidArgument("targets must be 1-dimensional");
    if (kt.shape().rank() != 0) return InvalidArgument("k must be 0-D, got shape " + kt.shape().ToString());
    if (pred.shape().dim(0) != targets.shape().dim(0)) {
      return InvalidArgument("First dimension of predictions " + std::to_string(pred.shape().dim(0)) +
                             " must match length of targets " + std::to_string(targets.shape().dim(0)));
    }
    ASSIGN_OR_RETURN(int64_t k, ReadIndexScalar(kt, "k"));
    const int64_t batch = pred.shape().dim(0), classes = pred.shape().dim(1);
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_BOOL, Shape({batch})));
    const float* p = pred.data<float>();
    bool* po = out.data<bool>();
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t t = targets.dtype() == DT_INT32 ? targets.data<int32_t>()[b] : targets.data<int64_t>()[b];
      bool cannot_say = t < 0 || t >= classes || !std::isfinite(p[b * classes + t]);
      int64_t more = 0;
      if (!cannot_say) {
        const float tp = p[b * classes + t];
        for (int64_t j = 0; j < classes; ++j) {
          const float v = p[b * classes + j];
          if (!std::isfinite(v)) {
            cannot_say = true;
            break;
          }
          if (v > tp && ++more > k) break;
        }
      }
      po[b] = !cannot_say && more < k;
    }
    return Status::OK();
  }
};

void RegisterSoftmaxKernels(OpRegistry* r) {
  const std::vector<DataType> floats = {DT_FLOAT, DT_DOUBLE, DT_HALF};
  r->RegisterOp({"Softmax", FixedArity(1, 1)});
  r->RegisterKernel("Softmax", "T", floats, MakeFactory<SoftmaxKernel<false>>());
  r->RegisterOp({"LogSoftmax", FixedArity(1, 1)});
  r->RegisterKernel("LogSoftmax", "T", floats, MakeFactory<SoftmaxKernel<true>>());
  r->RegisterOp({"SoftmaxCrossEntropyWithLogits", FixedArity(2, 2)});
  r->RegisterKernel("SoftmaxCrossEntropyWithLogits", "T", floats, MakeFactory<SoftmaxXentKernel>());
  r->RegisterOp({"SparseSoftmaxCrossEntropyWithLogits", FixedArity(2, 2)});
  r->RegisterKernel("SparseSoftmaxCrossEntropyWithLogits", "T", floats, MakeFactory<SparseSoftmaxXentKernel>());
  r->RegisterOp({"L2Loss", FixedArity(1, 1)});
  r->RegisterKernel("L2Loss", "T", floats, MakeFactory<L2LossKernel>());
  r->RegisterOp({"InTopKV2", FixedArity(3, 1)});
  r->RegisterKernel("InTopKV2", "T", {DT_INT32, DT_INT64}, MakeFactory<InTopKKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterSoftmaxKernels);

}  // namespace graphrt
