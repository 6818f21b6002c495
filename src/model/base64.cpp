#include "model/base64.h"

#include <cstdint>

namespace tracemesh::model {

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const auto b = static_cast<unsigned char>(bytes[i + 1]);
    const auto c = static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[a >> 2];
    out += alphabet[((a & 3) << 4) | (b >> 4)];
    out += alphabet[((b & 15) << 2) | (c >> 6)];
    out += alphabet[c & 63];
  }
  if (i < bytes.size()) {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const bool two = i + 1 < bytes.size();
    const auto b = two ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    out += alphabet[a >> 2];
    out += alphabet[((a & 3) << 4) | (b >> 4)];
    out += two ? alphabet[(b & 15) << 2] : '=';
    out += '=';
  }
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string bytes;
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '+' || c == '-') value = 62;
    if (c == '/' || c == '_') value = 63;
    if (c == '=') break;
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xffU);
    }
  }
  return bytes;
}

}  // namespace tracemesh::model
