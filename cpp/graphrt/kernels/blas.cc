#include "graphrt/kernels/blas.h"

#include <cblas.h>

#include <atomic>
#include <mutex>

namespace graphrt {

void SetBlasThreads(int n) {
  static std::atomic<int> current{-1};
  static std::mutex mu;
  if (current.load(std::memory_order_relaxed) == n) return;
  std::lock_guard<std::mutex> lock(mu);
  if (current.load() != n) {
    scipy_openblas_set_num_threads(n);
    current.store(n);
  }
}

void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  scipy_cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                    int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  scipy_cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                    int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

}  // namespace graphrt
