// OTLP/HTTP JSON bodies (ExportTraceServiceRequest in the OTLP JSON mapping)
// decoded into SpanRecords.
//
// As the OTLP specification asks of receivers: ids are hex strings (either
// case), 64-bit integers are accepted as JSON strings or numbers, enums must
// be integers (a span with an enum name is rejected, with a message saying
// so), unknown fields are ignored, and field names are accepted in
// lowerCamelCase or in the proto's snake_case.
#pragma once

#include <string_view>

#include "ingest/decoded_batch.h"
#include "tracemesh/expected.h"

namespace tracemesh::ingest {

// Decode `body`; an Error (ErrorCode::invalid_input) when the body as a
// whole is malformed, otherwise the valid spans and the rejected count.
Expected<DecodedBatch> decode_otlp_json(std::string_view body, const DecodeLimits& limits = {});

}  // namespace tracemesh::ingest
