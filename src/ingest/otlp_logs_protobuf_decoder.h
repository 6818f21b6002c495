// OTLP/HTTP protobuf log bodies (ExportLogsServiceRequest) decoded into log
// records (decoded_logs.h says which are kept), with the code protoc
// generates from otlp_trace.proto. A record with a trace_id or span_id of
// the wrong size is rejected on its own; the rest of the request is kept.
#pragma once

#include <string_view>

#include "ingest/decoded_batch.h"
#include "ingest/decoded_logs.h"
#include "tracemesh/expected.h"

namespace tracemesh::ingest {

// Decode `body`; an Error (invalid_input) when it is not a valid
// ExportLogsServiceRequest or holds more than limits.max_spans records.
Expected<DecodedLogs> decode_otlp_logs_protobuf(std::string_view body,
                                                const DecodeLimits& limits = {});

}  // namespace tracemesh::ingest
