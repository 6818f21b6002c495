// `tracemesh collect` as users run it: the real binary on loopback ports with
// a real SQLite file, fed over HTTP the way OTLP exporters send.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.h"
#include "collector/http/request_counters.h"
#include "collector/store/hop_counts.h"
#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

// An OTLP/JSON span object.
json span_json(const std::string& trace, const std::string& span, const std::string& parent,
               const std::string& name, int kind = 1) {
  json value = {{"traceId", trace},
                {"spanId", span},
                {"name", name},
                {"kind", kind},
                {"startTimeUnixNano", "1700000000000000000"},
                {"endTimeUnixNano", "1700000001000000000"}};
  if (!parent.empty()) value["parentSpanId"] = parent;
  return value;
}

// `spans` is a vector: a one-element braced list would turn into that element, not an array.
std::string otlp_json(const std::string& service, const std::vector<json>& spans) {
  return json{
      {"resourceSpans",
       {{{"resource",
          {{"attributes", {{{"key", "service.name"}, {"value", {{"stringValue", service}}}}}}}},
         {"scopeSpans", {{{"scope", {{"name", "test"}}}, {"spans", spans}}}}}}}}
      .dump();
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // NOLINT
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());  // NOLINT
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(collector_.ready()) << collector_.log(); }

  // Wait until the trace's verdict says settled; return the trace JSON.
  json settled_trace(const std::string& trace_id) {
    json trace;
    for (int i = 0; i < 300; ++i) {
      trace = collector_.get_json("/api/traces/" + trace_id);
      if (trace.contains("verdict") && trace["verdict"]["state"] == "settled") break;
      std::this_thread::sleep_for(20ms);
    }
    return trace;
  }

  TemporaryDirectory directory_;
  Collector collector_{directory_.path()};
};

TEST_F(CollectTest, StoresAJsonTraceAndJudgesItConnected) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string child = random_hex(16);
  auto response = collector_.post(otlp_json("front", {span_json(trace, root, "", "GET /", 2),
                                                      span_json(trace, child, root, "db")}),
                                  "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");

  const json stored = settled_trace(trace);
  ASSERT_TRUE(stored.contains("spans")) << stored.dump();
  ASSERT_EQ(stored["spans"].size(), 2U);
  EXPECT_EQ(stored["verdict"]["integrity"], "connected");
  EXPECT_EQ(stored["tree"][0]["span_id"], root);
  EXPECT_EQ(stored["tree"][0]["children"][0]["span_id"], child);
  const json& first = stored["spans"][0];
  EXPECT_EQ(first["service"], "front");
  EXPECT_EQ(first["kind"], "server");
  EXPECT_EQ(first["parent_span_id"], nullptr);
  EXPECT_EQ(first["start_unix_nano"], 1700000000000000000ULL);
}

TEST_F(CollectTest, ReportsOrphansAndMultipleRoots) {
  const std::string orphaned = random_hex(32);
  const std::string two_roots = random_hex(32);
  ASSERT_EQ(collector_
                .post(otlp_json("svc", {span_json(orphaned, random_hex(16), random_hex(16), "lost"),
                                        span_json(two_roots, random_hex(16), "", "a"),
                                        span_json(two_roots, random_hex(16), "", "b")}),
                      "application/json")
                ->status,
            200);
  EXPECT_EQ(settled_trace(orphaned)["verdict"]["integrity"], "orphans");
  EXPECT_EQ(settled_trace(two_roots)["verdict"]["integrity"], "multiple_roots");
}

TEST_F(CollectTest, NamesTheBrokenHopAndItsCulprit) {
  const std::string caller_trace = random_hex(32);
  const std::string callee_trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string call = random_hex(16);
  const std::string callee_root = random_hex(16);
  json client = span_json(caller_trace, call, root, "POST", 3);
  client["attributes"] = {
      {{"key", "url.full"}, {"value", {{"stringValue", "http://127.0.0.1:8099/hook?x=1"}}}},
      {{"key", "server.address"}, {"value", {{"stringValue", "127.0.0.1"}}}},
      {{"key", "server.port"}, {"value", {{"intValue", "8099"}}}}};
  json server = span_json(callee_trace, callee_root, "", "POST /hook", 2);
  server["startTimeUnixNano"] = "1700000000200000000";
  server["endTimeUnixNano"] = "1700000000300000000";
  server["attributes"] = {
      {{"key", "url.path"}, {"value", {{"stringValue", "/hook"}}}},
      {{"key", "server.port"}, {"value", {{"intValue", 8099}}}},
      {{"key", "tracemesh.propagation.format"}, {"value", {{"stringValue", "none"}}}}};
  ASSERT_EQ(
      collector_
          .post(otlp_json("delivery", {span_json(caller_trace, root, "", "deliver", 1), client}),
                "application/json")
          ->status,
      200);
  ASSERT_EQ(collector_.post(otlp_json("webhook", {server}), "application/json")->status, 200);

  const json verdict = settled_trace(caller_trace)["verdict"];
  EXPECT_EQ(verdict["integrity"], "broken_hop") << verdict.dump();
  ASSERT_EQ(verdict["broken_hops"].size(), 1U) << verdict.dump();
  const json& hop = verdict["broken_hops"][0];
  EXPECT_EQ(hop["caller_service"], "delivery");
  EXPECT_EQ(hop["caller_span_id"], call);
  EXPECT_EQ(hop["callee_service"], "webhook");
  EXPECT_EQ(hop["callee_trace_id"], callee_trace);
  EXPECT_EQ(hop["callee_span_id"], callee_root);
  EXPECT_EQ(hop["culprit"], "caller_did_not_inject");
}

