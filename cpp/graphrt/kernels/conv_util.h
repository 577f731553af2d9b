// Helpers shared by the conv, pooling, batch-norm and LRN kernels: list/string/float attrs, data
// formats, TF's SAME/VALID/EXPLICIT window arithmetic and NCHW<->NHWC copies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"
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

}  // namespace graphrt
