// Tensor: dtype + shape + shared Buffer. Copying a Tensor shares its storage.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "graphrt/core/buffer.h"
#include "graphrt/core/dtype.h"
#include "graphrt/core/shape.h"
#include "graphrt/core/status.h"

namespace graphrt {

class Tensor {
 public:
  Tensor() = default;
  Tensor(DataType dtype, Shape shape, std::shared_ptr<Buffer> buffer)
      : dtype_(dtype), shape_(std::move(shape)), buffer_(std::move(buffer)) {}

  // Fresh owned, uninitialized storage (strings are default-constructed).
  static StatusOr<Tensor> Allocate(DataType dtype, const Shape& shape);

  bool initialized() const { return buffer_ != nullptr; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  size_t bytes() const { return buffer_ ? buffer_->size() : 0; }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }
  bool borrowed() const { return buffer_ && buffer_->borrowed(); }
  // True when this Tensor holds the only reference to an owned buffer: a kernel may then reuse it
  // for its output (copy-on-write rule: never when shared, never when borrowed). A query only: the
  // write itself must go through ClaimForRewrite (or AllocateOutput's reuse_input, which calls it).
  bool CanReuseBuffer() const { return buffer_ && !buffer_->borrowed() && buffer_.use_count() == 1; }
  // CanReuseBuffer(), and when it holds, the buffer is about to be rewritten: its content stamp is
  // renewed (caches keyed on it, such as GemmBCache, then miss). Every in-place write into an
  // existing buffer goes through here.
  bool ClaimForRewrite() const {
    if (!CanReuseBuffer()) return false;
    // The last other holder's reads of the old contents happen before the writes that follow
    // (use_count() is a relaxed load).
    std::atomic_thread_fence(std::memory_order_acquire);
    buffer_->MarkRewritten();
    return true;
  }

  void* raw() const { return buffer_ ? buffer_->data() : nullptr; }
  template <typename T> T* data() const { return static_cast<T*>(raw()); }

  // Same storage, another shape with the same number of elements.
  Tensor WithShape(Shape shape) const { return Tensor(dtype_, std::move(shape), buffer_); }
  // Deep copy into owned storage.
  StatusOr<Tensor> Copy() const;
  std::string DebugString() const;

 private:
  DataType dtype_ = DT_INVALID;
  Shape shape_;
  std::shared_ptr<Buffer> buffer_;
};

}  // namespace graphrt
