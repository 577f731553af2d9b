// Session handles: GetSessionHandle / GetSessionHandleV2 store a tensor in the session (its
// ResourceMgr) and output a handle to it; GetSessionTensor reads a stored tensor back by handle;
// DeleteSessionTensor removes it. Stored tensors live until deleted or until the session closes.
#include <atomic>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/session_tensor_store.h"

namespace graphrt {

StatusOr<std::string> StoreSessionTensor(ResourceMgr* resources, const std::string& node_name, const Tensor& value) {
  if (resources == nullptr) return Internal("Session handles need a session resource manager");
  static std::atomic<int64_t> next_id{0};
  Tensor stored = value;
  if (stored.borrowed()) {
    ASSIGN_OR_RETURN(stored, value.Copy());
  }
  const std::string handle = node_name + ";" + std::to_string(next_id.fetch_add(1)) +
                             ";/job:localhost/replica:0/task:0/device:CPU:0";
  auto made = resources->LookupOrCreate<StoredTensor>(
      kSessionTensorContainer, handle,
      [&]() -> StatusOr<std::shared_ptr<StoredTensor>> { return std::make_shared<StoredTensor>(stored); });
  if (!made.ok()) return made.status();
  return handle;
}

StatusOr<Tensor> LookupSessionTensor(const ResourceMgr* resources, const std::string& handle) {
  if (resources == nullptr) return Internal("Session handles need a session resource manager");
  std::shared_ptr<StoredTensor> t = resources->Lookup<StoredTensor>(kSessionTensorContainer, handle);
  if (t == nullptr) return InvalidArgument("The tensor with handle '" + handle + "' is not in the session store.");
  return t->value();
}

Status DeleteSessionTensor(ResourceMgr* resources, const std::string& handle) {
  if (resources == nullptr) return Internal("Session handles need a session resource manager");
  if (resources->Lookup<StoredTensor>(kSessionTensorContainer, handle) == nullptr ||
      !resources->Delete(kSessionTensorContainer, handle)) {
    return InvalidArgument("The tensor with handle '" + handle + "' is not in the session store.");
  }
  return Status::OK();
}

namespace {

StatusOr<std::string> ReadHandle(const Tensor& t) {
  if (t.dtype() != DT_STRING || t.shape().rank() != 0) {
    return InvalidArgument("The session handle must be a scalar string, got a " + DataTypeName(t.dtype()) +
                           " tensor of shape " + t.shape().ToString());
  }
  return t.data<std::string>()[0];
}

template <bool kV2>
class GetSessionHandleKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::string handle, StoreSessionTensor(env().resources, name(), ctx->input(0)));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, kV2 ? DT_RESOURCE : DT_STRING, Shape()));
    out.data<std::string>()[0] = kV2 ? EncodeResourceHandle(kSessionTensorContainer, handle) : handle;
    return Status::OK();
  }
};

class GetSessionTensorKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "dtype"));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::string handle, ReadHandle(ctx->input(0)));
    ASSIGN_OR_RETURN(Tensor value, LookupSessionTensor(env().resources, handle));
    if (value.dtype() != dtype_) {
      return InvalidArgument("The tensor with handle '" + handle + "' has type " + DataTypeName(value.dtype()) +
                             ", but GetSessionTensor expects " + DataTypeName(dtype_));
    }
    ctx->set_output(0, std::move(value));
    return Status::OK();
  }

 private:
  DataType dtype_ = DT_INVALID;
};

class DeleteSessionTensorKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::string handle, ReadHandle(ctx->input(0)));
    return DeleteSessionTensor(env().resources, handle);
  }
};

void RegisterSessionHandleKernels(OpRegistry* r) {
  r->RegisterOp({"GetSessionHandle", FixedArity(1, 1), /*stateful=*/true});
  r->RegisterOp({"GetSessionHandleV2", FixedArity(1, 1), /*stateful=*/true});
  r->RegisterOp({"GetSessionTensor", FixedArity(1, 1), /*stateful=*/true});
  r->RegisterOp({"DeleteSessionTensor", FixedArity(1, 0), /*stateful=*/true});
  r->RegisterKernel("GetSessionHandle", "T", kAllTypes, MakeFactory<GetSessionHandleKernel<false>>());
  r->RegisterKernel("GetSessionHandleV2", "T", kAllTypes, MakeFactory<GetSessionHandleKernel<true>>());
  r->RegisterKernel("GetSessionTensor", "dtype", kAllTypes, MakeFactory<GetSessionTensorKernel>());
  r->RegisterKernel("DeleteSessionTensor", "", {}, MakeFactory<DeleteSessionTensorKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterSessionHandleKernels);

}  // namespace graphrt
