// The query API in Jaeger's shape, under /jaeger on the query listener, so
// that Grafana's Jaeger data source (URL http://HOST:16686/jaeger) and the
// Jaeger UI read tracemesh:
//   GET /jaeger/api/services
//   GET /jaeger/api/services/{service}/operations
//   GET /jaeger/api/operations?service=&spanKind=
//   GET /jaeger/api/traces?service=&operation=&tags=&start=&end=&minDuration=
//                          &maxDuration=&limit=&lookback=      (full traces)
//   GET /jaeger/api/traces/{trace_id}
//   GET /jaeger/api/dependencies?endTs=&lookback=
// in Jaeger's JSON ({"data": ..., "total", "limit", "offset", "errors"}):
// traceID, spanID, operationName, references (CHILD_OF the parent,
// FOLLOWS_FROM each link), startTime and duration in microseconds, tags as
// typed key/values (span.kind, otel.status_code and error added), events as
// logs, processes (the service and its resource), and warnings. The trace's
// integrity verdict and its broken hops travel in the trace's and the
// implicated spans' warnings, so Grafana shows them (once the trace has settled).
// A search's results are cut once they hold 200,000 spans. Times in parameters
// are Jaeger's: start and end in microseconds, endTs and lookback of
// dependencies in milliseconds, durations as "250ms" or "1.5s".
#pragma once

#include <string_view>

#include "collector/http/query_params.h"
#include "collector/http/trace_query.h"
#include "collector/store/span_store.h"
#include "model/trace_integrity.h"

namespace tracemesh::collector {

// Jaeger's error envelope: {"data": null, "errors": [{"code", "msg"}]}.
QueryAnswer jaeger_error(int status, const std::string& message);

QueryAnswer jaeger_services(const SpanStore& store);
QueryAnswer jaeger_service_operations(std::string_view service, const SpanStore& store);
QueryAnswer jaeger_operations(const QueryParams& params, const SpanStore& store);
QueryAnswer jaeger_trace(std::string_view trace_id_hex, const SpanStore& store,
                         const model::IntegrityOptions& integrity);
QueryAnswer jaeger_search(const QueryParams& params, const SpanStore& store,
                          const model::IntegrityOptions& integrity);
QueryAnswer jaeger_dependencies(const QueryParams& params, const SpanStore& store);

}  // namespace tracemesh::collector
