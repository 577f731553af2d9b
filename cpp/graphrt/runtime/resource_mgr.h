// ResourceMgr: the session's stateful objects (Variables now; queues and tensor handles later), by
// (container, name). Each session owns one; Close() drops every resource.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "graphrt/core/tensor.h"

namespace graphrt {

// How many variable updates had to copy the value first (a reader still held it): debug counter.
int64_t VariableUpdateCopies();

class Resource {
 public:
  virtual ~Resource() = default;
  virtual std::string DebugString() const = 0;
  // Called when the session closes: resources that block callers (queues) wake them up here.
  virtual void Close() {}
};

// A variable: its current value, replaced by Assign and updated in place by AssignAdd & co only when
// nothing else holds the buffer (a fetched or in-flight snapshot never changes: copy-on-write).
class Var : public Resource {
 public:
  explicit Var(DataType dtype) : dtype_(dtype) {}
  std::string DebugString() const override;

  std::mutex* mu() { return &mu_; }
  // All require mu() held.
  bool initialized() const { return value_.initialized(); }
  Tensor* value() { return &value_; }
  // Copy-on-write before an in-place update: afterwards the variable alone holds its buffer.
  Status PrepareToUpdate();
  DataType dtype() const { return dtype_; }

 private:
  DataType dtype_;
  std::mutex mu_;
  Tensor value_;
};

class ResourceMgr {
 public:
  // The default container name, as in TF.
  static constexpr const char* kDefaultContainer = "localhost";

  std::shared_ptr<Var> LookupVar(const std::string& container, const std::string& name) const;
  // Returns the existing variable or creates one of `dtype`; InvalidArgument if it exists with another dtype.
  StatusOr<std::shared_ptr<Var>> LookupOrCreateVar(const std::string& container, const std::string& name, DataType dtype);

  // Any other resource kind (queues, readers, ...): the existing one if it is a T, else a new one made by
  // `create`; InvalidArgument when the name holds a resource of another kind.
  template <typename T>
  StatusOr<std::shared_ptr<T>> LookupOrCreate(const std::string& container, const std::string& name,
                                              const std::function<StatusOr<std::shared_ptr<T>>()>& create) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = resources_[{container, name}];
    if (!slot) {
      auto made = create();
      if (!made.ok()) return made.status();
      slot = made.value();
    }
    auto typed = std::dynamic_pointer_cast<T>(slot);
    if (!typed) return InvalidArgument("Resource " + container + "/" + name + " has another type: " + slot->DebugString());
    return typed;
  }
  template <typename T>
  std::shared_ptr<T> Lookup(const std::string& container, const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = resources_.find({container, name});
    return it == resources_.end() ? nullptr : std::dynamic_pointer_cast<T>(it->second);
  }

  bool Delete(const std::string& container, const std::string& name);
  // Drops every resource; each gets Close() first so blocked users wake up.
  void Clear();

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Var>> vars_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Resource>> resources_;
};

// A DT_RESOURCE handle tensor holds "container\0name" in its one string element.
std::string EncodeResourceHandle(const std::string& container, const std::string& name);
Status DecodeResourceHandle(const Tensor& handle, std::string* container, std::string* name);

}  // namespace graphrt
