#include "graphrt/graph/wire.h"

#include <cstring>

namespace graphrt {
namespace wire {

Status Reader::ReadVarint(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) return InvalidArgument("GraphDef: truncated varint");
    uint8_t byte = static_cast<uint8_t>(*p_++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return Status::OK();
    }
  }
  return InvalidArgument("GraphDef: varint longer than 10 bytes");
}

Status Reader::ReadTag(uint32_t* field, int* wire_type) {
  uint64_t key;
  RETURN_IF_ERROR(ReadVarint(&key));
  *field = static_cast<uint32_t>(key >> 3);
  *wire_type = static_cast<int>(key & 7);
  if (*field == 0 || key >> 32 != 0) return InvalidArgument("GraphDef: invalid field number");
  return Status::OK();
}

Status Reader::ReadFixed32(uint32_t* value) {
  if (remaining() < 4) return InvalidArgument("GraphDef: truncated fixed32");
  std::memcpy(value, p_, 4);
  p_ += 4;
  return Status::OK();
}

Status Reader::ReadFixed64(uint64_t* value) {
  if (remaining() < 8) return InvalidArgument("GraphDef: truncated fixed64");
  std::memcpy(value, p_, 8);
  p_ += 8;
  return Status::OK();
}

Status Reader::ReadBytes(std::string_view* value) {
  uint64_t len;
  RETURN_IF_ERROR(ReadVarint(&len));
  if (len > remaining()) return InvalidArgument("GraphDef: length-delimited field runs past the end");
  *value = std::string_view(p_, static_cast<size_t>(len));
  p_ += len;
  return Status::OK();
}

Status Reader::Skip(int wire_type) {
  switch (wire_type) {
    case kVarint: {
      uint64_t v;
      return ReadVarint(&v);
    }
    case kFixed64: {
      uint64_t v;
      return ReadFixed64(&v);
    }
    case kLengthDelimited: {
      std::string_view v;
      return ReadBytes(&v);
    }
    case kFixed32: {
      uint32_t v;
      return ReadFixed32(&v);
    }
    default:
      return InvalidArgument("GraphDef: unsupported wire type " + std::to_string(wire_type));
  }
}

void WriteVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void WriteTag(std::string* out, uint32_t field, WireType type) {
  WriteVarint(out, (static_cast<uint64_t>(field) << 3) | type);
}

void WriteVarintField(std::string* out, uint32_t field, uint64_t value) {
  WriteTag(out, field, kVarint);
  WriteVarint(out, value);
}

void WriteBytesField(std::string* out, uint32_t field, std::string_view bytes) {
  WriteTag(out, field, kLengthDelimited);
  WriteVarint(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}

void WriteFixed32(std::string* out, uint32_t value) {
  char b[4];
  std::memcpy(b, &value, 4);
  out->append(b, 4);
}

void WriteFixed64(std::string* out, uint64_t value) {
  char b[8];
  std::memcpy(b, &value, 8);
  out->append(b, 8);
}

void WriteFixed32Field(std::string* out, uint32_t field, uint32_t value) {
  WriteTag(out, field, kFixed32);
  WriteFixed32(out, value);
}

}  // namespace wire
}  // namespace graphrt
