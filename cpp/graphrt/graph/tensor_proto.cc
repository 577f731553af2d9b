#include "graphrt/graph/tensor_proto.h"

#include <cstring>

namespace graphrt {
namespace {

// Fills n elements of T from vals (repeating the last one), converting each with cvt.
template <typename T, typename V, typename Cvt>
void FillFromVals(T* dst, int64_t n, const std::vector<V>& vals, Cvt cvt) {
  if (vals.empty()) {
    for (int64_t i = 0; i < n; ++i) dst[i] = cvt(V());
    return;
  }
  int64_t m = static_cast<int64_t>(vals.size());
  for (int64_t i = 0; i < n; ++i) dst[i] = cvt(vals[i < m ? i : m - 1]);
}

template <typename T, typename V>
void FillCast(const Tensor& t, const std::vector<V>& vals) {
  FillFromVals(t.data<T>(), t.num_elements(), vals, [](V v) { return static_cast<T>(v); });
}

size_t ValCount(const TensorProto& p) {
  switch (p.dtype) {
    case DT_FLOAT: return p.float_val.size();
    case DT_DOUBLE: return p.double_val.size();
    case DT_INT32: case DT_INT16: case DT_INT8: case DT_UINT8: case DT_UINT16: return p.int_val.size();
    case DT_INT64: return p.int64_val.size();
    case DT_BOOL: return p.bool_val.size();
    case DT_HALF: return p.half_val.size();
    case DT_STRING: return p.string_val.size();
    default: return 0;
  }
}

}  // namespace

StatusOr<Shape> ShapeFromProto(const TensorShapeProto& proto) {
  if (proto.unknown_rank) return InvalidArgument("Tensor shape has unknown rank");
  for (int64_t d : proto.dims) {
    if (d < 0) return InvalidArgument("Tensor shape has an unknown dimension");
  }
  return Shape::Make(proto.dims);
}

StatusOr<Tensor> TensorFromProto(const TensorProto& p) {
  if (!IsValidDataType(p.dtype)) {
    return InvalidArgument("TensorProto has unsupported dtype " + std::to_string(int(p.dtype)));
  }
  ASSIGN_OR_RETURN(Shape shape, ShapeFromProto(p.shape));
  int64_t n = shape.num_elements();
  size_t elem = p.dtype == DT_STRING ? sizeof(std::string) : DataTypeSize(p.dtype);
  if (n > kMaxConstBytes / static_cast<int64_t>(elem)) {
    return InvalidArgument("TensorProto of shape " + shape.ToString() + " is too large");
  }
  if (p.dtype != DT_STRING && !p.tensor_content.empty()) {
    if (p.tensor_content.size() != static_cast<size_t>(n) * elem) {
      return InvalidArgument("TensorProto tensor_content has " + std::to_string(p.tensor_content.size()) +
                             " bytes, expected " + std::to_string(n * elem) + " for shape " + shape.ToString());
    }
    ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(p.dtype, shape));
    if (n > 0) std::memcpy(t.raw(), p.tensor_content.data(), p.tensor_content.size());
    return t;
  }
  size_t vals = ValCount(p);
  if (vals > static_cast<size_t>(n)) {
    return InvalidArgument("TensorProto has " + std::to_string(vals) + " values but shape " +
                           shape.ToString() + " holds " + std::to_string(n));
  }
  ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(p.dtype, shape));
  switch (p.dtype) {
    case DT_FLOAT: FillCast<float>(t, p.float_val); break;
    case DT_DOUBLE: FillCast<double>(t, p.double_val); break;
    case DT_INT32: FillCast<int32_t>(t, p.int_val); break;
    case DT_INT16: FillCast<int16_t>(t, p.int_val); break;
    case DT_INT8: FillCast<int8_t>(t, p.int_val); break;
    case DT_UINT8: FillCast<uint8_t>(t, p.int_val); break;
    case DT_UINT16: FillCast<uint16_t>(t, p.int_val); break;
    case DT_INT64: FillCast<int64_t>(t, p.int64_val); break;
    case DT_BOOL: FillFromVals(t.data<bool>(), n, p.bool_val, [](uint8_t v) { return v != 0; }); break;
    case DT_HALF:
      FillFromVals(t.data<Half>(), n, p.half_val, [](int32_t v) { return Half{static_cast<uint16_t>(v)}; });
      break;
    case DT_STRING:
      FillFromVals(t.data<std::string>(), n, p.string_val, [](const std::string& v) { return v; });
      break;
    default:
      return InvalidArgument("unsupported dtype");
  }
  return t;
}

TensorProto TensorToProto(const Tensor& t) {
  TensorProto p;
  p.dtype = t.dtype();
  p.shape.dims = t.shape().dims();
  if (t.dtype() == DT_STRING) {
    const std::string* s = t.data<std::string>();
    p.string_val.assign(s, s + t.num_elements());
  } else if (t.bytes() > 0) {
    p.tensor_content.assign(static_cast<const char*>(t.raw()), t.bytes());
  }
  return p;
}

}  // namespace graphrt
