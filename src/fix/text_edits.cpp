#include "fix/text_edits.h"

#include <algorithm>

namespace tracemesh::fix {

std::string_view line_break_of(std::string_view text) {
  const std::size_t end = text.find('\n');
  return end != std::string_view::npos && end > 0 && text[end - 1] == '\r' ? "\r\n" : "\n";
}

std::string with_line_breaks(std::string_view text, std::string_view line_break) {
  if (line_break == "\n") return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (const char c : text) {
    if (c == '\n') {
      out += line_break;
    } else {
      out += c;
    }
  }
  return out;
}

bool apply_edits(std::string_view original, std::vector<TextEdit> edits, std::string& out) {
  std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  std::size_t reached = 0;
  for (const TextEdit& edit : edits) {
    if (edit.end < edit.begin || edit.end > original.size() || edit.begin < reached) return false;
    reached = edit.end;
  }
  std::string result;
  result.reserve(original.size() + 256);
  std::size_t at = 0;
  for (const TextEdit& edit : edits) {
    result.append(original.substr(at, edit.begin - at));
    result += edit.text;
    at = edit.end;
  }
  result.append(original.substr(at));
  out = std::move(result);
  return true;
}

}  // namespace tracemesh::fix
