// OTLP/HTTP protobuf bodies (ExportTraceServiceRequest) decoded into
// SpanRecords, with the code protoc generates from otlp_trace.proto.
// Ids must be 16 and 8 bytes and not all zero; an invalid span is rejected
// on its own and the rest of the request is kept.
#pragma once

#include <string_view>

#include "ingest/decoded_batch.h"
#include "tracemesh/expected.h"

namespace tracemesh::ingest {

// Decode `body`; an Error (ErrorCode::invalid_input) when it is not a valid
// ExportTraceServiceRequest, otherwise the valid spans and the rejected count.
Expected<DecodedBatch> decode_otlp_protobuf(std::string_view body, const DecodeLimits& limits = {});

}  // namespace tracemesh::ingest
