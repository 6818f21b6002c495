// The query API in Grafana Tempo's shape, under /tempo on the query listener,
// so that Grafana's Tempo data source (URL http://HOST:16686/tempo) opens
// traces by id and searches by tags:
//   GET /tempo/api/echo                       "echo"
//   GET /tempo/api/traces/{trace_id}          tempopb.Trace: {"batches": [...]}
//   GET /tempo/api/v2/traces/{trace_id}       tempopb.TraceByIDResponse: {"trace": {...}}
//       both as OTLP/JSON, or as protobuf when Accept names application/protobuf
//   GET /tempo/api/search?tags=&minDuration=&maxDuration=&start=&end=&limit=
//       {"traces": [{traceID, rootServiceName, rootTraceName,
//                    startTimeUnixNano, durationMs}], "metrics": {...}}
//   GET /tempo/api/search/tags, /tempo/api/v2/search/tags
//   GET /tempo/api/search/tag/{name}/values, /tempo/api/v2/search/tag/{name}/values
// Tags are logfmt (service.name=checkout http.response.status_code=500);
// service.name and name are the service and the span name, any other key an
// attribute some span has. q= takes the TraceQL Grafana's search builder
// writes for that: {} or { key = "value" && ... && traceDuration > 1s }; any
// other TraceQL is a 400 that says what is read. start and end are Unix
// seconds. Tag names and values come from the last 10,000 spans stored.
#pragma once

#include <string_view>

#include "collector/http/query_params.h"
#include "collector/http/trace_query.h"
#include "collector/store/span_store.h"

namespace tracemesh::collector {

// The spans read for tag names and values.
inline constexpr std::size_t tempo_tag_sample_spans = 10'000;

enum class TempoVersion { v1, v2 };

// A trace by id; protobuf when `accept` (the Accept header) names application/protobuf.
QueryAnswer tempo_trace(std::string_view trace_id_hex, std::string_view accept,
                        TempoVersion version, const SpanStore& store);
QueryAnswer tempo_search(const QueryParams& params, const SpanStore& store);
QueryAnswer tempo_search_tags(TempoVersion version, const SpanStore& store);
QueryAnswer tempo_tag_values(std::string_view tag, TempoVersion version, const SpanStore& store);

// Tempo's logfmt tags ("a=1 b=\"two words\"") as key/value pairs; BadParameter when malformed.
std::vector<std::pair<std::string, std::string>> parse_logfmt_tags(std::string_view text);

}  // namespace tracemesh::collector
