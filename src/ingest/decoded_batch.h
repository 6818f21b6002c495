// What an ingest decoder (OTLP protobuf, OTLP JSON, Zipkin) hands its caller
// (the collector's store, or verify's trace files):
// the valid spans of one request, and how many it rejected and why. A span
// is rejected on its own (bad ids, an enum written as a name...) and the
// rest of the request is kept: OTLP's partial success.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/span_record.h"

namespace tracemesh::ingest {

struct DecodeLimits {
  std::size_t max_spans = 100'000;  // per request; more is a malformed request
  std::size_t max_depth = 32;       // nesting of attribute values (arrays, kvlists)
};

// A resource's attributes larger than this make the request malformed.
inline constexpr std::size_t max_resource_bytes = 64 * 1024;

struct DecodedBatch {
  std::vector<model::SpanRecord> spans;
  std::size_t rejected = 0;
  std::string rejection_message;  // the first rejection's reason, with the span's position

  // Count one rejected span; keep the first reason.
  void reject(std::string_view reason);
};

// The default service name, as the OpenTelemetry SDKs use it.
inline constexpr std::string_view unknown_service = "unknown_service";

// Record what integrity analysis needs from attribute `key` (server.address,
// url.path, messaging.destination.name...) in `span.destination`.
void note_attribute(model::SpanRecord& span, std::string_view key, std::string_view value);
void note_attribute(model::SpanRecord& span, std::string_view key, std::int64_t value);

// Call once a span is decoded (its kind known): drop destination facts that
// came from net.peer.* on an inbound span, where they name the caller.
void finish_destination(model::SpanRecord& span);

// Append a link's JSON up to its attributes' value ({"trace_id":...,
// "span_id":...,"flags":N,"attributes":), as the query API returns links;
// the decoder writes the attributes and the closing brace.
void append_link_head(std::string& json, const model::LinkRef& link, std::uint32_t flags);

// The latest time the store can hold: 2^63-1 ns after 1970 (2262-04-11),
// since SQLite's integers are signed 64-bit.
inline constexpr std::uint64_t max_unix_nano = 0x7fff'ffff'ffff'ffffULL;

// Why the decoded `span`'s start or end time is out of range (past
// max_unix_nano), or "" when neither is; the decoders reject such a span
// with this reason.
std::string time_problem(const model::SpanRecord& span);

}  // namespace tracemesh::ingest
