// Log records as evidence that a service saw a trace, through a real
// `tracemesh collect`: OTLP logs from the official OpenTelemetry JS SDK's log
// exporter (npm, pinned in tests/interop/otel-js) in JSON and protobuf,
// malformed bodies refused without losing what was stored, a service that
// only logs in a trace counted as a logged hop, and --log-file following a
// file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "child_process.h"
#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

std::uint64_t now_nanos() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

httplib::Result post_logs(const Collector& collector, const std::string& body,
                          const std::string& content_type = "application/json") {
  return collector.otlp().Post("/v1/logs", body, content_type);
}

// The log records naming `trace_id`, once there are at least `count`.
json logs_of(const Collector& collector, const std::string& trace_id, std::size_t count) {
  json logs;
  for (int i = 0; i < 250; ++i) {
    logs = collector.get_json("/api/logs?trace_id=" + trace_id)["logs"];
    if (logs.is_array() && logs.size() >= count) break;
    std::this_thread::sleep_for(20ms);
  }
  return logs;
}

std::string log_request(const std::string& service, const std::string& records) {
  return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":")" +
         service + R"("}}]},"scopeLogs":[{"logRecords":[)" + records + "]}]}]}";
}

std::string log_record(const std::string& trace_id, std::uint64_t time, const std::string& body) {
  return R"({"timeUnixNano":")" + std::to_string(time) + R"(","traceId":")" + trace_id +
         R"(","body":{"stringValue":")" + body + "\"}}";
}

class OtelJsLogs : public ::testing::TestWithParam<const char*> {};

TEST_P(OtelJsLogs, StoresTheRecordsThatNameATrace) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string output = (directory.path() / "js.out").string();
  ChildProcess node(
      {TRACEMESH_NODE, std::string(TRACEMESH_OTEL_JS_SCRIPTS) + "/send_logs.cjs",
       "http://127.0.0.1:" + std::to_string(collector.otlp_port()) + "/v1/logs", GetParam()},
      output, {"NODE_PATH=" + std::string(TRACEMESH_OTEL_JS_MODULES)});
  const auto status = node.wait_for_exit(60s);
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << read_file(output);
  const std::string text = read_file(output);
  const json sent = json::parse(text.substr(text.rfind("{\"trace_id\"")), nullptr, false);
  ASSERT_TRUE(sent.is_object()) << text;

  const json logs = logs_of(collector, sent["trace_id"], 1);
  ASSERT_EQ(logs.size(), 1U) << logs.dump();
  EXPECT_EQ(logs[0]["service"], "js-logger");
  EXPECT_EQ(logs[0]["severity"], "ERROR");
  EXPECT_EQ(logs[0]["body"], "payment declined");
  EXPECT_EQ(logs[0]["span_id"], sent["span_id"]);
  EXPECT_EQ(logs[0]["attributes"], json({{"order.id", 42}, {"retry", true}}));
  EXPECT_EQ(logs[0]["time_unix_nano"], std::stoull(sent["time_unix_nano"].get<std::string>()));

  // The legacy id in an attribute names the trace the SDKs map it to.
  std::string mapped = sent["legacy_id"];
  mapped.erase(std::remove(mapped.begin(), mapped.end(), '-'), mapped.end());
  const json legacy = logs_of(collector, mapped, 1);
  ASSERT_EQ(legacy.size(), 1U) << legacy.dump();
  EXPECT_EQ(legacy[0]["logged_id"], sent["legacy_id"]);
  EXPECT_EQ(legacy[0]["body"], "legacy request");

  const std::string metrics = collector.http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("tracemesh_log_records_stored_total 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tracemesh_log_records_unlinked_total 1"), std::string::npos) << metrics;
}

INSTANTIATE_TEST_SUITE_P(Protocols, OtelJsLogs, ::testing::Values("json", "protobuf"));

