// Conversion between TensorProto (wire form) and Tensor (runtime form), with TF's rules: either
// tensor_content holds the raw little-endian bytes, or the typed *_val field holds the values, where
// fewer values than elements repeat the last one (and none means zeros).
#pragma once
#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"

namespace graphrt {

// Refuses (InvalidArgument) shapes with unknown dims, size mismatches and tensors over kMaxConstBytes.
StatusOr<Tensor> TensorFromProto(const TensorProto& proto);
TensorProto TensorToProto(const Tensor& tensor);

StatusOr<Shape> ShapeFromProto(const TensorShapeProto& proto);

constexpr int64_t kMaxConstBytes = int64_t{1} << 32;

}  // namespace graphrt
