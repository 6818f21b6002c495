// POST /v1/traces: one OTLP/HTTP export request, from headers and body to
// the status and body of the answer, independent of the HTTP server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "collector/store/span_store.h"
#include "ingest/decoded_batch.h"

namespace tracemesh::collector {

struct IngestCounters;

enum class BodyEncoding { protobuf, json };

struct IngestAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  bool retry_after = false;  // add Retry-After (429/503)
  std::string error;         // why, when status is not 2xx (as in the body)
};

// Return the encoding a Content-Type names, or nothing for an unsupported one.
std::optional<BodyEncoding> body_encoding(std::string_view content_type);

// Decode and store `body`; answer in `encoding` as OTLP/HTTP specifies.
IngestAnswer ingest_otlp(std::string_view body, BodyEncoding encoding, SpanStore& store,
                         const ingest::DecodeLimits& limits, IngestCounters& counters);

// Decode and store the log records of an OTLP logs `body` that name a trace
// (ingest/decoded_logs.h); answer in `encoding` as OTLP/HTTP specifies, with
// the rejected records as a partial success.
IngestAnswer ingest_otlp_logs(std::string_view body, BodyEncoding encoding, SpanStore& store,
                              const ingest::DecodeLimits& limits, IngestCounters& counters);

// Decode and store a Zipkin v2 JSON `body`: 202 when stored (with the
// rejected count in a JSON body when some spans were invalid), 400 when
// malformed, 429/503 as for OTLP.
IngestAnswer ingest_zipkin(std::string_view body, SpanStore& store,
                           const ingest::DecodeLimits& limits, IngestCounters& counters);

// Answer an OTLP metrics export (POST /v1/metrics) with success and keep
// nothing: the collector stores traces, and SDKs export metrics by default.
IngestAnswer drop_metrics(BodyEncoding encoding, IngestCounters& counters);

// Return an error answer with `status` and `message` in `encoding`.
IngestAnswer error_answer(int status, std::string_view message, BodyEncoding encoding);

// A google.rpc.Status in the OTLP/JSON mapping ({"code":N,"message":"..."}), for
// the errors the HTTP server answers itself (413, 404).
std::string status_json(int code, std::string_view message);

}  // namespace tracemesh::collector
