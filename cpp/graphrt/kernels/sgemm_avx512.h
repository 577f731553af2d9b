// graphrt's own single-precision gemm for CPUs with AVX-512F. OpenBLAS picks its kernels once per
// process from the CPU model or OPENBLAS_CORETYPE, and on CPUs it does not know (or when pinned to an
// older core type) it runs its AVX2 kernels at half the machine's speed; this kernel always uses the
// full vector width where the CPU has it. Row-major, same contract as cblas_sgemm.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace graphrt {

// True when the CPU and the OS support AVX-512F (checked once).
bool HaveAvx512();

class ThreadPool;

// A product's B packed whole, once, in the layout the kernel's wide tiling reads, for products that
// run again with the same B (weights): the kernel then skips packing B (ONNX Runtime pre-packs its
// constant weights the same way). Valid only while B's contents are unchanged: see GemmBCache.
struct PackedSgemmB {
  bool trans_b = false;
  int64_t k = 0, n = 0;
  std::vector<float> data;
};
// Whether products with n columns read a packed B (AVX-512 present and n > 32: the narrow tilings
// pack cheaply per call).
bool SgemmUsesPackedB(int64_t n);
// B (k x n after op(), as in SgemmAvx512) packed; null unless SgemmUsesPackedB(n) and k > 0.
std::unique_ptr<PackedSgemmB> PackSgemmB(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb);

// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C (beta == 0: C is not read). Requires HaveAvx512().
// With `bias` (n values), each result then gets bias[j] added and, with `relu`, max(., 0): a fused
// MatMul + BiasAdd (+ Relu) in the product's own store, with the same roundings as the separate ops.
// Blocks of C are spread over `pool` (null: the calling thread only); each element of C is summed
// over k in the same order whatever the split, so results do not depend on the thread count.
// `packed_b`: B as PackSgemmB packed it, or null. Used (and `b` then not read) when its trans_b, k
// and n are this product's; otherwise ignored. The sums are the same either way.
void SgemmAvx512(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                 const float* bias = nullptr, bool relu = false, const PackedSgemmB* packed_b = nullptr);

}  // namespace graphrt
