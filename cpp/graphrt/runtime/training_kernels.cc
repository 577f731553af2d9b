// Fused optimizer updates on resource variables, with TF's op names, inputs and attrs:
//   ResourceApply{GradientDescent, Momentum, Adam, Adagrad, RMSProp, CenteredRMSProp, Adadelta}
//   ResourceSparseApply{Momentum, Adagrad, RMSProp, CenteredRMSProp, Adadelta}  (rows given by `indices`)
// Each kernel locks the variables it updates (in address order, each once, so two kernels sharing
// variables never deadlock), validates shapes, then updates in place under the copy-on-write rule:
// a buffer anyone else holds (a fetched or in-flight snapshot) is copied first. float, double and
// half (computed in float) are served.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {
namespace {

// The variables named by handle inputs [0, n): looked up, locked for the object's lifetime.
class LockedVars {
 public:
  Status Acquire(const KernelEnv& env, OpKernelContext* ctx, int n, DataType dtype) {
    if (env.resources == nullptr) return Internal("Training ops need a session resource manager");
    for (int i = 0; i < n; ++i) {
      std::string container, name;
      RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(i), &container, &name));
      std::shared_ptr<Var> var = env.resources->LookupVar(container, name);
      if (var == nullptr) {
        return FailedPrecondition("Error while reading resource variable " + name + " from Container: " +
                                  container + ". This could mean that the variable was uninitialized. Not found: "
                                  "Resource " + container + "/" + name + " does not exist.");
      }
      vars_.push_back(std::move(var));
      names_.push_back(name);
    }
    for (const auto& v : vars_) unique_.push_back(v.get());
    std::sort(unique_.begin(), unique_.end(), std::less<Var*>());
    unique_.erase(std::unique(unique_.begin(), unique_.end()), unique_.end());
    for (Var* v : unique_) locks_.emplace_back(*v->mu());
    for (int i = 0; i < n; ++i) {
      if (!vars_[i]->initialized()) {
        return FailedPrecondition("Attempting to use uninitialized value " + names_[i]);
      }
      if (vars_[i]->dtype() != dtype) {
        return InvalidArgument("Variable " + names_[i] + " has dtype " + DataTypeName(vars_[i]->dtype()) +
                               " but the update has dtype " + DataTypeName(dtype));
      }
    }
    return Status::OK();
  }

  // Copy-on-write: after this, every variable's buffer is held by the variable alone.
  Status PrepareToUpdate() {
    for (Var* v : unique_) RETURN_IF_ERROR(v->PrepareToUpdate());
    return Status::OK();
  }

  Tensor* value(int i) { return vars_[i]->value(); }

 private:
  std::vector<std::shared_ptr<Var>> vars_;
  std::vector<std::string> names_;
  std::vector<Var*> unique_;
  std::vector<std::unique_lock<std::mutex>> locks_;
};

struct ApplyAttrs {
  bool use_nesterov = false;
  bool update_slots = true;
};

// Stores x into *p and returns the stored value (rounded, for half), as TF computes in T.
template <typename T>
inline typename MathType<T>::type Put(T* p, typename MathType<T>::type x) {
  *p = Store<T>(x);
  return Load(*p);
}

