// The collector's query API answer for one trace (GET /api/traces/{id}:
// {trace_id, spans, tree, verdict}, written by model/trace_json.h) read back
// into the model's trace, so verify checks a trace from the collector exactly
// as one it decoded from files.
#pragma once

#include <string_view>

#include "model/trace.h"
#include "tracemesh/expected.h"

namespace tracemesh::verify {

// Read one trace in the query API's shape. An Error (invalid_input) says
// which field is missing or malformed. Spans come out in start order.
Expected<model::Trace> read_api_trace(std::string_view api_json);

}  // namespace tracemesh::verify
