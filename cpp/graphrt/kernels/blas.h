// OpenBLAS (scipy-openblas32) helpers shared by kernel families: the process-wide thread cap and
// row-major gemm for float and double.
#pragma once
#include <cstdint>

namespace graphrt {

class ThreadPool;
struct PackedSgemmB;

// OpenBLAS's thread count is process-wide (this build exports no per-thread setter). graphrt keeps it
// at 1 and parallelizes products itself (ParallelGemm): OpenBLAS's own workers spin for a long time
// after each call, and on a small machine they then compete with the intra-op pool for the cores.
void SetBlasThreads(int n);

// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, row-major. Dimensions must fit in int. float runs
// graphrt's AVX-512 kernel where the CPU has AVX-512F (sgemm_avx512.h), OpenBLAS otherwise.
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// Gemm split over the intra-op pool (null: on the caller's thread). float with graphrt's kernel
// splits C into blocks itself (sgemm_avx512.h); otherwise the larger of m and n is cut into blocks,
// each a single-threaded OpenBLAS call writing its own part of C. `packed_b` (float): B as
// PackSgemmB packed it (kept by a GemmBCache), or null; see SgemmAvx512 for when it is used.
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