// Each algorithm names its variable inputs (the first is `var`) and the inputs that follow, in TF's
// order; "grad"/"delta" is the gradient, every other name a scalar hyperparameter. Fn returns the
// per-element update f(i_var, i_grad) over the scalars h (in input order) and the buffers s.
struct GradientDescentAlgo {
  static constexpr int kCost = 1;
  static std::vector<const char*> Vars() { return {"var"}; }
  static std::vector<const char*> Others() { return {"alpha", "delta"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs&) {
    const C alpha = h[0];
    T* v = s[0];
    return [=](int64_t i, int64_t j) { v[i] = Store<T>(Load(v[i]) - alpha * Load(g[j])); };
  }
};

struct MomentumAlgo {
  static constexpr int kCost = 2;
  static std::vector<const char*> Vars() { return {"var", "accum"}; }
  static std::vector<const char*> Others() { return {"lr", "grad", "momentum"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs& at) {
    const C lr = h[0], momentum = h[1];
    const bool nesterov = at.use_nesterov;
    T* v = s[0];
    T* a = s[1];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C ai = Put(&a[i], Load(a[i]) * momentum + gj);
      v[i] = Store<T>(Load(v[i]) - (nesterov ? gj * lr + ai * momentum * lr : ai * lr));
    };
  }
};

struct AdamAlgo {
  static constexpr int kCost = 8;
  static std::vector<const char*> Vars() { return {"var", "m", "v"}; }
  static std::vector<const char*> Others() {
    return {"beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"};
  }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs& at) {
    const C beta1_power = h[0], beta2_power = h[1], lr = h[2], beta1 = h[3], beta2 = h[4], eps = h[5];
    const C alpha = lr * std::sqrt(C(1) - beta2_power) / (C(1) - beta1_power);
    const bool nesterov = at.use_nesterov;
    T* var = s[0];
    T* m = s[1];
    T* v = s[2];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C mi = Put(&m[i], Load(m[i]) + (gj - Load(m[i])) * (C(1) - beta1));
      const C vi = Put(&v[i], Load(v[i]) + (gj * gj - Load(v[i])) * (C(1) - beta2));
      const C num = nesterov ? (gj * (C(1) - beta1) + beta1 * mi) : mi;
      var[i] = Store<T>(Load(var[i]) - num * alpha / (std::sqrt(vi) + eps));
    };
  }
};

struct AdagradAlgo {
  static constexpr int kCost = 4;
  static std::vector<const char*> Vars() { return {"var", "accum"}; }
  static std::vector<const char*> Others() { return {"lr", "grad"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs& at) {
    const C lr = h[0];
    const bool update_slots = at.update_slots;
    T* v = s[0];
    T* a = s[1];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C ai = update_slots ? Put(&a[i], Load(a[i]) + gj * gj) : Load(a[i]);
      v[i] = Store<T>(Load(v[i]) - gj * lr / std::sqrt(ai));
    };
  }
};

struct RMSPropAlgo {
  static constexpr int kCost = 8;
  static std::vector<const char*> Vars() { return {"var", "ms", "mom"}; }
  static std::vector<const char*> Others() { return {"lr", "rho", "momentum", "epsilon", "grad"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs&) {
    const C lr = h[0], rho = h[1], momentum = h[2], eps = h[3];
    T* v = s[0];
    T* ms = s[1];
    T* mom = s[2];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C msi = Put(&ms[i], Load(ms[i]) + (gj * gj - Load(ms[i])) * (C(1) - rho));
      const C momi = Put(&mom[i], Load(mom[i]) * momentum + gj * lr / std::sqrt(msi + eps));
      v[i] = Store<T>(Load(v[i]) - momi);
    };
  }
};

struct CenteredRMSPropAlgo {
  static constexpr int kCost = 10;
  static std::vector<const char*> Vars() { return {"var", "mg", "ms", "mom"}; }
  static std::vector<const char*> Others() { return {"lr", "rho", "momentum", "epsilon", "grad"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs&) {
    const C lr = h[0], rho = h[1], momentum = h[2], eps = h[3];
    T* v = s[0];
    T* mg = s[1];
    T* ms = s[2];
    T* mom = s[3];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C mgi = Put(&mg[i], Load(mg[i]) + (gj - Load(mg[i])) * (C(1) - rho));
      const C msi = Put(&ms[i], Load(ms[i]) + (gj * gj - Load(ms[i])) * (C(1) - rho));
      const C denom = (msi - mgi * mgi) + eps;
      const C momi = Put(&mom[i], Load(mom[i]) * momentum + gj * lr / std::sqrt(denom));
      v[i] = Store<T>(Load(v[i]) - momi);
    };
  }
};

struct AdadeltaAlgo {
  static constexpr int kCost = 10;
  static std::vector<const char*> Vars() { return {"var", "accum", "accum_update"}; }
  static std::vector<const char*> Others() { return {"lr", "rho", "epsilon", "grad"}; }
  template <typename T, typename C>
  static auto Fn(const C* h, T* const* s, const T* g, const ApplyAttrs&) {
    const C lr = h[0], rho = h[1], eps = h[2];
    T* v = s[0];
    T* acc = s[1];
    T* upd = s[2];
    return [=](int64_t i, int64_t j) {
      const C gj = Load(g[j]);
      const C ai = Put(&acc[i], Load(acc[i]) * rho + gj * gj * (C(1) - rho));
      const C update = std::sqrt(Load(upd[i]) + eps) / std::sqrt(ai + eps) * gj;
      Put(&upd[i], Load(upd[i]) * rho + update * update * (C(1) - rho));
      v[i] = Store<T>(Load(v[i]) - update * lr);
    };
  }
};

