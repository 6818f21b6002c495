// Zipkin v2 JSON bodies (POST /api/v2/spans: an array of spans) decoded into
// SpanRecords.
//
// 64-bit trace ids are widened to 128 bits with leading zeros, as the W3C
// and B3 specifications do. Timestamps and durations (microseconds) become
// Unix nanoseconds. Tags become string attributes; an "error" tag marks the
// span as an error. The local endpoint names the service. The destination is
// the remote endpoint (ipv4/ipv6, port) of an outbound span and the local
// endpoint of an inbound one, plus the http.path tag. A
// server span that shares its client's id (shared: true, the B3
// single-span-per-RPC style) gets an id of its own derived from that id,
// with the client's span as its parent, so both halves are kept.
#pragma once

#include <string_view>

#include "ingest/decoded_batch.h"
#include "tracemesh/expected.h"

namespace tracemesh::ingest {

// Decode `body`; an Error (invalid_input) when it is not a JSON array of spans.
Expected<DecodedBatch> decode_zipkin_json(std::string_view body, const DecodeLimits& limits = {});

}  // namespace tracemesh::ingest
