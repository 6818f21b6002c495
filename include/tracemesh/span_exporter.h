// Span exporters send finished spans somewhere: a collector, a file, memory.
//
// Exporters are called from one thread at a time (a processor's worker), so
// implementations need no internal locking for export_spans itself. The
// records are lent for the duration of the call: the processor may reuse
// them afterwards, so an exporter that keeps spans must copy them.
#pragma once

#include <chrono>
#include <memory>
#include <span>

#include "tracemesh/span_data.h"

namespace tracemesh {

enum class ExportResult { success, failure };

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  // Send `spans`; return failure when they could not be delivered.
  virtual ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) noexcept = 0;
  // Release resources; later exports fail. Must return within `timeout`.
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

}  // namespace tracemesh
