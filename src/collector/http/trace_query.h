// GET /api/traces/{trace_id}: one trace as JSON — its spans, the span tree,
// its integrity verdict (the stored one once the trace has settled) and the
// log records that name it. GET /api/logs?trace_id=: the log records alone,
// for an id that only logs name.
#pragma once

#include <string>
#include <string_view>

#include "collector/store/span_store.h"

namespace tracemesh::collector {

struct QueryAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// Answer a request for the trace whose id is `trace_id_hex`.
QueryAnswer query_trace(std::string_view trace_id_hex, const SpanStore& store,
                        const model::IntegrityOptions& integrity);

// Answer a request for the log records naming `trace_id_hex` (200 with an
// empty list when there are none).
QueryAnswer query_logs(std::string_view trace_id_hex, const SpanStore& store);

// Return {"error": message} with `status`.
QueryAnswer query_error(int status, std::string_view message);

}  // namespace tracemesh::collector
