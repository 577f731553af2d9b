#include "graphrt/kernels/blas.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <type_traits>

#include "graphrt/kernels/sgemm_avx512.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

namespace {

// Very narrow products (n < 8) would leave most of a 16-float vector idle: OpenBLAS does them better.
bool UseOwnKernel(int64_t n) { return n >= 8 && HaveAvx512(); }

// OpenBLAS's thread count is process-wide (this build exports no per-thread setter). graphrt keeps it
// at 1 and splits products itself: OpenBLAS's own workers spin for a long time after each call, and on
// a small machine they then compete with the intra-op pool for the cores.
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

// One single-threaded OpenBLAS call. Dimensions must fit in int.
void OpenBlasGemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                  int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  scipy_cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                    int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}
void OpenBlasGemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                  int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  scipy_cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                    int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// Below this many multiply-adds a product is not worth waking another thread for.
constexpr int64_t kMinParallelGemmWork = int64_t{96} * 96 * 96;

template <typename T>
void ParallelGemmT(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                   const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc,
                   const PackedSgemmB* packed_b) {
  if (std::is_same<T, float>::value && UseOwnKernel(n)) {
    SgemmAvx512(pool, trans_a, trans_b, m, n, k, float(alpha), reinterpret_cast<const float*>(a), lda,
                reinterpret_cast<const float*>(b), ldb, float(beta), reinterpret_cast<float*>(c), ldc, nullptr, false,
                packed_b);
    return;
  }
  SetBlasThreads(1);
  const int threads = pool == nullptr ? 1 : pool->num_threads() + 1;
  if (threads == 1 || m * n * k < kMinParallelGemmWork) {
    OpenBlasGemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Cut C by rows (m) or columns (n) into about four blocks per thread, in multiples of OpenBLAS's
  // register tile, claimed one at a time (ParallelForEach).
  const bool split_m = m >= n;
  const int64_t dim = split_m ? m : n;
  const int64_t align = split_m ? 8 : 16;
  const int64_t per = (dim + 4 * threads - 1) / (4 * threads);
  const int64_t block = std::max<int64_t>(align, (per + align - 1) / align * align);
  pool->ParallelForEach((dim + block - 1) / block, [&](int64_t s) {
    const int64_t i0 = s * block, len = std::min(dim, i0 + block) - i0;
    if (split_m) {
      OpenBlasGemm(trans_a, trans_b, len, n, k, alpha, trans_a ? a + i0 : a + i0 * lda, lda, b, ldb, beta,
                   c + i0 * ldc, ldc);
    } else {
      OpenBlasGemm(trans_a, trans_b, m, len, k, alpha, a, lda, trans_b ? b + i0 * ldb : b + i0, ldb, beta, c + i0,
                   ldc);
    }
  });
}

}  // namespace

bool GemmCanAddBias(int64_t n) { return UseOwnKernel(n); }

void ParallelGemmBiasRelu(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                          const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                          const float* bias, bool relu, const PackedSgemmB* packed_b) {
  SgemmAvx512(pool, trans_a, trans_b, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc, bias, relu, packed_b);
}

void ParallelGemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                  const PackedSgemmB* packed_b) {
  ParallelGemmT(pool, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, packed_b);
}

void ParallelGemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                  const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  ParallelGemmT(pool, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nullptr);
}

}  // namespace graphrt
