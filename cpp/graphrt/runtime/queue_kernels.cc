// Queue ops (TF1's resource-handle forms): FIFOQueueV2, RandomShuffleQueueV2, PaddingFIFOQueueV2,
// PriorityQueueV2, QueueEnqueueV2, QueueEnqueueManyV2, QueueDequeueV2, QueueDequeueManyV2,
// QueueDequeueUpToV2, QueueCloseV2, QueueSizeV2, QueueIsClosedV2; and ResourceCountUpTo (the epoch
// counter of tf.train.limit_epochs). Blocking kernels wait in short slices and honour the step's
// StepControl (see queue.h).
#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/queue.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {

// Attr helpers shared with reader_kernels.cc.
std::string QueueStrAttr(const NodeDef& def, const char* name, const std::string& fallback) {
  const AttrValue* a = FindAttr(def, name);
  return a != nullptr && a->kind == AttrValue::Kind::kS ? a->s : fallback;
}

int64_t QueueIntAttr(const NodeDef& def, const char* name, int64_t fallback) {
  const AttrValue* a = FindAttr(def, name);
  return a != nullptr && a->kind == AttrValue::Kind::kI ? a->i : fallback;
}

// The (container, name) a handle op names: shared_name, or the node's own name.
std::pair<std::string, std::string> ResourceKey(const NodeDef& def) {
  std::string container = QueueStrAttr(def, "container", "");
  std::string shared = QueueStrAttr(def, "shared_name", "");
  return {container.empty() ? ResourceMgr::kDefaultContainer : container, shared.empty() ? def.name : shared};
}

namespace {

StatusOr<std::vector<DataType>> TypeListAttr(const NodeDef& def, const char* name, bool required) {
  const AttrValue* a = FindAttr(def, name);
  if (a == nullptr || a->kind == AttrValue::Kind::kNone) {
    if (required) return InvalidArgument("NodeDef '" + def.name + "' (" + def.op + ") is missing list(type) attr '" + name + "'");
    return std::vector<DataType>();
  }
  if (a->kind != AttrValue::Kind::kList) return InvalidArgument("Attr '" + std::string(name) + "' must be a list of types");
  for (DataType t : a->list.type) {
    if (!IsValidDataType(t)) return InvalidArgument("Attr '" + std::string(name) + "' has an unsupported type " + std::to_string(int(t)));
  }
  return a->list.type;
}

std::vector<TensorShapeProto> ShapeListAttr(const NodeDef& def, const char* name) {
  const AttrValue* a = FindAttr(def, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kList) return {};
  return a->list.shape;
}

std::function<StatusOr<OpArity>(const NodeDef&)> ListArity(const char* attr, int fixed_inputs, bool list_is_output) {
  return [attr, fixed_inputs, list_is_output](const NodeDef& def) -> StatusOr<OpArity> {
    ASSIGN_OR_RETURN(std::vector<DataType> types, TypeListAttr(def, attr, true));
    const int n = static_cast<int>(types.size());
    return list_is_output ? OpArity{fixed_inputs, n} : OpArity{fixed_inputs + n, 0};
  };
}

template <QueueResource::Kind kKind>
class QueueHandleKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    options_.kind = kKind;
    ASSIGN_OR_RETURN(options_.types, TypeListAttr(def, "component_types", true));
    options_.shapes = ShapeListAttr(def, "shapes");
    if (kKind == QueueResource::Kind::kPriority) {
      if (options_.shapes.size() != options_.types.size()) {
        return InvalidArgument("PriorityQueue requires one shape per component: got " +
                               std::to_string(options_.shapes.size()) + " shapes for " +
                               std::to_string(options_.types.size()) + " component types");
      }
      options_.types.insert(options_.types.begin(), DT_INT64);
      options_.shapes.insert(options_.shapes.begin(), TensorShapeProto());
    }
    options_.capacity = QueueIntAttr(def, "capacity", -1);
    options_.min_after_dequeue = QueueIntAttr(def, "min_after_dequeue", 0);
    options_.seed = QueueIntAttr(def, "seed", 0);
    options_.seed2 = QueueIntAttr(def, "seed2", 0);
    key_ = ResourceKey(def);
    options_.name = key_.second;
    // Validate the options now, so a bad queue fails when the graph is first run.
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> probe, QueueResource::Create(options_));
    (void)probe;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    if (env().resources == nullptr) return Internal("Queue ops need a session resource manager");
    const QueueResource::Options& o = options_;
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q,
                     env().resources->LookupOrCreate<QueueResource>(
                         key_.first, key_.second, [&o]() { return QueueResource::Create(o); }));
    RETURN_IF_ERROR(q->Matches(options_));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_RESOURCE, Shape()));
    out.data<std::string>()[0] = EncodeResourceHandle(key_.first, key_.second);
    return Status::OK();
  }

 private:
  QueueResource::Options options_;
  std::pair<std::string, std::string> key_;
};

