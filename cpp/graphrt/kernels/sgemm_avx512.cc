#include "graphrt/kernels/sgemm_avx512.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "graphrt/runtime/threadpool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GRAPHRT_HAVE_AVX512_KERNEL 1
#endif

namespace graphrt {

#ifdef GRAPHRT_HAVE_AVX512_KERNEL

bool HaveAvx512() {
  // libgcc's check covers the OS saving the AVX-512 registers (XCR0), not just CPUID.
  static const bool have = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return have;
}

namespace {

constexpr int kMR = 6;             // rows of C per micro-tile
constexpr int kNV = 4;             // 16-float vectors per row of a micro-tile
constexpr int kNR = 16 * kNV;           // columns of C per micro-tile
constexpr int64_t kKC = 128;         // k per pass: a packed B panel (kKC x kNR) stays in L1 across row tiles

#define GRAPHRT_AVX512 __attribute__((target("avx512f")))

// Below this many multiply-adds a product runs on the calling thread alone.
constexpr int64_t kMinParallelWork = int64_t{96} * 96 * 96;

// One R x kNR tile of C over k values [0, kc): accumulators stay in registers for the whole pass.
// A is a packed tile (A(r, p) = a[p * kMR + r]), B a packed panel (B(p, j) = b[p * kNR + j]); columns
// of C past `cols` are masked off.
template <int R>
GRAPHRT_AVX512 void MicroKernel(int64_t kc, const float* a, const float* b, int cols, float alpha, float beta,
                                float* c, int64_t ldc) {
  __mmask16 mask[kNV];
  for (int v = 0; v < kNV; ++v) {
    const int left = cols - 16 * v;
    mask[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1u);
  }
  __m512 acc[R][kNV];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < kNV; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p) {
    __m512 bv[kNV];
    for (int v = 0; v < kNV; ++v) bv[v] = _mm512_loadu_ps(b + p * kNR + 16 * v);
    const float* ap = a + p * kMR;
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ap[r]);
      for (int v = 0; v < kNV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    for (int v = 0; v < kNV; ++v) {
      __m512 x = _mm512_mul_ps(acc[r][v], va);
      if (beta != 0.0f) x = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v), x);
      _mm512_mask_storeu_ps(cr + 16 * v, mask[v], x);
    }
  }
}

template <int R>
GRAPHRT_AVX512 void RowTileUpTo(int rows, int64_t kc, const float* a, const float* b, int cols, float alpha,
                                float beta, float* c, int64_t ldc) {
  if constexpr (R > 1) {
    if (rows < R) return RowTileUpTo<R - 1>(rows, kc, a, b, cols, alpha, beta, c, ldc);
  }
  MicroKernel<R>(kc, a, b, cols, alpha, beta, c, ldc);
}

GRAPHRT_AVX512 void RowTile(int rows, int64_t kc, const float* a, const float* b, int cols, float alpha, float beta,
                            float* c, int64_t ldc) {
  RowTileUpTo<kMR>(rows, kc, a, b, cols, alpha, beta, c, ldc);
}

struct Problem {
  bool trans_a, trans_b;
  int64_t m, n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
};

// Rows [i0, i0 + rows) of A, k values [p0, p0 + kc), as consecutive kc x kMR tiles (p-major; rows
// past the end zero): the micro-kernel's broadcasts then read one sequential stream.
void PackA(const Problem& P, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* dst) {
  for (int64_t t = 0; t * kMR < rows; ++t, dst += kc * kMR) {
    const int64_t r0 = i0 + t * kMR;
    const int live = static_cast<int>(std::min<int64_t>(kMR, P.m - r0));
    if (P.trans_a) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = P.a + (p0 + p) * P.lda + r0;
        for (int r = 0; r < kMR; ++r) dst[p * kMR + r] = r < live ? src[r] : 0.0f;
      }
    } else {
      if (live < kMR) std::fill(dst, dst + kc * kMR, 0.0f);
      for (int r = 0; r < live; ++r) {
        const float* src = P.a + (r0 + r) * P.lda + p0;
        for (int64_t p = 0; p < kc; ++p) dst[p * kMR + r] = src[p];
      }
    }
  }
}

