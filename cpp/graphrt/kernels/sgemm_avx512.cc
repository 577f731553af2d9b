#include "graphrt/kernels/sgemm_avx512.h"

#include <algorithm>
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

#define GRAPHRT_AVX512 __attribute__((target("avx512f")))

// Below this many multiply-adds a product runs on the calling thread alone.
constexpr int64_t kMinParallelWork = int64_t{96} * 96 * 96;

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
  const float* bias;  // per column, added after the product (null: none)
  bool relu;          // then max(., 0) (only with a bias)
};

int64_t RoundUp(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// One register-tiling of the product: micro-tiles of MR rows x NV 16-float vectors, k in passes of KC.
// Wide products use 6 x 64 (24 accumulators, 10 loads per 24 multiply-adds); narrow ones (n <= 32,
// n <= 16) use 12 x 32 and 16 x 16 so the lanes are not spent on columns that do not exist.
template <int MR, int NV, int64_t KC>
struct Tiling {
  static constexpr int kMR = MR;
  static constexpr int kNR = 16 * NV;

  // k per pass: at most KC, and the passes equally long (k = 784 runs 7 passes of 112, not 6 of 128
  // and one of 16 whose C reload and store would cost as much as its arithmetic).
  static int64_t PassLength(int64_t k) {
    const int64_t passes = (k + KC - 1) / KC;
    return (k + passes - 1) / passes;
  }

  // One R x kNR tile of C over k values [0, kc): accumulators stay in registers for the whole pass.
  // A(r, p) = a[r * ars + p * aps] (a packed tile: ars = 1, aps = MR); B is a packed panel
  // (B(p, j) = b[p * kNR + j]); columns of C past `cols` are masked off.
  template <int R>
  GRAPHRT_AVX512 static void MicroKernel(int64_t kc, const float* a, int64_t ars, int64_t aps, const float* b,
                                         int cols, float alpha, float beta, float* c, int64_t ldc, const float* bias,
                                         bool relu) {
    __mmask16 mask[NV];
    for (int v = 0; v < NV; ++v) {
      const int left = cols - 16 * v;
      mask[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1u);
    }
    __m512 acc[R][NV];
    for (int r = 0; r < R; ++r) {
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    }
    for (int64_t p = 0; p < kc; ++p) {
      __m512 bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + p * kNR + 16 * v);
      const float* ap = a + p * aps;
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(ap[r * ars]);
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
      }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc;
      for (int v = 0; v < NV; ++v) {
        __m512 x = _mm512_mul_ps(acc[r][v], va);
        if (beta != 0.0f) x = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v), x);
        if (bias != nullptr) {
          // The BiasAdd and Relu of a fused MatMul: v + b, then (t > 0 ? t : 0) as the Relu kernel
          // computes it (NaN and -0 give +0).
          x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask[v], bias + 16 * v));
          if (relu) x = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), x);
        }
        _mm512_mask_storeu_ps(cr + 16 * v, mask[v], x);
      }
    }
  }

  template <int R>
  GRAPHRT_AVX512 static void RowTile(int rows, int64_t kc, const float* a, int64_t ars, int64_t aps, const float* b,
                                     int cols, float alpha, float beta, float* c, int64_t ldc, const float* bias,
                                     bool relu) {
    if constexpr (R > 1) {
      if (rows < R) return RowTile<R - 1>(rows, kc, a, ars, aps, b, cols, alpha, beta, c, ldc, bias, relu);
    }
    MicroKernel<R>(kc, a, ars, aps, b, cols, alpha, beta, c, ldc, bias, relu);
  }

  // Rows [i0, i0 + rows) of A, k values [p0, p0 + kc), as consecutive kc x MR tiles (p-major; rows
  // past the end zero): the micro-kernel's broadcasts then read one sequential stream.
  static void PackA(const Problem& P, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* dst) {
    for (int64_t t = 0; t * MR < rows; ++t, dst += kc * MR) {
      const int64_t r0 = i0 + t * MR;
      const int live = static_cast<int>(std::min<int64_t>(MR, P.m - r0));
      if (P.trans_a) {
        for (int64_t p = 0; p < kc; ++p) {
          const float* src = P.a + (p0 + p) * P.lda + r0;
          for (int r = 0; r < MR; ++r) dst[p * MR + r] = r < live ? src[r] : 0.0f;
        }
      } else {
        if (live < MR) std::fill(dst, dst + kc * MR, 0.0f);
        for (int r = 0; r < live; ++r) {
          const float* src = P.a + (r0 + r) * P.lda + p0;
          for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = src[p];
        }
      }
    }
  }

  // Columns [j0, j0 + cols) of B (cols <= kNR), k values [p0, p0 + kc), as one kc x kNR panel
  // (columns past `cols` zero): contiguous loads from L1, where the rows of a wide row-major B would
  // sit a multiple of 4 KiB apart and evict each other.
  static void PackB(const Problem& P, int64_t j0, int cols, int64_t p0, int64_t kc, float* dst) {
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

  // Whether to pack A: it pays for tall products, whose many row tiles would otherwise stream A from
  // far away for every column panel; a short A (a batch of 64 rows, say) stays in L1/L2 read in
  // place, and packing it would be pure copying.
  static bool PackAFor(int64_t m) { return m >= 256; }

  // C rows [i0, i1) x columns [j0, j1), over all of k. `shared_a`: A already packed whole (pass at p0
  // starts at p0 * RoundUp(m, MR), row tiles within it), or null. Without it A is packed here when
  // it is tall and several column panels reuse it, else read in place.
  GRAPHRT_AVX512 static void ComputeBlock(const Problem& P, int64_t i0, int64_t i1, int64_t j0, int64_t j1,
                                          const float* shared_a) {
    thread_local std::vector<float> apack, bpack;
    const int64_t rows = i1 - i0;
    const bool pack_a = shared_a == nullptr && j1 - j0 > kNR && PackAFor(P.m);
    bpack.resize(static_cast<size_t>(KC * kNR));
    if (pack_a) apack.resize(static_cast<size_t>(RoundUp(rows, MR) * KC));
    const int64_t step = PassLength(P.k);
    for (int64_t p0 = 0; p0 < P.k; p0 += step) {
      const int64_t kc = std::min(step, P.k - p0);
      const float pass_beta = p0 == 0 ? P.beta : 1.0f;  // later passes add to what earlier ones wrote
      const float* at = nullptr;
      if (shared_a != nullptr) {
        at = shared_a + p0 * RoundUp(P.m, MR) + (i0 / MR) * kc * MR;
      } else if (pack_a) {
        PackA(P, i0, rows, p0, kc, apack.data());
        at = apack.data();
      }
      for (int64_t j = j0; j < j1; j += kNR) {
        const int cols = static_cast<int>(std::min<int64_t>(kNR, j1 - j));
        PackB(P, j, cols, p0, kc, bpack.data());
        // The bias and Relu go on with the last pass's store.
        const float* bias = P.bias != nullptr && p0 + kc >= P.k ? P.bias + j : nullptr;
        for (int64_t i = i0; i < i1; i += MR) {
          const int live = static_cast<int>(std::min<int64_t>(MR, i1 - i));
          float* ct = P.c + i * P.ldc + j;
          if (at != nullptr) {
            RowTile<MR>(live, kc, at + ((i - i0) / MR) * kc * MR, 1, MR, bpack.data(), cols, P.alpha, pass_beta, ct,
                        P.ldc, bias, P.relu);
          } else if (P.trans_a) {
            RowTile<MR>(live, kc, P.a + p0 * P.lda + i, 1, P.lda, bpack.data(), cols, P.alpha, pass_beta, ct, P.ldc,
                        bias, P.relu);
          } else {
            RowTile<MR>(live, kc, P.a + i * P.lda + p0, P.lda, 1, bpack.data(), cols, P.alpha, pass_beta, ct, P.ldc,
                        bias, P.relu);
          }
        }
      }
    }
  }

  static void Run(ThreadPool* pool, const Problem& P) {
    const int64_t m = P.m, n = P.n, k = P.k;
    const int threads = pool == nullptr ? 1 : pool->num_threads() + 1;
    if (threads == 1 || m * n * k < kMinParallelWork) {
      ComputeBlock(P, 0, m, 0, n, nullptr);
      return;
    }
    // Blocks of C claimed one at a time by whichever thread is free (ParallelForEach), several per
    // thread: a pool worker that wakes late takes what is left instead of a fixed half.
    const float* sa = nullptr;
    int64_t blocks, block_rows = m, block_cols = n;
    if (n >= 2 * kNR * threads) {
      // Column blocks, two per thread (a block reuses each pass's A panel from L2 for all its column
      // panels, so blocks are as wide as balance allows); a tall A is packed once for all of them,
      // into this thread's buffer (kept for the next call: no allocation per product).
      block_cols = RoundUp((n + 2 * threads - 1) / (2 * threads), kNR);
      blocks = (n + block_cols - 1) / block_cols;
      if (PackAFor(m)) {
        thread_local std::vector<float> shared_a;
        const int64_t mp = RoundUp(m, MR);
        if (shared_a.size() < static_cast<size_t>(mp * k)) shared_a.resize(static_cast<size_t>(mp * k));
        const int64_t step = PassLength(k);
        for (int64_t p0 = 0; p0 < k; p0 += step) {
          PackA(P, 0, m, p0, std::min(step, k - p0), shared_a.data() + p0 * mp);
        }
        sa = shared_a.data();
      }
    } else {
      block_rows = std::max<int64_t>(MR, RoundUp((m + 4 * threads - 1) / (4 * threads), MR));
      blocks = (m + block_rows - 1) / block_rows;
    }
    pool->ParallelForEach(blocks, [&](int64_t blk) {
      if (block_cols < n) {
        ComputeBlock(P, 0, m, blk * block_cols, std::min(n, (blk + 1) * block_cols), sa);
      } else {
        ComputeBlock(P, blk * block_rows, std::min(m, (blk + 1) * block_rows), 0, n, nullptr);
      }
    });
  }
};

}  // namespace

void SgemmAvx512(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                 const float* bias, bool relu) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float v = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        if (bias != nullptr) {
          v = v + bias[j];
          if (relu) v = v > 0.0f ? v : 0.0f;
        }
        c[i * ldc + j] = v;
      }
    }
    return;
  }
  const Problem P{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, bias != nullptr && relu};
  if (n <= 16) {
    Tiling<16, 1, 256>::Run(pool, P);
  } else if (n <= 32) {
    Tiling<12, 2, 256>::Run(pool, P);
  } else {
    Tiling<6, 4, 128>::Run(pool, P);
  }
}

#else  // no AVX-512 kernel on this compiler/architecture

bool HaveAvx512() { return false; }
void SgemmAvx512(ThreadPool*, bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                 int64_t, float, float*, int64_t, const float*, bool) {}

#endif

}  // namespace graphrt
