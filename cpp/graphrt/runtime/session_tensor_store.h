// Session tensors (tf.get_session_handle): a tensor kept in the session's ResourceMgr under a handle
// string until DeleteSessionTensor (or TensorHandle.delete()) removes it or the session closes.
#pragma once
#include <string>

#include "graphrt/core/tensor.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {

// The stored value of one session handle (never changed once stored).
class StoredTensor : public Resource {
 public:
  explicit StoredTensor(Tensor value) : value_(std::move(value)) {}
  std::string DebugString() const override { return "StoredTensor<" + DataTypeName(value_.dtype()) + ">"; }
  const Tensor& value() const { return value_; }

 private:
  Tensor value_;
};

// The ResourceMgr container that holds session tensors, by handle string.
constexpr const char* kSessionTensorContainer = "_session_tensors";

// Stores `value` (copied when it borrows a fed array, which its owner could change later) and
// returns its new handle "<node_name>;<id>;<device>", as TensorFlow writes them.
StatusOr<std::string> StoreSessionTensor(ResourceMgr* resources, const std::string& node_name, const Tensor& value);
// InvalidArgument "The tensor with handle '...' is not in the session store." when unknown.
StatusOr<Tensor> LookupSessionTensor(const ResourceMgr* resources, const std::string& handle);
Status DeleteSessionTensor(ResourceMgr* resources, const std::string& handle);

}  // namespace graphrt
