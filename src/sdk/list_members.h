// Splitting comma-separated header lists (tracestate, baggage) (internal).
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::detail {

// Return `text` without leading and trailing optional whitespace (SP / HTAB).
constexpr std::string_view trim_ows(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Return `text` with ASCII letters lowercased (names in configuration lists).
inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Iterates the comma-separated members of a list, trimmed of optional whitespace.
class ListMembers {
 public:
  explicit ListMembers(std::string_view list) noexcept : rest_(list) {}

  // Store the next member (possibly empty) in `member`; false when the list is exhausted.
  bool next(std::string_view& member) noexcept {
    if (done_) return false;
    const auto comma = rest_.find(',');
    if (comma == std::string_view::npos) {
      member = trim_ows(rest_);
      done_ = true;
    } else {
      member = trim_ows(rest_.substr(0, comma));
      rest_.remove_prefix(comma + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

}  // namespace tracemesh::detail
