#include "audit/python/source_text.h"

#include <algorithm>
#include <cctype>

namespace tracemesh::audit {

std::string_view trim_space(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool is_dotted_name(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  for (const char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  }
  return text.front() != '.' && text.back() != '.';
}

namespace {

// The index just past the string literal starting at `at` (a quote).
std::size_t skip_string(std::string_view text, std::size_t at) {
  const char quote = text[at];
  const bool triple = text.substr(at, 3) == std::string(3, quote);
  std::size_t i = at + (triple ? 3 : 1);
  while (i < text.size()) {
    if (text[i] == '\\') {
      i += 2;
      continue;
    }
    if (triple ? text.substr(i, 3) == std::string(3, quote) : text[i] == quote)
      return i + (triple ? 3 : 1);
    ++i;
  }
  return text.size();
}

// Walk `text` outside string literals, calling `visit(index, character,
// depth)` with the bracket depth after the character; stop early when `visit`
// returns false. Returns the depth at the end.
template <typename Visit>
int scan_brackets(std::string_view text, Visit visit) {
  int level = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      i = skip_string(text, i) - 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++level;
    if (c == ')' || c == ']' || c == '}') --level;
    if (!visit(i, c, level)) break;
  }
  return level;
}

}  // namespace

bool enclosed(std::string_view text, char open, char close) {
  if (text.size() < 2 || text.front() != open || text.back() != close) return false;
  bool closed_early = false;
  const int level = scan_brackets(text, [&](std::size_t i, char c, int depth) {
    closed_early = (c == ')' || c == ']' || c == '}') && depth == 0 && i + 1 < text.size();
    return !closed_early;
  });
  return !closed_early && level == 0;
}

std::vector<std::string> split_top_level(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  scan_brackets(text, [&](std::size_t i, char c, int depth) {
    if (c == separator && depth == 0) {
      parts.emplace_back(trim_space(text.substr(start, i - start)));
      start = i + 1;
    }
    return true;
  });
  parts.emplace_back(trim_space(text.substr(start)));
  return parts;
}

CallText split_call(const std::string& text) {
  CallText call;
  const std::size_t open = text.find('(');
  if (open == std::string::npos || text.back() != ')') {
    call.callee = text;
    return call;
  }
  call.callee = text.substr(0, open);
  const std::string inside = text.substr(open + 1, text.size() - open - 2);
  if (inside.find_first_not_of(' ') == std::string::npos) return call;
  for (std::string& part : split_top_level(inside, ',')) {
    if (part.empty()) continue;
    const std::size_t equals = part.find('=');
    const bool is_keyword = equals != std::string::npos && equals > 0 &&
                            part.find_first_of("\"'([{") > equals &&
                            part.compare(equals, 2, "==") != 0;
    if (is_keyword) {
      std::string name = part.substr(0, equals);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      std::string value = part.substr(equals + 1);
      value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
      call.keywords.push_back({std::move(name), std::move(value)});
    } else {
      call.arguments.push_back(std::move(part));
    }
  }
  return call;
}

std::optional<StringLiteral> string_literal(std::string_view text) {
  text = trim_space(text);
  std::size_t at = 0;
  while (at < text.size() && at < 3 && std::isalpha(static_cast<unsigned char>(text[at]))) ++at;
  if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return std::nullopt;
  if (skip_string(text, at) != text.size()) return std::nullopt;
  StringLiteral literal;
  for (std::size_t i = 0; i < at; ++i)
    literal.prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  if (literal.prefix.find_first_not_of("fbru") != std::string::npos) return std::nullopt;
  const char quote = text[at];
  const std::size_t width = text.substr(at, 3) == std::string(3, quote) ? 3 : 1;
  if (text.size() < at + 2 * width) return std::nullopt;
  literal.content = std::string(text.substr(at + width, text.size() - at - 2 * width));
  return literal;
}

}  // namespace tracemesh::audit
