// OpenBLAS (scipy-openblas32) helpers shared by kernel families: the process-wide thread cap and
// row-major gemm for float and double.
#pragma once
#include <cstdint>

namespace graphrt {

// OpenBLAS's thread count is process-wide (this build exports no per-thread setter); it is changed
// only when a call wants a different width, so sessions with one intra-op setting never pay for it.
void SetBlasThreads(int n);

// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, row-major. Dimensions must fit in int.
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace graphrt
