// OTLP/gRPC into `tracemesh collect`, with the official gRPC JS client
// (@grpc/grpc-js, the transport of the OpenTelemetry JS gRPC exporter) as the
// peer: every answer a gRPC exporter acts on — success, partial success,
// refusals, and overload with a RetryInfo — as the client reads it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "collector_process.h"
#include "ingest/protoc_encode.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

constexpr const char* trace_export = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr const char* logs_export = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
constexpr const char* metrics_export =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

// `hex` as a protobuf text-format bytes literal.
std::string bytes_literal(const std::string& hex) {
  std::string out = "\"";
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += "\\x" + hex.substr(i, 2);
  return out + "\"";
}

// An ExportTraceServiceRequest with one valid span of `trace` per entry of
// `span_ids` (an id of the wrong length is an invalid span).
std::string trace_request(const std::string& trace, const std::vector<std::string>& span_ids,
                          const std::string& padding = "") {
  std::string spans;
  for (const std::string& span : span_ids) {
    spans += "spans { trace_id: " + bytes_literal(trace) + " span_id: " + bytes_literal(span) +
             " name: \"GET /quotes\" kind: SPAN_KIND_SERVER start_time_unix_nano: "
             "1796670600000000000 end_time_unix_nano: 1796670600100000000";
    if (!padding.empty()) {
      spans += " attributes { key: \"padding\" value { string_value: \"" + padding + "\" } }";
    }
    spans += " }\n";
  }
  return tracemesh::ingest::testing::protoc_encode(
      "otlp.ExportTraceServiceRequest",
      "resource_spans { resource { attributes { key: \"service.name\" value { string_value: "
      "\"quotes\" } } } scope_spans { " +
          spans + "} }");
}

class OtlpGrpc : public ::testing::Test {
 protected:
  // Call `method` with `body` through grpc_call.cjs; one JSON object per call.
  std::vector<json> call(const Collector& collector, const char* method, const std::string& body,
                         const std::string& compression = "identity", const std::string& token = "",
                         std::vector<std::string> environment = {}) {
    const auto body_file = directory_.path() / ("body-" + std::to_string(++calls_) + ".bin");
    std::ofstream(body_file, std::ios::binary) << body;
    const auto output = directory_.path() / ("call-" + std::to_string(calls_) + ".out");
    std::vector<std::string> argv = {TRACEMESH_NODE,
                                     std::string(TRACEMESH_OTEL_JS_SCRIPTS) + "/grpc_call.cjs",
                                     "127.0.0.1:" + std::to_string(collector.grpc_port()),
                                     method,
                                     body_file.string(),
                                     compression};
    if (!token.empty()) argv.push_back(token);
    environment.push_back("NODE_PATH=" + std::string(TRACEMESH_OTEL_JS_MODULES));
    ChildProcess node(argv, output.string(), environment);
    const auto status = node.wait_for_exit(90s);
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << read_file(output.string());
    std::vector<json> results;
    std::istringstream lines(read_file(output.string()));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("{\"code\"", 0) == 0) results.push_back(json::parse(line));
    }
    return results;
  }

  json one_call(const Collector& collector, const char* method, const std::string& body,
                const std::string& compression = "identity", const std::string& token = "") {
    const auto results = call(collector, method, body, compression, token);
    EXPECT_EQ(results.size(), 1U);
    return results.empty() ? json() : results[0];
  }

  int overflow_one_span_queue(std::size_t calls, std::vector<std::string> environment);

  TemporaryDirectory directory_;
  int calls_ = 0;
};

TEST_F(OtlpGrpc, StoresAnExportUncompressedGzippedOrDeflated) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  ASSERT_NE(collector.grpc_port(), 0) << collector.log();
  for (const char* compression : {"identity", "gzip", "deflate"}) {
    const std::string trace = random_hex(32);
    const json answer =
        one_call(collector, trace_export, trace_request(trace, {random_hex(16)}), compression);
    EXPECT_EQ(answer["code"], 0) << answer.dump();
    EXPECT_EQ(answer["rejected"], nullptr) << "no partial success when all spans are valid";
    // Answered OK only once committed: readable at once.
    const json stored = collector.get_json("/api/traces/" + trace);
    ASSERT_EQ(stored["spans"].size(), 1U) << compression << " " << stored.dump();
    EXPECT_EQ(stored["spans"][0]["service"], "quotes");
  }
}