bool IsGradName(const char* n) { return std::strcmp(n, "grad") == 0 || std::strcmp(n, "delta") == 0; }

template <typename T, typename Algo, bool kSparse>
class ApplyKernel : public OpKernel {
 public:
  using C = typename MathType<T>::type;
  using OpKernel::OpKernel;

  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "T"));
    ASSIGN_OR_RETURN(attrs_.use_nesterov, GetBoolAttr(def, "use_nesterov", false));
    ASSIGN_OR_RETURN(attrs_.update_slots, GetBoolAttr(def, "update_slots", true));
    vars_ = Algo::Vars();
    for (const char* n : Algo::Others()) {
      others_.push_back(n);
      if (kSparse && IsGradName(n)) others_.push_back("indices");
    }
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const int nv = static_cast<int>(vars_.size());
    if (ctx->num_inputs() != nv + static_cast<int>(others_.size())) {
      return InvalidArgument(type() + " expects " + std::to_string(nv + others_.size()) + " inputs, got " +
                             std::to_string(ctx->num_inputs()));
    }
    // Inputs that need no variable are checked before taking any lock.
    C h[8] = {};
    int nh = 0;
    const Tensor* grad = nullptr;
    const Tensor* indices = nullptr;
    for (size_t k = 0; k < others_.size(); ++k) {
      const char* n = others_[k];
      const Tensor& t = ctx->input(nv + static_cast<int>(k));
      if (std::strcmp(n, "indices") == 0) {
        indices = &t;
        continue;
      }
      if (t.dtype() != dtype_) {
        return InvalidArgument(std::string(n) + " must have dtype " + DataTypeName(dtype_) + ", got " +
                               DataTypeName(t.dtype()));
      }
      if (IsGradName(n)) {
        grad = &t;
      } else {
        if (t.shape().rank() != 0) return InvalidArgument(std::string(n) + " is not a scalar: " + t.shape().ToString());
        h[nh++] = Load(t.data<T>()[0]);
      }
    }
    std::vector<int64_t> idx;
    if (kSparse) {
      if (indices->shape().rank() != 1) {
        return InvalidArgument("indices must be one-dimensional, got shape " + indices->shape().ToString());
      }
      ASSIGN_OR_RETURN(idx, ReadIndexVector(*indices, "indices"));
    }

    LockedVars locked;
    RETURN_IF_ERROR(locked.Acquire(env(), ctx, nv, dtype_));
    const Tensor& var = *locked.value(0);
    for (int k = 1; k < nv; ++k) {
      if (locked.value(k)->shape() != var.shape()) {
        return InvalidArgument(std::string("var and ") + vars_[k] + " do not have the same shape" +
                               var.shape().ToString() + " " + locked.value(k)->shape().ToString());
      }
    }
    const char* grad_name = others_[0];
    for (const char* n : others_) {
      if (IsGradName(n)) grad_name = n;
    }
    int64_t inner = 0;
    if (!kSparse) {
      if (grad->shape() != var.shape()) {
        return InvalidArgument(std::string("var and ") + grad_name + " do not have the same shape" +
                               var.shape().ToString() + " " + grad->shape().ToString());
      }
    } else {
      if (var.shape().rank() < 1) return InvalidArgument("var must be at least 1 dimensional");
      if (grad->shape().rank() != var.shape().rank()) {
        return InvalidArgument("var and grad must have the same rank, got shapes " + var.shape().ToString() + " " +
                               grad->shape().ToString());
      }
      inner = 1;
      for (int d = 1; d < var.shape().rank(); ++d) {
        if (var.shape().dim(d) != grad->shape().dim(d)) {
          return InvalidArgument("var and grad must match in dimension " + std::to_string(d));
        }
        inner *= var.shape().dim(d);
      }
      if (grad->shape().dim(0) != static_cast<int64_t>(idx.size())) {
        return InvalidArgument("grad must be the same size as indices in the first dimension.");
      }
      const int64_t rows = var.shape().dim(0);
      for (size_t i = 0; i < idx.size(); ++i) {
        if (idx[i] < 0 || idx[i] >= rows) {
          return InvalidArgument("Index " + std::to_string(idx[i]) + " at offset " + std::to_string(i) +
                                 " in indices is out of range");
        }
      }
    }

    RETURN_IF_ERROR(locked.PrepareToUpdate());
    std::vector<T*> bufs(nv);
    for (int k = 0; k < nv; ++k) bufs[k] = locked.value(k)->template data<T>();
    auto fn = Algo::template Fn<T, C>(h, bufs.data(), grad->data<T>(), attrs_);
    if (!kSparse) {
      ForRange(ctx->intra_op(), var.num_elements(), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) fn(i, i);
      }, Algo::kCost);
    } else {
      RunRows(ctx->intra_op(), idx, inner, fn);
    }
    return Status::OK();
  }

 private:
  // Applies fn to each row of `idx`, splitting rows across the pool only when the work is large and
  // no row repeats (a repeated row is updated twice, in order, as in TF).
  template <typename F>
  static void RunRows(ThreadPool* pool, const std::vector<int64_t>& idx, int64_t inner, const F& fn) {
    const int64_t n = static_cast<int64_t>(idx.size());
    auto rows = [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const int64_t vo = idx[k] * inner, go = k * inner;
        for (int64_t j = 0; j < inner; ++j) fn(vo + j, go + j);
      }
    };
    const int64_t min_elements = kParallelMinElements * 4 / Algo::kCost;
    if (pool == nullptr || pool->num_threads() == 0 || n * inner < min_elements || n < 2) {
      rows(0, n);
      return;
    }
    std::vector<int64_t> sorted(idx);
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      rows(0, n);
      return;
    }
    pool->ParallelFor(n, std::max<int64_t>(1, min_elements / 2 / std::max<int64_t>(inner, 1)), rows);
  }

  DataType dtype_ = DT_INVALID;
  ApplyAttrs attrs_;
  std::vector<const char*> vars_;
  std::vector<const char*> others_;
};

