// Resource variables: VarHandleOp, ReadVariableOp, AssignVariableOp, AssignAdd/SubVariableOp,
// VarIsInitializedOp, DestroyResourceOp, ResourceGather, ResourceScatterUpdate/Add/Sub.
// Values are copy-on-write: an update writes in place only when the variable holds the only
// reference to its buffer, so snapshots already read (or fetched) never change.
#include <cstring>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {
namespace {

std::string StringAttrOr(const NodeDef& def, const char* name, const std::string& fallback) {
  const AttrValue* a = FindAttr(def, name);
  return a != nullptr && a->kind == AttrValue::Kind::kS ? a->s : fallback;
}

// Rows named by `idx` must lie in [0, rows).
Status CheckRowIndices(const std::vector<int64_t>& idx, int64_t rows) {
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= rows) {
      return InvalidArgument("indices[" + std::to_string(i) + "] = " + std::to_string(idx[i]) + " is not in [0, " +
                             std::to_string(rows) + ")");
    }
  }
  return Status::OK();
}

// Base for kernels that take a variable handle as input 0.
class VarKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;

 protected:
  Status CheckEnv() const {
    if (env().resources == nullptr) return Internal("Variable ops need a session resource manager");
    return Status::OK();
  }
  // The variable named by the handle; FailedPrecondition when it does not exist or is uninitialized.
  StatusOr<std::shared_ptr<Var>> Existing(const Tensor& handle, bool must_be_initialized) const {
    RETURN_IF_ERROR(CheckEnv());
    std::string container, name;
    RETURN_IF_ERROR(DecodeResourceHandle(handle, &container, &name));
    std::shared_ptr<Var> var = env().resources->LookupVar(container, name);
    if (var == nullptr) {
      return FailedPrecondition("Error while reading resource variable " + name + " from Container: " + container +
                                ". This could mean that the variable was uninitialized. Not found: Resource " +
                                container + "/" + name + " does not exist.");
    }
    if (must_be_initialized) {
      std::lock_guard<std::mutex> lock(*var->mu());
      if (!var->initialized()) {
        return FailedPrecondition("Attempting to use uninitialized value " + name);
      }
    }
    return var;
  }
};

class VarHandleKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    std::string container = StringAttrOr(def, "container", "");
    std::string shared = StringAttrOr(def, "shared_name", "");
    // The handle never changes: made once and shared by every step's output (it is only read; the
    // kernel's own reference keeps any consumer from reusing its buffer).
    ASSIGN_OR_RETURN(handle_, Tensor::Allocate(DT_RESOURCE, Shape()));
    handle_.data<std::string>()[0] = EncodeResourceHandle(
        container.empty() ? ResourceMgr::kDefaultContainer : container, shared.empty() ? def.name : shared);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, handle_);
    return Status::OK();
  }

 private:
  Tensor handle_;
};

class ReadVariableKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "dtype"));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Var> var, Existing(ctx->input(0), false));
    std::lock_guard<std::mutex> lock(*var->mu());
    if (!var->initialized()) {
      std::string container, name;
      RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(0), &container, &name));
      return FailedPrecondition("Error while reading resource variable " + name + " from Container: " + container +
                                ". This could mean that the variable was uninitialized.");
    }
    if (var->dtype() != dtype_) {
      return InvalidArgument("Trying to read variable with wrong dtype. Expected " + DataTypeName(dtype_) + " got " +
                             DataTypeName(var->dtype()));
    }
    ctx->set_output(0, *var->value());  // a snapshot sharing the buffer
    return Status::OK();
  }

 private:
  DataType dtype_ = DT_INVALID;
};

class AssignVariableKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "dtype"));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    RETURN_IF_ERROR(CheckEnv());
    const Tensor& value = ctx->input(1);
    if (value.dtype() != dtype_) {
      return InvalidArgument("Trying to assign variable with wrong dtype. Expected " + DataTypeName(dtype_) + " got " +
                             DataTypeName(value.dtype()));
    }
    std::string container, name;
    RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(0), &container, &name));
    ASSIGN_OR_RETURN(std::shared_ptr<Var> var, env().resources->LookupOrCreateVar(container, name, dtype_));
    // A borrowed feed must not become the variable's storage: the caller owns that memory.
    Tensor stored = value;
    if (value.borrowed()) {
      ASSIGN_OR_RETURN(stored, value.Copy());
    }
    std::lock_guard<std::mutex> lock(*var->mu());
    *var->value() = std::move(stored);
    return Status::OK();
  }

 private:
  DataType dtype_ = DT_INVALID;
};