template <bool kMany>
class EnqueueKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    timeout_ms_ = QueueIntAttr(def, "timeout_ms", -1);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q, LookupQueue(env().resources, ctx->input(0)));
    Tuple tuple;
    for (int i = 1; i < ctx->num_inputs(); ++i) tuple.push_back(ctx->input(i));
    return kMany ? q->EnqueueMany(ctx, tuple, timeout_ms_) : q->Enqueue(ctx, tuple, timeout_ms_);
  }

 private:
  int64_t timeout_ms_ = -1;
};

Status CheckDequeueTypes(const QueueResource& q, const std::vector<DataType>& want) {
  if (q.types() != want) {
    std::string have, asked;
    for (DataType t : q.types()) have += (have.empty() ? "" : ", ") + DataTypeName(t);
    for (DataType t : want) asked += (asked.empty() ? "" : ", ") + DataTypeName(t);
    return InvalidArgument("Dequeue component types (" + asked + ") do not match the queue's component types (" + have + ")");
  }
  return Status::OK();
}

// kMode: 0 = Dequeue, 1 = DequeueMany, 2 = DequeueUpTo.
template <int kMode>
class DequeueKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(types_, TypeListAttr(def, "component_types", true));
    timeout_ms_ = QueueIntAttr(def, "timeout_ms", -1);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q, LookupQueue(env().resources, ctx->input(0)));
    RETURN_IF_ERROR(CheckDequeueTypes(*q, types_));
    Tuple out;
    if (kMode == 0) {
      RETURN_IF_ERROR(q->Dequeue(ctx, timeout_ms_, &out));
    } else {
      ASSIGN_OR_RETURN(int64_t n, ReadIndexScalar(ctx->input(1), "n"));
      RETURN_IF_ERROR(q->DequeueMany(ctx, n, kMode == 2, timeout_ms_, &out));
    }
    if (static_cast<int>(out.size()) != ctx->num_outputs()) return Internal("Queue returned a tuple of the wrong size");
    for (int i = 0; i < ctx->num_outputs(); ++i) ctx->set_output(i, std::move(out[i]));
    return Status::OK();
  }

 private:
  std::vector<DataType> types_;
  int64_t timeout_ms_ = -1;
};

class QueueCloseKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(cancel_, GetBoolAttr(def, "cancel_pending_enqueues", false));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q, LookupQueue(env().resources, ctx->input(0)));
    return q->CloseQueue(ctx, cancel_);
  }

 private:
  bool cancel_ = false;
};

class QueueSizeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q, LookupQueue(env().resources, ctx->input(0)));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_INT32, Shape()));
    out.data<int32_t>()[0] = static_cast<int32_t>(q->size());
    return Status::OK();
  }
};

class QueueIsClosedKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> q, LookupQueue(env().resources, ctx->input(0)));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_BOOL, Shape()));
    out.data<bool>()[0] = q->is_closed();
    return Status::OK();
  }
};