TEST(LogIntake, RefusesMalformedBodiesAndLosesNothingStored) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace_id = random_hex(32);
  const std::uint64_t now = now_nanos();
  auto stored = post_logs(collector, log_request("api", log_record(trace_id, now, "kept")));
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(stored->body, "{}");

  struct Row {
    const char* name;
    std::string body;
    std::string content_type;
    int status;
    const char* message;
  };
  const Row rows[] = {
      {"malformed_json", "{not json", "application/json", 400, "malformed JSON"},
      {"malformed_protobuf", std::string("\xff\xff\xff", 3), "application/x-protobuf", 400,
       "ExportLogsServiceRequest"},
      {"wrong_shape", R"({"resourceLogs":{}})", "application/json", 400, "resourceLogs"},
      {"unsupported_type", "hello", "text/plain", 415, "Content-Type"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto response = post_logs(collector, row.body, row.content_type);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, row.status);
    EXPECT_NE(response->body.find(row.message), std::string::npos) << response->body;
  }
  // A bad record is rejected on its own: partial success, the rest stored.
  auto partial =
      post_logs(collector, log_request("api", log_record(trace_id, now + 1, "also kept") +
                                                  R"(,{"severityNumber":"ERROR"})"));
  ASSERT_TRUE(partial);
  ASSERT_EQ(partial->status, 200);
  const json answer = json::parse(partial->body);
  EXPECT_EQ(answer["partialSuccess"]["rejectedLogRecords"], "1");
  EXPECT_NE(answer["partialSuccess"]["errorMessage"].get<std::string>().find("log record 1"),
            std::string::npos);

  // A request sent again (a retry after a lost answer) stores nothing twice.
  ASSERT_EQ(post_logs(collector, log_request("api", log_record(trace_id, now, "kept")))->status,
            200);

  const json logs = logs_of(collector, trace_id, 2);
  ASSERT_EQ(logs.size(), 2U) << logs.dump();
  EXPECT_EQ(logs[0]["body"], "kept");
  EXPECT_EQ(logs[1]["body"], "also kept");
  const std::string metrics = collector.http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("tracemesh_log_records_stored_total 2"), std::string::npos) << metrics;
  // No span: the trace itself is not found, and says where its logs are.
  auto trace = collector.http().Get("/api/traces/" + trace_id);
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->status, 404);
  EXPECT_NE(trace->body.find("2 log record(s) name it: GET /api/logs?trace_id=" + trace_id),
            std::string::npos)
      << trace->body;
  EXPECT_EQ(collector.http().Get("/api/logs?trace_id=nothex")->status, 400);
}

// ui calls `ingest` (which sends no spans) and `payments` (which sends nothing).
std::string caller_spans(const std::string& trace_id, std::uint64_t start) {
  const auto at = [start](std::uint64_t ms) { return std::to_string(start + ms * 1'000'000); };
  const std::string root = random_hex(16);
  return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ui"}}]},"scopeSpans":[{"spans":[
    {"traceId":")" +
         trace_id + R"(","spanId":")" + root +
         R"(","name":"POST /readings","kind":2,"startTimeUnixNano":")" + at(0) +
         R"(","endTimeUnixNano":")" + at(40) + R"("},
    {"traceId":")" +
         trace_id + R"(","spanId":")" + random_hex(16) + R"(","parentSpanId":")" + root +
         R"(","name":"POST","kind":3,"startTimeUnixNano":")" + at(2) + R"(","endTimeUnixNano":")" +
         at(20) + R"(",
     "attributes":[{"key":"server.address","value":{"stringValue":"ingest"}},{"key":"server.port","value":{"intValue":"8080"}},{"key":"url.full","value":{"stringValue":"http://ingest:8080/readings"}}]},
    {"traceId":")" +
         trace_id + R"(","spanId":")" + random_hex(16) + R"(","parentSpanId":")" + root +
         R"(","name":"POST","kind":3,"startTimeUnixNano":")" + at(22) + R"(","endTimeUnixNano":")" +
         at(30) + R"(",
     "attributes":[{"key":"server.address","value":{"stringValue":"payments"}},{"key":"server.port","value":{"intValue":"9090"}}]}
  ]}]}]})";
}

