// The protobuf wire format, read side (internal): a forward-only field
// cursor over a buffer, enough to read small responses such as OTLP's
// ExportTraceServiceResponse. Malformed input ends the cursor with
// failed() set; nothing reads past the buffer.
#pragma once

#include <cstdint>
#include <string_view>

namespace tracemesh::detail {

class ProtobufReader {
 public:
  explicit ProtobufReader(std::string_view bytes) : rest_(bytes) {}

  // Advance to the next field; false at the end or on malformed input.
  bool next() {
    if (rest_.empty() || failed_) return false;
    std::uint64_t key = 0;
    if (!varint(key)) return fail();
    field_ = static_cast<std::uint32_t>(key >> 3U);
    type_ = static_cast<std::uint8_t>(key & 7U);
    value_ = 0;
    bytes_ = {};
    switch (type_) {
      case 0:
        return varint(value_) || fail();
      case 1:
        return fixed(8) || fail();
      case 5:
        return fixed(4) || fail();
      case 2: {
        std::uint64_t length = 0;
        if (!varint(length) || length > rest_.size()) return fail();
        bytes_ = rest_.substr(0, length);
        rest_.remove_prefix(length);
        return true;
      }
      default:
        return fail();  // groups (3, 4) and unknown types
    }
  }

  std::uint32_t field() const noexcept { return field_; }
  std::uint8_t wire_type() const noexcept { return type_; }
  // The value of a varint or fixed field.
  std::uint64_t value() const noexcept { return value_; }
  // The payload of a length-delimited field.
  std::string_view bytes() const noexcept { return bytes_; }
  bool failed() const noexcept { return failed_; }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }
  bool varint(std::uint64_t& out) {
    out = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return false;
      const auto byte = static_cast<std::uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      out |= std::uint64_t{byte & 0x7FU} << shift;
      if ((byte & 0x80U) == 0) return true;
    }
    return false;
  }
  bool fixed(std::size_t size) {
    if (rest_.size() < size) return false;
    for (std::size_t i = 0; i < size; ++i) {
      value_ |= std::uint64_t{static_cast<std::uint8_t>(rest_[i])} << (8 * i);
    }
    rest_.remove_prefix(size);
    return true;
  }

  std::string_view rest_;
  std::string_view bytes_;
  std::uint64_t value_ = 0;
  std::uint32_t field_ = 0;
  std::uint8_t type_ = 0;
  bool failed_ = false;
};

}  // namespace tracemesh::detail
