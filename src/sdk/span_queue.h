// A bounded multi-producer queue of span records (internal).
//
// Dmitry Vyukov's bounded MPMC ring: each cell carries a sequence number that
// tells producers and consumers whose turn it is, so push and pop are one
// compare-and-swap each and never wait for another thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "tracemesh/span_data.h"

namespace tracemesh::detail {

class SpanQueue {
 public:
  // Capacity is `capacity` rounded up to a power of two (at least 2).
  explicit SpanQueue(std::size_t capacity) {
    std::size_t size = 2;
    while (size < capacity) size <<= 1;
    mask_ = size - 1;
    cells_ = std::make_unique<Cell[]>(size);
    for (std::size_t i = 0; i < size; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }
  ~SpanQueue() {
    while (auto span = pop()) {
    }
  }
  SpanQueue(const SpanQueue&) = delete;
  SpanQueue& operator=(const SpanQueue&) = delete;

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Take ownership of `span` and return true, or return false (span untouched) when full.
  bool push(std::unique_ptr<SpanData>& span) noexcept {
    std::size_t position = enqueue_.load(std::memory_order_relaxed);
    while (true) {
      Cell& cell = cells_[position & mask_];
      const std::size_t sequence = cell.sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::ptrdiff_t>(sequence - position);
      if (difference == 0) {
        if (enqueue_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
          cell.span = span.release();
          cell.sequence.store(position + 1, std::memory_order_release);
          return true;
        }
      } else if (difference < 0) {
        return false;
      } else {
        position = enqueue_.load(std::memory_order_relaxed);
      }
    }
  }

  // Return the oldest span, or null when empty.
  std::unique_ptr<SpanData> pop() noexcept {
    std::size_t position = dequeue_.load(std::memory_order_relaxed);
    while (true) {
      Cell& cell = cells_[position & mask_];
      const std::size_t sequence = cell.sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::ptrdiff_t>(sequence - (position + 1));
      if (difference == 0) {
        if (dequeue_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
          std::unique_ptr<SpanData> span(cell.span);
          cell.sequence.store(position + mask_ + 1, std::memory_order_release);
          return span;
        }
      } else if (difference < 0) {
        return nullptr;
      } else {
        position = dequeue_.load(std::memory_order_relaxed);
      }
    }
  }

  // Return an estimate of the number of queued spans.
  std::size_t size() const noexcept {
    const std::size_t head = dequeue_.load(std::memory_order_relaxed);
    const std::size_t tail = enqueue_.load(std::memory_order_relaxed);
    return tail >= head ? tail - head : 0;
  }

 private:
  struct Cell {
    std::atomic<std::size_t> sequence{0};
    SpanData* span = nullptr;
  };
  std::unique_ptr<Cell[]> cells_;
  std::size_t mask_ = 0;
  alignas(64) std::atomic<std::size_t> enqueue_{0};
  alignas(64) std::atomic<std::size_t> dequeue_{0};
};

}  // namespace tracemesh::detail
