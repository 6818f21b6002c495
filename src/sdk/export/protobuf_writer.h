// The protobuf wire format, write side only (internal).
//
// Enough of https://protobuf.dev/programming-guides/encoding/ for OTLP:
// varints, fixed64/fixed32, doubles and length-delimited fields. A nested
// message is built in its own buffer and appended with its length, which
// keeps every length canonical and the code easy to check by eye.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tracemesh::detail {

enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

class ProtobufWriter {
 public:
  void varint_field(std::uint32_t field, std::uint64_t value) {
    tag(field, WireType::varint);
    varint(value);
  }
  // Skips the field when `value` is zero (proto3 default).
  void varint_field_nonzero(std::uint32_t field, std::uint64_t value) {
    if (value != 0) varint_field(field, value);
  }
  void fixed64_field(std::uint32_t field, std::uint64_t value) {
    tag(field, WireType::fixed64);
    little_endian(value, 8);
  }
  void fixed32_field(std::uint32_t field, std::uint32_t value) {
    tag(field, WireType::fixed32);
    little_endian(value, 4);
  }
  void double_field(std::uint32_t field, double value) {
    fixed64_field(field, std::bit_cast<std::uint64_t>(value));
  }
  void bytes_field(std::uint32_t field, std::string_view bytes) {
    tag(field, WireType::length_delimited);
    varint(bytes.size());
    out_.append(bytes);
  }
  // Skips the field when `bytes` is empty (proto3 default).
  void bytes_field_nonempty(std::uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) bytes_field(field, bytes);
  }
  void message_field(std::uint32_t field, const ProtobufWriter& message) {
    bytes_field(field, message.out_);
  }

  const std::string& bytes() const noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }

 private:
  void tag(std::uint32_t field, WireType type) {
    varint((std::uint64_t{field} << 3U) | static_cast<std::uint8_t>(type));
  }
  void varint(std::uint64_t value) {
    while (value >= 0x80) {
      out_ += static_cast<char>((value & 0x7FU) | 0x80U);
      value >>= 7U;
    }
    out_ += static_cast<char>(value);
  }
  void little_endian(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      out_ += static_cast<char>(value & 0xFFU);
      value >>= 8U;
    }
  }

  std::string out_;
};

}  // namespace tracemesh::detail