template <typename Algo, bool kSparse>
void RegisterApply(OpRegistry* r, const std::string& name) {
  const int inputs = static_cast<int>(Algo::Vars().size() + Algo::Others().size()) + (kSparse ? 1 : 0);
  r->RegisterOp({name, FixedArity(inputs, 0), /*stateful=*/true});
  r->RegisterKernel(name, "T", {DT_FLOAT}, MakeFactory<ApplyKernel<float, Algo, kSparse>>());
  r->RegisterKernel(name, "T", {DT_DOUBLE}, MakeFactory<ApplyKernel<double, Algo, kSparse>>());
  r->RegisterKernel(name, "T", {DT_HALF}, MakeFactory<ApplyKernel<Half, Algo, kSparse>>());
}

void RegisterTrainingKernels(OpRegistry* r) {
  RegisterApply<GradientDescentAlgo, false>(r, "ResourceApplyGradientDescent");
  RegisterApply<MomentumAlgo, false>(r, "ResourceApplyMomentum");
  RegisterApply<AdamAlgo, false>(r, "ResourceApplyAdam");
  RegisterApply<AdagradAlgo, false>(r, "ResourceApplyAdagrad");
  RegisterApply<RMSPropAlgo, false>(r, "ResourceApplyRMSProp");
  RegisterApply<CenteredRMSPropAlgo, false>(r, "ResourceApplyCenteredRMSProp");
  RegisterApply<AdadeltaAlgo, false>(r, "ResourceApplyAdadelta");
  RegisterApply<MomentumAlgo, true>(r, "ResourceSparseApplyMomentum");
  RegisterApply<AdagradAlgo, true>(r, "ResourceSparseApplyAdagrad");
  RegisterApply<RMSPropAlgo, true>(r, "ResourceSparseApplyRMSProp");
  RegisterApply<CenteredRMSPropAlgo, true>(r, "ResourceSparseApplyCenteredRMSProp");
  RegisterApply<AdadeltaAlgo, true>(r, "ResourceSparseApplyAdadelta");
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterTrainingKernels);

}  // namespace graphrt
