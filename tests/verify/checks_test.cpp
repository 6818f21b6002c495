// Each check on hand-built traces: service paths, span assertions, counts,
// durations and the built-in integrity checks, passing and failing, with the
// spans and services a failure names.
#include <gtest/gtest.h>

#include <string>

#include "trace_builder.h"
#include "verify/assertion_check.h"
#include "verify/builtin_checks.h"
#include "verify/path_check.h"
#include "verify/verification.h"

namespace tracemesh::verify {
namespace {

using model::Trace;
using testing::connected_fleet;
using testing::span_id;
using testing::trace_id;
using testing::TraceBuilder;

// A broken hop from `caller` to span `callee` of another trace.
model::BrokenHop broken_hop(const std::string& caller, const std::string& callee,
                            model::Culprit culprit) {
  model::BrokenHop hop;
  hop.caller_span_id = span_id(caller);
  hop.caller_service = "agent-service";
  hop.caller_span_name = "POST";
  hop.callee_trace_id = trace_id("5bf92f3577b34da6a3ce929d0e0e4736");
  hop.callee_span_id = span_id(callee);
  hop.callee_service = "rag-service";
  hop.callee_span_name = "POST /search";
  hop.protocol = "http";
  hop.culprit = culprit;
  return hop;
}

Outcome run(const std::string& text, const Trace& trace) {
  SyntaxError error;
  const auto expectation = parse_expectation(text, error);
  EXPECT_TRUE(expectation) << text << ": " << error.message;
  if (!expectation) return {false, "unparsed", {}};
  if (const auto* path = std::get_if<ServicePath>(&expectation->body)) {
    return check_path(*path, trace);
  }
  return check_assertion(std::get<Assertion>(expectation->body), trace);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Row {
  std::string expectation;
  bool passes;
  std::string message;  // a part of the outcome's message
};

class OnTheConnectedFleet : public ::testing::TestWithParam<Row> {};

TEST_P(OnTheConnectedFleet, HoldsOrFailsWithItsReason) {
  const Row& row = GetParam();
  const Outcome outcome = run(row.expectation, connected_fleet().build());
  EXPECT_EQ(outcome.passed, row.passes) << row.expectation << ": " << outcome.message;
  EXPECT_TRUE(contains(outcome.message, row.message))
      << row.expectation << ": '" << outcome.message << "' lacks '" << row.message << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Paths, OnTheConnectedFleet,
    ::testing::Values(
        Row{"bot -> agent-service -> rag-service", true, "held: bot (span 00000000000000a1)"},
        Row{"bot -> agent-service", true, "agent-service (span 00000000000000b1)"},
        Row{"bot ~> rag-service", true, "rag-service (span 00000000000000c1)"},
        Row{"bot ~> indexer", true, "indexer (span 00000000000000d1)"},
        Row{"agent-service -> (mqtt) -> indexer", true, "indexer (span 00000000000000d1)"},
        Row{"agent-service -> (MQTT) -> indexer", true, "held"},
        Row{"bot -> (http) -> agent-service -> (http) -> rag-service", true, "held"},
        Row{"bot -> rag-service", false, "bot has no direct hop to rag-service"},
        Row{"bot -> rag-service", false,
            "'POST /search' (span 00000000000000c1) of rag-service is below agent-service"},
        Row{"agent-service -> (kafka) -> indexer", false, "through mqtt, not kafka"},
        Row{"bot -> (mqtt) -> agent-service", false, "through http, not mqtt"},
        Row{"rag-service -> bot", false, "rag-service has no direct hop to bot"},
        Row{"rag-service ~> indexer", false, "indexer is not below rag-service"},
        Row{"bot -> agent-service -> billing", false,
            "'bot -> agent-service' holds, but agent-service has no direct hop to billing"},
        Row{"bot -> agent-service -> billing", false, "no span of billing in this trace"},
        Row{"gateway -> bot", false,
            "no span of gateway in this trace (its services: bot, agent-service, rag-service, "
            "indexer)"}));

INSTANTIATE_TEST_SUITE_P(
    Assertions, OnTheConnectedFleet,
    ::testing::Values(
        Row{"span[service=rag-service kind=server] http.response.status_code = 200", true,
            "1 span(s) matched"},
        Row{"span[kind=server service!=bot] http.response.status_code = 200", true,
            "2 span(s) matched"},
        Row{"span[kind=server] http.response.status_code = 200", false,
            "1 of 3 span(s) fail http.response.status_code = 200: http.response.status_code of "
            "'POST /ask' (span 00000000000000a1) of bot is missing"},
        Row{"span[service=rag-service] http.response.status_code = 500", false,
            "http.response.status_code of 'POST /search' (span 00000000000000c1) of rag-service is "
            "200"},
        Row{"span[service=rag-service] http.response.status_code != 500", true, "matched"},
        Row{"span[service=rag-service] http.response.status_code = \"200\"", true, "matched"},
        Row{"span[service=rag-service] db.hits >= 3", true, "matched"},
        Row{"span[service=rag-service] db.hits > 3", false, "db.hits of"},
        Row{"span[service=rag-service] db.hits < 4", true, "matched"},
        Row{"span[service=rag-service] db.hits <= 2", false, "is 3"},
        Row{"span[service=rag-service] tags contains cached", true, "matched"},
        Row{"span[service=rag-service] tags contains slow", false, "[\"fast\",\"cached\"]"},
        Row{"span[service=rag-service] name contains search", true, "matched"},
        Row{"span[service=rag-service] cached = true", true, "matched"},
        Row{"span[service=rag-service] cached = false", false, "is true"},
        Row{"span[service=rag-service] db.hits exists", true, "matched"},
        Row{"span[service=rag-service] user.id exists", false, "is missing"},
        Row{"span[service=rag-service] user.id not exists", true, "matched"},
        Row{"span[service=bot kind=server] http.request.method < 3", false,
            "is \"POST\", not a number"},
        Row{"span[db.hits] db.hits = 3", true, "1 span(s) matched"},
        Row{"span[db.hits kind=client] db.hits = 3", false, "no span matches"},
        Row{"span[service=rag-service] tags not exists", false,
            "tags of 'POST /search' (span 00000000000000c1) "
            "of rag-service is present"},
        Row{"span[kind=client] http.response.status_code = 200", false,
            "2 of 2 span(s) fail http.response.status_code = 200"},
        Row{"span[service=billing] x exists", false, "no span matches span[service=billing]"},
        Row{"span[service=bot kind=server] duration <= 100ms", true, "matched"},
        Row{"span[service=bot kind=server] duration < 100ms", false, "is 100.0ms"},
        Row{"span[service!=bot kind=server] kind = server", true, "2 span(s) matched"},
        Row{"span[http.response.status_code=200] service != bot", true, "2 span(s) matched"},
        Row{"span[kind=internal] status = unset", true, "1 span(s) matched"},
        Row{"count(span[service=agent-service]) = 4", true,
            "count(span[service=agent-service]) = 4"},
        Row{"count(span[service=agent-service]) < 4", false, "= 4, expected < 4"},
        Row{"count(span[service=billing]) = 0", true, "= 0"},
        Row{"count(span) >= 8", true, "count(span) = 8"},
        Row{"trace duration <= 100ms", true, "trace duration 100.0ms"},
        Row{"trace duration < 50ms", false, "trace duration 100.0ms, expected < 50ms"}));

TEST(Assertions, NameAtMostTwentySpansAndCutLongValues) {
  TraceBuilder builder;
  builder.span("f0", "", "api", "GET /", "server", 0, 100);
  for (int i = 0; i < 25; ++i) {
    builder.span("5" + std::to_string(i), "f0", "api", "q", "client", 1, 2,
                 {{"db.statement", std::string(500, 'x')}});
  }
  const Outcome outcome = run("span[kind=client] db.statement = short", builder.build());
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.spans.size(), 25U);
  EXPECT_TRUE(contains(outcome.message, "; and 5 more")) << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "... (502 bytes)")) << outcome.message;
  EXPECT_LT(outcome.message.size(), 20U * 300U);
}

