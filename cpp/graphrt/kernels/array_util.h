// Shared helpers of the array-manipulation family: dtype-generic data movement between two strided
// views (element strides, possibly 0 or negative) by element byte size, with contiguous inner runs
// copied by memcpy; strings are copied element by element as std::string.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

// out[out_offset + sum(i_k * out_strides[k])] = in[in_offset + sum(i_k * in_strides[k])] for every
// index i over `dims`. Offsets and strides are in elements. Callers guarantee every addressed
// element lies inside the tensors. `in` and `out` must have the same dtype.
void StridedCopy(const Tensor& in, int64_t in_offset, std::vector<int64_t> in_strides, const Tensor& out,
                 int64_t out_offset, std::vector<int64_t> out_strides, std::vector<int64_t> dims, ThreadPool* pool);

// Row-major element strides of a shape.
std::vector<int64_t> RowMajorStrides(const Shape& shape);

// Fills all of `out` with copies of element `index` of `value` (same dtype as out).
void FillFromElement(const Tensor& out, const Tensor& value, int64_t index, ThreadPool* pool);

// Fills all of `out` with zero (numbers, false, empty strings).
void FillZero(const Tensor& out);

// A list(int) attr; an absent or empty attr gives an empty list.
StatusOr<std::vector<int64_t>> GetIntListAttrOrEmpty(const NodeDef& def, const std::string& name);

// Arity whose outputs (or inputs) come from an int attr: `extra_inputs` fixed inputs plus attr
// inputs when `attr_inputs`, `extra_outputs` plus attr outputs when `attr_outputs`; the attr must
// lie in [min_value, 2^20].
std::function<StatusOr<OpArity>(const NodeDef&)> IntAttrArity(const std::string& attr, bool attr_inputs,
                                                               int extra_inputs, bool attr_outputs, int extra_outputs,
                                                               int64_t min_value);

}  // namespace graphrt
