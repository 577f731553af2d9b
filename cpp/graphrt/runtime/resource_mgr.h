// ResourceMgr: the session's stateful objects (Variables now; queues and tensor handles later), by
// (container, name). Each session owns one; Close() drops every resource.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "graphrt/core/tensor.h"

namespace graphrt {

class Resource {
 public:
  virtual ~Resource() = default;
  virtual std::string DebugString() const = 0;
};

// A variable: its current value, replaced by Assign and updated in place by AssignAdd & co only when
// nothing else holds the buffer (a fetched or in-flight snapshot never changes: copy-on-write).
class Var : public Resource {
 public:
  explicit Var(DataType dtype) : dtype_(dtype) {}
  std::string DebugString() const override;

  std::mutex* mu() { return &mu_; }
  // Both require mu() held.
  bool initialized() const { return value_.initialized(); }
  Tensor* value() { return &value_; }
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
  bool Delete(const std::string& container, const std::string& name);
  void Clear();

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Var>> vars_;
};

// A DT_RESOURCE handle tensor holds "container\0name" in its one string element.
std::string EncodeResourceHandle(const std::string& container, const std::string& name);
Status DecodeResourceHandle(const Tensor& handle, std::string* container, std::string* name);

}  // namespace graphrt
