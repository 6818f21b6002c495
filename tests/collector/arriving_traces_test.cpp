// The writer's in-memory copy of arriving traces (what settling reads
// instead of the database).
#include "collector/store/arriving_traces.h"

#include <gtest/gtest.h>

#include "model/trace_integrity.h"
#include "model/trace_json.h"

namespace tracemesh::collector {
namespace {

const TraceId trace_a = TraceId::from_halves(1, 2);

model::SpanRecord span(std::uint64_t id, std::uint64_t parent, std::uint64_t start,
                       std::uint64_t end) {
  model::SpanRecord record;
  record.trace_id = trace_a;
  record.span_id = SpanId::from_uint64(id);
  if (parent != 0) record.parent_span_id = SpanId::from_uint64(parent);
  record.service = "service-" + std::to_string(id);
  record.name = "GET /orders/{id}";
  record.kind = model::SpanKind::client;
  record.status_code = model::StatusCode::error;
  record.start_unix_nano = start;
  record.end_unix_nano = end;
  record.attributes_json = R"({"http.request.method":"GET"})";
  record.status_message = "boom";
  record.destination = {"orders.internal", 8443, "/orders/7", "", "", false};
  record.propagation = {"tracecontext", ""};
  return record;
}

std::vector<const model::SpanRecord*> pointers(const std::vector<model::SpanRecord>& spans) {
  std::vector<const model::SpanRecord*> out;
  for (const auto& record : spans) out.push_back(&record);
  return out;
}

TEST(ArrivingTraces, KeepsWhatIntegrityAnalysisReads) {
  ArrivingTraces arriving(1U << 20U);
  model::SpanRecord client = span(5, 4, 100, 200);
  client.destination.messaging_system = "mqtt";
  client.destination.messaging_destination = "orders/created";
  client.propagation.error = "malformed traceparent";
  const std::vector<model::SpanRecord> spans{client};
  arriving.add(trace_a, pointers(spans), true, 42);

  std::vector<model::SpanRecord> loaded;
  std::uint64_t last_received = 0;
  ASSERT_TRUE(arriving.load(trace_a, loaded, last_received));
  EXPECT_EQ(last_received, 42U);
  ASSERT_EQ(loaded.size(), 1U);
  const model::SpanRecord& back = loaded[0];
  EXPECT_EQ(back.trace_id, trace_a);
  EXPECT_EQ(back.span_id, client.span_id);
  EXPECT_EQ(back.parent_span_id, client.parent_span_id);
  EXPECT_EQ(back.service, "service-5");
  EXPECT_EQ(back.name, client.name);
  EXPECT_EQ(back.kind, model::SpanKind::client);
  EXPECT_EQ(back.status_code, model::StatusCode::error);
  EXPECT_EQ(back.start_unix_nano, 100U);
  EXPECT_EQ(back.end_unix_nano, 200U);
  EXPECT_EQ(back.destination.address, "orders.internal");
  EXPECT_EQ(back.destination.port, 8443);
  EXPECT_EQ(back.destination.path, "/orders/7");
  EXPECT_EQ(back.destination.messaging_system, "mqtt");
  EXPECT_EQ(back.destination.messaging_destination, "orders/created");
  EXPECT_EQ(back.propagation.format, "tracecontext");
  EXPECT_EQ(back.propagation.error, "malformed traceparent");
  EXPECT_EQ(back.attributes_json, "{}") << "attributes are not kept";
}

TEST(ArrivingTraces, HoldsOnlyTracesSeenFromTheirFirstSpans) {
  ArrivingTraces arriving(1U << 20U);
  const std::vector<model::SpanRecord> later{span(2, 1, 10, 20)};
  arriving.add(trace_a, pointers(later), false, 1);
  std::vector<model::SpanRecord> loaded;
  std::uint64_t last_received = 0;
  EXPECT_FALSE(arriving.load(trace_a, loaded, last_received))
      << "its earlier spans are only in the database";
  EXPECT_EQ(arriving.traces(), 0U);
  EXPECT_EQ(arriving.bytes(), 0U);
}

TEST(ArrivingTraces, AppendsLaterSpansAndReadsInTheStoresOrder) {
  ArrivingTraces arriving(1U << 20U);
  // 0x100 and 3 start together: ordered as numbers (big-endian bytes), not by the last byte.
  const std::vector<model::SpanRecord> first{span(0x100, 1, 30, 40), span(1, 0, 10, 100)};
  const std::vector<model::SpanRecord> second{span(3, 1, 30, 35), span(2, 1, 20, 25)};
  arriving.add(trace_a, pointers(first), true, 5);
  arriving.add(trace_a, pointers(second), false, 7);
  std::vector<model::SpanRecord> loaded;
  std::uint64_t last_received = 0;
  ASSERT_TRUE(arriving.load(trace_a, loaded, last_received));
  EXPECT_EQ(last_received, 7U);
  // By start, a root before a child at the same start, then by span id.
  std::vector<std::uint64_t> order;
  for (const auto& record : loaded) order.push_back(record.span_id.to_uint64());
  EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2, 3, 0x100}));
}

TEST(ArrivingTraces, GivesTheSameVerdictAsTheFullSpans) {
  // A root, a child that starts before it (skew), an orphan and an unfinished span.
  std::vector<model::SpanRecord> spans{span(1, 0, 100, 200), span(2, 1, 90, 150),
                                       span(3, 77, 120, 130), span(4, 1, 110, 0)};
  ArrivingTraces arriving(1U << 20U);
  arriving.add(trace_a, pointers(spans), true, 500);
  std::vector<model::SpanRecord> loaded;
  std::uint64_t last_received = 0;
  ASSERT_TRUE(arriving.load(trace_a, loaded, last_received));

  std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) {
    return std::tuple(a.start_unix_nano, !a.is_root(), a.span_id) <
           std::tuple(b.start_unix_nano, !b.is_root(), b.span_id);
  });
  const model::IntegrityOptions options;
  const std::uint64_t now = 500 + options.grace_nanos + 1;
  const auto full = model::analyze_trace(spans, 500, now, options);
  const auto held = model::analyze_trace(loaded, last_received, now, options);
  EXPECT_STREQ(held.integrity(), "orphans");
  EXPECT_FALSE(held.skew.empty());
  EXPECT_FALSE(held.unfinished.empty());
  EXPECT_EQ(model::verdict_json(held), model::verdict_json(full));
}

TEST(ArrivingTraces, StaysWithinItsBudget) {
  std::vector<model::SpanRecord> spans;
  for (std::uint64_t id = 1; id <= 100; ++id) spans.push_back(span(id, 0, id, id + 1));
  ArrivingTraces small(2048);
  small.add(trace_a, pointers(spans), true, 1);
  std::vector<model::SpanRecord> loaded;
  std::uint64_t last_received = 0;
  EXPECT_FALSE(small.load(trace_a, loaded, last_received)) << "100 spans do not fit in 2 KiB";
  EXPECT_EQ(small.bytes(), 0U);

  ArrivingTraces none(0);
  none.add(trace_a, pointers(spans), true, 1);
  EXPECT_EQ(none.traces(), 0U);

  ArrivingTraces enough(1U << 20U);
  enough.add(trace_a, pointers(spans), true, 1);
  EXPECT_GT(enough.bytes(), 0U);
  EXPECT_LE(enough.bytes(), 1U << 20U);
  enough.erase(trace_a);
  EXPECT_EQ(enough.bytes(), 0U);
  EXPECT_FALSE(enough.load(trace_a, loaded, last_received));
}

}  // namespace
}  // namespace tracemesh::collector
