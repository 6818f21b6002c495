// Tests for the batch span processor: batching, flushing, the bounded queue,
// concurrency, timed shutdown with a stuck exporter, and its counters.
//
// Time appears only as generous hang bounds (seconds), never as a
// performance expectation.

#include "tracemesh/batch_span_processor.h"
#include "support/gated_exporter.h"
#include "tracemesh/in_memory_exporter.h"
#include "tracemesh/tracer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "tracemesh/ids.h"
#include "tracemesh/span_data.h"
#include "tracemesh/span_exporter.h"

namespace tracemesh {
namespace {

using spec::GatedExporter;
using spec::make_span_data;

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds hang_bound{10};
constexpr milliseconds never{std::chrono::hours(1)};

// Return whether `condition` became true before the hang bound.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + hang_bound;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// An exporter that records what it receives; optionally slow or failing.
class RecordingExporter final : public SpanExporter {
 public:
  explicit RecordingExporter(ExportResult result = ExportResult::success,
                             milliseconds delay = milliseconds(0))
      : result_(result), delay_(delay) {}

  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) noexcept override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::lock_guard lock(mutex_);
    if (shut_down_) ++exports_after_shutdown_;
    batch_sizes_.push_back(spans.size());
    total_ += spans.size();
    return result_;
  }
  bool shutdown(milliseconds) noexcept override {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    return true;
  }

  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }
  std::size_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  bool shut_down() const {
    std::lock_guard lock(mutex_);
    return shut_down_;
  }
  int exports_after_shutdown() const {
    std::lock_guard lock(mutex_);
    return exports_after_shutdown_;
  }

 private:
  const ExportResult result_;
  const milliseconds delay_;
  mutable std::mutex mutex_;
  std::vector<std::size_t> batch_sizes_;
  std::size_t total_ = 0;
  bool shut_down_ = false;
  int exports_after_shutdown_ = 0;
};

// Opens the gate when the test ends, however it ends, so a detached worker can exit.
struct OpenGateAtExit {
  std::shared_ptr<GatedExporter> exporter;
  ~OpenGateAtExit() {
    exporter->open();
    exporter->wait_all_returned();
  }
};

BatchOptions options(std::size_t queue, std::size_t batch, milliseconds delay = never) {
  return BatchOptions{
      .max_queue_size = queue, .max_export_batch_size = batch, .schedule_delay = delay};
}

TEST(BatchSpanProcessor, ExportsInBatchesOfAtMostTheBatchSize) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 4));
  for (int i = 0; i < 10; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(processor.force_flush(hang_bound));
  EXPECT_EQ(exporter->total(), 10U);
  const auto sizes = exporter->batch_sizes();
  for (std::size_t size : sizes) {
    EXPECT_GE(size, 1U);
    EXPECT_LE(size, 4U);
  }
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.received, 10U);
  EXPECT_EQ(stats.exported, 10U);
  EXPECT_EQ(stats.export_failed, 0U);
  EXPECT_EQ(stats.batches, sizes.size());
  EXPECT_EQ(stats.dropped_queue_full, 0U);
}

TEST(BatchSpanProcessor, AFullBatchIsExportedWithoutAFlush) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 4));  // the schedule delay never comes
  for (int i = 0; i < 4; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(eventually([&] { return exporter->total() == 4; }));
}

TEST(BatchSpanProcessor, AFullBatchIsExportedWithoutAFlushAfterABusyExport) {
  // While the worker is busy exporting, producers fill another batch; once
  // the worker is idle again, the next full batch must still wake it.
  auto exporter = std::make_shared<GatedExporter>();
  OpenGateAtExit open_gate{exporter};
  BatchSpanProcessor processor(exporter, options(64, 4));  // the schedule delay never comes
  for (int i = 0; i < 4; ++i) processor.on_end(make_span_data());
  ASSERT_TRUE(exporter->wait_entered()) << "the first full batch did not wake the worker";
  for (int i = 0; i < 4; ++i) processor.on_end(make_span_data());  // filled while busy
  exporter->open();
  ASSERT_TRUE(eventually([&] { return exporter->received() == 8; }));
  ASSERT_TRUE(eventually([&] { return processor.queue_depth() == 0; }));
  for (int i = 0; i < 4; ++i) processor.on_end(make_span_data());  // the worker is idle now
  EXPECT_TRUE(eventually([&] { return exporter->received() == 12; }))
      << "a full batch waited for the schedule delay";
}

