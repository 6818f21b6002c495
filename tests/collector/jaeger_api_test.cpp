// The Jaeger-shaped query API (/jaeger/api/...) of a real `tracemesh collect`,
// checked field by field against Jaeger's JSON: what Grafana's Jaeger data
// source and the Jaeger UI read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::TemporaryDirectory;

std::uint64_t now_nanos() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

json attribute(const std::string& key, const json& value) {
  json typed;
  if (value.is_boolean())
    typed = {{"boolValue", value}};
  else if (value.is_number_integer())
    typed = {{"intValue", std::to_string(value.get<std::int64_t>())}};
  else if (value.is_number())
    typed = {{"doubleValue", value}};
  else
    typed = {{"stringValue", value}};
  return {{"key", key}, {"value", typed}};
}

class JaegerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(collector_.ready()) << collector_.log();
    // front POST /orders -> billing, with an event, a link and an error; and a
    // second trace where billing started a new trace (a broken hop).
    const auto at = [this](std::uint64_t ms) { return std::to_string(start_ + ms * 1'000'000); };
    json front = {
        {{"traceId", trace_},
         {"spanId", root_},
         {"name", "POST /orders"},
         {"kind", 2},
         {"startTimeUnixNano", at(0)},
         {"endTimeUnixNano", at(100)},
         {"attributes",
          {attribute("http.request.method", "POST"), attribute("http.response.status_code", 500),
           attribute("cached", false), attribute("ratio", 0.25)}},
         {"events",
          {{{"timeUnixNano", at(10)},
            {"name", "retry"},
            {"attributes", {attribute("attempt", 2)}}}}},
         {"links", {{{"traceId", linked_}, {"spanId", "b7ad6b7169203331"}}}},
         {"status", {{"code", 2}, {"message", "upstream failed"}}}},
        {{"traceId", trace_},
         {"spanId", call_},
         {"parentSpanId", root_},
         {"name", "POST"},
         {"kind", 3},
         {"startTimeUnixNano", at(5)},
         {"endTimeUnixNano", at(90)},
         {"attributes",
          {attribute("http.request.method", "POST"),
           attribute("url.full", "http://billing:9000/charge"),
           attribute("server.address", "billing"), attribute("server.port", 9000)}}},
    };
    json billing = {
        {{"traceId", trace_},
         {"spanId", random_hex(16)},
         {"parentSpanId", call_},
         {"name", "POST /charge"},
         {"kind", 2},
         {"startTimeUnixNano", at(6)},
         {"endTimeUnixNano", at(80)},
         {"attributes", {attribute("url.path", "/charge"), attribute("server.port", 9000)}}}};
    send("front", front, {attribute("deployment.environment", "test")});
    send("billing", billing, {});
    // The broken one: front calls billing, which starts its own trace.
    const std::string broken_call = random_hex(16);
    json broken_front = {
        {{"traceId", broken_},
         {"spanId", random_hex(16)},
         {"name", "POST /orders"},
         {"kind", 2},
         {"startTimeUnixNano", at(200)},
         {"endTimeUnixNano", at(300)}},
    };
    broken_front.push_back(
        {{"traceId", broken_},
         {"spanId", broken_call},
         {"parentSpanId", broken_front[0]["spanId"]},
         {"name", "POST"},
         {"kind", 3},
         {"startTimeUnixNano", at(205)},
         {"endTimeUnixNano", at(290)},
         {"attributes",
          {attribute("url.full", "http://billing:9000/charge"),
           attribute("server.address", "billing"), attribute("server.port", 9000)}}});
    json broken_billing = {{{"traceId", callee_},
                            {"spanId", random_hex(16)},
                            {"name", "POST /charge"},
                            {"kind", 2},
                            {"startTimeUnixNano", at(206)},
                            {"endTimeUnixNano", at(280)},
                            {"attributes",
                             {attribute("url.path", "/charge"), attribute("server.port", 9000),
                              attribute("tracemesh.propagation.format", "none")}}}};
    send("front", broken_front, {});
    send("billing", broken_billing, {});
    for (const std::string& trace : {trace_, broken_, callee_}) {
      for (int i = 0; i < 250; ++i) {
        if (collector_.get_json("/api/traces/" + trace)["verdict"]["state"] == "settled") break;
        std::this_thread::sleep_for(20ms);
      }
    }
  }

  void send(const std::string& service, const json& spans, json resource) {
    resource.push_back(attribute("service.name", service));
    const json body = {{"resourceSpans",
                        {{{"resource", {{"attributes", resource}}},
                          {"scopeSpans", {{{"scope", {{"name", "shop"}}}, {"spans", spans}}}}}}}};
    const auto response = collector_.post(body.dump(), "application/json");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
  }

  static json tag_of(const json& tags, const std::string& key) {
    for (const json& tag : tags) {
      if (tag["key"] == key) return tag;
    }
    return nullptr;
  }

  TemporaryDirectory directory_;
  Collector collector_{directory_.path()};
  const std::uint64_t start_ = now_nanos() - 5'000'000'000;
  const std::string trace_ = random_hex(32);
  const std::string broken_ = random_hex(32);
  const std::string callee_ = random_hex(32);
  const std::string linked_ = random_hex(32);
  const std::string root_ = random_hex(16);
  const std::string call_ = random_hex(16);
};

