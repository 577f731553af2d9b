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

// Below this many multiply-adds a product runs on the calling thread alone, unless its B is at
// least kMinParallelB floats: a product of a few rows (batch 1 inference) is bound by streaming B
// from memory, and each thread then streams its own columns (1 x 784 x 512 with B packed: 2.5x
// faster on 2 threads).
constexpr int64_t kMinParallelWork = int64_t{96} * 96 * 96;
constexpr int64_t kMinParallelB = int64_t{1} << 17;
// Most rows of C a block that packs its own A covers (bounds that buffer to kMaxBlockRows x KC
// floats), and the largest A (floats) packed whole once for all column blocks; past it, blocks pack
// their own rows.
constexpr int64_t kMaxBlockRows = 512;
constexpr int64_t kMaxSharedA = int64_t{1} << 22;

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
  const float* packed_b = nullptr;  // B packed whole (Tiling::PackWhole's layout), or null
};

int64_t RoundUp(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// The first `live` of 16 lanes (none when live <= 0, all from 16 on).
__mmask16 LaneMask(int live) {
  return live >= 16 ? __mmask16(0xFFFF) : live <= 0 ? __mmask16(0) : __mmask16((1u << live) - 1u);
}

// r[i] becomes column i of the 16 x 16 block whose rows were r[0..15]: pairs of rows interleaved
// by 32 and 64 bits, then 128-bit lanes gathered in two rounds.
GRAPHRT_AVX512 inline void Transpose16x16(__m512 r[16]) {
  // The masked forms with every lane set are the same instructions; the plain ones start from
  // _mm512_undefined_ps(), which GCC 12 reports as maybe-uninitialized.
  constexpr __mmask16 kAll = 0xFFFF;
  constexpr __mmask8 kAll8 = 0xFF;
  __m512 t[16], u[16], v[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_mask_unpacklo_ps(r[i], kAll, r[i], r[i + 1]);
    t[i + 1] = _mm512_mask_unpackhi_ps(r[i], kAll, r[i], r[i + 1]);
  }
  // u[4g + c]: in 128-bit lane L, column 4L + c of rows 4g .. 4g + 3.
  for (int g = 0; g < 4; ++g) {
    const __m512d lo0 = _mm512_castps_pd(t[4 * g]), hi0 = _mm512_castps_pd(t[4 * g + 1]);
    const __m512d lo1 = _mm512_castps_pd(t[4 * g + 2]), hi1 = _mm512_castps_pd(t[4 * g + 3]);
    u[4 * g] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(lo0, kAll8, lo0, lo1));
    u[4 * g + 1] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(lo0, kAll8, lo0, lo1));
    u[4 * g + 2] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(hi0, kAll8, hi0, hi1));
    u[4 * g + 3] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(hi0, kAll8, hi0, hi1));
  }
  for (int c = 0; c < 4; ++c) {
    v[c] = _mm512_mask_shuffle_f32x4(u[c], kAll, u[c], u[4 + c], 0x88);
    v[4 + c] = _mm512_mask_shuffle_f32x4(u[c], kAll, u[c], u[4 + c], 0xdd);
    v[8 + c] = _mm512_mask_shuffle_f32x4(u[8 + c], kAll, u[8 + c], u[12 + c], 0x88);
    v[12 + c] = _mm512_mask_shuffle_f32x4(u[8 + c], kAll, u[8 + c], u[12 + c], 0xdd);
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm512_mask_shuffle_f32x4(v[c], kAll, v[c], v[8 + c], 0x88);
    r[8 + c] = _mm512_mask_shuffle_f32x4(v[c], kAll, v[c], v[8 + c], 0xdd);
    r[4 + c] = _mm512_mask_shuffle_f32x4(v[4 + c], kAll, v[4 + c], v[12 + c], 0x88);
    r[12 + c] = _mm512_mask_shuffle_f32x4(v[4 + c], kAll, v[4 + c], v[12 + c], 0xdd);
  }
}

