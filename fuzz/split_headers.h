// Turn one fuzz input into header values: split on '\n', one piece per name,
// in order; names past the last piece are left out.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

inline std::vector<std::pair<std::string, std::string>> split_headers(
    std::string_view input, std::span<const std::string_view> names) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto name : names) {
    const auto newline = input.find('\n');
    headers.emplace_back(std::string(name), std::string(input.substr(0, newline)));
    if (newline == std::string_view::npos) break;
    input.remove_prefix(newline + 1);
  }
  return headers;
}
