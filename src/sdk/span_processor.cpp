#include "tracemesh/span_processor.h"

namespace tracemesh {

SimpleSpanProcessor::SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter)
    : exporter_(std::move(exporter)) {}

void SimpleSpanProcessor::on_end(std::unique_ptr<SpanData> span) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_ || !exporter_) return;
  exporter_->export_spans(std::span<const std::unique_ptr<SpanData>>(&span, 1));
}

bool SimpleSpanProcessor::force_flush(std::chrono::milliseconds) noexcept {
  return true;
}

bool SimpleSpanProcessor::shutdown(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return true;
  shut_down_ = true;
  return exporter_ ? exporter_->shutdown(timeout) : true;
}

}  // namespace tracemesh
