#include "tracemesh/in_memory_exporter.h"

namespace tracemesh {

ExportResult InMemoryExporter::export_spans(
    std::span<const std::unique_ptr<SpanData>> spans) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return ExportResult::failure;
  try {
    for (const auto& span : spans) spans_.push_back(*span);
  } catch (...) {
    return ExportResult::failure;
  }
  return ExportResult::success;
}

bool InMemoryExporter::shutdown(std::chrono::milliseconds) noexcept {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  return true;
}

std::vector<SpanData> InMemoryExporter::spans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

void InMemoryExporter::clear() {
  std::lock_guard lock(mutex_);
  spans_.clear();
}

}  // namespace tracemesh
