#include "log_text.h"

namespace w3c_harness {

std::string loggable(std::string_view value, bool keep_spaces) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : value.substr(0, max_logged_value_size)) {
    auto byte = static_cast<unsigned char>(c);
    bool plain = (byte > ' ' || (keep_spaces && byte == ' ')) && byte < 0x7f;
    if (plain && c != '"' && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0x0f];
    }
  }
  if (value.size() > max_logged_value_size) out += "...";
  return out;
}

std::string as_quoted(std::string_view text) {
  return '"' + loggable(text, true) + '"';
}

}  // namespace w3c_harness
