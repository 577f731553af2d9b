// DataType: values are TensorFlow's types.proto enum numbers, so they travel unchanged in GraphDefs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace graphrt {

enum DataType : int {
  DT_INVALID = 0,
  DT_FLOAT = 1,
  DT_DOUBLE = 2,
  DT_INT32 = 3,
  DT_UINT8 = 4,
  DT_INT16 = 5,
  DT_INT8 = 6,
  DT_STRING = 7,
  DT_INT64 = 9,
  DT_BOOL = 10,
  DT_UINT16 = 17,
  DT_HALF = 19,
  DT_RESOURCE = 20,  // a handle to a resource in the session's ResourceMgr (held as a string)
};

// IEEE half precision stored as its bit pattern; arithmetic goes through float.
struct Half {
  uint16_t bits;
};
float HalfToFloat(Half h);
Half FloatToHalf(float f);

bool IsValidDataType(int value);
size_t DataTypeSize(DataType dt);  // 0 for DT_STRING (elements are std::string)
std::string DataTypeName(DataType dt);

template <typename T> struct DataTypeOf;
template <> struct DataTypeOf<float> { static constexpr DataType value = DT_FLOAT; };
template <> struct DataTypeOf<double> { static constexpr DataType value = DT_DOUBLE; };
template <> struct DataTypeOf<int32_t> { static constexpr DataType value = DT_INT32; };
template <> struct DataTypeOf<int64_t> { static constexpr DataType value = DT_INT64; };
template <> struct DataTypeOf<uint8_t> { static constexpr DataType value = DT_UINT8; };
template <> struct DataTypeOf<uint16_t> { static constexpr DataType value = DT_UINT16; };
template <> struct DataTypeOf<int16_t> { static constexpr DataType value = DT_INT16; };
template <> struct DataTypeOf<int8_t> { static constexpr DataType value = DT_INT8; };
template <> struct DataTypeOf<bool> { static constexpr DataType value = DT_BOOL; };
template <> struct DataTypeOf<Half> { static constexpr DataType value = DT_HALF; };
template <> struct DataTypeOf<std::string> { static constexpr DataType value = DT_STRING; };

// Strings and resource handles are stored as std::string elements.
inline bool IsStringLike(DataType dt) { return dt == DT_STRING || dt == DT_RESOURCE; }

// Calls fn(T{}) with T the C++ type of `dt` for every numeric type (and bool/half); returns false
// when `dt` is not handled so callers can report the unsupported type.
#define GRAPHRT_DTYPE_CASE(DT, TYPE, ...) \
  case DT: {                              \
    using T = TYPE;                       \
    __VA_ARGS__;                          \
    break;                                \
  }

}  // namespace graphrt