TEST_F(JaegerApi, ListsServicesAndOperations) {
  const json services = collector_.get_json("/jaeger/api/services");
  EXPECT_EQ(services["data"], json({"billing", "front"}));
  EXPECT_EQ(services["total"], 2);
  EXPECT_EQ(services["errors"], nullptr);
  EXPECT_EQ(collector_.get_json("/jaeger/api/services/front/operations")["data"],
            json({"POST", "POST /orders"}));
  const json server = collector_.get_json("/jaeger/api/operations?service=front&spanKind=server");
  EXPECT_EQ(server["data"], json::parse(R"([{"name":"POST /orders","spanKind":"server"}])"));
  EXPECT_EQ(collector_.http().Get("/jaeger/api/operations")->status, 400);
}

TEST_F(JaegerApi, AnswersATraceInJaegersShape) {
  const json answer = collector_.get_json("/jaeger/api/traces/" + trace_);
  ASSERT_EQ(answer["data"].size(), 1U) << answer.dump();
  const json& trace = answer["data"][0];
  EXPECT_EQ(trace["traceID"], trace_);
  EXPECT_EQ(trace["warnings"], nullptr);  // connected
  ASSERT_EQ(trace["spans"].size(), 3U);
  json root;
  json call;
  for (const json& span : trace["spans"]) {
    if (span["spanID"] == root_) root = span;
    if (span["spanID"] == call_) call = span;
  }
  ASSERT_TRUE(root.is_object() && call.is_object()) << trace.dump();
  EXPECT_EQ(root["traceID"], trace_);
  EXPECT_EQ(root["operationName"], "POST /orders");
  EXPECT_EQ(root["startTime"], start_ / 1000);
  EXPECT_EQ(root["duration"], 100'000);
  // The link is FOLLOWS_FROM; a root has no CHILD_OF.
  EXPECT_EQ(root["references"], json::parse(R"([{"refType":"FOLLOWS_FROM","traceID":")" + linked_ +
                                            R"(","spanID":"b7ad6b7169203331"}])"));
  EXPECT_EQ(call["references"], json::parse(R"([{"refType":"CHILD_OF","traceID":")" + trace_ +
                                            R"(","spanID":")" + root_ + R"("}])"));
  // Typed tags, and the ones Jaeger readers look for.
  EXPECT_EQ(tag_of(root["tags"], "http.response.status_code"),
            json::parse(R"({"key":"http.response.status_code","type":"int64","value":500})"));
  EXPECT_EQ(tag_of(root["tags"], "cached")["type"], "bool");
  EXPECT_EQ(tag_of(root["tags"], "ratio")["type"], "float64");
  EXPECT_EQ(tag_of(root["tags"], "http.request.method")["value"], "POST");
  EXPECT_EQ(tag_of(root["tags"], "span.kind")["value"], "server");
  EXPECT_EQ(tag_of(root["tags"], "error")["value"], true);
  EXPECT_EQ(tag_of(root["tags"], "otel.status_code")["value"], "ERROR");
  EXPECT_EQ(tag_of(root["tags"], "otel.status_description")["value"], "upstream failed");
  EXPECT_EQ(tag_of(call["tags"], "span.kind")["value"], "client");
  EXPECT_EQ(tag_of(call["tags"], "error"), nullptr);
  // Events are logs.
  ASSERT_EQ(root["logs"].size(), 1U);
  EXPECT_EQ(root["logs"][0]["timestamp"], (start_ + 10'000'000) / 1000);
  EXPECT_EQ(tag_of(root["logs"][0]["fields"], "event")["value"], "retry");
  EXPECT_EQ(tag_of(root["logs"][0]["fields"], "attempt")["value"], 2);
  // Processes: the service and its resource.
  const std::string process = root["processID"];
  EXPECT_EQ(trace["processes"][process]["serviceName"], "front");
  EXPECT_EQ(tag_of(trace["processes"][process]["tags"], "deployment.environment")["value"], "test");

  const auto missing = collector_.http().Get("/jaeger/api/traces/" + random_hex(32));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["errors"][0]["code"], 404);
  EXPECT_EQ(collector_.http().Get("/jaeger/api/traces/nothex")->status, 400);
  // A 64-bit id is the 128-bit one left-padded with zeros, as Jaeger reads it.
  EXPECT_EQ(collector_.http().Get("/jaeger/api/traces/" + trace_.substr(16))->status, 404);
}

