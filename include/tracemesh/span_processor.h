// Span processors receive every ended span and hand it to an exporter.
//
// Two are provided: SimpleSpanProcessor (exports synchronously on end; for
// tests and tools) and BatchSpanProcessor (batch_span_processor.h; for
// services).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "tracemesh/span_data.h"
#include "tracemesh/span_exporter.h"

namespace tracemesh {

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  // Take an ended, sampled span. Called on the application thread: must not block.
  virtual void on_end(std::unique_ptr<SpanData> span) noexcept = 0;
  // Export everything received so far; return false when `timeout` ran out first.
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept = 0;
  // Flush, then shut the exporter down; return false when `timeout` ran out first.
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept = 0;
  // Return a used span record to fill again, or null. A processor whose
  // exporter is done with records hands them back here, so a service in
  // steady state starts spans without allocating. Must not block.
  virtual std::unique_ptr<SpanData> take_recycled() noexcept { return nullptr; }
};

// Exports each span on the thread that ends it, under a lock.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter);
  void on_end(std::unique_ptr<SpanData> span) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::mutex mutex_;
  std::shared_ptr<SpanExporter> exporter_;
  bool shut_down_ = false;
};

}  // namespace tracemesh
