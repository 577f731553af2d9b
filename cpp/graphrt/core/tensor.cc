#include "graphrt/core/tensor.h"

#include <cstring>

namespace graphrt {

StatusOr<Tensor> Tensor::Allocate(DataType dtype, const Shape& shape) {
  int64_t n = shape.num_elements();
  if (IsStringLike(dtype)) {
    ASSIGN_OR_RETURN(std::shared_ptr<Buffer> b, Buffer::AllocateStrings(static_cast<size_t>(n)));
    return Tensor(dtype, shape, std::move(b));
  }
  size_t elem = DataTypeSize(dtype);
  if (elem == 0) return InvalidArgument("Cannot allocate a tensor of type " + DataTypeName(dtype));
  if (n > 0 && static_cast<uint64_t>(n) > (SIZE_MAX / elem)) {
    return ResourceExhausted("tensor of shape " + shape.ToString() + " is too large");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Buffer> b, Buffer::Allocate(static_cast<size_t>(n) * elem));
  return Tensor(dtype, shape, std::move(b));
}

StatusOr<Tensor> Tensor::Copy() const {
  ASSIGN_OR_RETURN(Tensor out, Allocate(dtype_, shape_));
  if (IsStringLike(dtype_)) {
    const std::string* src = data<std::string>();
    std::string* dst = out.data<std::string>();
    for (int64_t i = 0; i < num_elements(); ++i) dst[i] = src[i];
  } else if (bytes() > 0) {
    std::memcpy(out.raw(), raw(), bytes());
  }
  return out;
}

std::string Tensor::DebugString() const {
  return "Tensor<" + DataTypeName(dtype_) + ", " + shape_.ToString() + ">";
}

}  // namespace graphrt
