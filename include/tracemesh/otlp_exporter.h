// HTTP span exporters over libcurl: OTLP/HTTP (protobuf or JSON) and Zipkin v2.
// Part of tracemesh::curl.
//
// An HttpSpanExporter POSTs each batch it is given, encoded by its
// SpanEncoding, optionally gzip-compressed. It is meant to sit behind a
// BatchSpanProcessor, whose worker thread calls export_spans(); application
// threads never wait for the network. Delivery:
//  - 2xx is success. An OTLP partial-success response is logged with its
//    counts and added to stats().spans_rejected.
//  - 429, 502, 503 and 504 are retried with exponential backoff and jitter,
//    waiting what Retry-After asks for when the server sends it, until
//    max_attempts or the export timeout runs out.
//  - Anything else (other statuses, connection failures) fails the batch at
//    once. Failed batches are dropped and counted (stats().spans_failed).
// shutdown() interrupts a backoff wait and aborts a transfer still running
// when its timeout ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/environment.h"
#include "tracemesh/expected.h"
#include "tracemesh/span_encoding.h"
#include "tracemesh/span_exporter.h"
#include "tracemesh/tracer_config.h"

namespace tracemesh {

enum class OtlpProtocol { http_protobuf, http_json };
enum class Compression { none, gzip };

struct RetryPolicy {
  int max_attempts = 5;  // the first try included
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 1.5;
  // Each wait is drawn uniformly from [backoff * (1 - jitter), backoff * (1 + jitter)].
  double jitter = 0.2;
  // Retry-After values above this are capped (a misbehaving server cannot park the exporter).
  std::chrono::milliseconds max_retry_after{30000};
};

// Counters of an exporter; all monotonic.
struct HttpExportStats {
  std::uint64_t requests = 0;        // HTTP requests sent, retries included
  std::uint64_t retries = 0;         // requests that were retries
  std::uint64_t spans_exported = 0;  // spans in batches answered 2xx
  std::uint64_t spans_rejected = 0;  // of those, spans a partial-success response rejected
  std::uint64_t spans_failed = 0;    // spans in batches that were dropped
  std::string last_error;            // the most recent failure or rejection, "" when none
};

// Where an exporter sends, and how.
struct HttpExporterOptions {
  std::string url;                                           // the full URL POSTed to
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  Compression compression = Compression::none;
  // The whole export of one batch, retries and waits included.
  std::chrono::milliseconds timeout{10000};
  RetryPolicy retry;
  // Receives one line per failure or partial success; null writes to stderr.
  std::function<void(std::string_view)> log;
};

// How a batch becomes a request body, and how the response is read.
class SpanEncoding {
 public:
  virtual ~SpanEncoding() = default;
  virtual std::string_view content_type() const noexcept = 0;
  virtual std::string encode(SpanBatch spans) const = 0;
  // Return how many spans a 2xx response body says were rejected, with the
  // server's message; {0, ""} when it reports none. Never throws.
  virtual std::pair<std::int64_t, std::string> rejected(std::string_view body) const noexcept = 0;
};

// Return the encodings: OTLP protobuf, OTLP JSON, Zipkin v2 JSON.
std::shared_ptr<const SpanEncoding> otlp_encoding(OtlpProtocol protocol);
std::shared_ptr<const SpanEncoding> zipkin_encoding();

class HttpSpanExporter final : public SpanExporter {
 public:
  HttpSpanExporter(HttpExporterOptions options, std::shared_ptr<const SpanEncoding> encoding);
  ~HttpSpanExporter() override;
  HttpSpanExporter(const HttpSpanExporter&) = delete;
  HttpSpanExporter& operator=(const HttpSpanExporter&) = delete;

  ExportResult export_spans(SpanBatch spans) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Return a snapshot of the counters; thread-safe.
  HttpExportStats stats() const;
  const HttpExporterOptions& options() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Options for an OTLP exporter as code sets them; unset fields come from
// OTEL_EXPORTER_OTLP_[TRACES_]{ENDPOINT,HEADERS,PROTOCOL,COMPRESSION,TIMEOUT}.
struct OtlpExporterOptions {
  std::optional<std::string> endpoint;         // a base URL: /v1/traces is appended
  std::optional<std::string> traces_endpoint;  // the full URL, used as is
  std::optional<std::vector<std::pair<std::string, std::string>>> headers;
  std::optional<OtlpProtocol> protocol;
  std::optional<Compression> compression;
  std::optional<std::chrono::milliseconds> timeout;
  RetryPolicy retry;
  std::function<void(std::string_view)> log;
};

// Options for a Zipkin exporter; unset fields come from OTEL_EXPORTER_ZIPKIN_{ENDPOINT,TIMEOUT}.
struct ZipkinExporterOptions {
  std::optional<std::string> endpoint;  // the full URL (default http://localhost:9411/api/v2/spans)
  std::optional<std::chrono::milliseconds> timeout;
  RetryPolicy retry;
  std::function<void(std::string_view)> log;
};

// Return the complete HttpExporterOptions, or an Error naming the bad setting.
Expected<HttpExporterOptions> finalize(const OtlpExporterOptions& options,
                                       const Environment& environment = process_environment());
Expected<HttpExporterOptions> finalize(const ZipkinExporterOptions& options,
                                       const Environment& environment = process_environment());

// Return an OTLP (or Zipkin) exporter configured from `options` and the environment.
Expected<std::shared_ptr<HttpSpanExporter>> make_otlp_exporter(
    const OtlpExporterOptions& options = {},
    const Environment& environment = process_environment());
Expected<std::shared_ptr<HttpSpanExporter>> make_zipkin_exporter(
    const ZipkinExporterOptions& options = {},
    const Environment& environment = process_environment());

// Return a factory for TracerOptions::exporter_factory that builds the
// exporters OTEL_TRACES_EXPORTER names "otlp" and "zipkin".
ExporterFactory exporter_factory();

}  // namespace tracemesh