// A small fleet: front -> orders (connected), front -> billing (broken: billing
// got no context), front -> payments.example:443 (no spans: uninstrumented).
class FleetTest : public CollectTest {
 protected:
  void SetUp() override {
    CollectTest::SetUp();
    const std::string root = random_hex(16);
    const std::string to_orders = random_hex(16);
    const std::string to_billing = random_hex(16);
    json orders_call = span_json(trace_, to_orders, root, "GET", 3);
    orders_call["attributes"] = {
        {{"key", "url.full"}, {"value", {{"stringValue", "http://orders/list"}}}}};
    json billing_call = span_json(trace_, to_billing, root, "POST", 3);
    billing_call["attributes"] = {
        {{"key", "url.full"}, {"value", {{"stringValue", "http://billing:81/charge"}}}},
        {{"key", "server.port"}, {"value", {{"intValue", 81}}}}};
    json external = span_json(trace_, random_hex(16), root, "POST", 3);
    external["attributes"] = {
        {{"key", "server.address"}, {"value", {{"stringValue", "payments.example"}}}},
        {{"key", "server.port"}, {"value", {{"intValue", 443}}}}};
    json front_root = span_json(trace_, root, "", "POST /checkout", 2);
    front_root["endTimeUnixNano"] = "1700000003000000000";
    json orders = span_json(trace_, random_hex(16), to_orders, "GET /list", 2);
    orders["attributes"] = {
        {{"key", "http.response.status_code"}, {"value", {{"intValue", 200}}}},
        {{"key", "cached"}, {"value", {{"boolValue", true}}}},
        {{"key", "http.request.header.x-trace-id"},
         {"value", {{"arrayValue", {{"values", {{{"stringValue", "req-7"}}}}}}}}}};
    json billing = span_json(billing_trace_, random_hex(16), "", "POST /charge", 2);
    billing["attributes"] = {
        {{"key", "url.path"}, {"value", {{"stringValue", "/charge"}}}},
        {{"key", "tracemesh.propagation.format"}, {"value", {{"stringValue", "none"}}}}};
    ASSERT_EQ(collector_
                  .post(otlp_json("front", {front_root, orders_call, billing_call, external}),
                        "application/json")
                  ->status,
              200);
    ASSERT_EQ(collector_.post(otlp_json("orders", {orders}), "application/json")->status, 200);
    ASSERT_EQ(collector_.post(otlp_json("billing", {billing}), "application/json")->status, 200);
    settled_trace(trace_);
    settled_trace(billing_trace_);
  }

  json search(const std::string& query) {
    return collector_.get_json("/api/traces?" + query)["traces"];
  }

  std::string trace_ = random_hex(32);
  std::string billing_trace_ = random_hex(32);
};

TEST_F(FleetTest, GraphShowsEachEdgeWithItsPropagationHealth) {
  const json graph = collector_.get_json("/api/graph?start=0&end=1800000000000000000");
  ASSERT_TRUE(graph.contains("edges")) << graph.dump();
  EXPECT_EQ(graph["services"], json({"billing", "front", "orders"}));
  EXPECT_EQ(graph["uninstrumented_peers"], json({"payments.example:443"}));
  std::map<std::string, json> edges;
  for (const json& edge : graph["edges"])
    edges[edge["caller"].get<std::string>() + "->" + edge["callee"].get<std::string>()] = edge;
  ASSERT_EQ(edges.size(), 3U) << graph.dump();
  EXPECT_EQ(edges["front->orders"]["connected"], 1);
  EXPECT_EQ(edges["front->orders"]["propagation_health"], 1.0);
  EXPECT_EQ(edges["front->orders"]["protocol"], "http");
  EXPECT_EQ(edges["front->orders"]["p50_ms"], 1000.0);
  EXPECT_EQ(edges["front->billing"]["broken"], 1);
  EXPECT_EQ(edges["front->billing"]["propagation_health"], 0.0);
  EXPECT_EQ(edges["front->billing"]["p50_ms"], 1000.0)
      << "a broken call, timed as its caller saw it";
  EXPECT_EQ(edges["front->payments.example:443"]["callee_instrumented"], false);
  EXPECT_EQ(graph["summary"]["cross_service_calls"], 2);
  EXPECT_EQ(graph["summary"]["cross_service_calls_traced_percent"], 50.0);
  EXPECT_EQ(graph["summary"]["services_with_tracing"], 3);
  EXPECT_EQ(graph["summary"]["services_total"], 4);
  EXPECT_EQ(collector_.get_json("/api/graph?start=0&end=10")["edges"].size(), 0U);
}

// /api/hops: the graph's calls, each under its hop key.
TEST_F(FleetTest, HopsCountEachCallUnderItsKey) {
  const json answer = collector_.get_json("/api/hops?start=0&end=1800000000000000000");
  ASSERT_TRUE(answer.contains("hops")) << answer.dump();
  EXPECT_EQ(answer["unsettled_traces"], 0);
  EXPECT_EQ(answer["truncated"], false);
  std::map<std::string, json> hops;
  for (const json& hop : answer["hops"]) {
    const json& to = hop["callee"].is_null() ? hop["peer"] : hop["callee"];
    hops[hop["caller"].get<std::string>() + "->" + to.get<std::string>()] = hop;
  }
  ASSERT_EQ(hops.size(), 3U) << answer.dump();
  const json& orders = hops["front->orders"];
  EXPECT_EQ(orders["connected"], 1);
  EXPECT_EQ(orders["broken"], json::object());
  EXPECT_EQ(orders["path"], "/list");
  EXPECT_EQ(orders["protocol"], "http");
  EXPECT_EQ(orders["site"], nullptr);
  EXPECT_EQ(orders["example_trace_id"], trace_);
  const json& billing = hops["front->billing"];
  EXPECT_EQ(billing["connected"], 0);
  EXPECT_EQ(billing["broken"], json({{"caller_did_not_inject", 1}}));
  EXPECT_EQ(billing["formats"], json({{"none", 1}}));
  EXPECT_EQ(billing["path"], "/charge");
  const json& payments = hops["front->payments.example:443"];
  EXPECT_EQ(payments["callee"], nullptr);
  EXPECT_EQ(payments["unanswered"], 1);
  EXPECT_EQ(collector_.get_json("/api/hops?start=0&end=10")["hops"].size(), 0U);
  EXPECT_EQ(collector_.get_json("/api/hops?start=20&end=10")["error"],
            "start must not be after end");
}

