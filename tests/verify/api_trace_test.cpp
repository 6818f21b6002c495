// The query API's trace JSON read back into the model: what the collector
// writes (model/trace_json.h) verify reads (verify/api_trace.h), field for field.
#include <gtest/gtest.h>

#include <string>

#include "model/trace_json.h"
#include "trace_builder.h"
#include "verify/api_trace.h"
#include "verify/span_attributes.h"

namespace tracemesh::verify {
namespace {

using testing::connected_fleet;
using testing::span_id;
using testing::trace_id;

// The API's answer for `trace`, as trace_query.cpp writes it (without the tree).
std::string api_json(const model::Trace& trace) {
  std::string json = "{\"trace_id\":\"" + trace.trace_id.to_hex() + "\",\"spans\":[";
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    if (i > 0) json += ',';
    model::append_span_json(json, trace.spans[i]);
  }
  json += "],\"verdict\":" + model::verdict_json(trace.verdict) + ",\"logs\":[";
  for (std::size_t i = 0; i < trace.logs.size(); ++i) {
    if (i > 0) json += ',';
    model::append_log_json(json, trace.logs[i]);
  }
  return json + "]}";
}

TEST(ApiTrace, ReadsBackWhatTheCollectorWrites) {
  model::Trace written = connected_fleet().build();
  written.spans[3].status_code = model::StatusCode::error;
  written.spans[3].status_message = "quote \" and backslash \\";
  written.verdict.orphans.push_back({span_id("d1"), span_id("ffffffffffffffff"), "indexer"});
  written.verdict.skew.push_back({span_id("c1"), span_id("b3"), "rag", "agent", 12, 34});
  written.verdict.unfinished.push_back(span_id("b4"));
  model::BrokenHop hop;
  hop.caller_span_id = span_id("b3");
  hop.caller_service = "agent-service";
  hop.callee_trace_id = trace_id("5bf92f3577b34da6a3ce929d0e0e4736");
  hop.callee_span_id = span_id("c9");
  hop.protocol = "http";
  hop.culprit = model::Culprit::callee_did_not_extract;
  written.verdict.broken_hops.push_back(hop);
  model::LogRecord& log = written.logs.emplace_back();
  log.trace_id = written.trace_id;
  log.service = "billing";
  log.time_unix_nano = 42;
  log.severity = "ERROR";
  log.body = "card \"declined\"";
  log.span_id = span_id("b3");
  log.logged_id = "7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b";

  const auto read = read_api_trace(api_json(written));
  ASSERT_TRUE(read) << read.error().text();
  EXPECT_EQ(read->trace_id, written.trace_id);
  EXPECT_TRUE(read->settled());
  ASSERT_EQ(read->spans.size(), written.spans.size());
  for (std::size_t i = 0; i < written.spans.size(); ++i) {
    const model::SpanRecord& a = written.spans[i];
    const model::SpanRecord& b = read->spans[i];
    EXPECT_EQ(b.span_id, a.span_id);
    EXPECT_EQ(b.parent_span_id, a.parent_span_id);
    EXPECT_EQ(b.service, a.service);
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.kind, a.kind);
    EXPECT_EQ(b.start_unix_nano, a.start_unix_nano);
    EXPECT_EQ(b.end_unix_nano, a.end_unix_nano);
    EXPECT_EQ(b.status_code, a.status_code);
    EXPECT_EQ(b.status_message, a.status_message);
    EXPECT_EQ(span_attributes(b), span_attributes(a));
  }
  EXPECT_EQ(read->verdict.roots, written.verdict.roots);
  ASSERT_EQ(read->verdict.orphans.size(), 1U);
  EXPECT_EQ(read->verdict.orphans[0].missing_parent_id, span_id("ffffffffffffffff"));
  ASSERT_EQ(read->verdict.skew.size(), 1U);
  EXPECT_EQ(read->verdict.skew[0].ends_late_nanos, 34U);
  EXPECT_EQ(read->verdict.unfinished, written.verdict.unfinished);
  ASSERT_EQ(read->verdict.broken_hops.size(), 1U);
  EXPECT_EQ(read->verdict.broken_hops[0].callee_trace_id, hop.callee_trace_id);
  EXPECT_EQ(read->verdict.broken_hops[0].culprit, model::Culprit::callee_did_not_extract);
  EXPECT_EQ(read->root()->name, "POST /ask");
  ASSERT_EQ(read->logs.size(), 1U);
  EXPECT_EQ(read->logs[0].service, "billing");
  EXPECT_EQ(read->logs[0].time_unix_nano, 42U);
  EXPECT_EQ(read->logs[0].severity, "ERROR");
  EXPECT_EQ(read->logs[0].body, log.body);
  EXPECT_EQ(read->logs[0].span_id, span_id("b3"));
  EXPECT_EQ(read->logs[0].logged_id, log.logged_id);
}

TEST(ApiTrace, SaysWhatIsWrongWithAnAnswerOfAnotherShape) {
  struct Row {
    const char* json;
    const char* says;
  };
  const Row rows[] = {
      {"not json", "not valid JSON"},
      {R"({"spans":[],"verdict":{}})", "trace_id"},
      {R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","verdict":{}})", "spans"},
      {R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"span_id":"xyz"}],
           "verdict":{}})",
       "span_id must be an id in hex"},
      {R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
           {"span_id":"00f067aa0ba902b7","start_unix_nano":-1}],"verdict":{}})",
       "start_unix_nano must be a non-negative integer"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.json);
    const auto read = read_api_trace(row.json);
    ASSERT_FALSE(read);
    EXPECT_NE(std::string(read.error().text()).find(row.says), std::string::npos)
        << read.error().text();
  }
}

}  // namespace
}  // namespace tracemesh::verify
