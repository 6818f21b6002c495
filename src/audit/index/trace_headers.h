// The header names that carry a trace id: W3C, B3, and the legacy
// single-id headers teams use (any case); more from the config file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::audit {

class TraceHeaders {
 public:
  // The defaults plus `extra` (any case).
  explicit TraceHeaders(const std::vector<std::string>& extra = {});

  // Whether `name` is a trace header (case-insensitive; X-B3-* by prefix).
  bool contains(std::string_view name) const;

  // The first trace header named by a string literal in `source` (Python
  // source text such as `{"X-Trace-ID": tid}`), or "".
  std::string in_source(std::string_view source) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;  // lowercase
};

}  // namespace tracemesh::audit
