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

#include "collector/http/query_params.h"
#include "collector/http/trace_query.h"
#include "collector/store/hop_counts.h"
#include "collector/store/span_store.h"

namespace tracemesh::collector {

QueryAnswer answer_search(const QueryParams& params, const SpanStore& store);
QueryAnswer answer_services(const SpanStore& store);
QueryAnswer answer_operations(std::string_view service, const SpanStore& store);
QueryAnswer answer_graph(const QueryParams& params, const SpanStore& store);
QueryAnswer answer_hops(const QueryParams& params, const SpanStore& store);

// The /api/hops answer for `counts` of the window [start, end] (also what
// `tracemesh collect --repo` joins in process). docs/collector.md has the shape.
std::string hops_json(const HopCounts& counts, std::uint64_t start, std::uint64_t end);

}  // namespace tracemesh::collector
