// Row-major gemm for the kernel families: graphrt's own AVX-512 float kernel where it applies,
// OpenBLAS (scipy-openblas32) for the rest.
#pragma once
#include <cstdint>

namespace graphrt {

class ThreadPool;
struct PackedSgemmB;

// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, row-major, split over the intra-op pool (null:
// on the caller's thread). float runs graphrt's AVX-512 kernel where the CPU has AVX-512F and n >= 8
// (sgemm_avx512.h), which splits C into blocks itself; otherwise the larger of m and n is cut into
// blocks, each a single-threaded OpenBLAS call writing its own part of C (OpenBLAS's own workers are
// kept at 1: they spin long after each call and would compete with the pool for the cores). Dimensions
// must fit in int. `packed_b` (float): B as PackSgemmB packed it (kept by a GemmBCache), or null; see
// SgemmAvx512 for when it is used.
void ParallelGemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                  const PackedSgemmB* packed_b = nullptr);
void ParallelGemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                  const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// Whether ParallelGemmBiasRelu can run a float product with n columns (graphrt's own kernel is there).
bool GemmCanAddBias(int64_t n);
// C = op(A) op(B) + bias (per column), then max(., 0) when `relu`, in the product's own store pass.
// Requires GemmCanAddBias(n). `packed_b` as for ParallelGemm.
void ParallelGemmBiasRelu(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                          const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                          const float* bias, bool relu, const PackedSgemmB* packed_b = nullptr);

}  // namespace graphrt
