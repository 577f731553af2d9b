// Helpers shared by the conv, pooling, batch-norm and LRN kernels: list/string/float attrs, data
// formats, TF's SAME/VALID/EXPLICIT window arithmetic and NCHW<->NHWC copies.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/op_kernel.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

StatusOr<std::vector<int64_t>> GetIntListAttr(const NodeDef& node, const std::string& name,
                                              const std::vector<int64_t>& default_value, bool required);
StatusOr<std::string> GetStringAttr(const NodeDef& node, const std::string& name, const std::string& default_value);
StatusOr<float> GetFloatAttr(const NodeDef& node, const std::string& name, float default_value);

enum class Padding { kValid, kSame, kExplicit };

// Reads the data_format attr: true for NCHW, false for NHWC; anything else is an error.
StatusOr<bool> ReadDataFormat(const NodeDef& node);
StatusOr<Padding> ReadPadding(const NodeDef& node);

// One spatial dimension of a window op: output size and padding before the first window.
// `pad_before`/`pad_after` are read only for kExplicit.
Status WindowOutputSize(int64_t in, int64_t k, int64_t dilation, int64_t stride, Padding padding,
                        int64_t explicit_before, int64_t explicit_after, int64_t* out, int64_t* pad_before);

// NCHW <-> NHWC copies (element size `bytes`), split over the pool when large.
void NchwToNhwc(const void* in, void* out, int64_t n, int64_t c, int64_t hw, int elem_bytes, ThreadPool* pool);
void NhwcToNchw(const void* in, void* out, int64_t n, int64_t c, int64_t hw, int elem_bytes, ThreadPool* pool);

// Bytes of im2col buffer per chunk of output rows.
constexpr int64_t kColBufferBytes = int64_t{32} << 20;
constexpr int64_t kIntMax = 0x7fffffff;  // BLAS dimensions are ints

// body(begin, end) over [0, rows), split over the pool when rows * row_cost is large.
template <typename Body>
void ParallelRows(ThreadPool* pool, int64_t rows, int64_t row_cost, const Body& body) {
  const int64_t total = rows * std::max<int64_t>(row_cost, 1);
  if (pool == nullptr || pool->num_threads() == 0 || rows < 2 || total < kParallelMinElements * 2) {
    body(0, rows);
  } else {
    pool->ParallelFor(rows, std::max<int64_t>(1, kParallelMinElements / std::max<int64_t>(row_cost, 1)), body);
  }
}

// A tensor's values in its compute type (float for half), flat; and back.
template <typename T>
std::vector<typename MathType<T>::type> LoadFlat(const Tensor& t) {
  using C = typename MathType<T>::type;
  std::vector<C> out(static_cast<size_t>(t.num_elements()));
  const T* p = t.data<T>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = Load(p[i]);
  return out;
}
template <typename T>
void StoreFlat(const std::vector<typename MathType<T>::type>& v, const Tensor& out) {
  T* p = out.data<T>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = Store<T>(v[i]);
}

// Strides, dilations and padding of a 2-D convolution (TF's attrs, validated with TF's messages).
struct ConvParams {
  bool nchw = false;
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  Padding padding = Padding::kValid;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // explicit only
};

Status ReadConvParams(const NodeDef& def, bool allow_explicit, ConvParams* p);

// N, H, W, C of a 4-D shape in the given layout, and back.
struct Dims4 {
  int64_t n, h, w, c;
};
Dims4 ReadDims(const Shape& s, bool nchw);
Shape MakeShape(const Dims4& d, bool nchw);

// Reads tensor data as compute type C (float for half), in NHWC order.
template <typename T, typename C>
std::vector<C> LoadNhwc(const Tensor& t, bool nchw, const Dims4& d, ThreadPool* pool) {
  const int64_t n = t.num_elements();
  std::vector<C> out(static_cast<size_t>(n));
  const T* p = t.data<T>();
  if (!nchw) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<C>(Load(p[i]));
    return out;
  }
  std::vector<C> tmp(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) tmp[i] = static_cast<C>(Load(p[i]));
  NchwToNhwc(tmp.data(), out.data(), d.n, d.c, d.h * d.w, sizeof(C), pool);
  return out;
}
template <typename T, typename C>
void StoreFromNhwc(const std::vector<C>& v, const Tensor& out, bool nchw, const Dims4& d, ThreadPool* pool) {
  T* p = out.data<T>();
  const int64_t n = out.num_elements();
  if (!nchw) {
    for (int64_t i = 0; i < n; ++i) p[i] = Store<T>(static_cast<typename MathType<T>::type>(v[i]));
    return;
  }
  std::vector<C> tmp(static_cast<size_t>(n));
  NhwcToNchw(v.data(), tmp.data(), d.n, d.c, d.h * d.w, sizeof(C), pool);
  for (int64_t i = 0; i < n; ++i) p[i] = Store<T>(static_cast<typename MathType<T>::type>(tmp[i]));
}

// im2col for output rows [a, b) of the chunk starting at output row r0: each row of `col` (k = kh*kw*C
// values) holds the NHWC input patch under that output position, zeros where it falls in padding.
// A kernel row that lies wholly inside the input (no dilation) is one contiguous span of kw*C values
// in NHWC, copied with one memcpy: per-cell copies of C values cost a call each, which dominated the
// conv for small C (C = 1: 25 calls of one float per output position of a 5x5 conv).
template <typename C>
void Im2ColRows(const C* x, const Dims4& in, const Dims4& od, int64_t kh, int64_t kw, const ConvParams& p,
                int64_t pad_t, int64_t pad_l, int64_t r0, int64_t a, int64_t b, C* col) {
  const int64_t k = kh * kw * in.c;
  const int64_t span = kw * in.c;
  // Output position of row r0 + a, then stepped along (divisions per row cost more than the copies).
  int64_t ow = (r0 + a) % od.w, oh = ((r0 + a) / od.w) % od.h, n = (r0 + a) / (od.w * od.h);
  for (int64_t rr = a; rr < b; ++rr) {
    C* dst = col + rr * k;
    const int64_t iw0 = ow * p.stride_w - pad_l;
    const bool row_inside = p.dil_w == 1 && iw0 >= 0 && iw0 + kw <= in.w;
    for (int64_t i = 0; i < kh; ++i, dst += span) {
      const int64_t ih = oh * p.stride_h - pad_t + i * p.dil_h;
      if (ih < 0 || ih >= in.h) {
        std::memset(dst, 0, static_cast<size_t>(span) * sizeof(C));
        continue;
      }
      const C* src_row = x + (n * in.h + ih) * in.w * in.c;
      if (row_inside) {
        std::memcpy(dst, src_row + iw0 * in.c, static_cast<size_t>(span) * sizeof(C));
        continue;
      }
      C* d = dst;
      for (int64_t j = 0; j < kw; ++j, d += in.c) {
        const int64_t iw = iw0 + j * p.dil_w;
        if (iw < 0 || iw >= in.w) {
          std::memset(d, 0, static_cast<size_t>(in.c) * sizeof(C));
        } else {
          std::memcpy(d, src_row + iw * in.c, static_cast<size_t>(in.c) * sizeof(C));
        }
      }
    }
    if (++ow == od.w) {
      ow = 0;
      if (++oh == od.h) {
        oh = 0;
        ++n;
      }
    }
  }
}

}  // namespace graphrt