TEST(BatchSpanProcessor, ScheduleDelayExportsAPartialBatch) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 32, milliseconds(5)));
  for (int i = 0; i < 3; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(eventually([&] { return exporter->total() == 3; }));
}

TEST(BatchSpanProcessor, ForceFlushExportsEverythingPending) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(2048, 512));
  for (int i = 0; i < 100; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(processor.force_flush(hang_bound));
  EXPECT_EQ(exporter->total(), 100U);
  EXPECT_EQ(processor.queue_depth(), 0U);
  EXPECT_EQ(processor.stats().exported, 100U);
}

TEST(BatchSpanProcessor, ForceFlushWithNothingPendingSucceeds) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 8));
  EXPECT_TRUE(processor.force_flush(hang_bound));
  EXPECT_EQ(exporter->total(), 0U);
}

TEST(BatchSpanProcessor, AFullQueueDropsAndCountsWithoutBlocking) {
  auto exporter = std::make_shared<GatedExporter>();
  OpenGateAtExit open_gate{exporter};
  BatchSpanProcessor processor(exporter, options(4, 1));
  processor.on_end(make_span_data());
  ASSERT_TRUE(exporter->wait_entered()) << "the worker never started exporting";

  // The worker is stuck in the exporter holding one span; the queue takes four more.
  auto producer = std::async(std::launch::async, [&processor] {
    for (int i = 0; i < 20; ++i) processor.on_end(make_span_data());
  });
  ASSERT_EQ(producer.wait_for(hang_bound), std::future_status::ready)
      << "on_end blocked on a full queue";

  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.received + stats.dropped_queue_full, 21U);
  EXPECT_LE(stats.received, 5U);
  EXPECT_GE(stats.dropped_queue_full, 16U);
  EXPECT_EQ(processor.queue_depth(), stats.received - 1);

  exporter->open();
  EXPECT_TRUE(processor.force_flush(hang_bound));
  EXPECT_EQ(processor.stats().exported, stats.received);
  EXPECT_EQ(exporter->received(), stats.received);
  EXPECT_EQ(processor.stats().dropped_queue_full, stats.dropped_queue_full);
}

TEST(BatchSpanProcessor, ManyThreadsAgainstASlowExporterAccountForEverySpan) {
  constexpr int thread_count = 8;
  constexpr int spans_per_thread = 2000;
  constexpr std::uint64_t total = thread_count * spans_per_thread;
  auto exporter = std::make_shared<RecordingExporter>(ExportResult::success, milliseconds(1));
  BatchSpanProcessor processor(exporter, options(1024, 128, milliseconds(5)));

  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  threads.reserve(thread_count);
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < spans_per_thread; ++i) processor.on_end(make_span_data());
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();

  const BatchStats ended = processor.stats();
  EXPECT_EQ(ended.received + ended.dropped_queue_full, total);
  EXPECT_EQ(ended.dropped_after_shutdown, 0U);

  EXPECT_TRUE(processor.shutdown(seconds(30)));
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.received, ended.received);
  EXPECT_EQ(stats.dropped_queue_full, ended.dropped_queue_full);
  EXPECT_EQ(stats.received, stats.exported + stats.export_failed + processor.queue_depth());
  EXPECT_EQ(stats.exported, exporter->total());
  EXPECT_EQ(stats.batches, exporter->batch_sizes().size());
  EXPECT_EQ(processor.queue_depth(), 0U) << "shutdown flushes";
  for (std::size_t size : exporter->batch_sizes()) EXPECT_LE(size, 128U);
}

TEST(BatchSpanProcessor, ShutdownReturnsInBoundedTimeWhenTheExporterIsStuck) {
  auto exporter = std::make_shared<GatedExporter>();
  OpenGateAtExit open_gate{exporter};  // declared first: runs after the processor is gone
  auto processor = std::make_unique<BatchSpanProcessor>(exporter, options(64, 1));
  processor->on_end(make_span_data());
  ASSERT_TRUE(exporter->wait_entered()) << "the worker never started exporting";
  for (int i = 0; i < 10; ++i) processor->on_end(make_span_data());

  const auto shutdown_start = std::chrono::steady_clock::now();
  const bool finished = processor->shutdown(milliseconds(200));
  const auto shutdown_time = std::chrono::steady_clock::now() - shutdown_start;
  EXPECT_FALSE(finished) << "the timeout ran out before the flush";
  EXPECT_LT(shutdown_time, seconds(5)) << "hang bound, not a performance figure";

  const auto destroy_start = std::chrono::steady_clock::now();
  processor.reset();  // already shut down: must not wait for the stuck worker
  EXPECT_LT(std::chrono::steady_clock::now() - destroy_start, seconds(5));
}

