// Percent-decoding shared by W3C Baggage and OTEL_RESOURCE_ATTRIBUTES (internal).
#pragma once

#include <string>
#include <string_view>

#include "hex.h"

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

}  // namespace tracemesh::detail
