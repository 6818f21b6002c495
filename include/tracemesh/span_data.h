// The record of a finished span, as processors and exporters receive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tracemesh/attribute.h"
#include "tracemesh/resource.h"
#include "tracemesh/span_context.h"

namespace tracemesh {

// Values follow OTLP's SpanKind minus one (OTLP reserves 0 for "unspecified").
enum class SpanKind : std::uint8_t { internal, server, client, producer, consumer };
enum class StatusCode : std::uint8_t { unset, ok, error };

// Return "internal", "server", ... / "unset", "ok", "error".
std::string_view to_string(SpanKind kind) noexcept;
std::string_view to_string(StatusCode code) noexcept;

struct Status {
  StatusCode code = StatusCode::unset;
  std::string description;  // only meaningful with StatusCode::error
};

struct Event {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes;
};

struct Link {
  SpanContext context;
  Attributes attributes;
};

// The instrumentation library that created a span.
struct InstrumentationScope {
  std::string name;
  std::string version;
};

struct SpanData {
  SpanContext context;
  SpanId parent_span_id;  // zero for a root span
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::internal;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  Attributes attributes;
  std::vector<Event> events;
  std::vector<Link> links;
  Status status;
  std::uint32_t dropped_attributes = 0;
  std::uint32_t dropped_events = 0;
  std::uint32_t dropped_links = 0;
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;
};

}  // namespace tracemesh
