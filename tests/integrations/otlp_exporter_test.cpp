// The HTTP exporters against real loopback servers: retries, Retry-After,
// partial success, dead endpoints, gzip, headers, and configuration.
#include "tracemesh/otlp_exporter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "loopback_server.h"
#include "tracemesh/batch_span_processor.h"
#include "tracemesh/tracer.h"

namespace tracemesh {
namespace {

using nlohmann::json;
using testing::LoopbackServer;
using namespace std::chrono_literals;

// Answers POST /v1/traces with scripted statuses, recording what arrived.
class ScriptedCollector : public LoopbackServer {
 public:
  struct Answer {
    int status = 200;
    std::string retry_after;
    std::string body;
    std::string content_type = "application/json";
  };

  explicit ScriptedCollector(std::vector<Answer> answers) : answers_(std::move(answers)) {
    server.Post("/v1/traces", [this](const httplib::Request& request, httplib::Response& response) {
      std::unique_lock lock(mutex_);
      bodies_.push_back(request.body);
      headers_.push_back(request.headers);
      changed_.notify_all();
      changed_.wait(lock, [this] { return !held_; });
      const Answer answer = answers_.empty() ? Answer{} : answers_.front();
      if (!answers_.empty()) answers_.erase(answers_.begin());
      response.status = answer.status;
      if (!answer.retry_after.empty()) response.set_header("Retry-After", answer.retry_after);
      response.set_content(answer.body, answer.content_type);
    });
    start();
  }
  ~ScriptedCollector() { release(); }

  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  bool wait_for_requests(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return bodies_.size() >= count; });
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<httplib::Headers> headers() {
    std::lock_guard lock(mutex_);
    return headers_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  std::vector<Answer> answers_;
  std::vector<std::string> bodies_;
  std::vector<httplib::Headers> headers_;
};

std::vector<std::unique_ptr<SpanData>> spans(std::size_t count) {
  std::vector<std::unique_ptr<SpanData>> batch;
  for (std::size_t i = 0; i < count; ++i) {
    auto span = std::make_unique<SpanData>();
    span->context.trace_id = TraceId::random();
    span->context.span_id = SpanId::random();
    span->name = "span " + std::to_string(i);
    batch.push_back(std::move(span));
  }
  return batch;
}

std::size_t json_span_count(const std::string& body) {
  std::size_t count = 0;
  const json request = json::parse(body);
  for (const auto& resource : request.at("resourceSpans")) {
    for (const auto& scope : resource.at("scopeSpans")) count += scope.at("spans").size();
  }
  return count;
}

struct Logged {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
};

std::shared_ptr<HttpSpanExporter> json_exporter(const ScriptedCollector& collector, Logged& logged,
                                                RetryPolicy retry = {}) {
  OtlpExporterOptions options;
  options.endpoint = collector.url("");
  options.protocol = OtlpProtocol::http_json;
  options.retry = retry;
  options.retry.initial_backoff = 10ms;
  options.retry.max_backoff = 50ms;
  options.log = logged.sink();
  auto exporter = make_otlp_exporter(options, MapEnvironment{});
  if (!exporter) throw std::runtime_error(std::string(exporter.error().text()));
  return *exporter;
}

TEST(HttpSpanExporter, RetriesAfterWhatRetryAfterAsksAndLosesNothing) {
  ScriptedCollector collector({{503, "1", "busy"}, {200}});
  Logged logged;
  const auto exporter = json_exporter(collector, logged);
  const auto batch = spans(3);
  EXPECT_EQ(exporter->export_spans(batch), ExportResult::success);
  const auto bodies = collector.bodies();
  ASSERT_EQ(bodies.size(), 2U);
  EXPECT_EQ(bodies[0], bodies[1]);
  EXPECT_EQ(json_span_count(bodies[1]), 3U);
  const auto stats = exporter->stats();
  EXPECT_EQ(stats.requests, 2U);
  EXPECT_EQ(stats.retries, 1U);
  EXPECT_EQ(stats.spans_exported, 3U);
  EXPECT_EQ(stats.spans_failed, 0U);
}

TEST(HttpSpanExporter, RetriesOnlyTheRetryableStatuses) {
  for (const int status : {429, 502, 503, 504}) {
    ScriptedCollector collector({{status}, {200}});
    Logged logged;
    EXPECT_EQ(json_exporter(collector, logged)->export_spans(spans(1)), ExportResult::success)
        << status;
    EXPECT_EQ(collector.bodies().size(), 2U) << status;
  }
  for (const int status : {400, 401, 404, 413, 500}) {
    ScriptedCollector collector({{status, "", "bad body"}, {200}});
    Logged logged;
    const auto exporter = json_exporter(collector, logged);
    EXPECT_EQ(exporter->export_spans(spans(2)), ExportResult::failure) << status;
    EXPECT_EQ(collector.bodies().size(), 1U) << status;
    EXPECT_EQ(exporter->stats().spans_failed, 2U) << status;
    EXPECT_NE(exporter->stats().last_error.find("HTTP " + std::to_string(status)),
              std::string::npos);
  }
}

TEST(HttpSpanExporter, GivesUpAfterMaxAttemptsAndCounts) {
  ScriptedCollector collector({{503}, {503}, {503}, {200}});
  Logged logged;
  RetryPolicy retry;
  retry.max_attempts = 3;
  const auto exporter = json_exporter(collector, logged, retry);
  EXPECT_EQ(exporter->export_spans(spans(4)), ExportResult::failure);
  EXPECT_EQ(collector.bodies().size(), 3U);
  EXPECT_EQ(exporter->stats().spans_failed, 4U);
  ASSERT_EQ(logged.lines.size(), 1U);
  EXPECT_NE(logged.lines[0].find("4 spans dropped"), std::string::npos);
  EXPECT_NE(logged.lines[0].find("after 3 attempts"), std::string::npos);
}

TEST(HttpSpanExporter, PartialSuccessIsLoggedWithCounts) {
  ScriptedCollector collector(
      {{200, "", R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad ids"}})"}});
  Logged logged;
  const auto exporter = json_exporter(collector, logged);
  EXPECT_EQ(exporter->export_spans(spans(5)), ExportResult::success);
  EXPECT_EQ(exporter->stats().spans_rejected, 2U);
  ASSERT_EQ(logged.lines.size(), 1U);
  EXPECT_NE(logged.lines[0].find("rejected 2 of 5 spans: bad ids"), std::string::npos);
}

TEST(HttpSpanExporter, ProtobufPartialSuccessIsDecoded) {
  // ExportTraceServiceResponse{partial_success{rejected_spans: 7, error_message: "x"}}
  const std::string response("\x0a\x05\x08\x07\x12\x01x", 7);
  ScriptedCollector collector({{200, "", response, "application/x-protobuf"}});
  Logged logged;
  OtlpExporterOptions options;
  options.endpoint = collector.url("");
  options.log = logged.sink();
  const auto exporter = *make_otlp_exporter(options, MapEnvironment{});
  EXPECT_EQ(exporter->export_spans(spans(9)), ExportResult::success);
  EXPECT_EQ(exporter->stats().spans_rejected, 7U);
  const auto headers = collector.headers();
  ASSERT_EQ(headers.size(), 1U);
  EXPECT_EQ(headers[0].find("Content-Type")->second, "application/x-protobuf");
}

TEST(HttpSpanExporter, DeadEndpointDropsCountsAndShutsDownInTime) {
  int dead_port = 0;
  {
    LoopbackServer server;
    server.start();
    dead_port = server.port();
  }
  Logged logged;
  OtlpExporterOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(dead_port);
  options.log = logged.sink();
  const auto exporter = *make_otlp_exporter(options, MapEnvironment{});
  TracerOptions tracer_options;
  tracer_options.exporter = exporter;
  tracer_options.sampler_name = "always_on";
  tracer_options.batch =
      BatchOptions{.max_queue_size = 64, .max_export_batch_size = 8, .schedule_delay = 10ms};
  const Tracer tracer(*finalize(tracer_options, MapEnvironment{}));
  for (int i = 0; i < 20; ++i) tracer.start_span("lost").end();
  EXPECT_TRUE(tracer.shutdown(5s));
  EXPECT_EQ(exporter->stats().spans_failed, 20U);
  EXPECT_EQ(exporter->stats().spans_exported, 0U);
  EXPECT_FALSE(exporter->stats().last_error.empty());
}

TEST(HttpSpanExporter, ApplicationThreadsNeverWaitForTheCollector) {
  ScriptedCollector collector(std::vector<ScriptedCollector::Answer>{});
  collector.hold();  // the collector takes every request and does not answer
  Logged logged;
  const auto exporter = json_exporter(collector, logged);
  TracerOptions tracer_options;
  tracer_options.exporter = exporter;
  tracer_options.sampler_name = "always_on";
  tracer_options.batch =
      BatchOptions{.max_queue_size = 16, .max_export_batch_size = 4, .schedule_delay = 1ms};
  const Tracer tracer(*finalize(tracer_options, MapEnvironment{}));
  for (int i = 0; i < 4; ++i) tracer.start_span("first batch").end();
  ASSERT_TRUE(collector.wait_for_requests(1));  // the worker is now stuck in the request
  for (int i = 0; i < 100; ++i) tracer.start_span("meanwhile").end();  // returns: queue or drop
  collector.release();
  EXPECT_TRUE(tracer.shutdown(10s));
  const auto stats = exporter->stats();
  EXPECT_GE(stats.spans_exported, 4U);
  EXPECT_LT(stats.spans_exported, 104U);  // a full queue dropped some, and counted them
}

TEST(HttpSpanExporter, ShutdownInterruptsABackoffWait) {
  ScriptedCollector collector({{503, "30"}, {200}});
  Logged logged;
  RetryPolicy retry;
  retry.max_retry_after = 60s;
  OtlpExporterOptions options;
  options.endpoint = collector.url("");
  options.timeout = 120s;
  options.retry = retry;
  options.log = logged.sink();
  const auto exporter = *make_otlp_exporter(options, MapEnvironment{});
  std::atomic<bool> done{false};
  std::thread worker([&] {
    EXPECT_EQ(exporter->export_spans(spans(1)), ExportResult::failure);
    done = true;
  });
  ASSERT_TRUE(collector.wait_for_requests(1));
  EXPECT_TRUE(exporter->shutdown(1s));
  worker.join();  // would take 30 s without the interruption
  EXPECT_TRUE(done);
  EXPECT_NE(exporter->stats().last_error.find("shut down while waiting to retry"),
            std::string::npos);
}

TEST(HttpSpanExporter, SendsGzipAndConfiguredHeaders) {
  ScriptedCollector collector({ScriptedCollector::Answer{200}});
  MapEnvironment environment;
  environment.set("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url(""));
  environment.set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
  environment.set("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
  environment.set("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20abc,x-tenant=blue");
  const auto exporter = make_otlp_exporter({}, environment);
  ASSERT_TRUE(exporter) << exporter.error().text();
  EXPECT_EQ((*exporter)->export_spans(spans(2)), ExportResult::success);
  const auto headers = collector.headers();
  ASSERT_EQ(headers.size(), 1U);
  EXPECT_EQ(headers[0].find("Content-Encoding")->second, "gzip");
  EXPECT_EQ(headers[0].find("authorization")->second, "Bearer abc");
  EXPECT_EQ(headers[0].find("x-tenant")->second, "blue");
  EXPECT_EQ(json_span_count(collector.bodies()[0]), 2U);  // cpp-httplib inflated the gzip body
}

TEST(HttpSpanExporter, ZipkinPostsAJsonArray) {
  LoopbackServer server;
  std::string received;
  server.server.Post("/api/v2/spans",
                     [&](const httplib::Request& request, httplib::Response& response) {
                       received = request.body;
                       response.status = 202;
                     });
  server.start();
  ZipkinExporterOptions options;
  options.endpoint = server.url("/api/v2/spans");
  const auto exporter = make_zipkin_exporter(options, MapEnvironment{});
  ASSERT_TRUE(exporter);
  EXPECT_EQ((*exporter)->export_spans(spans(3)), ExportResult::success);
  EXPECT_EQ(json::parse(received).size(), 3U);
}

struct ConfigRow {
  const char* name;
  std::map<std::string, std::string, std::less<>> environment;
  const char* url;    // expected URL, or "" when an error is expected
  const char* error;  // substring of the expected error
};

TEST(OtlpExporterConfiguration, FollowsTheOtelVariables) {
  const std::vector<ConfigRow> rows = {
      {"default endpoint", {}, "http://localhost:4318/v1/traces", ""},
      {"base endpoint gets /v1/traces",
       {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9/"}},
       "http://127.0.0.1:9/v1/traces",
       ""},
      {"traces endpoint is used as is",
       {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:1"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:2/x"}},
       "http://b:2/x",
       ""},
      {"not a URL",
       {{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}},
       "",
       "not an http:// or https:// URL"},
      {"grpc is refused", {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}, "", "grpc is refused"},
      {"bad compression", {{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"}}, "", "is not gzip or none"},
      {"bad timeout", {{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"}}, "", "whole number of milliseconds"},
      {"zero timeout", {{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"}}, "", "outside 1 ms to 1 h"},
      {"bad headers",
       {{"OTEL_EXPORTER_OTLP_HEADERS", "novalue"}},
       "",
       "OTEL_EXPORTER_OTLP_HEADERS"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto exporter = make_otlp_exporter({}, MapEnvironment(row.environment));
    if (*row.url != '\0') {
      ASSERT_TRUE(exporter) << exporter.error().text();
      EXPECT_EQ((*exporter)->options().url, row.url);
    } else {
      ASSERT_FALSE(exporter);
      EXPECT_EQ(exporter.error().code, ErrorCode::invalid_config);
      EXPECT_NE(exporter.error().message.find(row.error), std::string::npos)
          << exporter.error().message;
    }
  }
}

TEST(OtlpExporterConfiguration, TracesExporterOtlpNeedsTheFactory) {
  MapEnvironment environment;
  environment.set("OTEL_TRACES_EXPORTER", "otlp");
  TracerOptions options;
  const auto without = finalize(options, environment);
  ASSERT_FALSE(without);
  EXPECT_NE(without.error().message.find("exporter_factory"), std::string::npos);
  options.exporter_factory = exporter_factory();
  const auto with = finalize(options, environment);
  ASSERT_TRUE(with) << with.error().text();
  EXPECT_NE(with->processor, nullptr);
  environment.set("OTEL_TRACES_EXPORTER", "jaeger");
  EXPECT_EQ(finalize(options, environment).error().code, ErrorCode::unknown_name);
}

}  // namespace
}  // namespace tracemesh
