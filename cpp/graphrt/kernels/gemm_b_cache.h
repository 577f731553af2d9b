// GemmBCache: one MatMul node's B operand kept packed between steps while B's contents stay the same.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>

#include "graphrt/core/tensor.h"
#include "graphrt/kernels/sgemm_avx512.h"

namespace graphrt {

// Weights read from a variable that no step updates (inference), or a constant, reach a MatMul as
// the same buffer with the same content stamp (Buffer::content_stamp) step after step; their packed
// form (PackSgemmB) is then made once and reused instead of packing B in every product. The cache
// packs on the second step that sees the same contents, so a training loop, whose weights are
// rewritten every step, never pays for a packing it cannot reuse. A borrowed buffer (a numpy feed)
// has no stamp and is never cached. Holds at most one packed B and no reference to B's buffer (an
// optimizer may still update the variable in place). Thread-safe: steps may share the kernel.
class GemmBCache {
 public:
  // The packed B of a float product op(B) = k x n with B row-major, `ldb` floats per row; null when
  // there is none to reuse (yet).
  std::shared_ptr<const PackedSgemmB> Lookup(const Tensor& b, bool trans_b, int64_t k, int64_t n, int64_t ldb);

 private:
  std::mutex mu_;
  uint64_t stamp_ = 0;  // the contents last seen; `packed_`, when set, was made from them
  std::shared_ptr<const PackedSgemmB> packed_;
};

// Packings made so far by all GemmBCaches (a debug counter for tests).
int64_t GemmBPackings();

}  // namespace graphrt