TEST(PathShape, FoldsIdSegmentsSoOneRouteIsOneKey) {
  EXPECT_EQ(tracemesh::collector::path_shape("/orders/42"), "/orders/{id}");
  EXPECT_EQ(tracemesh::collector::path_shape("/orders/42/items/7"), "/orders/{id}/items/{id}");
  EXPECT_EQ(tracemesh::collector::path_shape("/users/3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f"),
            "/users/{id}");
  EXPECT_EQ(tracemesh::collector::path_shape("/blobs/a1b2c3d4e5f60718"), "/blobs/{id}");
  // Names stay: words, short hex-looking words, versions.
  EXPECT_EQ(tracemesh::collector::path_shape("/api/v1/deadbeef/cafe"), "/api/v1/deadbeef/cafe");
  EXPECT_EQ(tracemesh::collector::path_shape("/verify"), "/verify");
  EXPECT_EQ(tracemesh::collector::path_shape(""), "");
  EXPECT_EQ(tracemesh::collector::path_shape("/"), "/");
}

TEST_F(CollectTest, HopsReadTheMethodRouteAndTheCallersCodeLocation) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string call = random_hex(16);
  json client = span_json(trace, call, root, "POST", 3);
  client["attributes"] = {
      {{"key", "http.request.method"}, {"value", {{"stringValue", "POST"}}}},
      {{"key", "url.full"}, {"value", {{"stringValue", "http://orders:8001/orders/42"}}}},
      {{"key", "code.file.path"}, {"value", {{"stringValue", "/build/gateway/app/main.py"}}}},
      {{"key", "code.line.number"}, {"value", {{"intValue", "27"}}}},
      {{"key", "code.function.name"}, {"value", {{"stringValue", "create"}}}}};
  json server = span_json(trace, random_hex(16), call, "POST /orders/{id}", 2);
  server["attributes"] = {
      {{"key", "http.route"}, {"value", {{"stringValue", "/orders/{id}"}}}},
      {{"key", "tracemesh.propagation.format"}, {"value", {{"stringValue", "tracecontext"}}}}};
  ASSERT_EQ(collector_
                .post(otlp_json("gateway", {span_json(trace, root, "", "GET /", 2), client}),
                      "application/json")
                ->status,
            200);
  ASSERT_EQ(collector_.post(otlp_json("orders", {server}), "application/json")->status, 200);
  settled_trace(trace);
  const json answer = collector_.get_json("/api/hops?start=0&end=1800000000000000000");
  ASSERT_EQ(answer["hops"].size(), 1U) << answer.dump();
  const json& hop = answer["hops"][0];
  EXPECT_EQ(hop["caller"], "gateway");
  EXPECT_EQ(hop["callee"], "orders");
  EXPECT_EQ(hop["method"], "POST");
  EXPECT_EQ(hop["route"], "/orders/{id}");
  EXPECT_EQ(hop["path"], "/orders/{id}");  // ids folded: one key a route
  EXPECT_EQ(hop["site"],
            json({{"file", "/build/gateway/app/main.py"}, {"line", 27}, {"function", "create"}}));
  EXPECT_EQ(hop["formats"], json({{"tracecontext", 1}}));
  EXPECT_EQ(hop["connected"], 1);
}

// A callee root that links the call restarted the trace on purpose; a call
// sent unsampled expected no span. Neither is a failure, and each is
// counted apart in the verdict, the graph and the hops.
TEST_F(CollectTest, ARestartedHopAndAnUnsampledCallAreNotFailures) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string to_billing = random_hex(16);
  const std::string to_payments = random_hex(16);
  json billing_call = span_json(trace, to_billing, root, "POST", 3);
  billing_call["attributes"] = {
      {{"key", "url.full"}, {"value", {{"stringValue", "http://billing:81/charge"}}}}};
  billing_call["flags"] = 0x101;
  json payments_call = span_json(trace, to_payments, root, "POST", 3);
  payments_call["attributes"] = {
      {{"key", "server.address"}, {"value", {{"stringValue", "payments.example"}}}},
      {{"key", "server.port"}, {"value", {{"intValue", 443}}}}};
  payments_call["flags"] = "256";  // known, not sampled
  json billing = span_json(random_hex(32), random_hex(16), "", "POST /charge", 2);
  billing["attributes"] = {
      {{"key", "url.path"}, {"value", {{"stringValue", "/charge"}}}},
      {{"key", "tracemesh.propagation.format"}, {"value", {{"stringValue", "tracecontext"}}}}};
  billing["links"] = {{{"traceId", trace}, {"spanId", to_billing}, {"flags", 0x301}}};
  ASSERT_EQ(collector_
                .post(otlp_json("front", {span_json(trace, root, "", "POST /checkout", 2),
                                          billing_call, payments_call}),
                      "application/json")
                ->status,
            200);
  ASSERT_EQ(collector_.post(otlp_json("billing", {billing}), "application/json")->status, 200);

  const json stored = settled_trace(trace);
  const json& verdict = stored["verdict"];
  EXPECT_EQ(verdict["integrity"], "connected") << verdict.dump();
  EXPECT_EQ(verdict["broken_hops"], json::array());
  ASSERT_EQ(verdict["restarted_hops"].size(), 1U) << verdict.dump();
  EXPECT_EQ(verdict["restarted_hops"][0]["caller_span_id"], to_billing);
  EXPECT_EQ(verdict["restarted_hops"][0]["callee_service"], "billing");
  EXPECT_EQ(verdict["unsampled_calls"], json({to_payments}));

  const json graph = collector_.get_json("/api/graph?start=0&end=1800000000000000000");
  std::map<std::string, json> edges;
  for (const json& edge : graph["edges"])
    edges[edge["caller"].get<std::string>() + "->" + edge["callee"].get<std::string>()] = edge;
  EXPECT_EQ(edges["front->billing"]["restarted"], 1) << graph.dump();
  EXPECT_EQ(edges["front->billing"]["broken"], 0);
  EXPECT_EQ(edges["front->billing"]["propagation_health"], 1.0);
  EXPECT_EQ(edges["front->payments.example:443"]["unsampled"], 1) << graph.dump();
  EXPECT_EQ(edges["front->payments.example:443"]["calls"], 1);

  const json hops = collector_.get_json("/api/hops?start=0&end=1800000000000000000");
  std::map<std::string, json> by_edge;
  for (const json& hop : hops["hops"]) {
    const json& to = hop["callee"].is_null() ? hop["peer"] : hop["callee"];
    by_edge[hop["caller"].get<std::string>() + "->" + to.get<std::string>()] = hop;
  }
  EXPECT_EQ(by_edge["front->billing"]["restarted"], 1) << hops.dump();
  EXPECT_EQ(by_edge["front->billing"]["broken"], json::object());
  EXPECT_EQ(by_edge["front->payments.example:443"]["unsampled"], 1) << hops.dump();
  EXPECT_EQ(by_edge["front->payments.example:443"]["unanswered"], 0);
}