template <bool kAdd>
class AssignUpdateVariableKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Var> var, Existing(ctx->input(0), true));
    const Tensor& delta = ctx->input(1);
    std::lock_guard<std::mutex> lock(*var->mu());
    Tensor* value = var->value();
    if (delta.dtype() != value->dtype()) {
      return InvalidArgument("Cannot update variable of type " + DataTypeName(value->dtype()) + " with " +
                             DataTypeName(delta.dtype()));
    }
    if (delta.shape() != value->shape()) {
      return InvalidArgument("Cannot update variable with shape " + value->shape().ToString() +
                             " using a Tensor with shape " + delta.shape().ToString() + ", shapes must be equal.");
    }
    RETURN_IF_ERROR(var->PrepareToUpdate());
    bool ok = DispatchNumeric(value->dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      T* v = value->data<T>();
      const T* d = delta.data<T>();
      ForRange(ctx->intra_op(), value->num_elements(), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          v[i] = Store<T>(static_cast<C>(kAdd ? Load(v[i]) + Load(d[i]) : Load(v[i]) - Load(d[i])));
        }
      });
    });
    if (!ok) return InvalidArgument("Unsupported variable type " + DataTypeName(value->dtype()));
    return Status::OK();
  }
};

class VarIsInitializedKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    RETURN_IF_ERROR(CheckEnv());
    std::string container, name;
    RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(0), &container, &name));
    std::shared_ptr<Var> var = env().resources->LookupVar(container, name);
    bool initialized = false;
    if (var) {
      std::lock_guard<std::mutex> lock(*var->mu());
      initialized = var->initialized();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_BOOL, Shape()));
    out.data<bool>()[0] = initialized;
    return Status::OK();
  }
};

class DestroyResourceKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(ignore_lookup_error_, GetBoolAttr(def, "ignore_lookup_error", true));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    RETURN_IF_ERROR(CheckEnv());
    std::string container, name;
    RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(0), &container, &name));
    if (!env().resources->Delete(container, name) && !ignore_lookup_error_) {
      return NotFound("Resource " + container + "/" + name + " does not exist.");
    }
    return Status::OK();
  }

 private:
  bool ignore_lookup_error_ = true;
};

// Rows of the variable selected by indices (axis 0).
class ResourceGatherKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Var> var, Existing(ctx->input(0), true));
    Tensor params;
    {
      std::lock_guard<std::mutex> lock(*var->mu());
      params = *var->value();
    }
    if (params.shape().rank() < 1) return InvalidArgument("params must be at least 1 dimensional");
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, ReadIndexVector(ctx->input(1).WithShape(Shape({ctx->input(1).num_elements()})), "indices"));
    const int64_t rows = params.shape().dim(0);
    const int64_t row = rows == 0 ? 0 : params.num_elements() / rows;
    std::vector<int64_t> dims = ctx->input(1).shape().dims();
    for (int d = 1; d < params.shape().rank(); ++d) dims.push_back(params.shape().dim(d));
    RETURN_IF_ERROR(CheckRowIndices(idx, rows));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, params.dtype(), Shape(dims)));
    if (IsStringLike(params.dtype())) {
      for (size_t i = 0; i < idx.size(); ++i) {
        for (int64_t j = 0; j < row; ++j) out.data<std::string>()[i * row + j] = params.data<std::string>()[idx[i] * row + j];
      }
    } else {
      const size_t bytes = row * DataTypeSize(params.dtype());
      for (size_t i = 0; i < idx.size(); ++i) {
        std::memcpy(static_cast<char*>(out.raw()) + i * bytes, static_cast<const char*>(params.raw()) + idx[i] * bytes, bytes);
      }
    }
    return Status::OK();
  }
};

enum class ScatterOp { kUpdate, kAdd, kSub };