TEST(Paths, StayLinearOnADeepSelfCallingTrace) {
  // 400 nested self-calls: a search over every chain would not finish.
  TraceBuilder builder;
  builder.span("50", "", "a", "GET /0", "server", 0, 1000);
  for (int i = 1; i < 400; ++i) {
    const std::string parent = "5" + std::to_string(i - 1);
    builder.span("c" + std::to_string(i), parent, "a", "GET", "client", 1, 999)
        .span("5" + std::to_string(i), "c" + std::to_string(i), "a", "GET /x", "server", 1, 999);
  }
  const Outcome outcome = run("a ~> a ~> a ~> a ~> z", builder.build());
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "'a ~> a ~> a ~> a' holds, but z is not below a"))
      << outcome.message;
  EXPECT_TRUE(run("a ~> a ~> a ~> a ~> a", builder.build()).passed);
}

TEST(Assertions, MarkTheSpansThatFail) {
  const Outcome outcome =
      run("span[kind=client] http.response.status_code = 200", connected_fleet().build());
  EXPECT_EQ(outcome.spans, (std::vector<std::string>{"00000000000000a2", "00000000000000b3"}));
}

TEST(Paths, ChooseAmongSeveralSegmentsOfTheFirstService) {
  // Two calls from front: only the second reaches billing.
  TraceBuilder builder;
  builder.span("f1", "", "front", "GET /", "server", 0, 50)
      .span("f2", "f1", "front", "GET", "client", 1, 10)
      .span("e1", "f2", "orders", "GET /list", "server", 2, 9)
      .span("f3", "f1", "front", "POST", "client", 11, 40)
      .span("b1", "f3", "billing", "POST /charge", "server", 12, 39)
      .span("e2", "b1", "billing", "GET", "client", 13, 20)
      .span("e3", "e2", "orders", "GET /price", "server", 14, 19);
  EXPECT_TRUE(run("front -> billing -> orders", builder.build()).passed);
  EXPECT_TRUE(run("front -> orders", builder.build()).passed);
  EXPECT_FALSE(run("orders -> billing", builder.build()).passed);
}

