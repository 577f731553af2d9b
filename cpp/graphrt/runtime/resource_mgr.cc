#include "graphrt/runtime/resource_mgr.h"

#include <atomic>

namespace graphrt {

std::string Var::DebugString() const { return "Var<" + DataTypeName(dtype_) + ">"; }

namespace {
std::atomic<int64_t> g_update_copies{0};
}  // namespace

int64_t VariableUpdateCopies() { return g_update_copies.load(std::memory_order_relaxed); }

Status Var::PrepareToUpdate() {
  if (!value_.ClaimForRewrite()) {
    g_update_copies.fetch_add(1, std::memory_order_relaxed);
    ASSIGN_OR_RETURN(Tensor copy, value_.Copy());
    value_ = std::move(copy);
  }
  return Status::OK();
}

std::shared_ptr<Var> ResourceMgr::LookupVar(const std::string& container, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = vars_.find({container, name});
  return it == vars_.end() ? nullptr : it->second;
}

StatusOr<std::shared_ptr<Var>> ResourceMgr::LookupOrCreateVar(const std::string& container, const std::string& name,
                                                              DataType dtype) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = vars_[{container, name}];
  if (!slot) slot = std::make_shared<Var>(dtype);
  if (slot->dtype() != dtype) {
    return InvalidArgument("Trying to assign variable with wrong dtype. Expected " + DataTypeName(slot->dtype()) +
                           " got " + DataTypeName(dtype));
  }
  return slot;
}

bool ResourceMgr::Delete(const std::string& container, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return vars_.erase({container, name}) + resources_.erase({container, name}) > 0;
}

void ResourceMgr::Clear() {
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Resource>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    vars_.clear();
    dropped.swap(resources_);
  }
  for (auto& kv : dropped) kv.second->Close();
}

std::string EncodeResourceHandle(const std::string& container, const std::string& name) {
  return container + std::string(1, '\0') + name;
}

Status DecodeResourceHandle(const Tensor& handle, std::string* container, std::string* name) {
  if (handle.dtype() != DT_RESOURCE || handle.num_elements() != 1) {
    return InvalidArgument("Expected a scalar resource handle, got " + handle.DebugString());
  }
  const std::string& s = handle.data<std::string>()[0];
  size_t sep = s.find('\0');
  if (sep == std::string::npos) return InvalidArgument("Malformed resource handle");
  *container = s.substr(0, sep);
  *name = s.substr(sep + 1);
  return Status::OK();
}

}  // namespace graphrt