// ResourceCountUpTo(resource, limit, T): the variable's value before incrementing it;
// OutOfRange once the value has reached `limit`.
class ResourceCountUpToKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(limit_, GetIntAttr(def, "limit"));
    ASSIGN_OR_RETURN(dtype_, GetTypeAttr(def, "T"));
    if (dtype_ != DT_INT32 && dtype_ != DT_INT64) return InvalidArgument("ResourceCountUpTo supports int32 and int64 only");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    if (env().resources == nullptr) return Internal("Variable ops need a session resource manager");
    std::string container, name;
    RETURN_IF_ERROR(DecodeResourceHandle(ctx->input(0), &container, &name));
    std::shared_ptr<Var> var = env().resources->LookupVar(container, name);
    if (var == nullptr) {
      return FailedPrecondition("Error while reading resource variable " + name + " from Container: " + container +
                                ". This could mean that the variable was uninitialized.");
    }
    std::lock_guard<std::mutex> lock(*var->mu());
    if (!var->initialized()) return FailedPrecondition("Attempting to use uninitialized value " + name);
    const Tensor& value = *var->value();
    if (value.dtype() != dtype_) {
      return InvalidArgument("Trying to read variable with wrong dtype. Expected " + DataTypeName(dtype_) + " got " +
                             DataTypeName(value.dtype()));
    }
    if (value.shape().rank() != 0) return InvalidArgument("Not a scalar: " + value.shape().ToString());
    const int64_t before = dtype_ == DT_INT32 ? value.data<int32_t>()[0] : value.data<int64_t>()[0];
    if (before >= limit_) return OutOfRange("Reached limit of " + std::to_string(limit_));
    ASSIGN_OR_RETURN(Tensor next, Tensor::Allocate(dtype_, Shape()));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dtype_, Shape()));
    if (dtype_ == DT_INT32) {
      next.data<int32_t>()[0] = static_cast<int32_t>(before + 1);
      out.data<int32_t>()[0] = static_cast<int32_t>(before);
    } else {
      next.data<int64_t>()[0] = before + 1;
      out.data<int64_t>()[0] = before;
    }
    *var->value() = std::move(next);  // a fresh buffer: earlier reads never change
    return Status::OK();
  }

 private:
  int64_t limit_ = 0;
  DataType dtype_ = DT_INVALID;
};

void RegisterQueueKernels(OpRegistry* r) {
  using K = QueueResource::Kind;
  r->RegisterOp({"FIFOQueueV2", FixedArity(0, 1), true});
  r->RegisterKernel("FIFOQueueV2", "", {}, MakeFactory<QueueHandleKernel<K::kFIFO>>());
  r->RegisterOp({"RandomShuffleQueueV2", FixedArity(0, 1), true});
  r->RegisterKernel("RandomShuffleQueueV2", "", {}, MakeFactory<QueueHandleKernel<K::kRandomShuffle>>());
  r->RegisterOp({"PaddingFIFOQueueV2", FixedArity(0, 1), true});
  r->RegisterKernel("PaddingFIFOQueueV2", "", {}, MakeFactory<QueueHandleKernel<K::kPadding>>());
  r->RegisterOp({"PriorityQueueV2", FixedArity(0, 1), true});
  r->RegisterKernel("PriorityQueueV2", "", {}, MakeFactory<QueueHandleKernel<K::kPriority>>());
  r->RegisterOp({"QueueEnqueueV2", ListArity("Tcomponents", 1, false), true});
  r->RegisterKernel("QueueEnqueueV2", "", {}, MakeFactory<EnqueueKernel<false>>());
  r->RegisterOp({"QueueEnqueueManyV2", ListArity("Tcomponents", 1, false), true});
  r->RegisterKernel("QueueEnqueueManyV2", "", {}, MakeFactory<EnqueueKernel<true>>());
  r->RegisterOp({"QueueDequeueV2", ListArity("component_types", 1, true), true});
  r->RegisterKernel("QueueDequeueV2", "", {}, MakeFactory<DequeueKernel<0>>());
  r->RegisterOp({"QueueDequeueManyV2", ListArity("component_types", 2, true), true});
  r->RegisterKernel("QueueDequeueManyV2", "", {}, MakeFactory<DequeueKernel<1>>());
  r->RegisterOp({"QueueDequeueUpToV2", ListArity("component_types", 2, true), true});
  r->RegisterKernel("QueueDequeueUpToV2", "", {}, MakeFactory<DequeueKernel<2>>());
  r->RegisterOp({"QueueCloseV2", FixedArity(1, 0), true});
  r->RegisterKernel("QueueCloseV2", "", {}, MakeFactory<QueueCloseKernel>());
  r->RegisterOp({"QueueSizeV2", FixedArity(1, 1), true});
  r->RegisterKernel("QueueSizeV2", "", {}, MakeFactory<QueueSizeKernel>());
  r->RegisterOp({"QueueIsClosedV2", FixedArity(1, 1), true});
  r->RegisterKernel("QueueIsClosedV2", "", {}, MakeFactory<QueueIsClosedKernel>());
  r->RegisterOp({"ResourceCountUpTo", FixedArity(1, 1), true});
  r->RegisterKernel("ResourceCountUpTo", "T", {DT_INT32, DT_INT64}, MakeFactory<ResourceCountUpToKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterQueueKernels);

}  // namespace graphrt