TEST(Paths, ASelfCallIsAHopIntoTheSameService) {
  TraceBuilder builder;
  builder.span("a1", "", "api", "GET /outer", "server", 0, 50)
      .span("a2", "a1", "api", "GET", "client", 1, 40, {{"http.request.method", "GET"}})
      .span("a3", "a2", "api", "GET /inner", "server", 2, 39);
  EXPECT_TRUE(run("api -> api", builder.build()).passed);
  TraceBuilder flat;
  flat.span("a1", "", "api", "GET /outer", "server", 0, 50)
      .span("a2", "a1", "api", "work", "internal", 1, 40);
  EXPECT_FALSE(run("api -> api", flat.build()).passed);
}

TEST(Paths, NameTheBrokenHopAndItsCulprit) {
  Trace trace = TraceBuilder()
                    .span("a1", "", "bot", "POST /ask", "server", 0, 100)
                    .span("a2", "a1", "bot", "POST", "client", 5, 90)
                    .span("b1", "a2", "agent-service", "POST /run", "server", 6, 89)
                    .span("b3", "b1", "agent-service", "POST", "client", 10, 80)
                    .build();
  trace.verdict.broken_hops.push_back(
      broken_hop("b3", "c1", model::Culprit::caller_did_not_inject));
  const Outcome outcome = run("bot -> agent-service -> rag-service", trace);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "'bot -> agent-service' holds")) << outcome.message;
  EXPECT_TRUE(contains(outcome.message,
                       "rag-service started trace 5bf92f3577b34da6a3ce929d0e0e4736 at 'POST "
                       "/search' (span 00000000000000c1)"))
      << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "likely culprit: agent-service did not inject the context"))
      << outcome.message;
  EXPECT_EQ(outcome.spans, std::vector<std::string>{"00000000000000b3"});
}

