// Aligned host allocation with process-wide debug counters (tests use them to prove a feed was
// borrowed rather than copied, and that a long loop does not leak).
#pragma once
#include <cstddef>
#include <cstdint>

namespace graphrt {

constexpr size_t kAlignment = 64;

// Returns nullptr when the memory cannot be had.
void* AlignedAllocate(size_t bytes);
void AlignedFree(void* ptr, size_t bytes);

struct AllocatorStats {
  int64_t live_allocations;
  int64_t live_bytes;
  int64_t total_allocations;
  int64_t total_bytes;  // cumulative bytes ever allocated
};
AllocatorStats GetAllocatorStats();

}  // namespace graphrt
