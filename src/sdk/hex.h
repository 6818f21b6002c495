// Hex digit helpers shared by the id types and the propagators (internal).
#pragma once

#include <cstdint>
#include <string_view>

namespace tracemesh::detail {

inline constexpr char lower_hex_digits[] = "0123456789abcdef";

// Return the value of a hex digit, or -1. Accepts both cases.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Return whether every character is a lowercase hex digit.
constexpr bool is_lower_hex(std::string_view text) noexcept {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Decode text.size()/2 bytes of hex (either case) into `out`; false on a non-hex digit.
inline bool decode_hex(std::string_view text, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out[i / 2] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return true;
}

// Write 2*size lowercase hex digits for `bytes` into `out`.
inline void encode_hex(const std::uint8_t* bytes, std::size_t size, char* out) noexcept {
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = lower_hex_digits[bytes[i] >> 4];
    out[2 * i + 1] = lower_hex_digits[bytes[i] & 0x0f];
  }
}

}  // namespace tracemesh::detail