template <ScatterOp kOp>
class ResourceScatterKernel : public VarKernel {
 public:
  using VarKernel::VarKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<Var> var, Existing(ctx->input(0), true));
    const Tensor& indices = ctx->input(1);
    const Tensor& updates = ctx->input(2);
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, ReadIndexVector(indices.WithShape(Shape({indices.num_elements()})), "indices"));
    std::lock_guard<std::mutex> lock(*var->mu());
    Tensor* value = var->value();
    if (value->shape().rank() < 1) return InvalidArgument("Variable must be at least 1 dimensional for scatter");
    if (updates.dtype() != value->dtype()) return InvalidArgument("updates must have the variable's dtype");
    const int64_t rows = value->shape().dim(0);
    const int64_t row = rows == 0 ? 0 : value->num_elements() / rows;
    // updates.shape must be indices.shape + value.shape[1:] (a scalar update broadcasts).
    std::vector<int64_t> want = indices.shape().dims();
    for (int d = 1; d < value->shape().rank(); ++d) want.push_back(value->shape().dim(d));
    const bool scalar = updates.num_elements() == 1 && updates.shape().rank() == 0;
    if (!scalar && updates.shape() != Shape(want)) {
      return InvalidArgument("Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got "
                             "updates.shape " + updates.shape().ToString() + ", indices.shape " +
                             indices.shape().ToString() + ", params.shape " + value->shape().ToString());
    }
    RETURN_IF_ERROR(CheckRowIndices(idx, rows));
    RETURN_IF_ERROR(var->PrepareToUpdate());
    bool ok = DispatchNumeric(value->dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      T* v = value->data<T>();
      const T* u = updates.data<T>();
      for (size_t i = 0; i < idx.size(); ++i) {
        for (int64_t j = 0; j < row; ++j) {
          T& dst = v[idx[i] * row + j];
          const T src = u[scalar ? 0 : i * row + j];
          if constexpr (kOp == ScatterOp::kUpdate) {
            dst = src;
          } else if constexpr (kOp == ScatterOp::kAdd) {
            dst = Store<T>(static_cast<C>(Load(dst) + Load(src)));
          } else {
            dst = Store<T>(static_cast<C>(Load(dst) - Load(src)));
          }
        }
      }
    });
    if (!ok) return InvalidArgument("Unsupported variable type " + DataTypeName(value->dtype()));
    return Status::OK();
  }
};

void RegisterStateKernels(OpRegistry* r) {
  r->RegisterOp({"VarHandleOp", FixedArity(0, 1), /*stateful=*/true});
  r->RegisterKernel("VarHandleOp", "", {}, MakeFactory<VarHandleKernel>());
  r->RegisterOp({"ReadVariableOp", FixedArity(1, 1), true});
  r->RegisterKernel("ReadVariableOp", "", {}, MakeFactory<ReadVariableKernel>());
  r->RegisterOp({"AssignVariableOp", FixedArity(2, 0), true});
  r->RegisterKernel("AssignVariableOp", "", {}, MakeFactory<AssignVariableKernel>());
  r->RegisterOp({"AssignAddVariableOp", FixedArity(2, 0), true});
  r->RegisterKernel("AssignAddVariableOp", "", {}, MakeFactory<AssignUpdateVariableKernel<true>>());
  r->RegisterOp({"AssignSubVariableOp", FixedArity(2, 0), true});
  r->RegisterKernel("AssignSubVariableOp", "", {}, MakeFactory<AssignUpdateVariableKernel<false>>());
  r->RegisterOp({"VarIsInitializedOp", FixedArity(1, 1), true});
  r->RegisterKernel("VarIsInitializedOp", "", {}, MakeFactory<VarIsInitializedKernel>());
  r->RegisterOp({"DestroyResourceOp", FixedArity(1, 0), true});
  r->RegisterKernel("DestroyResourceOp", "", {}, MakeFactory<DestroyResourceKernel>());
  r->RegisterOp({"ResourceGather", FixedArity(2, 1), true});
  r->RegisterKernel("ResourceGather", "", {}, MakeFactory<ResourceGatherKernel>());
  r->RegisterOp({"ResourceScatterUpdate", FixedArity(3, 0), true});
  r->RegisterKernel("ResourceScatterUpdate", "", {}, MakeFactory<ResourceScatterKernel<ScatterOp::kUpdate>>());
  r->RegisterOp({"ResourceScatterAdd", FixedArity(3, 0), true});
  r->RegisterKernel("ResourceScatterAdd", "", {}, MakeFactory<ResourceScatterKernel<ScatterOp::kAdd>>());
  r->RegisterOp({"ResourceScatterSub", FixedArity(3, 0), true});
  r->RegisterKernel("ResourceScatterSub", "", {}, MakeFactory<ResourceScatterKernel<ScatterOp::kSub>>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterStateKernels);

}  // namespace graphrt
