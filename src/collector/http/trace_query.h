// GET /api/traces/{trace_id}: one trace as JSON — its spans, the span tree,
// and its integrity verdict (the stored one once the trace has settled).
#pragma once

#include <string>
#include <string_view>

#include "collector/store/span_store.h"

namespace tracemesh::collector {

struct QueryAnswer {
  int status = 200;
  std::string body;  // application/json
};

// Answer a request for the trace whose id is `trace_id_hex`.
QueryAnswer query_trace(std::string_view trace_id_hex, const SpanStore& store,
                        const model::IntegrityOptions& integrity);

// Return {"error": message} with `status`.
QueryAnswer query_error(int status, std::string_view message);

}  // namespace tracemesh::collector
