// A log line as the tools see it: when, which service, and the trace id it
// names, whatever it came from (a JSON-lines file, `docker compose logs`
// output, OTLP logs). Fleets that carry an id by hand and emit no
// spans have only these; a line naming a trace id is evidence that the
// service saw the trace.
#pragma once

#include <cstdint>
#include <string>

#include "tracemesh/ids.h"

namespace tracemesh::model {

struct LogRecord {
  std::uint64_t time_unix_nano = 0;
  std::string service;
  // The trace the line names: a legacy id (a UUID, an X-Request-ID...) is
  // mapped as the SDKs map it (tracemesh/legacy_propagator.h), so a line and
  // a span of the same request share the id. All zero: the line names none.
  TraceId trace_id;
  std::string logged_id;  // the id as the line wrote it
  SpanId span_id;         // all zero when the line names none
  std::string severity;
  std::string body;
  std::string attributes = "{}";  // a JSON object, as the query API returns it
  std::string source;  // where it was read, "FILE:LINE" (empty when it came over the network)

  bool has_trace_id() const noexcept { return trace_id.is_valid(); }
};

}  // namespace tracemesh::model
