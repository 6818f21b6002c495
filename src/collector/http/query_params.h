// A query string read into parameters, and the readers the query API's
// endpoints share (its own, and the Jaeger-shaped one): a missing parameter,
// a number, a duration; a bad one is a BadParameter naming it (a 400).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tracemesh/ids.h"

namespace tracemesh::collector {

using QueryParams = std::multimap<std::string, std::string>;

// Return the parameters of the query string in `target` ("/path?a=1&b=2"),
// percent-decoded, each split at its first '=' (so attr=KEY=VALUE works).
// Not cpp-httplib's Request::params: the cpp-httplib of Debian 12 (0.11.4)
// splits a pair at every '=' and keeps the last part, so
// attr=http.response.status_code=200 would arrive as attr=200.
QueryParams parse_query_params(std::string_view target);

struct BadParameter {
  std::string message;
};

// The first value of parameter `name`, or nullptr.
const std::string* single(const QueryParams& params, const char* name);
// `text` as a non-negative integer; BadParameter naming `name` otherwise.
std::uint64_t unsigned_number(const std::string& text, const char* name);
// `text` as a duration (250ms, 2s, 1h) in nanoseconds; BadParameter otherwise.
std::uint64_t duration(const std::string& text, const char* name);

// A trace id in a path as Jaeger and Tempo take it: up to 32 hex digits in
// either case, a shorter one (a 64-bit id) left-padded with zeros; nullopt
// when it is none (or all zero).
std::optional<TraceId> padded_trace_id(std::string_view hex);

}  // namespace tracemesh::collector