// On a busy destination the root that links the call is found even when
// more unrelated roots than the candidate limit (20) started beside it.
TEST_F(CollectTest, TheLinkingRootIsFoundAmongManyOnOneDestination) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string call = random_hex(16);
  json client = span_json(trace, call, root, "POST", 3);
  client["attributes"] = {
      {{"key", "url.full"}, {"value", {{"stringValue", "http://billing:81/charge"}}}}};
  std::vector<json> roots;
  const auto billing_root = [](const std::string& start) {
    json value = span_json(random_hex(32), random_hex(16), "", "POST /charge", 2);
    value["startTimeUnixNano"] = start;
    value["attributes"] = {{{"key", "url.path"}, {"value", {{"stringValue", "/charge"}}}}};
    return value;
  };
  for (int i = 0; i < 25; ++i) roots.push_back(billing_root("1700000000000000000"));
  json linking = billing_root("1700000000900000000");
  linking["links"] = {{{"traceId", trace}, {"spanId", call}}};
  roots.push_back(linking);
  ASSERT_EQ(collector_.post(otlp_json("billing", roots), "application/json")->status, 200);
  ASSERT_EQ(collector_
                .post(otlp_json("front", {span_json(trace, root, "", "POST /checkout", 2), client}),
                      "application/json")
                ->status,
            200);
  const json verdict = settled_trace(trace)["verdict"];
  EXPECT_EQ(verdict["broken_hops"], json::array()) << verdict.dump();
  ASSERT_EQ(verdict["restarted_hops"].size(), 1U) << verdict.dump();
  EXPECT_EQ(verdict["restarted_hops"][0]["callee_span_id"], linking["spanId"]);
}

TEST_F(FleetTest, SearchFindsTracesByEveryFilter) {
  const auto ids = [](const json& traces) {
    std::set<std::string> found;
    for (const json& trace : traces) found.insert(trace["trace_id"]);
    return found;
  };
  EXPECT_EQ(ids(search("service=orders")), std::set<std::string>{trace_});
  EXPECT_EQ(ids(search("service=billing")), std::set<std::string>{billing_trace_});
  EXPECT_EQ(ids(search("service=front&operation=POST%20%2Fcheckout")),
            std::set<std::string>{trace_});
  EXPECT_EQ(ids(search("attr=http.response.status_code=200")), std::set<std::string>{trace_});
  EXPECT_TRUE(search("attr=http.response.status_code=500").empty());
  EXPECT_EQ(ids(search("attr=cached=true")), std::set<std::string>{trace_});
  EXPECT_TRUE(search("attr=cached=false").empty());
  // Each attribute on any span; an array attribute matches by an element.
  EXPECT_EQ(ids(search("attr=cached=true&attr=url.full=http://orders/list")),
            std::set<std::string>{trace_});
  EXPECT_EQ(ids(search("attr=http.request.header.x-trace-id=req-7")),
            std::set<std::string>{trace_});
  EXPECT_TRUE(search("attr=http.request.header.x-trace-id=req").empty());
  EXPECT_EQ(ids(search("root_service=front")), std::set<std::string>{trace_});
  EXPECT_TRUE(search("root_service=orders").empty());
  EXPECT_EQ(ids(search("root_service=billing&root_operation=POST%20%2Fcharge")),
            std::set<std::string>{billing_trace_});
  EXPECT_TRUE(search("root_service=billing&root_operation=GET%20%2Flist").empty());
  EXPECT_EQ(ids(search("integrity=broken_hop")), std::set<std::string>{trace_});
  EXPECT_EQ(ids(search("min_duration=2s")), std::set<std::string>{trace_});
  EXPECT_EQ(ids(search("max_duration=1500ms")), std::set<std::string>{billing_trace_});
  EXPECT_EQ(search("limit=1").size(), 1U);
  const json first = search("service=orders")[0];
  EXPECT_EQ(first["root_service"], "front");
  EXPECT_EQ(first["root_name"], "POST /checkout");
  EXPECT_EQ(first["span_count"], 5);
  EXPECT_EQ(first["duration_nanos"], 3000000000ULL);

  for (const char* bad :
       {"limit=0", "limit=x", "min_duration=soon", "attr=novalue", "integrity=fine", "start=-1"}) {
    SCOPED_TRACE(bad);
    const auto response = collector_.http().Get(std::string("/api/traces?") + bad);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(json::parse(response->body).contains("error"));
  }
}

TEST_F(FleetTest, ListsServicesAndTheirOperations) {
  EXPECT_EQ(collector_.get_json("/api/services")["services"], json({"billing", "front", "orders"}));
  const json operations = collector_.get_json("/api/services/front/operations")["operations"];
  EXPECT_EQ(operations,
            json::parse(R"([{"name":"GET","kind":"client"},{"name":"POST","kind":"client"},
                                        {"name":"POST /checkout","kind":"server"}])"));
  EXPECT_TRUE(collector_.get_json("/api/services/nobody/operations")["operations"].empty());
}