TEST(Paths, NameUnansweredCallsWhenTheCalleeSentNothing) {
  const Trace trace = TraceBuilder()
                          .span("a1", "", "bot", "POST /ask", "server", 0, 100)
                          .span("a2", "a1", "bot", "POST", "client", 5, 90)
                          .build();
  const Outcome outcome = run("bot -> agent-service", trace);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(
      contains(outcome.message, "'POST' (span 00000000000000a2) of bot has no answering span"))
      << outcome.message;
  EXPECT_EQ(outcome.spans, std::vector<std::string>{"00000000000000a2"});
}

TEST(Paths, SayWhenTheCalleeLoggedTheTraceButSentNoSpan) {
  Trace trace = TraceBuilder()
                    .span("a1", "", "bot", "POST /ask", "server", 0, 100)
                    .span("a2", "a1", "bot", "POST", "client", 5, 90)
                    .build();
  for (const std::string service : {"agent-service", "agent-service", "billing"}) {
    model::LogRecord& log = trace.logs.emplace_back();
    log.trace_id = trace.trace_id;
    log.service = service;
    log.time_unix_nano = 10;
  }
  const Outcome outcome = run("bot -> agent-service", trace);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "no span of agent-service in this trace, but agent-service logged the "
                       "trace id (2 line(s)): the context reached it, and it sends no spans"))
      << outcome.message;
}

TEST(Paths, SayWhereTheCalleesSpansHang) {
  // The callee's span arrived, but its parent (the caller's client span) did not.
  Trace trace = TraceBuilder()
                    .span("a1", "", "bot", "POST /ask", "server", 0, 100)
                    .span("b1", "dd", "agent-service", "POST /run", "server", 6, 89)
                    .build();
  Outcome outcome = run("bot -> agent-service", trace);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "names parent 00000000000000dd, which never arrived"))
      << outcome.message;
  trace = TraceBuilder()
              .span("a1", "", "bot", "POST /ask", "server", 0, 100)
              .span("b1", "", "agent-service", "POST /run", "server", 6, 89)
              .build();
  outcome = run("bot -> agent-service", trace);
  EXPECT_TRUE(contains(outcome.message, "is a root of this trace")) << outcome.message;
}

TEST(Paths, SurviveAParentCycle) {
  const Trace trace = TraceBuilder()
                          .span("a1", "b1", "bot", "x", "server", 0, 10)
                          .span("b1", "a1", "agent", "y", "server", 1, 9)
                          .build();
  EXPECT_FALSE(run("bot -> agent -> bot -> agent", trace).passed);
  EXPECT_FALSE(run("bot ~> agent ~> bot", trace).passed);
  // The loop is cut at one link: one direction of the hop remains.
  EXPECT_NE(run("bot -> agent", trace).passed, run("agent -> bot", trace).passed);
}

TEST(Builtins, PassOnAConnectedTrace) {
  const Trace trace = connected_fleet().build();
  for (const Builtin check : all_builtins) {
    const Outcome outcome = run_builtin(check, trace, 0);
    EXPECT_TRUE(outcome.passed) << to_string(check) << ": " << outcome.message;
  }
  EXPECT_EQ(run_builtin(Builtin::single_root, trace, 0).message,
            "one root: 'POST /ask' (span 00000000000000a1) of bot");
}

