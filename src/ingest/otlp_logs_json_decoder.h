// OTLP/HTTP JSON log bodies (ExportLogsServiceRequest in the OTLP JSON
// mapping) decoded into log records (decoded_logs.h says which are kept).
// The mapping's rules are those of spans (otlp_json_decoder.h): hex ids in
// either case, 64-bit integers as numbers or strings, enums as integers,
// lowerCamelCase or snake_case names. A trace or span id that is not hex of
// the right size, or all zero, is no id (logs.proto); a record with a field
// of the wrong type is rejected on its own, the rest of the request kept.
#pragma once

#include <string_view>

#include "ingest/decoded_batch.h"
#include "ingest/decoded_logs.h"
#include "tracemesh/expected.h"

namespace tracemesh::ingest {

// Decode `body`; an Error (invalid_input) when it is not JSON, not shaped as
// an ExportLogsServiceRequest, or holds more than limits.max_spans records.
Expected<DecodedLogs> decode_otlp_logs_json(std::string_view body, const DecodeLimits& limits = {});

}  // namespace tracemesh::ingest