TEST_F(JaegerApi, CarriesTheIntegrityVerdictInWarnings) {
  const json trace = collector_.get_json("/jaeger/api/traces/" + broken_)["data"][0];
  ASSERT_TRUE(trace["warnings"].is_array()) << trace.dump();
  const std::string all = trace["warnings"].dump();
  EXPECT_NE(all.find("tracemesh: trace integrity broken_hop"), std::string::npos) << all;
  EXPECT_NE(all.find("billing started trace " + callee_), std::string::npos) << all;
  EXPECT_NE(all.find("likely culprit: caller_did_not_inject"), std::string::npos) << all;
  bool marked = false;
  for (const json& span : trace["spans"]) {
    if (span["warnings"].is_array()) {
      marked = span["operationName"] == "POST" &&
               span["warnings"][0].get<std::string>().find("broken hop") != std::string::npos;
    }
  }
  EXPECT_TRUE(marked) << trace.dump();
}

TEST_F(JaegerApi, SearchesAsGrafanaAsks) {
  const std::string window = "&start=" + std::to_string(start_ / 1000 - 1000) +
                             "&end=" + std::to_string(start_ / 1000 + 1'000'000);
  json found = collector_.get_json("/jaeger/api/traces?service=front&limit=20" + window);
  EXPECT_EQ(found["data"].size(), 2U) << found.dump();
  ASSERT_TRUE(found["data"][0]["spans"].is_array());  // full traces
  found = collector_.get_json(
      "/jaeger/api/traces?service=front&tags=%7B%22http.response.status_code%22%3A%22500%22%7D" +
      window);
  ASSERT_EQ(found["data"].size(), 1U) << found.dump();
  EXPECT_EQ(found["data"][0]["traceID"], trace_);
  found = collector_.get_json("/jaeger/api/traces?service=front&minDuration=99ms&lookback=1h");
  EXPECT_EQ(found["data"].size(), 2U) << found.dump();
  found = collector_.get_json("/jaeger/api/traces?service=front&minDuration=101ms&lookback=1h");
  EXPECT_EQ(found["data"].size(), 0U) << found.dump();
  found = collector_.get_json(
      "/jaeger/api/traces?service=front&operation=POST%20%2Forders&limit=1&lookback=1h");
  EXPECT_EQ(found["data"].size(), 1U) << found.dump();
  EXPECT_EQ(collector_.http().Get("/jaeger/api/traces?tags=notjson")->status, 400);
}

TEST_F(JaegerApi, ListsDependencies) {
  const json dependencies = collector_.get_json(
      "/jaeger/api/dependencies?endTs=" + std::to_string(now_nanos() / 1'000'000) +
      "&lookback=3600000");
  json front_billing;
  for (const json& link : dependencies["data"]) {
    if (link["parent"] == "front" && link["child"] == "billing") front_billing = link;
  }
  ASSERT_TRUE(front_billing.is_object()) << dependencies.dump();
  EXPECT_EQ(front_billing["callCount"], 2);  // one connected, one broken
}

}  // namespace