TEST_F(CollectTest, AcceptsZipkinV2Json) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const json spans = json::array({{{"traceId", trace},
                                   {"id", root},
                                   {"name", "get /"},
                                   {"kind", "SERVER"},
                                   {"timestamp", 1700000000000000},
                                   {"duration", 1000},
                                   {"localEndpoint", {{"serviceName", "legacy"}}}},
                                  {{"traceId", trace},
                                   {"id", random_hex(16)},
                                   {"parentId", root},
                                   {"name", "query"},
                                   {"timestamp", 1700000000000100},
                                   {"duration", 10},
                                   {"localEndpoint", {{"serviceName", "legacy"}}}}});
  auto response = collector_.otlp().Post("/api/v2/spans", spans.dump(), "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202) << response->body;
  const json stored = settled_trace(trace);
  ASSERT_EQ(stored["spans"].size(), 2U) << stored.dump();
  EXPECT_EQ(stored["spans"][0]["service"], "legacy");
  EXPECT_EQ(stored["verdict"]["integrity"], "connected");
  response = collector_.otlp().Post("/api/v2/spans", "{}", "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
}

TEST_F(CollectTest, AcceptsGzipAndChunkedBodies) {
  const std::string trace = random_hex(32);
  const std::string body = otlp_json("svc", {span_json(trace, random_hex(16), "", "gz")});
  auto response = collector_.post(gzip(body), "application/json", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;

  const std::string chunked_trace = random_hex(32);
  const std::string chunked =
      otlp_json("svc", {span_json(chunked_trace, random_hex(16), "", "chunks")});
  response = collector_.otlp().Post(
      "/v1/traces",
      [&](std::size_t offset, httplib::DataSink& sink) {
        if (offset < chunked.size()) {
          sink.write(chunked.data() + offset, std::min<std::size_t>(100, chunked.size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(settled_trace(trace)["spans"].size(), 1U);
  EXPECT_EQ(settled_trace(chunked_trace)["spans"][0]["name"], "chunks");
}

TEST_F(CollectTest, AnswersPartialSuccessForInvalidSpans) {
  const std::string trace = random_hex(32);
  auto response = collector_.post(otlp_json("svc", {span_json(trace, random_hex(16), "", "ok"),
                                                    span_json("xyz", random_hex(16), "", "bad")}),
                                  "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  const json answer = json::parse(response->body);
  EXPECT_EQ(answer["partialSuccess"]["rejectedSpans"], "1");
  EXPECT_NE(answer["partialSuccess"]["errorMessage"].get<std::string>().find("traceId"),
            std::string::npos);
  EXPECT_EQ(settled_trace(trace)["spans"].size(), 1U);
}

TEST_F(CollectTest, RefusesBadRequestsWithTheRightStatus) {
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
       "malformed protobuf"},
      {"unsupported_type", "hello", "text/plain", 415, "Content-Type"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto response = collector_.post(row.body, row.content_type);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, row.status);
    EXPECT_NE(response->body.find(row.message), std::string::npos) << response->body;
  }
  auto gzip_garbage =
      collector_.post("not gzip at all", "application/json", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(gzip_garbage);
  EXPECT_EQ(gzip_garbage->status, 400);
  EXPECT_EQ(collector_.http().Get("/api/traces/nothex")->status, 400);
  EXPECT_EQ(collector_.http().Get("/api/traces/" + random_hex(32))->status, 404);
}

TEST_F(CollectTest, AcceptsAndDropsOtlpMetrics) {
  // SDKs export metrics by default; the collector answers success and keeps nothing.
  const std::string json_metrics =
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",)"
      R"("value":{"stringValue":"metered"}}]},"scopeMetrics":[]}]})";
  auto json_answer = collector_.otlp().Post("/v1/metrics", json_metrics, "application/json");
  ASSERT_TRUE(json_answer);
  EXPECT_EQ(json_answer->status, 200);
  EXPECT_EQ(json_answer->body, "{}");
  EXPECT_EQ(json_answer->get_header_value("Content-Type"), "application/json");
  auto protobuf_answer =
      collector_.otlp().Post("/v1/metrics", std::string("\x0a\x00", 2), "application/x-protobuf");
  ASSERT_TRUE(protobuf_answer);
  EXPECT_EQ(protobuf_answer->status, 200);
  EXPECT_TRUE(protobuf_answer->body.empty());
  auto unsupported = collector_.otlp().Post("/v1/metrics", "x", "text/plain");
  ASSERT_TRUE(unsupported);
  EXPECT_EQ(unsupported->status, 415);
  const std::string metrics = collector_.http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("tracemesh_metrics_requests_dropped_total 2"), std::string::npos)
      << metrics;
  EXPECT_EQ(collector_.get_json("/api/services")["services"].size(), 0U)
      << collector_.get_json("/api/services").dump();
}

TEST_F(CollectTest, StoresARedeliveredBatchOnce) {
  const std::string trace = random_hex(32);
  const std::string body = otlp_json("svc", {span_json(trace, random_hex(16), "", "a"),
                                             span_json(trace, random_hex(16), "", "b")});
  EXPECT_EQ(collector_.post(body, "application/json")->status, 200);
  EXPECT_EQ(collector_.post(body, "application/json")->status, 200);
  EXPECT_EQ(settled_trace(trace)["spans"].size(), 2U);
  const std::string metrics = collector_.http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("tracemesh_spans_deduplicated_total 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tracemesh_spans_stored_total 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tracemesh_traces{integrity=\"multiple_roots\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tracemesh_write_transaction_seconds_count"), std::string::npos)
      << metrics;
}

TEST(CollectLimits, RefusesBodiesOverTheLimitWith413) {
  TemporaryDirectory directory;
  Collector collector(directory.path(), {"--max-body-bytes", "2000"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  std::vector<json> spans;
  for (int i = 0; i < 40; ++i) spans.push_back(span_json(trace, random_hex(16), "", "big"));
  const std::string body = otlp_json("svc", spans);
  ASSERT_GT(body.size(), 2000U);
  ASSERT_LT(gzip(body).size(), 2000U);
  auto response = collector.post(body, "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  // Under the limit as sent, larger once inflated: the inflated limit (64 MiB) applies.
  response = collector.post(gzip(body), "application/json", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(CollectLimits, AnswersAFullWriteQueueWith429AndRetryAfterAndLosesNothing) {
  TemporaryDirectory directory;
  Collector collector(directory.path(), {"--max-queued-spans", "1"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  std::atomic<int> refused{0};
  std::atomic<int> retry_after{0};
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  // While the queue overflows the collector says it is not ready (a load
  // balancer stops sending); it is ready again once the queue drains.
  std::atomic<bool> sending{true};
  std::atomic<int> not_ready{0};
  std::string reason;
  std::thread prober([&] {
    httplib::Client client = collector.http();
    while (sending) {
      auto answer = client.Get("/readyz");
      if (answer && answer->status == 503 && not_ready++ == 0) reason = answer->body;
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> senders;
  for (int sender = 0; sender < 6; ++sender) {
    senders.emplace_back([&] {
      httplib::Client client = collector.otlp();
      for (int request = 0; request < 15; ++request) {
        const std::string trace = random_hex(32);
        std::vector<json> spans;
        for (int i = 0; i < 20; ++i) spans.push_back(span_json(trace, random_hex(16), "", "load"));
        auto response = client.Post("/v1/traces", otlp_json("svc", spans), "application/json");
        if (!response) continue;
        if (response->status == 429) {
          ++refused;
          if (response->get_header_value("Retry-After") == "1") ++retry_after;
        } else if (response->status == 200) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(trace);
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  sending = false;
  prober.join();
  EXPECT_GT(not_ready.load(), 0) << "the queue overflowed, and /readyz never said so";
  EXPECT_NE(reason.find("write queue is over 90% full"), std::string::npos) << reason;
  const auto ready_again = collector.http().Get("/readyz");
  ASSERT_TRUE(ready_again);
  EXPECT_EQ(ready_again->status, 200);
  EXPECT_GT(refused.load(), 0) << "six senders against a one-span queue must be refused sometimes";
  EXPECT_EQ(retry_after.load(), refused.load());
  ASSERT_FALSE(acknowledged.empty());
  for (const std::string& trace : acknowledged) {
    EXPECT_EQ(collector.get_json("/api/traces/" + trace)["spans"].size(), 20U) << trace;
  }
  const std::string metrics = collector.http().Get("/metrics")->body;
  // The event log says so, summed over a second rather than a line per request.
  std::string log;
  for (int i = 0; i < 40 && log.find("overload") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    log = collector.log();
  }
  EXPECT_NE(log.find("warn overload: export requests refused with a retry delay refused="),
            std::string::npos)
      << log;
  EXPECT_NE(metrics.find("tracemesh_ingest_refused_total{reason=\"throttled\"} " +
                         std::to_string(refused.load())),
            std::string::npos)
      << metrics;
}

// GET /metrics in Prometheus' conventions: requests by endpoint and status
// (route templates, not paths), the build, and each edge's calls by outcome.
TEST(CollectMetrics, CountsRequestsByEndpointAndCallsByEdgeAndOutcome) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto at = [&](int ms) { return std::to_string(now + ms * 1'000'000LL); };
  const auto timed = [&](json span, int start_ms, int end_ms) {
    span["startTimeUnixNano"] = at(start_ms);
    span["endTimeUnixNano"] = at(end_ms);
    return span;
  };
  // front -> orders connected; front -> billing broken (billing started its own trace).
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string to_orders = random_hex(16);
  json orders_call = timed(span_json(trace, to_orders, root, "GET", 3), 10, 50);
  orders_call["attributes"] = {
      {{"key", "url.full"}, {"value", {{"stringValue", "http://orders/list"}}}}};
  json billing_call = timed(span_json(trace, random_hex(16), root, "POST", 3), 60, 90);
  billing_call["attributes"] = {
      {{"key", "url.full"}, {"value", {{"stringValue", "http://billing:81/charge"}}}},
      {{"key", "server.port"}, {"value", {{"intValue", 81}}}}};
  json billing = timed(span_json(random_hex(32), random_hex(16), "", "POST /charge", 2), 61, 89);
  billing["attributes"] = {{{"key", "url.path"}, {"value", {{"stringValue", "/charge"}}}}};
  ASSERT_EQ(
      collector
          .post(otlp_json("front", {timed(span_json(trace, root, "", "POST /checkout", 2), 0, 100),
                                    orders_call, billing_call}),
                "application/json")
          ->status,
      200);
  ASSERT_EQ(collector
                .post(otlp_json("orders",
                                {timed(span_json(trace, random_hex(16), to_orders, "GET /list", 2),
                                       11, 49)}),
                      "application/json")
                ->status,
            200);
  ASSERT_EQ(collector.post(otlp_json("billing", {billing}), "application/json")->status, 200);
  EXPECT_EQ(collector.post("{", "application/json")->status, 400);
  EXPECT_EQ(collector.http().Get("/api/traces/" + trace)->status, 200);
  EXPECT_EQ(collector.http().Get("/api/traces/" + random_hex(32))->status, 404);

  // Counted once the calls are twice the grace period (300 ms) and a second old.
  const std::string broken =
      "tracemesh_edge_calls_total{caller=\"front\",callee=\"billing\",protocol=\"http\","
      "outcome=\"broken\"} 1";
  std::string metrics;
  for (int i = 0; i < 100 && metrics.find(broken) == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    metrics = collector.http().Get("/metrics")->body;
  }
  for (const std::string& line : {
           broken,
           std::string("tracemesh_edge_calls_total{caller=\"front\",callee=\"orders\","
                       "protocol=\"http\",outcome=\"connected\"} 1"),
           std::string("tracemesh_http_requests_total{listener=\"otlp\",endpoint=\"/v1/"
                       "traces\",code=\"200\"} 3"),
           std::string("tracemesh_http_requests_total{listener=\"otlp\",endpoint=\"/v1/"
                       "traces\",code=\"400\"} 1"),
           std::string("tracemesh_http_requests_total{listener=\"query\",endpoint=\"/api/"
                       "traces/{id}\",code=\"404\"} 1"),
           std::string("tracemesh_ingest_refused_total{reason=\"malformed\"} 1"),
           std::string("# TYPE tracemesh_edge_calls_total counter"),
           std::string("tracemesh_build_info{version=\""),
       }) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
  // Counted once: later scrapes do not add the same calls again.
  const std::string again = collector.http().Get("/metrics")->body;
  EXPECT_NE(again.find(broken), std::string::npos) << again;
  // No raw path becomes a label.
  EXPECT_EQ(metrics.find(trace), std::string::npos);
  EXPECT_EQ(tracemesh::collector::endpoint_of("/api/services/front/operations"),
            "/api/services/{service}/operations");
  EXPECT_EQ(tracemesh::collector::endpoint_of("/tempo/api/v2/search/tag/name/values"),
            "/tempo/api/v2/search/tag/{tag}/values");
  EXPECT_EQ(tracemesh::collector::endpoint_of("/assets/app.js"), "ui");
  EXPECT_EQ(tracemesh::collector::endpoint_of("/wp-admin/login.php"), "other");
}

TEST(CollectGraph, CountsAnUnansweredCallOnlyOnceItsTraceHasSettled) {
  TemporaryDirectory directory;
  Collector collector(directory.path(), {"--grace", "1h"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  json call = span_json(trace, random_hex(16), root, "GET", 3);
  call["attributes"] = {{{"key", "server.address"}, {"value", {{"stringValue", "later.example"}}}},
                        {{"key", "server.port"}, {"value", {{"intValue", 9}}}}};
  ASSERT_EQ(collector
                .post(otlp_json("front", {span_json(trace, root, "", "GET /", 2), call}),
                      "application/json")
                ->status,
            200);
  const json graph = collector.get_json("/api/graph?start=0&end=1800000000000000000");
  ASSERT_TRUE(graph.contains("edges")) << graph.dump();
  EXPECT_TRUE(graph["uninstrumented_peers"].empty())
      << "the callee's spans may still be on their way";
  EXPECT_TRUE(graph["edges"].empty()) << graph.dump();
}

TEST(CollectTokens, RequiresTheBearerTokenWhenConfigured) {
  TemporaryDirectory directory;
  std::ofstream(directory.path() / "ingest.token") << "s3cret\n";
  std::ofstream(directory.path() / "query.token") << "reader";
  Collector collector(directory.path(),
                      {"--ingest-token-file", (directory.path() / "ingest.token").string(),
                       "--query-token-file", (directory.path() / "query.token").string()});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  const std::string body = otlp_json("svc", {span_json(trace, random_hex(16), "", "a")});
  EXPECT_EQ(collector.post(body, "application/json")->status, 401);
  EXPECT_EQ(collector.post(body, "application/json", {{"Authorization", "Bearer wrong"}})->status,
            401);
  const auto accepted =
      collector.post(body, "application/json", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_EQ(collector.http().Get("/api/traces/" + trace)->status, 401);
  EXPECT_EQ(
      collector.http().Get("/api/traces/" + trace, {{"Authorization", "Bearer reader"}})->status,
      200);
  // Probes carry no data and need no token.
  const auto live = collector.http().Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body, R"({"status":"live"})");
  const auto ready = collector.http().Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, R"({"status":"ready"})");
  // The same on the OTLP listener, which a load balancer in front of senders checks.
  const auto otlp_ready = collector.otlp().Get("/readyz");
  ASSERT_TRUE(otlp_ready);
  EXPECT_EQ(otlp_ready->status, 200);
  EXPECT_EQ(collector.otlp().Get("/healthz")->status, 200);
  // The Jaeger API wants the token, and says so in Jaeger's envelope.
  const auto jaeger = collector.http().Get("/jaeger/api/services");
  ASSERT_TRUE(jaeger);
  EXPECT_EQ(jaeger->status, 401);
  EXPECT_EQ(json::parse(jaeger->body)["errors"][0]["code"], 401);
}

TEST(CollectDurability, EveryAcknowledgedSpanSurvivesSigkill) {
  TemporaryDirectory directory;
  std::vector<std::string> acknowledged;
  {
    Collector collector(directory.path());
    ASSERT_TRUE(collector.ready()) << collector.log();
    std::atomic<bool> sending{true};
    std::mutex mutex;
    std::thread sender([&] {
      httplib::Client client = collector.otlp();
      while (sending) {
        const std::string trace = random_hex(32);
        std::vector<json> spans;
        for (int i = 0; i < 50; ++i) spans.push_back(span_json(trace, random_hex(16), "", "load"));
        auto response = client.Post("/v1/traces", otlp_json("svc", spans), "application/json");
        if (!response) break;  // the collector is gone
        if (response->status == 200) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(trace);
        }
      }
    });
    std::this_thread::sleep_for(1500ms);
    kill(collector.process().pid(), SIGKILL);
    sending = false;
    sender.join();
    collector.process().wait_for_exit(5s);
  }
  ASSERT_GT(acknowledged.size(), 3U) << "too few batches acknowledged to mean anything";
  Collector restarted(directory.path());
  ASSERT_TRUE(restarted.ready()) << restarted.log();
  for (const std::string& trace : acknowledged) {
    const json stored = restarted.get_json("/api/traces/" + trace);
    ASSERT_TRUE(stored.contains("spans")) << trace << ": " << stored.dump();
    EXPECT_EQ(stored["spans"].size(), 50U) << trace;
  }
}

TEST(CollectCommandLine, ExitCodes) {
  TemporaryDirectory directory;
  const auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), TRACEMESH_BINARY);
    ChildProcess process(argv, (directory.path() / "out.log").string());
    const auto status = process.wait_for_exit(10s);
    return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  };
  EXPECT_EQ(run({"collect", "--help"}), 0);
  EXPECT_NE(read_file(directory.path() / "out.log").find("--otlp-listen"), std::string::npos);
  EXPECT_EQ(run({"collect", "--bogus"}), 2);
  EXPECT_EQ(run({"collect", "--otlp-listen", "nowhere"}), 2);
  EXPECT_EQ(run({"collect", "--otlp-grpc-listen", "127.0.0.1:99999"}), 2);
  EXPECT_EQ(run({"collect", "--grace", "soon"}), 2);
  EXPECT_EQ(run({"collect", "--ingest-token-file", "/nonexistent/token"}), 2);
  EXPECT_EQ(run({"collect", "--data", "/proc/tracemesh-no", "--otlp-listen", "127.0.0.1:0",
                 "--http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "off"}),
            1);
  EXPECT_EQ(run({}), 2);
  EXPECT_EQ(run({"--version"}), 0);
  const std::string version = read_file(directory.path() / "out.log");
  EXPECT_EQ(version.rfind("tracemesh ", 0), 0U) << version;
  EXPECT_NE(version.find_first_of("0123456789"), std::string::npos) << version;
}

TEST(CollectCommandLine, RefusesAPortAlreadyInUse) {
  TemporaryDirectory directory;
  Collector first(directory.path());
  ASSERT_TRUE(first.ready()) << first.log();
  const int taken = first.otlp_port();
  ChildProcess second(
      {TRACEMESH_BINARY, "collect", "--otlp-listen", "127.0.0.1:" + std::to_string(taken),
       "--http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "off", "--data",
       (directory.path() / "other").string()},
      (directory.path() / "second.log").string());
  const auto status = second.wait_for_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(read_file(directory.path() / "second.log").find("cannot listen"), std::string::npos);

  // The same for the gRPC port: no second collector shares it.
  ASSERT_NE(first.grpc_port(), 0) << first.log();
  ChildProcess third(
      {TRACEMESH_BINARY, "collect", "--otlp-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0",
       "--otlp-grpc-listen", "127.0.0.1:" + std::to_string(first.grpc_port()), "--data",
       (directory.path() / "third").string()},
      (directory.path() / "third.log").string());
  const auto third_status = third.wait_for_exit(10s);
  ASSERT_TRUE(third_status);
  EXPECT_EQ(WEXITSTATUS(*third_status), 1);
  EXPECT_NE(read_file(directory.path() / "third.log").find("(OTLP/gRPC; another collector or agent may hold the port"), std::string::npos)
      << read_file(directory.path() / "third.log");
}

// For systemd and containers: every flag also from TRACEMESH_* and from a
// YAML file; the command line wins over the environment, which wins over the file.
TEST(CollectCommandLine, TakesFlagsFromTheEnvironmentAndAConfigFile) {
  TemporaryDirectory directory;
  const auto config = directory.path() / "tracemesh.yaml";
  std::ofstream(config) << "otlp-listen: 127.0.0.1:0\n"
                           "http_listen: 127.0.0.1:0\n"
                           "otlp-grpc-listen: \"off\"\n"
                           "format: json\n"
                           "data: "
                        << (directory.path() / "from-file").string()
                        << "\n"
                           "log-file:\n  - "
                        << (directory.path() / "a.log").string() << "\n";
  const auto started_data = [&](std::vector<std::string> extra, std::vector<std::string> env) {
    std::vector<std::string> argv = {TRACEMESH_BINARY, "collect", "--config", config.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto log =
        directory.path() / ("run-" + std::to_string(argv.size() + env.size()) + ".log");
    ChildProcess process(argv, log.string(), env);
    std::string line;
    for (int i = 0; i < 500 && line.empty(); ++i) {
      std::this_thread::sleep_for(10ms);
      const std::string text = read_file(log);
      const std::size_t start = text.find("{\"otlp\"");
      if (start != std::string::npos && text.find('\n', start) != std::string::npos) {
        line = text.substr(start, text.find('\n', start) - start);
      }
    }
    process.stop();
    const json started = json::parse(line, nullptr, false);
    EXPECT_FALSE(started.contains("otlp_grpc")) << line;  // off, from the file
    return started.is_object() ? started.value("data", "") : "not started: " + read_file(log);
  };
  EXPECT_EQ(started_data({}, {}), (directory.path() / "from-file").string());
  EXPECT_EQ(started_data({}, {"TRACEMESH_DATA=" + (directory.path() / "from-env").string()}),
            (directory.path() / "from-env").string());
  EXPECT_EQ(started_data({"--data", (directory.path() / "from-flag").string()},
                         {"TRACEMESH_DATA=" + (directory.path() / "from-env").string()}),
            (directory.path() / "from-flag").string());

  // A bad file is a usage error naming the file and the setting.
  const auto run = [&](const std::string& yaml) {
    std::ofstream(directory.path() / "bad.yaml") << yaml;
    return tracemesh::testing::run_to_completion(
        {TRACEMESH_BINARY, "collect", "--config", (directory.path() / "bad.yaml").string()},
        (directory.path() / "bad.log").string(), 10s);
  };
  for (const auto& [yaml, says] :
       {std::pair{"retention: 1d\nbogus: 1\n", "'bogus': unknown setting"},
        std::pair{"format: xml\n", "format"}, std::pair{"- a\n", "must be a map"},
        std::pair{"data: [\n", "is not YAML"}}) {
    const auto outcome = run(yaml);
    EXPECT_EQ(outcome.exit_code, 2) << yaml << outcome.output;
    EXPECT_NE(outcome.output.find(says), std::string::npos) << yaml << outcome.output;
    EXPECT_NE(outcome.output.find("bad.yaml"), std::string::npos) << outcome.output;
  }
}

// The event log on standard error: one JSON line per start and stop.
TEST(CollectCommandLine, LogsStartAndStopAsJsonLines) {
  TemporaryDirectory directory;
  Collector collector(directory.path(), {"--log-format", "json"});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const auto status = collector.process().stop();
  ASSERT_TRUE(status);
  std::vector<json> events;
  std::istringstream lines(collector.log());
  for (std::string line; std::getline(lines, line);) {
    const json event = json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("msg")) events.push_back(event);
  }
  ASSERT_EQ(events.size(), 3U) << collector.log();
  EXPECT_EQ(events[0]["msg"], "collector started");
  EXPECT_EQ(events[0]["level"], "info");
  EXPECT_EQ(events[0]["otlp"], "127.0.0.1:" + std::to_string(collector.otlp_port()));
  EXPECT_EQ(events[0]["otlp_grpc"], "127.0.0.1:" + std::to_string(collector.grpc_port()));
  EXPECT_TRUE(events[0].contains("version"));
  EXPECT_TRUE(events[0]["time"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(events[1]["msg"], "stopping");
  EXPECT_EQ(events[1]["signal"], "SIGTERM");
  EXPECT_EQ(events[2]["msg"], "stopped");
}

TEST(CollectCommandLine, StopsCleanlyOnSigterm) {
  TemporaryDirectory directory;
  Collector collector(directory.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  const auto status = collector.process().stop();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