// Columns [j0, j0 + cols) of B (cols <= kNR), k values [p0, p0 + kc), as one kc x kNR panel
// (columns past `cols` zero): contiguous loads from L1, where the rows of a wide row-major B would
// sit a multiple of 4 KiB apart and evict each other.
void PackB(const Problem& P, int64_t j0, int cols, int64_t p0, int64_t kc, float* dst) {
  if (cols < kNR) std::fill(dst, dst + kc * kNR, 0.0f);
  if (P.trans_b) {
    for (int j = 0; j < cols; ++j) {
      const float* src = P.b + (j0 + j) * P.ldb + p0;
      for (int64_t p = 0; p < kc; ++p) dst[p * kNR + j] = src[p];
    }
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = P.b + (p0 + p) * P.ldb + j0;
      std::copy(src, src + cols, dst + p * kNR);
    }
  }
}

int64_t RoundUp(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// C rows [i0, i1) x columns [j0, j1), over all of k. `shared_a`: A already packed whole (pass q at
// q * kKC * RoundUp(m, kMR), row tiles within it), or null to pack these rows here.
GRAPHRT_AVX512 void ComputeBlock(const Problem& P, int64_t i0, int64_t i1, int64_t j0, int64_t j1,
                                 const float* shared_a) {
  thread_local std::vector<float> apack, bpack;
  const int64_t rows = i1 - i0;
  bpack.resize(static_cast<size_t>(kKC * kNR));
  if (shared_a == nullptr) apack.resize(static_cast<size_t>(RoundUp(rows, kMR) * kKC));
  for (int64_t p0 = 0; p0 < P.k; p0 += kKC) {
    const int64_t kc = std::min(kKC, P.k - p0);
    const float pass_beta = p0 == 0 ? P.beta : 1.0f;  // later passes add to what earlier ones wrote
    const float* at;
    if (shared_a != nullptr) {
      at = shared_a + p0 * RoundUp(P.m, kMR) + (i0 / kMR) * kc * kMR;
    } else {
      PackA(P, i0, rows, p0, kc, apack.data());
      at = apack.data();
    }
    for (int64_t j = j0; j < j1; j += kNR) {
      const int cols = static_cast<int>(std::min<int64_t>(kNR, j1 - j));
      PackB(P, j, cols, p0, kc, bpack.data());
      for (int64_t i = i0; i < i1; i += kMR) {
        RowTile(static_cast<int>(std::min<int64_t>(kMR, i1 - i)), kc, at + ((i - i0) / kMR) * kc * kMR,
                bpack.data(), cols, P.alpha, pass_beta, P.c + i * P.ldc + j, P.ldc);
      }
    }
  }
}

}  // namespace

void SgemmAvx512(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    return;
  }
  const Problem P{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc};
  const int threads = pool == nullptr ? 1 : pool->num_threads() + 1;
  if (threads == 1 || m * n * k < kMinParallelWork) {
    ComputeBlock(P, 0, m, 0, n, nullptr);
    return;
  }
  // Blocks of C claimed one at a time by whichever thread is free, several per thread: a pool worker
  // that wakes late takes what is left instead of holding the step up with a fixed half.
  std::atomic<int64_t> next{0};
  std::vector<float> shared_a;
  int64_t blocks, block_rows = m, block_cols = n;
  if (n >= 2 * kNR * threads) {
    // Column blocks, one micro-panel wide; A is packed once for all of them.
    block_cols = kNR;
    blocks = (n + kNR - 1) / kNR;
    const int64_t mp = RoundUp(m, kMR);
    shared_a.resize(static_cast<size_t>(mp * k));
    for (int64_t p0 = 0; p0 < k; p0 += kKC) PackA(P, 0, m, p0, std::min(kKC, k - p0), shared_a.data() + p0 * mp);
  } else {
    block_rows = std::max<int64_t>(kMR, RoundUp((m + 4 * threads - 1) / (4 * threads), kMR));
    blocks = (m + block_rows - 1) / block_rows;
  }
  const float* sa = shared_a.empty() ? nullptr : shared_a.data();
  pool->ParallelFor(threads, 1, [&](int64_t, int64_t) {
    for (int64_t blk = next.fetch_add(1); blk < blocks; blk = next.fetch_add(1)) {
      if (block_cols < n) {
        ComputeBlock(P, 0, m, blk * block_cols, std::min(n, (blk + 1) * block_cols), sa);
      } else {
        ComputeBlock(P, blk * block_rows, std::min(m, (blk + 1) * block_rows), 0, n, nullptr);
      }
    }
  });
}

#else  // no AVX-512 kernel on this compiler/architecture

bool HaveAvx512() { return false; }
void SgemmAvx512(ThreadPool*, bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                 int64_t, float, float*, int64_t) {}

#endif

}  // namespace graphrt
