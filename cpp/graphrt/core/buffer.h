// Buffer: the refcounted storage behind a Tensor (shared_ptr<Buffer>). Either owned (64-byte aligned,
// from the allocator) or borrowed from outside (a numpy feed) with a release callback that runs when
// the last reference goes away. Kernels must never write into a borrowed buffer.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
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

  // Names this buffer's current contents: unique among all buffers and renewed by MarkRewritten()
  // whenever the buffer is written again after its first producer (a kernel reusing an input's buffer
  // for its output, a variable updated in place). Equal stamps mean equal contents, so data derived
  // from a buffer (a gemm operand packed once) can be kept across steps. 0 for a borrowed buffer: its
  // owner may change it at any time.
  uint64_t content_stamp() const { return borrowed() ? 0 : stamp_.load(std::memory_order_acquire); }
  void MarkRewritten();

 private:
  Buffer() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
  size_t num_strings_ = 0;
  std::function<void()> release_;
  std::atomic<uint64_t> stamp_{0};
};

}  // namespace graphrt
