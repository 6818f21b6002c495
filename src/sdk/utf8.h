// UTF-8 helpers: validation for JSON output and character-based truncation (internal).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tracemesh::detail {

// Return the length of the well-formed UTF-8 sequence (RFC 3629) starting at
// text[0], or 0 when it is not one (including ASCII, which callers handle).
constexpr std::size_t utf8_sequence_size(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t size = 0;
  unsigned char low = 0x80;  // allowed range of the second byte
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    size = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    size = 3;
    if (lead == 0xe0) low = 0xa0;   // no overlong forms
    if (lead == 0xed) high = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    size = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < size) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < size; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return size;
}

// Return how many bytes the first `characters` characters of `text` take;
// a byte that starts no valid sequence counts as one character.
constexpr std::size_t utf8_prefix_size(std::string_view text, std::size_t characters) noexcept {
  std::size_t offset = 0;
  for (std::size_t counted = 0; counted < characters && offset < text.size(); ++counted) {
    const auto size = static_cast<unsigned char>(text[offset]) < 0x80
                          ? 1
                          : utf8_sequence_size(text.substr(offset));
    offset += size == 0 ? 1 : size;
  }
  return offset;
}

// Append the sequence that starts `text` (whose first byte is >= 0x80) to
// `out`, or U+FFFD when it is not well-formed; return the bytes consumed.
inline std::size_t append_utf8_sequence(std::string& out, std::string_view text) {
  const std::size_t size = utf8_sequence_size(text);
  if (size == 0) {
    out += "\xEF\xBF\xBD";
    return 1;
  }
  out.append(text.substr(0, size));
  return size;
}

}  // namespace tracemesh::detail
