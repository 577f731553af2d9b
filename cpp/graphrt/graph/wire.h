// Protocol-buffer wire format primitives. The reader never reads past its end and reports any
// malformed input as InvalidArgument; the writer appends to a std::string.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "graphrt/core/status.h"

namespace graphrt {
namespace wire {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool done() const { return p_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  Status ReadTag(uint32_t* field, int* wire_type);
  Status ReadVarint(uint64_t* value);
  Status ReadFixed32(uint32_t* value);
  Status ReadFixed64(uint64_t* value);
  Status ReadBytes(std::string_view* value);  // length-delimited payload, not copied
  Status Skip(int wire_type);

 private:
  const char* p_;
  const char* end_;
};

void WriteVarint(std::string* out, uint64_t value);
void WriteTag(std::string* out, uint32_t field, WireType type);
void WriteVarintField(std::string* out, uint32_t field, uint64_t value);
void WriteBytesField(std::string* out, uint32_t field, std::string_view bytes);
void WriteFixed32Field(std::string* out, uint32_t field, uint32_t value);
void WriteFixed32(std::string* out, uint32_t value);
void WriteFixed64(std::string* out, uint64_t value);

inline uint64_t ZigZagEncode(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

}  // namespace wire
}  // namespace graphrt