// One register-tiling of the product: micro-tiles of MR rows x NV 16-float vectors, k in passes of KC.
// Wide products use 6 x 64 (24 accumulators, 10 loads per 24 multiply-adds) with k passes of up to
// 1024: the kc x 64 B panel then sits in L2 (the row tiles stream it from there) and C is loaded and
// stored once per 1024 k instead of once per 128 (measured: 1024^3 +15%, 64x784x512 +3%). Narrow
// ones (n <= 32, n <= 16) use 12 x 32 and 16 x 16 so the lanes are not spent on columns that do not
// exist.
template <int MR, int NV, int64_t KC>
struct Tiling {
  static constexpr int kMR = MR;
  static constexpr int kNR = 16 * NV;
  // The wide tiling runs short blocks as twice-as-tall tiles over half panels (see ComputeBlock).
  static constexpr bool kSplitsPanel = MR == 6 && NV == 4;

  // k per pass: at most KC, and the passes equally long (k = 784 with KC = 256 runs 4 passes of 196,
  // not 3 of 256 and one of 16 whose C reload and store would cost as much as its arithmetic).
  static int64_t PassLength(int64_t k) {
    const int64_t passes = (k + KC - 1) / KC;
    return (k + passes - 1) / passes;
  }

  // Lane masks of a panel row's NV vectors when only its first `cols` columns exist.
  static void ColumnMasks(int cols, __mmask16* mask) {
    for (int v = 0; v < NV; ++v) mask[v] = LaneMask(cols - 16 * v);
  }

  // Where a row tile at row i (of a block starting at i0) reads A for the pass at p0: a[r * ars + p * aps].
  struct ATile {
    const float* a;
    int64_t ars, aps;
  };
  static ATile ATileAt(const Problem& P, const float* packed, int64_t i0, int64_t i, int64_t p0, int64_t kc) {
    if (packed != nullptr) return {packed + ((i - i0) / MR) * kc * MR, 1, MR};
    if (P.trans_a) return {P.a + p0 * P.lda + i, 1, P.lda};
    return {P.a + i * P.lda + p0, P.lda, 1};
  }

