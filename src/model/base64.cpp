#include "model/base64.h"

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

}  // namespace tracemesh::model
