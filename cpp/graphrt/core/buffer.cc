#include "graphrt/core/buffer.h"

#include <new>
#include <string>

#include "graphrt/core/allocator.h"

namespace graphrt {
namespace {
uint64_t NextStamp() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

void Buffer::MarkRewritten() { stamp_.store(NextStamp(), std::memory_order_release); }

StatusOr<std::shared_ptr<Buffer>> Buffer::Allocate(size_t bytes) {
  void* p = AlignedAllocate(bytes);
  if (p == nullptr) {
    return ResourceExhausted("OOM when allocating buffer of " + std::to_string(bytes) + " bytes");
  }
  std::shared_ptr<Buffer> b(new Buffer());
  b->data_ = p;
  b->size_ = bytes;
  b->stamp_.store(NextStamp(), std::memory_order_relaxed);
  return b;
}

StatusOr<std::shared_ptr<Buffer>> Buffer::AllocateStrings(size_t count) {
  if (count > (SIZE_MAX / sizeof(std::string))) return ResourceExhausted("string tensor too large");
  ASSIGN_OR_RETURN(std::shared_ptr<Buffer> b, Allocate(count * sizeof(std::string)));
  auto* s = static_cast<std::string*>(b->data_);
  for (size_t i = 0; i < count; ++i) new (s + i) std::string();
  b->num_strings_ = count;
  return b;
}

std::shared_ptr<Buffer> Buffer::Borrow(void* data, size_t bytes, std::function<void()> release) {
  std::shared_ptr<Buffer> b(new Buffer());
  b->data_ = data;
  b->size_ = bytes;
  b->release_ = release ? std::move(release) : [] {};
  return b;
}

Buffer::~Buffer() {
  if (release_) {
    release_();
    return;
  }
  auto* s = static_cast<std::string*>(data_);
  for (size_t i = 0; i < num_strings_; ++i) s[i].~basic_string();
  AlignedFree(data_, size_);
}

}  // namespace graphrt
