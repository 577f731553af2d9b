#include "graphrt/kernels/kernel_util.h"

namespace graphrt {

StatusOr<std::vector<int64_t>> ReadIndexVector(const Tensor& t, const char* what) {
  if (t.shape().rank() > 1) return InvalidArgument(std::string(what) + " must be a vector, got shape " + t.shape().ToString());
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DT_INT32) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  } else if (t.dtype() == DT_INT64) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  } else {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " + DataTypeName(t.dtype()));
  }
  return v;
}

StatusOr<int64_t> ReadIndexScalar(const Tensor& t, const char* what) {
  if (t.num_elements() != 1) {
    return InvalidArgument(std::string(what) + " must be a scalar, got shape " + t.shape().ToString());
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadIndexVector(t.WithShape(Shape({1})), what));
  return v[0];
}

StatusOr<int> CanonicalAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(rank) +
                           " (expected [" + std::to_string(-rank) + ", " + std::to_string(rank) + "))");
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace graphrt
