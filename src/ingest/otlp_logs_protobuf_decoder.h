// OTLP/HTTP protobuf log bodies (ExportLogsServiceRequest) decoded into log
// records (decoded_logs.h says which are kept), with the code protoc
// generates from otlp_trace.proto. A trace_id or span_id of the wrong size
// or all zero is no id (logs.proto: the record is not associated with a
// trace); a record that breaks a limit is rejected on its own.
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