TEST(Builtins, NameEveryRootOrphanBrokenHopAndSkewedSpan) {
  Trace trace = connected_fleet().build();
  trace.verdict.roots.push_back(span_id("b1"));
  trace.verdict.orphans.push_back({span_id("d1"), span_id("ffffffffffffffff"), "indexer"});
  trace.verdict.broken_hops.push_back(
      broken_hop("b3", "c9", model::Culprit::callee_did_not_extract));
  trace.verdict.skew.push_back(
      {span_id("c1"), span_id("b3"), "rag-service", "agent-service", 12'000'000, 0});
  trace.verdict.skew.push_back(
      {span_id("d1"), span_id("b4"), "indexer", "agent-service", 0, 400'000});

  Outcome outcome = run_builtin(Builtin::single_root, trace, 0);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "2 roots: 'POST /ask' (span 00000000000000a1) of bot; 'POST /run' (span "
                       "00000000000000b1) of agent-service"))
      << outcome.message;
  EXPECT_EQ(outcome.spans, (std::vector<std::string>{"00000000000000a1", "00000000000000b1"}));

  outcome = run_builtin(Builtin::no_orphans, trace, 0);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "'process alerts' (span 00000000000000d1) of indexer names parent "
                       "ffffffffffffffff, which never arrived"))
      << outcome.message;

  outcome = run_builtin(Builtin::no_broken_hops, trace, 0);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "likely culprit: rag-service received a context and did not extract it"))
      << outcome.message;
  EXPECT_EQ(outcome.spans, std::vector<std::string>{"00000000000000b3"});

  outcome = run_builtin(Builtin::no_clock_skew, trace, 0);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "'POST /search' (span 00000000000000c1) of rag-service starts 12.0ms "
                       "before its parent 'POST' (span 00000000000000b3) of agent-service"))
      << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "ends 400.0µs after")) << outcome.message;
  // Within the tolerance, only the larger skew remains; above both, none.
  outcome = run_builtin(Builtin::no_clock_skew, trace, 1'000'000);
  EXPECT_EQ(outcome.spans, std::vector<std::string>{"00000000000000c1"});
  EXPECT_TRUE(run_builtin(Builtin::no_clock_skew, trace, 12'000'000).passed);

  trace.verdict.roots.clear();
  outcome = run_builtin(Builtin::single_root, trace, 0);
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "no root span")) << outcome.message;
}

// --attribute and a spec's select: as the collector's search selects traces.
TEST(Selection, MatchesAttributesByTextAndArraysByOneElement) {
  const Trace trace = connected_fleet().build();
  const auto selects_with = [&](const std::string& key, const std::string& value) {
    TraceSelector selector;
    selector.attributes.emplace_back(key, value);
    return selects(selector, trace);
  };
  EXPECT_TRUE(selects_with("http.response.status_code", "200"));
  EXPECT_TRUE(selects_with("cached", "true"));
  EXPECT_TRUE(selects_with("tags", "fast"));
  EXPECT_TRUE(selects_with("tags", "cached"));
  EXPECT_FALSE(selects_with("tags", "slow"));
  EXPECT_FALSE(selects_with("tags", R"(["fast","cached"])"));
  EXPECT_FALSE(selects_with("http.response.status_code", "404"));
  EXPECT_FALSE(selects_with("absent", "x"));
}

TEST(Selection, KeepsTheTracesTheCommandLineOrACheckSelects) {
  std::vector<Trace> traces;
  traces.push_back(connected_fleet().build());
  traces.push_back(TraceBuilder("5bf92f3577b34da6a3ce929d0e0e4736")
                       .span("a1", "", "ops", "GET /health", "server", 0, 1)
                       .build());
  TraceSelector none;
  EXPECT_EQ(selected_traces(traces, Spec{}, none).size(), 2U);
  TraceSelector ops;
  ops.root_service = "ops";
  const auto chosen = selected_traces(traces, Spec{}, ops);
  ASSERT_EQ(chosen.size(), 1U);
  EXPECT_EQ(chosen[0].spans[0].service, "ops");
  Spec spec;
  spec.checks.emplace_back().select.root_service = "bot";
  EXPECT_EQ(selected_traces(traces, spec, ops).size(), 2U);
  TraceSelector nobody;
  nobody.root_service = "nobody";
  EXPECT_TRUE(selected_traces(traces, Spec{}, nobody).empty());
}

TEST(Builtins, AreNamedAsSpecsWriteThem) {
  for (const Builtin check : all_builtins) {
    EXPECT_EQ(builtin_named(to_string(check)), check);
  }
  EXPECT_FALSE(builtin_named("no_orphan"));
}

}  // namespace
}  // namespace tracemesh::verify