TEST_F(OtlpGrpc, AnswersPartialSuccessForInvalidSpans) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  const json answer =
      one_call(collector, trace_export, trace_request(trace, {random_hex(16), "abcdef"}));
  EXPECT_EQ(answer["code"], 0) << answer.dump();
  EXPECT_EQ(answer["rejected"], 1) << answer.dump();
  EXPECT_NE(answer["error_message"].get<std::string>().find("span"), std::string::npos);
  EXPECT_EQ(collector.get_json("/api/traces/" + trace)["spans"].size(), 1U);
}

TEST_F(OtlpGrpc, RefusesWhatItCannotTakeWithTheStatusExportersActOn) {
  const auto token_file = directory_.path() / "token";
  std::ofstream(token_file) << "s3cret\n";
  Collector collector(directory_.path(),
                      {"--ingest-token-file", token_file.string(), "--max-body-bytes", "4000"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string valid = trace_request(random_hex(32), {random_hex(16)});

  // No token, or the wrong one: UNAUTHENTICATED (16).
  EXPECT_EQ(one_call(collector, trace_export, valid)["code"], 16);
  EXPECT_EQ(one_call(collector, trace_export, valid, "identity", "wrong")["code"], 16);
  EXPECT_EQ(one_call(collector, trace_export, valid, "identity", "s3cret")["code"], 0);
  // A method the collector does not serve: UNIMPLEMENTED (12).
  const json unknown = one_call(collector,
                                "/opentelemetry.proto.collector.profiles.v1development."
                                "ProfilesService/Export",
                                valid, "identity", "s3cret");
  EXPECT_EQ(unknown["code"], 12);
  EXPECT_NE(unknown["message"].get<std::string>().find("TraceService"), std::string::npos);
  // Not a protobuf request: INVALID_ARGUMENT (3), and not retried (no RetryInfo).
  const json malformed =
      one_call(collector, trace_export, std::string("\x0a\xff\xff\xff", 4), "identity", "s3cret");
  EXPECT_EQ(malformed["code"], 3) << malformed.dump();
  EXPECT_EQ(malformed["retry_seconds"], nullptr);
  // Over --max-body-bytes: RESOURCE_EXHAUSTED without a RetryInfo (the same
  // request would be refused again, so the exporter must not retry it).
  const json large =
      one_call(collector, trace_export,
               trace_request(random_hex(32), {random_hex(16)}, std::string(5000, 'x')), "identity",
               "s3cret");
  EXPECT_EQ(large["code"], 8) << large.dump();
  EXPECT_EQ(large["retry_seconds"], nullptr) << large.dump();
  EXPECT_NE(large["message"].get<std::string>().find("--max-body-bytes"), std::string::npos);
  // Compressed it fits on the wire, and is stored.
  EXPECT_EQ(one_call(collector, trace_export,
                     trace_request(random_hex(32), {random_hex(16)}, std::string(5000, 'x')),
                     "gzip", "s3cret")["code"],
            0);

  const std::string metrics = collector.http().Get("/metrics")->body;
  for (const char* line :
       {"tracemesh_ingest_refused_total{reason=\"unauthorized\"} 2",
        "tracemesh_ingest_refused_total{reason=\"too_large\"} 1",
        "tracemesh_ingest_refused_total{reason=\"malformed\"} 1",
        "tracemesh_grpc_requests_total{method=\"/opentelemetry.proto."
        "collector.trace.v1.TraceService/Export\",code=\"UNAUTHENTICATED\"} 2",
        "tracemesh_grpc_requests_total{method=\"/opentelemetry.proto."
        "collector.trace.v1.TraceService/Export\",code=\"OK\"} 2",
        "tracemesh_grpc_requests_total{method=\"other\",code=\"UNIMPLEMENTED\"} 1"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
}

// Send one 40-span trace in `calls` calls as `environment` says (connections,
// parallel calls) to a collector with a one-span write queue; every call is
// answered OK or RESOURCE_EXHAUSTED with a 1 s retry delay, and the trace is
// stored whole. Return how many were refused.
int OtlpGrpc::overflow_one_span_queue(std::size_t calls, std::vector<std::string> environment) {
  Collector collector(directory_.path(), {"--max-queued-spans", "1"});
  EXPECT_TRUE(collector.ready()) << collector.log();
  std::vector<std::string> spans;
  for (int i = 0; i < 40; ++i) spans.push_back(random_hex(16));
  const std::string trace = random_hex(32);
  const auto results = call(collector, trace_export, trace_request(trace, spans), "identity", "",
                            std::move(environment));
  EXPECT_EQ(results.size(), calls);
  int refused = 0;
  for (const json& result : results) {
    if (result["code"] == 8) {
      ++refused;
      EXPECT_EQ(result["retry_seconds"], 1) << result.dump();
    } else {
      EXPECT_EQ(result["code"], 0) << result.dump();
    }
  }
  EXPECT_LT(static_cast<std::size_t>(refused), calls) << "no call was accepted";
  EXPECT_EQ(collector.get_json("/api/traces/" + trace)["spans"].size(), 40U);
  return refused;
}

TEST_F(OtlpGrpc, AnswersAFullWriteQueueWithResourceExhaustedAndARetryDelay) {
  // Six connections at once, fifteen calls each.
  EXPECT_GT(overflow_one_span_queue(90, {"CONNECTIONS=6", "CALLS=15"}), 0)
      << "six connections against a one-span queue must be refused sometimes";
}

// An OpenTelemetry Collector multiplexes its exports on one connection: they
// are handled at once (so a one-span queue overflows), each answered on its own.
TEST_F(OtlpGrpc, AnswersTheCallsOfOneConnectionConcurrently) {
  EXPECT_GT(overflow_one_span_queue(30, {"CONNECTIONS=1", "CALLS=30", "PARALLEL=1"}), 0)
      << "thirty calls at once on one connection never overflowed the queue";
}

// Clients cancel calls (a deadline, a shutdown) while the collector stores
// them: the collector drops the answer, keeps serving, and loses nothing it stored.
TEST_F(OtlpGrpc, SurvivesCallsCancelledInFlight) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  std::vector<std::string> spans;
  for (int i = 0; i < 200; ++i) spans.push_back(random_hex(16));
  const std::string trace = random_hex(32);
  const auto cancelled = call(collector, trace_export, trace_request(trace, spans), "identity", "",
                              {"CONNECTIONS=2", "CALLS=20", "PARALLEL=1", "CANCEL=1"});
  ASSERT_EQ(cancelled.size(), 40U);
  for (const json& result : cancelled) {
    EXPECT_TRUE(result["code"] == 1 || result["code"] == 0) << result.dump();  // CANCELLED or done
  }
  // Still serving, on a new connection; the trace holds its spans at most once each.
  EXPECT_EQ(one_call(collector, trace_export, trace_request(trace, spans))["code"], 0);
  EXPECT_EQ(collector.get_json("/api/traces/" + trace)["spans"].size(), 200U);
  EXPECT_TRUE(collector.process().running());
}

// Metadata over the limit (16 KiB) is refused, by the client that read the
// collector's SETTINGS or by the collector; the next call is served.
TEST_F(OtlpGrpc, RefusesOversizedMetadataAndKeepsServing) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string body = trace_request(random_hex(32), {random_hex(16)});
  // A token of 20 KiB: over the 16 KiB of metadata a call may carry.
  const json large = one_call(collector, trace_export, body, "identity", std::string(20'000, 't'));
  EXPECT_NE(large["code"], 0) << large.dump();
  EXPECT_EQ(one_call(collector, trace_export, body)["code"], 0);
}

TEST_F(OtlpGrpc, TakesLogsAndAcceptsMetrics) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  const std::string logs = tracemesh::ingest::testing::protoc_encode(
      "otlp.ExportLogsServiceRequest",
      "resource_logs { resource { attributes { key: \"service.name\" value { string_value: "
      "\"quotes\" } } } scope_logs { log_records { time_unix_nano: 1796670600000000001 "
      "body { string_value: \"quote sent\" } trace_id: " +
          bytes_literal(trace) + " span_id: " + bytes_literal(random_hex(16)) + " } } }");
  EXPECT_EQ(one_call(collector, logs_export, logs)["code"], 0);
  const json stored = collector.get_json("/api/logs?trace_id=" + trace);
  ASSERT_TRUE(stored.contains("logs")) << stored.dump();
  ASSERT_EQ(stored["logs"].size(), 1U) << stored.dump();
  EXPECT_EQ(stored["logs"][0]["body"], "quote sent");
  // Metrics are accepted and dropped (SDKs export them by default).
  EXPECT_EQ(one_call(collector, metrics_export, "")["code"], 0);
  EXPECT_NE(
      collector.http().Get("/metrics")->body.find("tracemesh_metrics_requests_dropped_total 1"),
      std::string::npos);
}

TEST_F(OtlpGrpc, TellsAnHttp1ClientWhereOtlpHttpGoes) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  httplib::Client client("127.0.0.1", collector.grpc_port());
  const auto response = client.Post("/v1/traces", "{}", "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("OTLP/gRPC"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find("4318"), std::string::npos) << response->body;
  // The listener is unharmed.
  EXPECT_EQ(
      one_call(collector, trace_export, trace_request(random_hex(32), {random_hex(16)}))["code"],
      0);
}

}  // namespace
