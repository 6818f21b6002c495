// The query API's listing endpoints, independent of the HTTP server:
//   GET /api/traces?service=&operation=&attr=KEY=VALUE&min_duration=&max_duration=
//                   &start=&end=&integrity=&limit=
//   GET /api/services
//   GET /api/services/{name}/operations
//   GET /api/graph?start=&end=   (or lookback=1h; the last hour by default)
//   GET /api/hops?start=&end=    (the same window; see hop_counts.h)
// Times are Unix nanoseconds; durations are written 250ms, 2s, 5m, 1h.
// A bad parameter is a 400 that names it.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "collector/http/trace_query.h"
#include "collector/store/hop_counts.h"
#include "collector/store/span_store.h"

namespace tracemesh::collector {

using QueryParams = std::multimap<std::string, std::string>;

// Return the parameters of the query string in `target` ("/path?a=1&b=2"),
// percent-decoded, each split at its first '=' (so attr=KEY=VALUE works).
// Not cpp-httplib's Request::params: the cpp-httplib of Debian 12 (0.11.4)
// splits a pair at every '=' and keeps the last part, so
// attr=http.response.status_code=200 would arrive as attr=200.
QueryParams parse_query_params(std::string_view target);

QueryAnswer answer_search(const QueryParams& params, const SpanStore& store);
QueryAnswer answer_services(const SpanStore& store);
QueryAnswer answer_operations(std::string_view service, const SpanStore& store);
QueryAnswer answer_graph(const QueryParams& params, const SpanStore& store);
QueryAnswer answer_hops(const QueryParams& params, const SpanStore& store);

// The /api/hops answer for `counts` of the window [start, end] (also what
// `tracemesh collect --repo` joins in process). docs/collector.md has the shape.
std::string hops_json(const HopCounts& counts, std::uint64_t start, std::uint64_t end);

}  // namespace tracemesh::collector
