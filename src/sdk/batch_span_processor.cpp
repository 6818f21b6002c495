#include "tracemesh/batch_span_processor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "sdk/span_queue.h"
#include "sdk/span_record_pool.h"

namespace tracemesh {
namespace {

constexpr std::chrono::milliseconds busy_poll_interval{1};
// An idle worker re-checks the queue this often, so a wake-up lost in the
// window between its check and its wait costs at most this long.
constexpr std::chrono::milliseconds idle_recheck_interval{50};
// Timeouts beyond this are treated as this (callers pass milliseconds::max()
// to mean "wait for ever", which would overflow time_point arithmetic).
constexpr std::chrono::milliseconds longest_wait = std::chrono::hours(24);
constexpr std::size_t destructor_shutdown_seconds = 5;
// Records kept for reuse: enough for a busy service, and a bound on the memory
// that idle records (with their strings' capacity) keep.
constexpr std::size_t max_pooled_records = 4096;

std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) {
  return std::clamp(timeout, std::chrono::milliseconds(0), longest_wait);
}

// Bring options within the documented limits (finalize() already rejects
// values outside them; this guards direct construction).
BatchOptions sanitized(BatchOptions options) {
  options.max_queue_size = std::clamp<std::size_t>(options.max_queue_size, 2, max_batch_queue_size);
  options.max_export_batch_size =
      std::clamp<std::size_t>(options.max_export_batch_size, 1, options.max_queue_size);
  options.schedule_delay =
      std::clamp(options.schedule_delay, std::chrono::milliseconds(1), max_schedule_delay);
  return options;
}

}  // namespace

struct BatchSpanProcessor::State {
  State(std::shared_ptr<SpanExporter> span_exporter, BatchOptions batch_options)
      : exporter(std::move(span_exporter)),
        options(sanitized(batch_options)),
        queue(options.max_queue_size),
        recycled(std::min(options.max_queue_size, max_pooled_records)) {}

  std::shared_ptr<SpanExporter> exporter;
  const BatchOptions options;
  detail::SpanQueue queue;
  detail::SpanRecordPool recycled;  // exported records, for start_span to reuse

  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> dropped_queue_full{0};
  std::atomic<std::uint64_t> dropped_after_shutdown{0};
  std::atomic<std::uint64_t> exported{0};
  std::atomic<std::uint64_t> export_failed{0};
  std::atomic<std::uint64_t> batches{0};
  std::atomic<bool> closed{false};        // no new spans accepted
  std::atomic<bool> wake_pending{false};  // a producer has signalled a full batch
  std::atomic<bool> polling{false};       // the worker is busy and wakes by itself

  std::mutex lifecycle;  // serializes shutdown()

  std::mutex mutex;
  std::condition_variable wake;  // the worker waits on it
  std::condition_variable done;  // flush and shutdown callers wait on it
  std::uint64_t flush_requested = 0;
  std::uint64_t flush_completed = 0;
  bool stop = false;
  bool worker_exited = false;
  std::chrono::steady_clock::time_point stop_deadline;
  std::thread worker;

  void run();
  std::size_t export_pending();
};

// Export everything queued, in batches; return how many spans were taken.
std::size_t BatchSpanProcessor::State::export_pending() {
  std::size_t taken = 0;
  std::vector<std::unique_ptr<SpanData>> batch;
  batch.reserve(std::min(options.max_export_batch_size, queue.capacity()));
  while (true) {
    batch.clear();
    while (batch.size() < options.max_export_batch_size) {
      auto span = queue.pop();
      if (!span) break;
      batch.push_back(std::move(span));
    }
    if (batch.empty()) return taken;
    taken += batch.size();
    const auto result = exporter->export_spans(batch);
    batches.fetch_add(1, std::memory_order_relaxed);
    auto& counter = result == ExportResult::success ? exported : export_failed;
    counter.fetch_add(batch.size(), std::memory_order_relaxed);
    // Hand the records back untouched: the application thread that reuses
    // one clears it, so its strings are freed where they were allocated.
    recycled.give_back(batch);  // a full pool frees the rest with the batch
  }
}

