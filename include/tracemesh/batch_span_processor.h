// The batch span processor: a bounded queue and a background exporter thread.
//
// on_end() never blocks the calling thread: it pushes into a fixed-size
// lock-free queue, and when the queue is full the span is dropped and
// counted (stats().dropped_queue_full). A worker thread exports batches when
// a batch fills up, every schedule_delay, and on flush. force_flush() and
// shutdown() wait at most their timeout (at most 24 h; milliseconds::max()
// is fine): a worker stuck in a slow exporter is abandoned (detached, keeping
// what it needs alive), never joined untimed.
// Exported records go back to the application threads through a second
// bounded queue (take_recycled), so steady-state tracing allocates nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tracemesh/span_processor.h"

namespace tracemesh {

// Limits on BatchOptions: finalize() rejects values beyond them, and the
// processor clamps directly constructed options into them.
inline constexpr std::size_t max_batch_queue_size = std::size_t{1} << 20;
inline constexpr std::chrono::milliseconds max_schedule_delay = std::chrono::hours(1);

struct BatchOptions {
  std::size_t max_queue_size = 2048;               // OTEL_BSP_MAX_QUEUE_SIZE
  std::size_t max_export_batch_size = 512;         // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
  std::chrono::milliseconds schedule_delay{5000};  // OTEL_BSP_SCHEDULE_DELAY
};

// Counters of a batch processor; all monotonic.
struct BatchStats {
  std::uint64_t received = 0;            // spans accepted into the queue
  std::uint64_t dropped_queue_full = 0;  // spans dropped because the queue was full
  std::uint64_t dropped_after_shutdown = 0;
  std::uint64_t exported = 0;       // spans the exporter reported delivered
  std::uint64_t export_failed = 0;  // spans in batches the exporter reported failed
  std::uint64_t batches = 0;        // export calls made
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  // Start the worker thread. Options are clamped into their limits (queue 2 to
  // max_batch_queue_size, rounded up to a power of two; batch 1 to the queue
  // size; delay 1 ms to max_schedule_delay). Throws std::system_error when no
  // thread can be started (finalize() turns that into an Error).
  BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter, BatchOptions options = {});
  // Never waits: asks the worker to export what is queued and shut the
  // exporter down (within 5 s) on its own. Call shutdown() to wait for that.
  ~BatchSpanProcessor() override;
  BatchSpanProcessor(const BatchSpanProcessor&) = delete;
  BatchSpanProcessor& operator=(const BatchSpanProcessor&) = delete;

  void on_end(std::unique_ptr<SpanData> span) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;
  std::unique_ptr<SpanData> take_recycled() noexcept override;

  // Return a snapshot of the counters (thread-safe).
  BatchStats stats() const noexcept;
  // Return the number of spans waiting in the queue.
  std::size_t queue_depth() const noexcept;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tracemesh
