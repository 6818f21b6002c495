// The official OpenTelemetry JS SDK (npm, pinned in tests/interop/otel-js)
// exports a trace to `tracemesh collect` over OTLP/HTTP, in JSON and in
// protobuf, and over OTLP/gRPC with and without gzip; every field it sent must
// be stored intact.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <string>

#include "child_process.h"
#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::Collector;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

class OtelJsInterop : public ::testing::TestWithParam<const char*> {};

// Run the JS peer against `collector`; return what it says it sent.
json send_from_js(const Collector& collector, const TemporaryDirectory& directory,
                  const char* protocol) {
  const std::string output = (directory.path() / (std::string("js-") + protocol + ".out")).string();
  // gRPC exporters take the endpoint without a path.
  const std::string endpoint =
      std::string(protocol).rfind("grpc", 0) == 0
          ? "http://127.0.0.1:" + std::to_string(collector.grpc_port())
          : "http://127.0.0.1:" + std::to_string(collector.otlp_port()) + "/v1/traces";
  ChildProcess node({TRACEMESH_NODE, std::string(TRACEMESH_OTEL_JS_SCRIPTS) + "/send_trace.cjs",
                     endpoint, protocol},
                    output, {"NODE_PATH=" + std::string(TRACEMESH_OTEL_JS_MODULES)});
  const auto status = node.wait_for_exit(60s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << read_file(output);
  const std::string text = read_file(output);
  const std::size_t line = text.rfind("{\"trace_id\"");
  return line == std::string::npos ? json() : json::parse(text.substr(line), nullptr, false);
}

TEST_P(OtelJsInterop, StoresEveryFieldTheSdkSent) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const json sent = send_from_js(collector, directory, GetParam());
  ASSERT_TRUE(sent.is_object()) << "the JS peer printed nothing usable";

  json trace;
  for (int i = 0; i < 300; ++i) {
    trace = collector.get_json("/api/traces/" + sent["trace_id"].get<std::string>());
    if (trace.contains("verdict") && trace["verdict"]["state"] == "settled") break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(trace.contains("spans")) << trace.dump();
  ASSERT_EQ(trace["spans"].size(), 2U) << trace.dump();
  const json& parent = trace["spans"][0];
  const json& child = trace["spans"][1];
  const std::uint64_t start = std::stoull(sent["start_unix_nano"].get<std::string>());

  EXPECT_EQ(parent["span_id"], sent["parent_id"]);
  EXPECT_EQ(parent["parent_span_id"], nullptr);
  EXPECT_EQ(parent["service"], "js-peer");
  EXPECT_EQ(parent["name"], "GET /alerts");
  EXPECT_EQ(parent["kind"], "server");
  EXPECT_EQ(parent["start_unix_nano"], start);
  EXPECT_EQ(parent["end_unix_nano"], start + 500'000'000);
  EXPECT_EQ(parent["status"], json({{"code", "error"}, {"message", "upstream unavailable"}}));
  EXPECT_EQ(parent["attributes"], json::parse(R"({"http.request.method":"GET",
      "http.response.status_code":503,"ratio":0.25,"cached":false,"tags":["a","b"],
      "big":9007199254740991})"));
  ASSERT_EQ(parent["events"].size(), 1U);
  EXPECT_EQ(parent["events"][0]["name"], "retry");
  EXPECT_EQ(parent["events"][0]["time_unix_nano"], start + 10'000'000);
  EXPECT_EQ(parent["events"][0]["attributes"], json({{"attempt", 2}}));
  ASSERT_EQ(parent["links"].size(), 1U);
  EXPECT_EQ(parent["links"][0]["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(parent["links"][0]["span_id"], "b7ad6b7169203331");
  EXPECT_EQ(parent["links"][0]["attributes"], json({{"link.reason", "batch"}}));
  EXPECT_EQ(parent["resource"]["service.name"], "js-peer");
  EXPECT_EQ(parent["resource"]["deployment.environment"], "test");
  EXPECT_EQ(parent["scope"], "interop-test");

  EXPECT_EQ(child["span_id"], sent["child_id"]);
  EXPECT_EQ(child["parent_span_id"], sent["parent_id"]);
  EXPECT_EQ(child["kind"], "client");
  EXPECT_EQ(child["start_unix_nano"], start + 20'000'000);
  EXPECT_EQ(child["attributes"]["url.full"], "http://127.0.0.1:9/v1/enrich");
  EXPECT_EQ(child["attributes"]["server.port"], 9);
  EXPECT_EQ(trace["verdict"]["integrity"], "connected");
}

INSTANTIATE_TEST_SUITE_P(Protocols, OtelJsInterop,
                         ::testing::Values("json", "protobuf", "grpc", "grpc-gzip"));

}  // namespace
