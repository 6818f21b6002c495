// Which calls are unanswered, which root is their callee, and who lost the context.
#include "model/broken_hops.h"

#include <gtest/gtest.h>

namespace tracemesh::model {
namespace {

SpanRecord span(std::uint64_t trace, std::uint64_t id, std::uint64_t parent, SpanKind kind,
                const char* service) {
  SpanRecord record;
  record.trace_id = TraceId::from_halves(1, trace);
  record.span_id = SpanId::from_uint64(id);
  if (parent != 0) record.parent_span_id = SpanId::from_uint64(parent);
  record.kind = kind;
  record.service = service;
  record.start_unix_nano = 1000;
  record.end_unix_nano = 2000;
  return record;
}

SpanRecord http_call(const char* path, std::int64_t port, const char* address = "orders") {
  SpanRecord call = span(1, 2, 1, SpanKind::client, "front");
  call.destination.path = path;
  call.destination.port = port;
  call.destination.address = address;
  return call;
}

SpanRecord http_root(const char* path, std::int64_t port, const char* address = "orders",
                     const char* service = "orders") {
  SpanRecord root = span(2, 9, 0, SpanKind::server, service);
  root.destination.path = path;
  root.destination.port = port;
  root.destination.address = address;
  return root;
}

TEST(BrokenHops, CallsWithoutAnInboundChildAreUnanswered) {
  const std::vector<SpanRecord> trace = {
      span(1, 1, 0, SpanKind::server, "front"),   span(1, 2, 1, SpanKind::client, "front"),
      span(1, 3, 2, SpanKind::server, "orders"),  span(1, 4, 1, SpanKind::client, "front"),
      span(1, 5, 1, SpanKind::producer, "front"), span(1, 6, 5, SpanKind::internal, "front"),
  };
  const auto calls = unanswered_calls(trace);
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(calls[0]->span_id, SpanId::from_uint64(4));
  EXPECT_EQ(calls[1]->span_id, SpanId::from_uint64(5));
}

TEST(BrokenHops, MatchesTheCalleeByDestination) {
  struct Row {
    const char* name;
    SpanRecord call;
    SpanRecord root;
    bool matches;
  };
  SpanRecord other_trace_same_service = http_root("/orders", 8080);
  other_trace_same_service.service = "front";
  SpanRecord same_trace = http_root("/orders", 8080);
  same_trace.trace_id = TraceId::from_halves(1, 1);
  SpanRecord not_a_root = http_root("/orders", 8080);
  not_a_root.parent_span_id = SpanId::from_uint64(77);
  SpanRecord publish = span(1, 2, 1, SpanKind::producer, "worker");
  publish.destination.messaging_system = "mqtt";
  publish.destination.messaging_destination = "alerts/new";
  SpanRecord consume = span(2, 9, 0, SpanKind::consumer, "consumer");
  consume.destination.messaging_system = "mqtt";
  consume.destination.messaging_destination = "alerts/new";
  SpanRecord consume_elsewhere = consume;
  consume_elsewhere.destination.messaging_destination = "alerts/old";
  const Row rows[] = {
      {"same_path_port_address", http_call("/orders", 8080), http_root("/orders", 8080), true},
      {"callee_records_no_port", http_call("/orders", 8080), http_root("/orders", 0), true},
      {"callee_records_no_address", http_call("/orders", 8080), http_root("/orders", 8080, ""),
       true},
      {"other_path", http_call("/orders", 8080), http_root("/users", 8080), false},
      {"other_port", http_call("/orders", 8080), http_root("/orders", 9090), false},
      {"other_address", http_call("/orders", 8080), http_root("/orders", 8080, "users"), false},
      {"call_without_path", http_call("", 8080), http_root("", 8080), false},
      {"same_service", http_call("/orders", 8080), other_trace_same_service, false},
      {"same_trace", http_call("/orders", 8080), same_trace, false},
      {"not_a_root", http_call("/orders", 8080), not_a_root, false},
      {"consumer_for_http_call", http_call("/orders", 8080), consume, false},
      {"mqtt_same_topic", publish, consume, true},
      {"mqtt_other_topic", publish, consume_elsewhere, false},
      {"server_for_publish", publish, http_root("/orders", 8080), false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(is_callee_of(row.call, row.root), row.matches);
  }
}

TEST(BrokenHops, NamesTheLikelyCulprit) {
  struct Row {
    const char* name;
    const char* format;
    const char* error;
    Culprit culprit;
  };
  const Row rows[] = {
      {"callee_got_nothing", "none", "", Culprit::caller_did_not_inject},
      {"callee_got_a_malformed_header", "none", "bad_length", Culprit::caller_did_not_inject},
      {"callee_got_a_context_but_ignored_it", "tracecontext", "", Culprit::callee_did_not_extract},
      {"callee_does_not_say", "", "", Culprit::unknown},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    SpanRecord root = http_root("/orders", 8080);
    root.propagation.format = row.format;
    root.propagation.error = row.error;
    EXPECT_EQ(likely_culprit(root), row.culprit);
    const BrokenHop hop = make_broken_hop(http_call("/orders", 8080), root);
    EXPECT_EQ(hop.caller_service, "front");
    EXPECT_EQ(hop.callee_service, "orders");
    EXPECT_EQ(hop.callee_trace_id, root.trace_id);
    EXPECT_EQ(hop.culprit, row.culprit);
  }
}

TEST(BrokenHops, MessagingWindowExtendsPastThePublish) {
  SpanRecord publish = span(1, 2, 1, SpanKind::producer, "worker");
  const CallWindow messaging = call_window(publish, 10, 5000);
  EXPECT_EQ(messaging.earliest, 990U);
  EXPECT_EQ(messaging.latest, 7010U);
  const CallWindow http = call_window(http_call("/x", 1), 10, 5000);
  EXPECT_EQ(http.latest, 2010U);
  publish.end_unix_nano = UINT64_MAX - 100;  // the window saturates instead of wrapping
  EXPECT_EQ(call_window(publish, 10, 5000).latest, UINT64_MAX);
}

// A callee root that links the call restarted the trace on purpose: not a
// broken hop, even when a plain root also fits; one root (a batch consumer)
// may restart several calls.
TEST(BrokenHops, ARootThatLinksTheCallRestartedIt) {
  const SpanRecord call = http_call("/orders", 8080);
  SpanRecord second_call = http_call("/orders", 8080);
  second_call.span_id = SpanId::from_uint64(3);
  SpanRecord plain = http_root("/orders", 8080);
  plain.propagation.format = "none";
  SpanRecord linking = http_root("/orders", 8080);
  linking.trace_id = TraceId::from_halves(1, 3);
  linking.links = {LinkRef{call.trace_id, call.span_id},
                   LinkRef{second_call.trace_id, second_call.span_id}};
  const std::vector<const SpanRecord*> candidates = {&plain, &linking};
  TraceVerdict verdict;
  verdict.state = TraceState::settled;
  verdict.roots = {SpanId::from_uint64(1)};
  std::vector<SpanId> claimed;
  judge_unanswered_call(call, candidates, {}, claimed, verdict);
  judge_unanswered_call(second_call, candidates, {}, claimed, verdict);
  EXPECT_TRUE(verdict.broken_hops.empty());
  ASSERT_EQ(verdict.restarted_hops.size(), 2U);
  EXPECT_EQ(verdict.restarted_hops[0].callee_trace_id, linking.trace_id);
  EXPECT_EQ(verdict.restarted_hops[1].caller_span_id, second_call.span_id);
  EXPECT_EQ(verdict.restarted_hops[0].culprit, Culprit::unknown);
  EXPECT_TRUE(claimed.empty());
  EXPECT_STREQ(verdict.integrity(), "connected");  // restarted is not broken
  // Without the link, the same call is a broken hop.
  TraceVerdict unlinked;
  judge_unanswered_call(call, std::vector<const SpanRecord*>{&plain}, {}, claimed, unlinked);
  ASSERT_EQ(unlinked.broken_hops.size(), 1U);
  EXPECT_TRUE(unlinked.restarted_hops.empty());
}

// A call nobody answered is unsampled only when its flags are known (0x100)
// and the sampled bit is off; flags 0 are "not reported".
TEST(BrokenHops, AnUnansweredCallSentUnsampledExpectedNoSpan) {
  struct Row {
    std::uint32_t flags;
    bool unsampled;
  };
  for (const Row row :
       {Row{0x100, true}, Row{0x300, true}, Row{0, false}, Row{0x101, false}, Row{0x001, false}}) {
    SCOPED_TRACE(row.flags);
    SpanRecord call = http_call("/orders", 8080);
    call.flags = row.flags;
    TraceVerdict verdict;
    std::vector<SpanId> claimed;
    judge_unanswered_call(call, {}, {}, claimed, verdict);
    EXPECT_EQ(verdict.unsampled_calls.size(), row.unsampled ? 1U : 0U);
    EXPECT_TRUE(verdict.broken_hops.empty());
  }
}

}  // namespace
}  // namespace tracemesh::model