// Two modes. Idle: wait for a producer to signal a full batch (or for the
// schedule delay, a flush, or stop). Busy (the last pass found at least a
// batch): wake every busy_poll_interval without being signalled, so that under
// load application threads never pay for a wake-up system call.
void BatchSpanProcessor::State::run() {
  bool busy = false;
  while (true) {
    std::uint64_t flush_target = 0;
    bool stopping = false;
    {
      std::unique_lock lock(mutex);
      const auto requested = [this] { return stop || flush_requested != flush_completed; };
      if (busy) {
        wake.wait_for(lock, busy_poll_interval, requested);
      } else {
        // Clear before waiting: a producer that fills a batch from now on
        // signals again (or the predicate below already sees the batch).
        wake_pending.store(false, std::memory_order_relaxed);
        const auto full_or_requested = [this, &requested] {
          return requested() || queue.size() >= options.max_export_batch_size;
        };
        const auto deadline = std::chrono::steady_clock::now() + options.schedule_delay;
        for (auto now = std::chrono::steady_clock::now(); now < deadline;
             now = std::chrono::steady_clock::now()) {
          const auto slice =
              std::min<std::chrono::steady_clock::duration>(deadline - now, idle_recheck_interval);
          if (wake.wait_for(lock, slice, full_or_requested)) break;
        }
      }
      flush_target = flush_requested;
      stopping = stop;
    }
    busy = export_pending() >= options.max_export_batch_size;
    polling.store(busy, std::memory_order_relaxed);
    if (stopping) {
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
          stop_deadline - std::chrono::steady_clock::now());
      exporter->shutdown(std::max(remaining, std::chrono::milliseconds(0)));
    }
    {
      std::lock_guard lock(mutex);
      flush_completed = flush_target;
      worker_exited = stopping;
    }
    done.notify_all();
    if (stopping) return;
  }
}

BatchSpanProcessor::BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter, BatchOptions options)
    : state_(std::make_shared<State>(std::move(exporter), options)) {
  // The worker owns a reference so that a worker abandoned at shutdown still
  // has a live state (and exporter) to finish with.
  state_->worker = std::thread([state = state_] { state->run(); });
}

// Never waits: stop is requested and the worker, which owns a reference to
// the state, exports what is queued and shuts the exporter down by itself.
BatchSpanProcessor::~BatchSpanProcessor() {
  State& state = *state_;
  std::lock_guard serialized(state.lifecycle);
  state.closed.store(true, std::memory_order_relaxed);
  {
    std::lock_guard lock(state.mutex);
    if (!state.stop) {
      state.stop = true;
      state.stop_deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(destructor_shutdown_seconds);
    }
  }
  state.wake.notify_one();
  if (state.worker.joinable()) state.worker.detach();
}

void BatchSpanProcessor::on_end(std::unique_ptr<SpanData> span) noexcept {
  State& state = *state_;
  if (state.closed.load(std::memory_order_relaxed)) {
    state.dropped_after_shutdown.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!state.queue.push(span)) {
    state.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  state.received.fetch_add(1, std::memory_order_relaxed);
  // Wake the worker when a batch is ready. Notifying without the mutex keeps
  // this thread from ever waiting; a wake-up lost in the worker's
  // check-then-wait window is recovered at the next schedule_delay.
  if (!state.polling.load(std::memory_order_relaxed) &&
      state.queue.size() >= state.options.max_export_batch_size &&
      !state.wake_pending.exchange(true, std::memory_order_relaxed)) {
    state.wake.notify_one();
  }
}

bool BatchSpanProcessor::force_flush(std::chrono::milliseconds timeout) noexcept {
  timeout = bounded(timeout);
  State& state = *state_;
  std::unique_lock lock(state.mutex);
  if (state.worker_exited) return state.queue.size() == 0;
  const std::uint64_t target = ++state.flush_requested;
  state.wake.notify_one();
  return state.done.wait_for(lock, timeout, [&state, target] {
    return state.flush_completed >= target || state.worker_exited;
  });
}

bool BatchSpanProcessor::shutdown(std::chrono::milliseconds timeout) noexcept {
  timeout = bounded(timeout);
  State& state = *state_;
  std::lock_guard serialized(state.lifecycle);
  state.closed.store(true, std::memory_order_relaxed);
  bool exited = false;
  {
    std::unique_lock lock(state.mutex);
    if (!state.worker.joinable()) return state.worker_exited;
    if (!state.stop) {
      state.stop = true;
      state.stop_deadline = std::chrono::steady_clock::now() + timeout;
    }
    state.wake.notify_one();
    exited = state.done.wait_for(lock, timeout, [&state] { return state.worker_exited; });
  }
  if (exited) {
    state.worker.join();
  } else {
    state.worker.detach();  // stuck in the exporter: abandon it rather than hang
  }
  return exited;
}

BatchStats BatchSpanProcessor::stats() const noexcept {
  const State& state = *state_;
  BatchStats stats;
  stats.received = state.received.load(std::memory_order_relaxed);
  stats.dropped_queue_full = state.dropped_queue_full.load(std::memory_order_relaxed);
  stats.dropped_after_shutdown = state.dropped_after_shutdown.load(std::memory_order_relaxed);
  stats.exported = state.exported.load(std::memory_order_relaxed);
  stats.export_failed = state.export_failed.load(std::memory_order_relaxed);
  stats.batches = state.batches.load(std::memory_order_relaxed);
  return stats;
}

std::size_t BatchSpanProcessor::queue_depth() const noexcept {
  return state_->queue.size();
}

std::unique_ptr<SpanData> BatchSpanProcessor::take_recycled() noexcept {
  return state_->recycled.take();
}

}  // namespace tracemesh
