// The span as the tools see it: one record per span, whatever language or
// wire format it came from (OTLP protobuf, OTLP JSON, Zipkin). The ingest
// decoders (src/ingest) produce it; the store keeps it; integrity analysis and the
// query API read it. Ids are the SDK's TraceId/SpanId.
//
// Attributes, events, links and the resource stay as JSON text in the shape
// the query API returns (an attribute object maps each key to a plain JSON
// value), so storing and serving a span never re-encodes them. The few facts
// integrity analysis needs are lifted out into typed fields at decode time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracemesh/ids.h"

namespace tracemesh::model {

// OTLP's Span.SpanKind numbering.
enum class SpanKind : std::uint8_t {
  unspecified = 0,
  internal = 1,
  server = 2,
  client = 3,
  producer = 4,
  consumer = 5,
};

// OTLP's Status.StatusCode numbering.
enum class StatusCode : std::uint8_t { unset = 0, ok = 1, error = 2 };

// Where an outbound span (CLIENT, PRODUCER) went, or an inbound one arrived:
// what broken-hop analysis matches between a caller and a callee.
struct Destination {
  std::string address;                // server.address (or net.peer.name, the older name)
  std::int64_t port = 0;              // server.port (or net.peer.port)
  std::string path;                   // url.path, or the path of url.full / http.target
  std::string messaging_system;       // messaging.system
  std::string messaging_destination;  // messaging.destination.name
  // Decoding only: address/port came from net.peer.*, which names the *client*
  // on an inbound span (see ingest::finish_destination).
  bool from_peer_attributes = false;
};

// How an inbound span's context arrived, as tracemesh SDKs (and any sender
// that sets these attributes) report it: tracemesh.propagation.format is the
// format that supplied the context or "none"; tracemesh.propagation.error
// names why a header present was unusable. Empty when not reported.
struct InboundPropagation {
  std::string format;
  std::string error;
};

// A link to another span (OTLP Span.links): its ids, as integrity analysis
// reads them (a callee that restarts the trace links the caller's span);
// links_json keeps everything.
struct LinkRef {
  TraceId trace_id;
  SpanId span_id;
  bool operator==(const LinkRef&) const = default;
};

// OTLP Span.flags bits: the W3C trace flags (sampled is bit 0), then whether
// the sender reports if the parent was remote. An SDK that sets 0x100 fills
// the flags in; 0 means "not reported" (older SDKs, Zipkin), never "unsampled".
inline constexpr std::uint32_t span_flag_sampled = 0x01;
inline constexpr std::uint32_t span_flag_has_is_remote = 0x100;

// Whether OTLP span `flags` say the span's context is known not to be
// sampled: what it propagated told the callee not to record.
constexpr bool known_unsampled(std::uint32_t flags) noexcept {
  return (flags & span_flag_has_is_remote) != 0 && (flags & span_flag_sampled) == 0;
}

// Hash for ids in unordered containers: their last 8 bytes are random.
struct IdHash {
  template <std::size_t N>
  std::size_t operator()(const detail::IdBytes<N>& id) const noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = N - 8; i < N; ++i) value = (value << 8) | id.bytes[i];
    return std::hash<std::uint64_t>{}(value);
  }
};

// Return a shared "{}".
std::shared_ptr<const std::string> empty_object();

struct SpanRecord {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // all zero for a root span
  std::string service;    // resource service.name ("unknown_service" when absent)
  std::string name;
  SpanKind kind = SpanKind::unspecified;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;  // 0 when the span never ended
  StatusCode status_code = StatusCode::unset;
  std::string status_message;
  std::string attributes_json = "{}";  // {"key": value, ...}
  std::string events_json = "[]";      // [{"time_unix_nano", "name", "attributes"}, ...]
  std::string links_json = "[]";       // [{"trace_id", "span_id", "flags", "attributes"}, ...]
  std::vector<LinkRef> links;          // the same links' ids
  std::uint32_t flags = 0;             // OTLP Span.flags (span_flag_*)
  // The resource's attributes, shared by every span of the resource (a
  // request may carry 100,000 spans of one resource).
  std::shared_ptr<const std::string> resource_json = empty_object();
  std::string scope_name;  // instrumentation scope
  Destination destination;
  InboundPropagation propagation;

  bool is_root() const noexcept { return !parent_span_id.is_valid(); }
  bool known_unsampled() const noexcept { return model::known_unsampled(flags); }
  // Whether the span links to `other` (another span's ids).
  bool links_to(const LinkRef& other) const noexcept {
    for (const LinkRef& link : links) {
      if (link == other) return true;
    }
    return false;
  }
  // 0 for a span that never ended or ended before it started.
  std::uint64_t duration_nanos() const noexcept {
    return end_unix_nano > start_unix_nano ? end_unix_nano - start_unix_nano : 0;
  }
};

// Return the lowercase name of `kind` ("server", ...), as the query API writes it.
const char* to_string(SpanKind kind) noexcept;
// Return the lowercase name of `code` ("unset", "ok", "error").
const char* to_string(StatusCode code) noexcept;

// The kind or code that to_string() names `name`, or nullopt.
std::optional<SpanKind> span_kind_named(std::string_view name) noexcept;
std::optional<StatusCode> status_code_named(std::string_view name) noexcept;

}  // namespace tracemesh::model
