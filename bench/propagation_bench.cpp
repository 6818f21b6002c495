// Propagation benchmarks: W3C inject/extract, with and without tracestate, B3, legacy.
//
// Carriers are vectors of header pairs holding a realistic request's headers;
// the writer reuses its strings, so what is measured is the propagator.
// Run: make bench (figures and targets in docs/benchmarks.md).
//
// Last figures (2026-11-22, 2-core VM, median of three 9-repetition runs):
//   W3CInject 60 ns, W3CExtract 121 ns, W3CExtractTraceState 328 ns (1 alloc),
//   W3CExtractInvalid 74 ns, B3SingleExtract 137 ns, B3MultiExtract 271 ns,
//   LegacyUuidExtract 232 ns, LegacyStringExtract 543 ns, CompositeExtract 304 ns,
//   CompositeInject 228 ns. Extracts without tracestate allocate nothing.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "allocation_counter.h"
#include "tracemesh/tracemesh.h"

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers request_headers(Headers extra) {
  Headers headers{{"Host", "rag-service:8080"},
                  {"User-Agent", "python-httpx/0.27.0"},
                  {"Accept", "application/json"},
                  {"Content-Type", "application/json"}};
  for (auto& header : extra) headers.push_back(std::move(header));
  return headers;
}

tracemesh::Context sampled_context() {
  tracemesh::SpanContext span_context;
  span_context.trace_id = tracemesh::TraceId::random();
  span_context.span_id = tracemesh::SpanId::random();
  span_context.flags = tracemesh::TraceFlags(tracemesh::TraceFlags::sampled_bit);
  return tracemesh::Context(span_context);
}

template <typename Propagator>
void run_extract(benchmark::State& state, const Propagator& propagator, const Headers& headers) {
  tracemesh::SequenceReader reader(headers);
  const tracemesh::Context empty;
  if (!propagator.extract(reader, empty)) state.SkipWithError("extraction failed");
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    auto context = propagator.extract(reader, empty);
    benchmark::DoNotOptimize(context);
  }
}

void BM_W3CInject(benchmark::State& state) {
  const tracemesh::TraceContextPropagator propagator;
  const auto context = sampled_context();
  Headers headers = request_headers({});
  tracemesh::SequenceWriter writer(headers);
  propagator.inject(context, writer);  // first write allocates the header strings
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    propagator.inject(context, writer);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_W3CInject);

void BM_W3CExtract(benchmark::State& state) {
  const auto headers =
      request_headers({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  run_extract(state, tracemesh::TraceContextPropagator(), headers);
}
BENCHMARK(BM_W3CExtract);

void BM_W3CExtractTraceState(benchmark::State& state) {
  const auto headers =
      request_headers({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                       {"tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"}});
  run_extract(state, tracemesh::TraceContextPropagator(), headers);
}
BENCHMARK(BM_W3CExtractTraceState);

void BM_W3CExtractInvalid(benchmark::State& state) {
  const auto headers =
      request_headers({{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}});
  const tracemesh::TraceContextPropagator propagator;
  tracemesh::SequenceReader reader(headers);
  const tracemesh::Context empty;
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    auto context = propagator.extract(reader, empty);
    benchmark::DoNotOptimize(context);
  }
}
BENCHMARK(BM_W3CExtractInvalid);

void BM_B3SingleExtract(benchmark::State& state) {
  const auto headers = request_headers(
      {{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"}});
  run_extract(state, tracemesh::B3Propagator(), headers);
}
BENCHMARK(BM_B3SingleExtract);

void BM_B3MultiExtract(benchmark::State& state) {
  const auto headers = request_headers({{"X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"},
                                        {"X-B3-SpanId", "e457b5a2e4d86bd1"},
                                        {"X-B3-Sampled", "1"}});
  run_extract(state, tracemesh::B3Propagator(tracemesh::B3Propagator::Encoding::multi_header),
              headers);
}
BENCHMARK(BM_B3MultiExtract);

void BM_LegacyUuidExtract(benchmark::State& state) {
  const auto headers = request_headers({{"X-Trace-ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}});
  run_extract(state, tracemesh::LegacyPropagator(), headers);
}
BENCHMARK(BM_LegacyUuidExtract);

void BM_LegacyStringExtract(benchmark::State& state) {
  const auto headers = request_headers({{"X-Trace-ID", "req-2026-11-22-alert-7731"}});
  run_extract(state, tracemesh::LegacyPropagator(), headers);
}
BENCHMARK(BM_LegacyStringExtract);

void BM_CompositeExtract(benchmark::State& state) {
  auto propagator = tracemesh::make_propagator("tracecontext,baggage,b3,xtraceid");
  const auto headers =
      request_headers({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  run_extract(state, **propagator, headers);
}
BENCHMARK(BM_CompositeExtract);

void BM_CompositeInject(benchmark::State& state) {
  auto propagator = tracemesh::make_propagator("tracecontext,baggage,b3,xtraceid");
  const auto context = sampled_context();
  Headers headers = request_headers({});
  tracemesh::SequenceWriter writer(headers);
  (*propagator)->inject(context, writer);
  tracemesh::bench::AllocationReport allocations(state);
  for (auto _ : state) {
    (*propagator)->inject(context, writer);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_CompositeInject);

}  // namespace

BENCHMARK_MAIN();
