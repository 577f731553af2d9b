// Small helpers shared by kernel families.
#pragma once
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"

namespace graphrt {

// Reads a 0-D or 1-D int32/int64 tensor as int64 values; `what` names it in errors.
StatusOr<std::vector<int64_t>> ReadIndexVector(const Tensor& t, const char* what);

// Reads a scalar int32/int64 tensor.
StatusOr<int64_t> ReadIndexScalar(const Tensor& t, const char* what);

// Resolves a possibly negative axis against `rank`; InvalidArgument when out of [-rank, rank).
StatusOr<int> CanonicalAxis(int64_t axis, int rank);

}  // namespace graphrt