TEST(BatchSpanProcessor, DestructorDoesNotWaitForAStuckExporter) {
  // The last reference to a tracer can be dropped on a request thread; that
  // must not block it behind the exporter.
  auto exporter = std::make_shared<GatedExporter>();
  OpenGateAtExit open_gate{exporter};
  auto processor = std::make_unique<BatchSpanProcessor>(exporter, options(64, 1));
  processor->on_end(make_span_data());
  ASSERT_TRUE(exporter->wait_entered());
  const auto start = std::chrono::steady_clock::now();
  processor.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(1)) << "hang bound";
}

TEST(BatchSpanProcessor, WaitingForeverIsAcceptedAsATimeout) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 32));
  for (int i = 0; i < 5; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(processor.force_flush(milliseconds::max()));
  EXPECT_EQ(exporter->total(), 5U);
  EXPECT_TRUE(processor.shutdown(milliseconds::max()));
}

TEST(BatchSpanProcessor, OutOfRangeOptionsAreClampedNotSpunOn) {
  // A batch size of 0 or a delay of 0 would make the worker spin exporting nothing.
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(0, 0, milliseconds(0)));
  for (int i = 0; i < 3; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(processor.force_flush(seconds(5)));
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.received + stats.dropped_queue_full, 3U) << "every span accepted or counted";
  EXPECT_EQ(exporter->total(), stats.received);
  EXPECT_GE(stats.received, 2U) << "the queue holds at least two spans";
}

TEST(BatchSpanProcessor, SpansEndedAfterShutdownAreCounted) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 8));
  processor.on_end(make_span_data());
  EXPECT_TRUE(processor.shutdown(hang_bound));
  for (int i = 0; i < 3; ++i) processor.on_end(make_span_data());
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.dropped_after_shutdown, 3U);
  EXPECT_EQ(stats.received, 1U);
  EXPECT_EQ(stats.exported, 1U);
  EXPECT_EQ(exporter->total(), 1U);
  EXPECT_EQ(exporter->exports_after_shutdown(), 0);
}

TEST(BatchSpanProcessor, ShutdownFlushesThenShutsTheExporterDown) {
  auto exporter = std::make_shared<RecordingExporter>();
  BatchSpanProcessor processor(exporter, options(64, 32));
  for (int i = 0; i < 7; ++i) processor.on_end(make_span_data());
  EXPECT_TRUE(processor.shutdown(hang_bound));
  EXPECT_EQ(exporter->total(), 7U);
  EXPECT_TRUE(exporter->shut_down());
  EXPECT_EQ(exporter->exports_after_shutdown(), 0);
  EXPECT_TRUE(processor.shutdown(hang_bound)) << "a second shutdown is harmless";
}

TEST(BatchSpanProcessor, DestructorExportsPendingSpans) {
  auto exporter = std::make_shared<RecordingExporter>();
  {
    BatchSpanProcessor processor(exporter, options(64, 32));
    for (int i = 0; i < 7; ++i) processor.on_end(make_span_data());
  }
  // The destructor does not wait; the worker finishes on its own.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (!exporter->shut_down() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(exporter->shut_down());
  EXPECT_EQ(exporter->total(), 7U);
}

TEST(BatchSpanProcessor, ExporterFailureIsCounted) {
  auto exporter = std::make_shared<RecordingExporter>(ExportResult::failure);
  BatchSpanProcessor processor(exporter, options(64, 2));
  for (int i = 0; i < 5; ++i) processor.on_end(make_span_data());
  processor.force_flush(hang_bound);
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.received, 5U);
  EXPECT_EQ(stats.export_failed, 5U);
  EXPECT_EQ(stats.exported, 0U);
  EXPECT_EQ(stats.batches, exporter->batch_sizes().size());
  EXPECT_GE(stats.batches, 3U);
}

