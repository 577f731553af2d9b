// Shape: a fully defined runtime shape (static shapes with unknown dims live in Python and in
// TensorShapeProto); element counts are checked for overflow so hostile inputs cannot wrap.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "graphrt/core/status.h"

namespace graphrt {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  // Validates dims (non-negative, product fits in int64) before building.
  static StatusOr<Shape> Make(const std::vector<int64_t>& dims);

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t num_elements() const;
  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }
  std::string ToString() const;

 private:
  std::vector<int64_t> dims_;
};

// numpy broadcasting of two shapes; InvalidArgument naming both when incompatible.
StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

}  // namespace graphrt
