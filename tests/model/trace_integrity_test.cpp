// Integrity of one trace, judged from hand-built spans: one named row per rule.
#include "model/trace_integrity.h"

#include <gtest/gtest.h>

#include <vector>

namespace tracemesh::model {
namespace {

constexpr std::uint64_t second = 1'000'000'000;

SpanId id(std::uint64_t value) {
  return SpanId::from_uint64(value);
}

SpanRecord span(std::uint64_t span_id, std::uint64_t parent, std::uint64_t start, std::uint64_t end,
                const char* service = "svc") {
  SpanRecord record;
  record.trace_id = TraceId::from_halves(1, 2);
  record.span_id = id(span_id);
  if (parent != 0) record.parent_span_id = id(parent);
  record.service = service;
  record.start_unix_nano = start;
  record.end_unix_nano = end;
  return record;
}

IntegrityOptions options() {
  IntegrityOptions result;
  result.grace_nanos = 10 * second;
  result.skew_tolerance_nanos = 1'000'000;  // 1 ms
  return result;
}

// Received at t=100 s; judged at t=200 s (settled) unless a row says otherwise.
TraceVerdict judge(const std::vector<SpanRecord>& spans, std::uint64_t now = 200 * second) {
  return analyze_trace(spans, 100 * second, now, options());
}

TEST(TraceIntegrity, ConnectedTraceHasOneRootAndNoFindings) {
  const auto verdict = judge({span(1, 0, 100, 900), span(2, 1, 200, 800), span(3, 2, 300, 700)});
  EXPECT_EQ(verdict.state, TraceState::settled);
  EXPECT_EQ(verdict.roots, std::vector<SpanId>{id(1)});
  EXPECT_TRUE(verdict.orphans.empty());
  EXPECT_TRUE(verdict.skew.empty());
  EXPECT_TRUE(verdict.unfinished.empty());
  EXPECT_EQ(verdict.span_count, 3U);
  EXPECT_STREQ(verdict.integrity(), "connected");
}

TEST(TraceIntegrity, MissingParentIsAnOrphanOnlyOnceSettled) {
  const std::vector<SpanRecord> spans = {span(1, 0, 100, 900), span(3, 7, 300, 700, "late")};
  const auto arriving = judge(spans, 105 * second);
  EXPECT_EQ(arriving.state, TraceState::arriving);
  EXPECT_TRUE(arriving.orphans.empty());
  EXPECT_EQ(arriving.missing_parents, 1U);
  EXPECT_STREQ(arriving.integrity(), "arriving");

  const auto settled = judge(spans);
  ASSERT_EQ(settled.orphans.size(), 1U);
  EXPECT_EQ(settled.orphans[0].span_id, id(3));
  EXPECT_EQ(settled.orphans[0].missing_parent_id, id(7));
  EXPECT_EQ(settled.orphans[0].service, "late");
  EXPECT_STREQ(settled.integrity(), "orphans");
}

TEST(TraceIntegrity, TwoRootsAreMultipleRoots) {
  const auto verdict = judge({span(1, 0, 100, 900), span(2, 0, 200, 800)});
  EXPECT_EQ(verdict.roots.size(), 2U);
  EXPECT_STREQ(verdict.integrity(), "multiple_roots");
}

TEST(TraceIntegrity, NoRootAtAllIsOrphans) {
  const auto verdict = judge({span(2, 1, 200, 800)});
  EXPECT_TRUE(verdict.roots.empty());
  EXPECT_STREQ(verdict.integrity(), "orphans");
}

TEST(TraceIntegrity, ChildOutsideItsParentBeyondToleranceIsSkew) {
  struct Row {
    const char* name;
    std::uint64_t child_start;
    std::uint64_t child_end;
    std::uint64_t early;
    std::uint64_t late;
  };
  const std::uint64_t ms = 1'000'000;
  const Row rows[] = {
      {"inside", 10 * ms, 90 * ms, 0, 0},
      {"early_within_tolerance", 10 * ms - ms / 2, 90 * ms, 0, 0},
      {"starts_early", 5 * ms, 90 * ms, 5 * ms, 0},
      {"ends_late", 20 * ms, 150 * ms, 0, 50 * ms},
      {"both", 2 * ms, 103 * ms, 8 * ms, 3 * ms},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto verdict = judge({span(1, 0, 10 * ms, 100 * ms, "parent"),
                                span(2, 1, row.child_start, row.child_end, "child")});
    if (row.early == 0 && row.late == 0) {
      EXPECT_TRUE(verdict.skew.empty());
      continue;
    }
    ASSERT_EQ(verdict.skew.size(), 1U);
    EXPECT_EQ(verdict.skew[0].span_id, id(2));
    EXPECT_EQ(verdict.skew[0].service, "child");
    EXPECT_EQ(verdict.skew[0].parent_service, "parent");
    EXPECT_EQ(verdict.skew[0].starts_early_nanos, row.early);
    EXPECT_EQ(verdict.skew[0].ends_late_nanos, row.late);
    EXPECT_STREQ(verdict.integrity(), "connected") << "skew is reported, not a broken trace";
  }
}

TEST(TraceIntegrity, ConsumerMayRunAfterItsProducerEndedButNotStartBeforeIt) {
  const std::uint64_t ms = 1'000'000;
  SpanRecord producer = span(1, 0, 10 * ms, 12 * ms, "publisher");
  producer.kind = SpanKind::producer;
  SpanRecord later = span(2, 1, 30 * ms, 40 * ms, "consumer");
  later.kind = SpanKind::consumer;
  EXPECT_TRUE(judge({producer, later}).skew.empty());

  SpanRecord early = span(2, 1, 5 * ms, 40 * ms, "consumer");
  early.kind = SpanKind::consumer;
  const auto verdict = judge({producer, early});
  ASSERT_EQ(verdict.skew.size(), 1U);
  EXPECT_EQ(verdict.skew[0].starts_early_nanos, 5 * ms);
  EXPECT_EQ(verdict.skew[0].ends_late_nanos, 0U);
}

TEST(TraceIntegrity, SpanWithoutEndIsUnfinishedAndNotSkewed) {
  const auto verdict = judge({span(1, 0, 100, 0), span(2, 1, 200, 900), span(3, 1, 300, 200)});
  EXPECT_EQ(verdict.unfinished, (std::vector<SpanId>{id(1), id(3)}));
  EXPECT_TRUE(verdict.skew.empty());
}

}  // namespace
}  // namespace tracemesh::model
