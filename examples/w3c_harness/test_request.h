// The body of a W3C test harness request: the calls to make before answering.
//
// The W3C Trace Context test suite POSTs to /test a JSON array of
// {"url": "...", "arguments": [...]}. For each entry the harness POSTs
// `arguments`, serialized as JSON, to `url`. Parsing is strict and bounded:
// the whole body is rejected (and no call is made) when it is not JSON, not
// an array, nested deeper than max_nesting_depth, longer than max_calls
// entries, or when any entry lacks a string url, names a URL outside
// loopback, or carries non-array arguments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "loopback_url.h"
#include "tracemesh/expected.h"

namespace w3c_harness {

inline constexpr std::size_t max_calls = 64;
inline constexpr int max_nesting_depth = 64;

struct OutboundCall {
  LoopbackUrl url;
  std::string body;  // `arguments` serialized as JSON ("[]" when absent)
};

// Parse a /test request body into the calls it asks for.
tracemesh::Expected<std::vector<OutboundCall>> parse_test_request(std::string_view body);

}  // namespace w3c_harness