// Exported records come back to start_span for reuse; nothing of a record's
// previous span may leak into the next one.
TEST(BatchSpanProcessor, ARecycledRecordCarriesNothingFromItsPreviousSpan) {
  auto exporter = std::make_shared<InMemoryExporter>();
  auto processor = std::make_shared<BatchSpanProcessor>(exporter, BatchOptions{});
  TracerOptions options;
  options.service_name = "recycling";
  options.limits = SpanLimits{.max_attributes = 2};
  MapEnvironment environment;
  auto config = finalize(options, environment);
  ASSERT_TRUE(config);
  config->processor = processor;
  const Tracer tracer(std::move(*config));

  {
    auto first = tracer.start_span("first", {.kind = SpanKind::client});
    first.set_attribute("http.request.method", "POST");
    first.set_attribute("http.response.status_code", 503);
    first.set_attribute("over.the.limit", true);
    first.add_event("retry");
    first.add_link(first.context());
    first.record_error("Timeout", "upstream timed out");
  }
  ASSERT_TRUE(processor->force_flush(seconds(5)));
  auto recycled = processor->take_recycled();
  ASSERT_NE(recycled, nullptr) << "the exported record was not offered for reuse";
  processor->on_end(std::move(recycled));  // hand it back through the normal path
  ASSERT_TRUE(processor->force_flush(seconds(5)));
  exporter->clear();

  for (int i = 0; i < 3; ++i) {
    auto second = tracer.start_span("second");
    second.set_attribute("url.path", "/healthz");
  }
  ASSERT_TRUE(processor->force_flush(seconds(5)));
  const auto spans = exporter->spans();
  ASSERT_EQ(spans.size(), 3U);
  for (const auto& span : spans) {
    EXPECT_EQ(span.name, "second");
    EXPECT_EQ(span.kind, SpanKind::internal);
    ASSERT_EQ(span.attributes.size(), 1U);
    EXPECT_EQ(span.attributes[0].key, "url.path");
    EXPECT_TRUE(span.events.empty());
    EXPECT_TRUE(span.links.empty());
    EXPECT_EQ(span.status.code, StatusCode::unset);
    EXPECT_TRUE(span.status.description.empty());
    EXPECT_EQ(span.dropped_attributes, 0U);
    EXPECT_FALSE(span.parent_span_id.is_valid());
    EXPECT_EQ(span.resource->service_name(), "recycling");
  }
  processor->shutdown(seconds(5));
}

// Application threads take recycled records while the worker hands exported
// ones back: every span must arrive whole, with only its own attributes.
TEST(BatchSpanProcessor, ThreadsStartingSpansThroughATracerRecycleRecordsSafely) {
  auto exporter = std::make_shared<InMemoryExporter>();
  auto processor = std::make_shared<BatchSpanProcessor>(
      exporter, BatchOptions{.max_queue_size = 1024, .max_export_batch_size = 64});
  TracerOptions options;
  MapEnvironment environment;
  auto config = finalize(options, environment);
  ASSERT_TRUE(config);
  config->processor = processor;
  const Tracer tracer(std::move(*config));

  constexpr int threads = 4;
  constexpr int spans_per_thread = 2000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&tracer, t] {
      for (int i = 0; i < spans_per_thread; ++i) {
        auto span = tracer.start_span("thread-" + std::to_string(t));
        span.set_attribute("thread", t);
        if (i % 2 == 0) span.set_attribute("even", true);  // records alternate shapes
        span.set_attribute("index", i);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  ASSERT_TRUE(processor->force_flush(seconds(10)));

  const BatchStats stats = processor->stats();
  EXPECT_EQ(stats.received + stats.dropped_queue_full,
            static_cast<std::uint64_t>(threads * spans_per_thread));
  const auto spans = exporter->spans();
  EXPECT_EQ(spans.size(), stats.received);
  for (const auto& span : spans) {
    const auto* thread = find_attribute(span.attributes, "thread");
    const auto* index = find_attribute(span.attributes, "index");
    ASSERT_NE(thread, nullptr);
    ASSERT_NE(index, nullptr);
    const auto t = *thread->get_if<std::int64_t>();
    const auto i = *index->get_if<std::int64_t>();
    EXPECT_EQ(span.name, "thread-" + std::to_string(t));
    EXPECT_EQ(span.attributes.size(), i % 2 == 0 ? 3U : 2U) << "stale attributes from reuse";
  }
  processor->shutdown(seconds(5));
}

}  // namespace
}  // namespace tracemesh
