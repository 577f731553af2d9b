#include "graphrt/core/dtype.h"

#include <cstring>

namespace graphrt {

float HalfToFloat(Half h) {
  uint32_t sign = (h.bits & 0x8000u) << 16;
  uint32_t exp = (h.bits >> 10) & 0x1f;
  uint32_t mant = h.bits & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal half -> normal float
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | (uint32_t(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

Half FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) {  // inf or nan
    return Half{uint16_t(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0))};
  }
  if (absx >= 0x477ff000u) return Half{uint16_t(sign | 0x7c00u)};  // overflow -> inf
  if (absx < 0x38800000u) {  // subnormal or zero in half
    if (absx < 0x33000000u) return Half{uint16_t(sign)};
    uint32_t mant = (absx & 0x7fffff) | 0x800000;
    int shift = 113 - int(absx >> 23);  // 14..24
    uint32_t half_mant = mant >> (shift + 13);
    uint32_t rem = mant & ((1u << (shift + 13)) - 1);
    uint32_t halfway = 1u << (shift + 12);
    if (rem > halfway || (rem == halfway && (half_mant & 1))) ++half_mant;
    return Half{uint16_t(sign | half_mant)};
  }
  // Normal: round to nearest even on the 13 dropped bits.
  uint32_t h = ((absx >> 13) - (112u << 10));
  uint32_t rem = absx & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return Half{uint16_t(sign | h)};
}

bool IsValidDataType(int v) {
  switch (v) {
    case DT_FLOAT: case DT_DOUBLE: case DT_INT32: case DT_UINT8: case DT_INT16: case DT_INT8:
    case DT_STRING: case DT_INT64: case DT_BOOL: case DT_UINT16: case DT_HALF: case DT_RESOURCE:
      return true;
    default:
      return false;
  }
}

size_t DataTypeSize(DataType dt) {
  switch (dt) {
    case DT_FLOAT: return 4;
    case DT_DOUBLE: return 8;
    case DT_INT32: return 4;
    case DT_UINT8: return 1;
    case DT_INT16: return 2;
    case DT_INT8: return 1;
    case DT_INT64: return 8;
    case DT_BOOL: return 1;
    case DT_UINT16: return 2;
    case DT_HALF: return 2;
    default: return 0;
  }
}

std::string DataTypeName(DataType dt) {
  switch (dt) {
    case DT_FLOAT: return "float32";
    case DT_DOUBLE: return "float64";
    case DT_INT32: return "int32";
    case DT_UINT8: return "uint8";
    case DT_INT16: return "int16";
    case DT_INT8: return "int8";
    case DT_STRING: return "string";
    case DT_INT64: return "int64";
    case DT_BOOL: return "bool";
    case DT_UINT16: return "uint16";
    case DT_HALF: return "float16";
    case DT_RESOURCE: return "resource";
    default: return "invalid(" + std::to_string(int(dt)) + ")";
  }
}

}  // namespace graphrt