  // One R x kNR tile of C over k values [0, kc): accumulators stay in registers for the whole pass.
  // A(r, p) = a[r * ars + p * aps] (a packed tile: ars = 1, aps = MR); B(p, j) = b[p * bs + j]: a
  // packed panel (bs = kNR) or a full-width panel of a row-major B read in place (bs = ldb). With
  // kCopyB each row read is also stored into the packed panel `bcopy` for the next row tiles: the
  // packing rides on this tile's multiply-adds instead of being a separate pass that waits on
  // memory. Columns of C past `cols` are masked off.
  template <int R, bool kCopyB>
  GRAPHRT_AVX512 static void MicroKernel(int64_t kc, const float* a, int64_t ars, int64_t aps, const float* b,
                                         int64_t bs, float* bcopy, int cols, float alpha, float beta, float* c,
                                         int64_t ldc, const float* bias, bool relu) {
    __mmask16 mask[NV];
    ColumnMasks(cols, mask);
    __m512 acc[R][NV];
    for (int r = 0; r < R; ++r) {
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    }
    for (int64_t p = 0; p < kc; ++p) {
      __m512 bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + p * bs + 16 * v);
      if constexpr (kCopyB) {
        for (int v = 0; v < NV; ++v) _mm512_storeu_ps(bcopy + p * kNR + 16 * v, bv[v]);
      }
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

  template <int R, bool kCopyB>
  GRAPHRT_AVX512 static void RowTile(int rows, int64_t kc, const float* a, int64_t ars, int64_t aps, const float* b,
                                     int64_t bs, float* bcopy, int cols, float alpha, float beta, float* c,
                                     int64_t ldc, const float* bias, bool relu) {
    if constexpr (R > 1) {
      if (rows < R) {
        return RowTile<R - 1, kCopyB>(rows, kc, a, ars, aps, b, bs, bcopy, cols, alpha, beta, c, ldc, bias, relu);
      }
    }
    MicroKernel<R, kCopyB>(kc, a, ars, aps, b, bs, bcopy, cols, alpha, beta, c, ldc, bias, relu);
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
  // (columns past `cols` zero): the row tiles then stream it sequentially from cache, where the rows
  // of a wide row-major B sit a multiple of 2-4 KiB apart, map to a few cache sets and evict each other
  // (reading B in place for every row tile measured 10% slower at 64 x 784 x 512).
  GRAPHRT_AVX512 static void PackB(const Problem& P, int64_t j0, int cols, int64_t p0, int64_t kc, float* dst) {
    if (P.trans_b) {
      // B's columns are rows of memory: 16 x 16 blocks are loaded row-wise and transposed in registers
      // (an element-by-element copy here made a transposed product twice as slow as a plain one).
      for (int jb = 0; jb < kNR; jb += 16) {
        const int live_j = std::max(0, std::min(16, cols - jb));
        for (int64_t p = 0; p < kc; p += 16) {
          const int live_p = static_cast<int>(std::min<int64_t>(16, kc - p));
          const __mmask16 pm = LaneMask(live_p);
          __m512 r[16];
          for (int i = 0; i < 16; ++i) {
            if (i >= live_j) {
              r[i] = _mm512_setzero_ps();
              continue;
            }
            const float* src = P.b + (j0 + jb + i) * P.ldb + p0 + p;
            r[i] = live_p == 16 ? _mm512_loadu_ps(src) : _mm512_maskz_loadu_ps(pm, src);
          }
          Transpose16x16(r);
          for (int t = 0; t < live_p; ++t) _mm512_storeu_ps(dst + (p + t) * kNR + jb, r[t]);
        }
      }
    } else {
      // Masked vector copies, zeros past `cols` (a library memmove per short row costs more than the
      // row itself).
      __mmask16 mask[NV];
      ColumnMasks(cols, mask);
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = P.b + (p0 + p) * P.ldb + j0;
        for (int v = 0; v < NV; ++v) {
          _mm512_storeu_ps(dst + p * kNR + 16 * v, _mm512_maskz_loadu_ps(mask[v], src + 16 * v));
        }
      }
    }
  }

  // Where PackWhole puts the panel of columns [j, j + kNR) for the pass at p0 (kc long): passes one
  // after another (all but the last kc long, so a pass starts at p0 x the padded width), panels in
  // column order within a pass.
  static int64_t PanelOffset(int64_t n, int64_t p0, int64_t j, int64_t kc) {
    return p0 * RoundUp(n, kNR) + (j / kNR) * kc * kNR;
  }

  // All of B as the panels ComputeBlock reads, for PackSgemmB.
  static void PackWhole(const Problem& P, float* dst) {
    const int64_t step = PassLength(P.k);
    for (int64_t p0 = 0; p0 < P.k; p0 += step) {
      const int64_t kc = std::min(step, P.k - p0);
      for (int64_t j = 0; j < P.n; j += kNR) {
        PackB(P, j, static_cast<int>(std::min<int64_t>(kNR, P.n - j)), p0, kc, dst + PanelOffset(P.n, p0, j, kc));
      }
    }
  }

  // Whether to pack A: it pays for tall products, whose many row tiles would otherwise stream A from
  // far away for every column panel; a short A (a batch of 64 rows, say) stays in L1/L2 read in
  // place, and packing it would be pure copying.
  static bool PackAFor(int64_t m) { return m >= 256; }

  // C rows [i0, i1) x columns [j0, j1), over all of k. `shared_a`: A already packed whole (pass at p0
  // starts at p0 * RoundUp(m, MR), row tiles within it), or null. Without it A is packed here when
  // it is tall and several column panels reuse it, else read in place. Each B panel comes from
  // P.packed_b when given, else is read in place (one row pass), packed by the first row tile as it
  // reads it, or packed apart (transposed or narrow panels); a block of 7-9 rows runs tall tiles
  // over half panels (see below).
  GRAPHRT_AVX512 static void ComputeBlock(const Problem& P, int64_t i0, int64_t i1, int64_t j0, int64_t j1,
                                          const float* shared_a) {
    thread_local std::vector<float> apack, bpack;
    const int64_t rows = i1 - i0;
    const bool pack_a = shared_a == nullptr && j1 - j0 > kNR && PackAFor(P.m);
    if (P.packed_b == nullptr) bpack.resize(static_cast<size_t>(KC * kNR));
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
        // With B packed ahead (PackWhole), every row tile reads its panel from there.
        const float* prepacked = P.packed_b != nullptr ? P.packed_b + PanelOffset(P.n, p0, j, kc) : nullptr;
        // Else a full-width panel of a row-major B is packed by the first row tile as it reads it
        // (masked loads there, for a narrower panel, measured 20% slower on the whole product than
        // packing it apart).
        const bool copy_in_first = prepacked == nullptr && !P.trans_b && cols == kNR;
        // A short block of 7 to 9 rows (a batch of 8, say) runs as one pass of 12-row x 32-column tiles
        // over the panel's two halves, not a 6-row tile and a thin remainder: every tile streams the
        // whole panel, which for a thin one costs as much as its arithmetic (8 x 784 x 512: -15% on
        // one thread, -23% on two). From 10 rows on, the 6 x 64 tiles' fewer loads win.
        const bool tall = kSplitsPanel && at == nullptr && rows > MR && rows <= MR + 3;
        // A block of one row pass reads such a panel in place: no reuse to pack for.
        const bool in_place = copy_in_first && (rows <= MR || tall);
        if (prepacked == nullptr && !copy_in_first) PackB(P, j, cols, p0, kc, bpack.data());
        const float* panel = prepacked != nullptr ? prepacked : bpack.data();
        const float* b_in_place = P.b + p0 * P.ldb + j;  // read only when copy_in_first
        // The bias and Relu go on with the last pass's store.
        const float* bias = P.bias != nullptr && p0 + kc >= P.k ? P.bias + j : nullptr;
        if constexpr (kSplitsPanel) {
          if (tall) {
            using Half = Tiling<2 * MR, NV / 2, KC>;
            const float* b = in_place ? b_in_place : panel;
            const int64_t bs = in_place ? P.ldb : kNR;
            const ATile A = ATileAt(P, nullptr, i0, i0, p0, kc);
            for (int h = 0; h * Half::kNR < cols; ++h) {
              const int off = h * Half::kNR;
              Half::template RowTile<2 * MR, false>(static_cast<int>(rows), kc, A.a, A.ars, A.aps, b + off, bs, nullptr,
                                                     std::min(Half::kNR, cols - off), P.alpha, pass_beta,
                                                     P.c + i0 * P.ldc + j + off, P.ldc,
                                                     bias != nullptr ? bias + off : nullptr, P.relu);
            }
            continue;
          }
        }
        for (int64_t i = i0; i < i1; i += MR) {
          const int live = static_cast<int>(std::min<int64_t>(MR, i1 - i));
          float* ct = P.c + i * P.ldc + j;
          const ATile A = ATileAt(P, at, i0, i, p0, kc);
          if (in_place) {
            RowTile<MR, false>(live, kc, A.a, A.ars, A.aps, b_in_place, P.ldb, nullptr, cols, P.alpha, pass_beta, ct,
                               P.ldc, bias, P.relu);
          } else if (copy_in_first && i == i0) {
            RowTile<MR, true>(live, kc, A.a, A.ars, A.aps, b_in_place, P.ldb, bpack.data(), cols, P.alpha, pass_beta,
                              ct, P.ldc, bias, P.relu);
          } else {
            RowTile<MR, false>(live, kc, A.a, A.ars, A.aps, panel, kNR, nullptr, cols, P.alpha, pass_beta, ct, P.ldc,
                               bias, P.relu);
          }
        }
      }
    }
  }

  static void Run(ThreadPool* pool, const Problem& P) {
    const int64_t m = P.m, n = P.n, k = P.k;
    const int threads = pool == nullptr ? 1 : pool->num_threads() + 1;
    if (threads == 1 || (m * n * k < kMinParallelWork && k * n < kMinParallelB)) {
      // Row blocks bound the packed-A buffer (kMaxBlockRows x KC floats) however tall A is.
      for (int64_t i0 = 0; i0 < m; i0 += kMaxBlockRows) {
        ComputeBlock(P, i0, std::min(m, i0 + kMaxBlockRows), 0, n, nullptr);
      }
      return;
    }
    // Blocks of C claimed one at a time by whichever thread is free (ParallelForEach), several per
    // thread: a pool worker that wakes late takes what is left instead of a fixed half.
    const int64_t mp = RoundUp(m, MR);
    const bool shared_pack = PackAFor(m) && mp * k <= kMaxSharedA;
    const float* sa = nullptr;
    int64_t blocks, block_rows = m, block_cols = n;
    if (n >= 2 * kNR * threads && (!PackAFor(m) || shared_pack)) {
      // Column blocks, two per thread (a block reuses each pass's A panel from L2 for all its column
      // panels, so blocks are as wide as balance allows); a tall A is packed once for all of them,
      // into this thread's buffer (kept for the next call: no allocation per product).
      block_cols = RoundUp((n + 2 * threads - 1) / (2 * threads), kNR);
      blocks = (n + block_cols - 1) / block_cols;
      if (shared_pack) {
        thread_local std::vector<float> shared_a;
        if (shared_a.size() < static_cast<size_t>(mp * k)) shared_a.resize(static_cast<size_t>(mp * k));
        const int64_t step = PassLength(k);
        for (int64_t p0 = 0; p0 < k; p0 += step) {
          PackA(P, 0, m, p0, std::min(step, k - p0), shared_a.data() + p0 * mp);
        }
        sa = shared_a.data();
      }
    } else {
      block_rows = std::min(kMaxBlockRows, std::max<int64_t>(MR, RoundUp((m + 4 * threads - 1) / (4 * threads), MR)));
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

// The tiling of wide products, the only one that reads a prepacked B.
using WideTiling = Tiling<6, 4, 1024>;
constexpr int64_t kMaxNarrowN = 32;

}  // namespace

bool SgemmUsesPackedB(int64_t n) { return HaveAvx512() && n > kMaxNarrowN; }

std::unique_ptr<PackedSgemmB> PackSgemmB(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb) {
  if (!SgemmUsesPackedB(n) || k <= 0) return nullptr;
  auto packed = std::make_unique<PackedSgemmB>();
  packed->trans_b = trans_b;
  packed->k = k;
  packed->n = n;
  packed->data.resize(static_cast<size_t>(k * RoundUp(n, WideTiling::kNR)));
  Problem P{false, trans_b, 0, n, k, 1.0f, nullptr, 0, b, ldb, 0.0f, nullptr, 0, nullptr, false};
  WideTiling::PackWhole(P, packed->data.data());
  return packed;
}

void SgemmAvx512(ThreadPool* pool, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                 const float* bias, bool relu, const PackedSgemmB* packed_b) {
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
  Problem P{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, bias != nullptr && relu};
  if (n <= 16) {
    Tiling<16, 1, 256>::Run(pool, P);
  } else if (n <= kMaxNarrowN) {
    Tiling<12, 2, 256>::Run(pool, P);
  } else {
    if (packed_b != nullptr && packed_b->trans_b == trans_b && packed_b->k == k && packed_b->n == n) {
      P.packed_b = packed_b->data.data();
    }
    WideTiling::Run(pool, P);
  }
}

#else  // no AVX-512 kernel on this compiler/architecture

bool HaveAvx512() { return false; }
bool SgemmUsesPackedB(int64_t) { return false; }
std::unique_ptr<PackedSgemmB> PackSgemmB(bool, int64_t, int64_t, const float*, int64_t) { return nullptr; }
void SgemmAvx512(ThreadPool*, bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                 int64_t, float, float*, int64_t, const float*, bool, const PackedSgemmB*) {}

#endif

}  // namespace graphrt
