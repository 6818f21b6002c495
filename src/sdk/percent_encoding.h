// Percent-decoding shared by W3C Baggage and OTEL_RESOURCE_ATTRIBUTES (internal).
#pragma once

#include <string>
#include <string_view>

#include "sdk/hex.h"
#include "sdk/utf8.h"

namespace tracemesh::detail {

// Decode %XX escapes; a '%' not followed by two hex digits stays literal.
inline std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>((high << 4) | low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Return `text` with every byte that starts no well-formed UTF-8 sequence
// replaced by U+FFFD (W3C Baggage requires this of decoded values).
inline std::string replace_invalid_utf8(std::string_view view) {
  std::string out;
  out.reserve(view.size());
  for (std::size_t i = 0; i < view.size();) {
    if (static_cast<unsigned char>(view[i]) < 0x80) {
      out += view[i++];
    } else {
      i += append_utf8_sequence(out, view.substr(i));
    }
  }
  return out;
}

}  // namespace tracemesh::detail
