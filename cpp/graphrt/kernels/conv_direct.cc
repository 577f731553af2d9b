#include "graphrt/kernels/conv_direct.h"

#include <algorithm>
#include <vector>

#include "graphrt/kernels/sgemm_avx512.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GRAPHRT_CONV_AVX512 1
#endif

namespace graphrt {
namespace {

// The kh input rows under output row `r`, channel-planar and zero-padded:
// planes[(i * C + c) * wp + t] = x[n, ih(i), t - pad_l, c] (0 outside the input).
void BuildPlanes(const float* x, const Dims4& in, const Dims4& od, int64_t kh, const ConvParams& p, int64_t pad_t,
                 int64_t pad_l, int64_t r, int64_t wp, float* planes) {
  const int64_t oh = r % od.h, n = r / od.h;
  std::fill(planes, planes + kh * in.c * wp, 0.0f);
  const int64_t t0 = std::max<int64_t>(pad_l, 0), t1 = std::min<int64_t>(wp, in.w + pad_l);
  for (int64_t i = 0; i < kh; ++i) {
    const int64_t ih = oh * p.stride_h - pad_t + i * p.dil_h;
    if (ih < 0 || ih >= in.h) continue;
    const float* row = x + (n * in.h + ih) * in.w * in.c;
    for (int64_t c = 0; c < in.c; ++c) {
      float* dst = planes + (i * in.c + c) * wp;
      for (int64_t t = t0; t < t1; ++t) dst[t] = row[(t - pad_l) * in.c + c];
    }
  }
}

// Portable loops (no AVX-512): acc[o][t] over the window, then transposed into the NHWC row.
void RowGeneric(const float* planes, int64_t wp, const float* f, const Dims4& in, const Dims4& od, int64_t kh,
                int64_t kw, float* acc, float* out) {
  const int64_t oc = od.c, ow = od.w;
  std::fill(acc, acc + oc * ow, 0.0f);
  for (int64_t i = 0; i < kh; ++i) {
    for (int64_t j = 0; j < kw; ++j) {
      for (int64_t c = 0; c < in.c; ++c) {
        const float* src = planes + (i * in.c + c) * wp + j;
        const float* fk = f + ((i * kw + j) * in.c + c) * oc;
        for (int64_t o = 0; o < oc; ++o) {
          const float w = fk[o];
          float* a = acc + o * ow;
          for (int64_t t = 0; t < ow; ++t) a[t] += w * src[t];
        }
      }
    }
  }
  for (int64_t t = 0; t < ow; ++t) {
    for (int64_t o = 0; o < oc; ++o) out[t * oc + o] = acc[o * ow + t];
  }
}

#ifdef GRAPHRT_CONV_AVX512
#define GRAPHRT_AVX512 __attribute__((target("avx512f")))

// Output channels [o0, o0 + OB) x columns [t0, t0 + tw) (tw <= 32) of one output row, accumulated in
// registers over the whole window.
template <int OB>
GRAPHRT_AVX512 void Tile(const float* planes, int64_t wp, const float* f, int64_t cin, int64_t oc, int64_t kh,
                         int64_t kw, int64_t o0, int64_t t0, int tw, float* out) {
  const __mmask16 m0 = tw >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << tw) - 1u);
  const __mmask16 m1 = tw >= 32 ? __mmask16(0xFFFF) : tw <= 16 ? __mmask16(0) : __mmask16((1u << (tw - 16)) - 1u);
  __m512 acc[OB][2];
  for (int o = 0; o < OB; ++o) acc[o][0] = acc[o][1] = _mm512_setzero_ps();
  for (int64_t i = 0; i < kh; ++i) {
    for (int64_t j = 0; j < kw; ++j) {
      for (int64_t c = 0; c < cin; ++c) {
        const float* src = planes + (i * cin + c) * wp + j + t0;
        const __m512 s0 = _mm512_maskz_loadu_ps(m0, src);
        const __m512 s1 = _mm512_maskz_loadu_ps(m1, src + 16);
        const float* fk = f + ((i * kw + j) * cin + c) * oc + o0;
        for (int o = 0; o < OB; ++o) {
          const __m512 w = _mm512_set1_ps(fk[o]);
          acc[o][0] = _mm512_fmadd_ps(w, s0, acc[o][0]);
          acc[o][1] = _mm512_fmadd_ps(w, s1, acc[o][1]);
        }
      }
    }
  }
  alignas(64) float tmp[OB][32];
  for (int o = 0; o < OB; ++o) {
    _mm512_store_ps(tmp[o], acc[o][0]);
    _mm512_store_ps(tmp[o] + 16, acc[o][1]);
  }
  for (int t = 0; t < tw; ++t) {
    float* dst = out + (t0 + t) * oc + o0;
    for (int o = 0; o < OB; ++o) dst[o] = tmp[o][t];
  }
}

template <int OB>
GRAPHRT_AVX512 void TileUpTo(int ob, const float* planes, int64_t wp, const float* f, int64_t cin, int64_t oc,
                             int64_t kh, int64_t kw, int64_t o0, int64_t t0, int tw, float* out) {
  if constexpr (OB > 1) {
    if (ob < OB) return TileUpTo<OB - 1>(ob, planes, wp, f, cin, oc, kh, kw, o0, t0, tw, out);
  }
  Tile<OB>(planes, wp, f, cin, oc, kh, kw, o0, t0, tw, out);
}

GRAPHRT_AVX512 void RowAvx512(const float* planes, int64_t wp, const float* f, const Dims4& in, const Dims4& od,
                              int64_t kh, int64_t kw, float* out) {
  for (int64_t o0 = 0; o0 < od.c; o0 += 8) {
    const int ob = static_cast<int>(std::min<int64_t>(8, od.c - o0));
    for (int64_t t0 = 0; t0 < od.w; t0 += 32) {
      TileUpTo<8>(ob, planes, wp, f, in.c, od.c, kh, kw, o0, t0, static_cast<int>(std::min<int64_t>(32, od.w - t0)),
                  out);
    }
  }
}
#endif

}  // namespace

bool CanConvDirect(const Dims4& in, const Dims4& od, const ConvParams& p, int64_t kw) {
  return in.c <= 4 && p.stride_w == 1 && p.dil_w == 1 && od.w <= 4096 && kw <= 64;
}

void ConvDirectRows(const float* x, const float* f, const Dims4& in, const Dims4& od, int64_t kh, int64_t kw,
                    const ConvParams& p, int64_t pad_t, int64_t pad_l, int64_t row_begin, int64_t row_end, float* y) {
  // Padded row length; 32 more zeros so the vector loads of the last column tile stay in the buffer.
  const int64_t wp = od.w + kw - 1 + 32;
  std::vector<float> planes(static_cast<size_t>(kh * in.c * wp));
  std::vector<float> acc;
#ifdef GRAPHRT_CONV_AVX512
  const bool avx512 = HaveAvx512();
#else
  const bool avx512 = false;
#endif
  if (!avx512) acc.resize(static_cast<size_t>(od.c * od.w));
  for (int64_t r = row_begin; r < row_end; ++r) {
    BuildPlanes(x, in, od, kh, p, pad_t, pad_l, r, wp, planes.data());
    float* out = y + r * od.w * od.c;
#ifdef GRAPHRT_CONV_AVX512
    if (avx512) {
      RowAvx512(planes.data(), wp, f, in, od, kh, kw, out);
      continue;
    }
#endif
    RowGeneric(planes.data(), wp, f, in, od, kh, kw, acc.data(), out);
  }
}

}  // namespace graphrt
