// Helpers shared by the table-driven spec tests: row names for parameterized
// suites, readable error codes, and header lookup in a vector carrier.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/carrier.h"
#include "tracemesh/expected.h"

namespace tracemesh::spec {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Name a parameterized test after its row's `name`.
template <typename Row>
std::string RowName(const testing::TestParamInfo<Row>& info) {
  return std::string(info.param.name);
}

// Return "4 (character outside the format's grammar)".
inline std::string CodeText(ErrorCode code) {
  return std::to_string(static_cast<int>(code)) + " (" + std::string(describe(code)) + ")";
}

// Return the accepted codes of a row, joined with " or ".
inline std::string CodesText(const std::vector<ErrorCode>& codes) {
  std::string out;
  for (ErrorCode code : codes) out += (out.empty() ? "" : " or ") + CodeText(code);
  return out;
}

// Return whether `code` is one of `codes` (an empty list accepts any code).
inline bool Contains(const std::vector<ErrorCode>& codes, ErrorCode code) {
  return codes.empty() || std::find(codes.begin(), codes.end(), code) != codes.end();
}

// Return the value of the last header named `name` (any case), if any.
inline std::optional<std::string> HeaderValue(const Headers& headers, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : headers) {
    if (header_name_equals(key, name)) found = value;
  }
  return found;
}

}  // namespace tracemesh::spec
