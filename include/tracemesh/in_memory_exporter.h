// An exporter that keeps spans in memory, for tests.
#pragma once

#include <mutex>
#include <vector>

#include "tracemesh/span_exporter.h"

namespace tracemesh {

class InMemoryExporter final : public SpanExporter {
 public:
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Return a copy of every span exported so far, in export order.
  std::vector<SpanData> spans() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<SpanData> spans_;
  bool shut_down_ = false;
};

}  // namespace tracemesh
