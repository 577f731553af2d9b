#include "graphrt/core/shape.h"

#include <algorithm>

namespace graphrt {

StatusOr<Shape> Shape::Make(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return InvalidArgument("Dimension " + std::to_string(d) + " must be >= 0");
    if (d != 0 && n > INT64_MAX / d) return InvalidArgument("Shape has too many elements");
    n *= d;
  }
  return Shape(dims);
}

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::string Shape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  if (a == b) return a;
  int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(rank);
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    int64_t da = ia >= 0 ? a.dim(ia) : 1;
    int64_t db = ib >= 0 ? b.dim(ib) : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return InvalidArgument("Incompatible shapes: " + a.ToString() + " vs. " + b.ToString());
    }
  }
  return Shape(std::move(out));
}

}  // namespace graphrt