TEST(LogIntake, AServiceThatOnlyLogsTheTraceIsALoggedHopNotAMissingOne) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string logged = random_hex(32);
  const std::string silent = random_hex(32);
  const std::uint64_t start = now_nanos() - 1'000'000'000;
  ASSERT_EQ(collector.post(caller_spans(logged, start), "application/json")->status, 200);
  ASSERT_EQ(collector.post(caller_spans(silent, start), "application/json")->status, 200);
  // ingest logged the first trace's id while the call was out; payments logged
  // it too, but while no call to payments was out: not that call's callee.
  ASSERT_EQ(post_logs(collector, log_request("ingest", log_record(logged, start + 5'000'000,
                                                                  "reading stored")))
                ->status,
            200);
  ASSERT_EQ(
      post_logs(collector, log_request("payments", log_record(logged, start + 900'000'000, "late")))
          ->status,
      200);

  json trace;
  for (int i = 0; i < 250; ++i) {
    trace = collector.get_json("/api/traces/" + logged);
    if (trace.contains("verdict") && trace["verdict"]["state"] == "settled") break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(trace["verdict"]["state"], "settled") << trace.dump();
  EXPECT_EQ(trace["verdict"]["integrity"], "connected");
  ASSERT_EQ(trace["logs"].size(), 2U) << trace.dump();
  EXPECT_EQ(trace["logs"][0]["service"], "ingest");
  for (int i = 0;
       i < 250 && collector.get_json("/api/traces/" + silent)["verdict"]["state"] != "settled";
       ++i) {
    std::this_thread::sleep_for(20ms);
  }

  const json graph = collector.get_json("/api/graph?lookback=1h");
  json ingest_edge;
  json payments_edge;
  for (const json& edge : graph["edges"]) {
    if (edge["caller"] == "ui" && edge["callee"] == "ingest") ingest_edge = edge;
    if (edge["caller"] == "ui" && edge["callee"] == "payments:9090") payments_edge = edge;
  }
  ASSERT_TRUE(ingest_edge.is_object()) << graph.dump();
  EXPECT_EQ(ingest_edge["logged"], 1) << graph.dump();  // the silent trace's call stays unanswered
  EXPECT_EQ(ingest_edge["propagation_health"], 1.0);
  ASSERT_TRUE(payments_edge.is_object()) << graph.dump();
  EXPECT_EQ(payments_edge["logged"], 0);
  EXPECT_EQ(payments_edge["calls"], 2);  // unanswered both times
  EXPECT_NE(std::find(graph["uninstrumented_peers"].begin(), graph["uninstrumented_peers"].end(),
                      "ingest:8080"),
            graph["uninstrumented_peers"].end());  // the silent trace's call
  // ingest logs, and sends no spans: not a service with tracing.
  EXPECT_EQ(graph["log_only_services"], json({"ingest"})) << graph.dump();
  EXPECT_EQ(graph["services"], json({"ui"})) << graph.dump();

  const json hops = collector.get_json("/api/hops?lookback=1h");
  std::uint64_t logged_calls = 0;
  for (const json& hop : hops["hops"]) {
    if (hop["callee"] == "ingest") logged_calls += hop["logged"].get<std::uint64_t>();
  }
  EXPECT_EQ(logged_calls, 1U) << hops.dump();
}

TEST(LogIntake, FollowsALogFileGivenOnTheCommandLine) {
  TemporaryDirectory directory;
  const auto file = directory.path() / "worker.log";
  std::ofstream(file) << "worker starting\n";
  Collector collector(directory.path(), {"--log-file", file.string() + ":worker"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace_id = random_hex(32);
  std::ofstream(file, std::ios::app)
      << R"({"ts":"2026-12-07T19:10:00Z","level":"info","trace_id":")" << trace_id
      << R"(","msg":"job done"})"
      << "\n";
  const json logs = logs_of(collector, trace_id, 1);
  ASSERT_EQ(logs.size(), 1U) << logs.dump() << collector.log();
  EXPECT_EQ(logs[0]["service"], "worker");
  EXPECT_EQ(logs[0]["severity"], "info");
  EXPECT_EQ(logs[0]["body"], "job done");
  const std::string metrics = collector.http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("tracemesh_log_file_lines_skipped_total 1"), std::string::npos) << metrics;
}

}  // namespace
