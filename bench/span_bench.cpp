// Span benchmarks: root span start+end through the batch processor, and a server hop.
//
// The exporter discards spans so the worker keeps up; the "dropped" counter
// reports any span the full queue refused (a run with drops is not a valid
// figure). Run: make bench (figures and targets in docs/benchmarks.md).
//
// Last figures (2026-11-22, 2-core VM, median of three 9-repetition runs):
//   RootSpanStartEnd3Attributes 492 ns (0.06 allocs, 0 dropped),
//   RootSpanSynchronousExport 576 ns (4 allocs), NonRecordingSpan 107 ns,
//   ServerHop 732 ns (0 dropped).
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "allocation_counter.h"
#include "tracemesh/tracemesh.h"

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

class DiscardingExporter final : public tracemesh::SpanExporter {
 public:
  tracemesh::ExportResult export_spans(
      std::span<const std::unique_ptr<tracemesh::SpanData>>) noexcept override {
    return tracemesh::ExportResult::success;
  }
  bool shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

struct Pipeline {
  std::shared_ptr<tracemesh::BatchSpanProcessor> processor;
  tracemesh::Tracer tracer;
};

Pipeline make_pipeline() {
  // A queue deep enough to absorb the worker's wake-up latency at millions of
  // spans per second; with the default 2048 this 2-core VM drops spans.
  tracemesh::BatchOptions batch;
  batch.max_queue_size = 65536;
  auto processor = std::make_shared<tracemesh::BatchSpanProcessor>(
      std::make_shared<DiscardingExporter>(), batch);
  tracemesh::TracerOptions options;
  options.service_name = "bench";
  options.propagators = "tracecontext";
  options.sampler_name = "parentbased_always_on";
  tracemesh::MapEnvironment environment;
  auto config = tracemesh::finalize(options, environment);
  config->processor = processor;
  return Pipeline{processor, tracemesh::Tracer(std::move(*config))};
}

void report_drops(benchmark::State& state, const tracemesh::BatchSpanProcessor& processor) {
  const auto stats = processor.stats();
  state.counters["dropped"] = benchmark::Counter(static_cast<double>(stats.dropped_queue_full));
}

void BM_RootSpanStartEnd3Attributes(benchmark::State& state) {
  auto pipeline = make_pipeline();
  {
    tracemesh::bench::AllocationReport allocations(state);
    for (auto _ : state) {
      auto span =
          pipeline.tracer.start_span("GET /api/alerts", {.kind = tracemesh::SpanKind::server});
      span.set_attribute("http.request.method", "GET");
      span.set_attribute("http.response.status_code", 200);
      span.set_attribute("url.path", "/api/alerts");
      span.end();
    }
  }
  pipeline.tracer.force_flush();
  report_drops(state, *pipeline.processor);
  pipeline.tracer.shutdown();
}
BENCHMARK(BM_RootSpanStartEnd3Attributes);

// The same span exported synchronously on the calling thread: no queue, no
// worker, so the difference to the batch figure is the cost of the hand-off.
void BM_RootSpanSynchronousExport(benchmark::State& state) {
  tracemesh::TracerOptions options;
  options.exporter = std::make_shared<DiscardingExporter>();
  options.synchronous_export = true;
  tracemesh::MapEnvironment environment;
  tracemesh::Tracer tracer(std::move(*tracemesh::finalize(options, environment)));
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    auto span = tracer.start_span("GET /api/alerts", {.kind = tracemesh::SpanKind::server});
    span.set_attribute("http.request.method", "GET");
    span.set_attribute("http.response.status_code", 200);
    span.set_attribute("url.path", "/api/alerts");
    span.end();
  }
}
BENCHMARK(BM_RootSpanSynchronousExport);

void BM_NonRecordingSpan(benchmark::State& state) {
  tracemesh::TracerOptions options;
  options.sampler_name = "always_off";
  tracemesh::MapEnvironment environment;
  tracemesh::Tracer tracer(std::move(*tracemesh::finalize(options, environment)));
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    auto span = tracer.start_span("GET /api/alerts");
    span.set_attribute("http.request.method", "GET");
    span.end();
  }
}
BENCHMARK(BM_NonRecordingSpan);

// What a server middleware does per request: extract the inbound context,
// run a SERVER span as current, inject into an outbound request, end.
void BM_ServerHop(benchmark::State& state) {
  auto pipeline = make_pipeline();
  const Headers inbound{{"Host", "agent:8080"},
                        {"Accept", "application/json"},
                        {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  Headers outbound{{"Content-Type", "application/json"}};
  tracemesh::SequenceReader reader(inbound);
  tracemesh::SequenceWriter writer(outbound);
  const auto& propagator = pipeline.tracer.propagator();
  {
    tracemesh::bench::AllocationReport allocations(state);
    for (auto _ : state) {
      auto extracted = propagator.extract(reader, tracemesh::Context());
      tracemesh::SpanOptions options{
          .kind = tracemesh::SpanKind::server,
          .parent = extracted ? std::move(*extracted) : tracemesh::Context()};
      auto span = pipeline.tracer.start_span("POST /api/alerts", options);
      {
        auto scope = tracemesh::activate(span);
        propagator.inject(tracemesh::current_context(), writer);
      }
      span.end();
    }
  }
  pipeline.tracer.force_flush();
  report_drops(state, *pipeline.processor);
  pipeline.tracer.shutdown();
}
BENCHMARK(BM_ServerHop);

}  // namespace

BENCHMARK_MAIN();
