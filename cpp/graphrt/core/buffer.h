// Buffer: the refcounted storage behind a Tensor (shared_ptr<Buffer>). Either owned (64-byte aligned,
// from the allocator) or borrowed from outside (a numpy feed) with a release callback that runs when
// the last reference goes away. Kernels must never write into a borrowed buffer.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

#include "graphrt/core/status.h"

namespace graphrt {

class Buffer {
 public:
  static StatusOr<std::shared_ptr<Buffer>> Allocate(size_t bytes);
  // Buffer of `count` default-constructed std::string (DT_STRING tensors).
  static StatusOr<std::shared_ptr<Buffer>> AllocateStrings(size_t count);
  static std::shared_ptr<Buffer> Borrow(void* data, size_t bytes, std::function<void()> release);

  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }
  bool borrowed() const { return static_cast<bool>(release_); }

 private:
  Buffer() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
  size_t num_strings_ = 0;
  std::function<void()> release_;
};

}  // namespace graphrt
