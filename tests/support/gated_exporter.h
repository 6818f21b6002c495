// Test exporters and span records shared by the processor and configuration tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "tracemesh/span_data.h"
#include "tracemesh/span_exporter.h"

namespace tracemesh::spec {

// Return a minimal valid span record.
inline std::unique_ptr<SpanData> make_span_data() {
  auto data = std::make_unique<SpanData>();
  data->context.trace_id = TraceId::random();
  data->context.span_id = SpanId::random();
  data->name = "span";
  return data;
}

// An exporter that records batch sizes and holds the worker inside
// export_spans until the test opens the gate (or from the start, when open).
class GatedExporter final : public SpanExporter {
 public:
  static constexpr std::chrono::seconds hang_bound{10};

  explicit GatedExporter(bool open = false) : open_(open) {}
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) noexcept override {
    std::unique_lock lock(mutex_);
    ++entered_;
    batch_sizes_.push_back(spans.size());
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    ++returned_;
    changed_.notify_all();
    return ExportResult::success;
  }
  bool shutdown(std::chrono::milliseconds) noexcept override { return true; }

  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // Wait until an export call is blocked in the gate; false after the hang bound.
  bool wait_entered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, hang_bound, [this] { return entered_ > 0; });
  }
  // Wait until every export call that entered has returned; false after the hang bound.
  bool wait_all_returned() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, hang_bound, [this] { return returned_ == entered_; });
  }
  std::size_t received() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (auto size : batch_sizes_) total += size;
    return total;
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_;
  int entered_ = 0;
  int returned_ = 0;
  std::vector<std::size_t> batch_sizes_;
};

}  // namespace tracemesh::spec
