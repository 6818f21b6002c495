// An exporter that writes one JSON object per span per line, to a file or stdout.
//
// The line's fields are those of the collector's span JSON: trace_id,
// span_id, parent_span_id (lowercase hex, "" for a root), service, name, kind,
// start_unix_nano, end_unix_nano (decimal strings, as in OTLP JSON), status
// {code, message}, attributes (an object), events, links, plus trace_state
// and legacy_trace_id when present. `grep <trace id>` finds every span.
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

#include "tracemesh/expected.h"
#include "tracemesh/span_exporter.h"

namespace tracemesh {

class JsonLinesExporter final : public SpanExporter {
 public:
  // Return an exporter appending to `path` (created if needed), or why it cannot.
  static Expected<std::shared_ptr<JsonLinesExporter>> open(const std::string& path);
  // Return an exporter writing to standard output.
  static std::shared_ptr<JsonLinesExporter> to_stdout();

  ~JsonLinesExporter() override;
  JsonLinesExporter(const JsonLinesExporter&) = delete;
  JsonLinesExporter& operator=(const JsonLinesExporter&) = delete;

  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  JsonLinesExporter(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  std::FILE* file_;
  bool owned_;
  std::atomic<bool> shut_down_{false};
};

// Return `span` as one line of JSON (no trailing newline).
std::string span_to_json(const SpanData& span);

}  // namespace tracemesh
