// Helpers shared by the conv, pooling, batch-norm and LRN kernels: list/string/float attrs, data
// formats, TF's SAME/VALID/EXPLICIT window arithmetic and NCHW<->NHWC copies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/elementwise_util.h"
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

}  // namespace graphrt
