// A pool of span records that exporters are done with (internal).
//
// Last in, first out: the record returned most recently is reused first, so
// the records in circulation stay few and warm in cache. The application
// side only ever try-locks: when the worker holds the lock, start_span
// allocates a fresh record instead of waiting.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "tracemesh/span_data.h"

namespace tracemesh::detail {

class SpanRecordPool {
 public:
  explicit SpanRecordPool(std::size_t capacity) : capacity_(capacity) {
    records_.reserve(capacity);
  }

  // Take back `records` (moved from); those beyond the capacity are freed.
  void give_back(std::vector<std::unique_ptr<SpanData>>& records) {
    std::lock_guard lock(mutex_);
    for (auto& record : records) {
      if (records_.size() == capacity_) break;
      records_.push_back(std::move(record));
    }
  }

  // Return the most recently returned record, or null (empty or busy). Never blocks.
  std::unique_ptr<SpanData> take() noexcept {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || records_.empty()) return nullptr;
    auto record = std::move(records_.back());
    records_.pop_back();
    return record;
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<SpanData>> records_;
  std::size_t capacity_;
};

}  // namespace tracemesh::detail
