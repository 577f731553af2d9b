#include "graphrt/core/allocator.h"

#include <atomic>
#include <cstdlib>

namespace graphrt {
namespace {
std::atomic<int64_t> g_live_allocations{0};
std::atomic<int64_t> g_live_bytes{0};
std::atomic<int64_t> g_total_allocations{0};
std::atomic<int64_t> g_total_bytes{0};
}  // namespace

void* AlignedAllocate(size_t bytes) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) return nullptr;
  g_live_allocations.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  g_total_allocations.fetch_add(1, std::memory_order_relaxed);
  g_total_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  return p;
}

void AlignedFree(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  std::free(ptr);
  g_live_allocations.fetch_sub(1, std::memory_order_relaxed);
  g_live_bytes.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
}

AllocatorStats GetAllocatorStats() {
  return {g_live_allocations.load(), g_live_bytes.load(), g_total_allocations.load(), g_total_bytes.load()};
}

}  // namespace graphrt
