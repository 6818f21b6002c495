// The propagation map end to end below the CLI: the real audit of the
// fixture fleet (tests/fixtures/fleet-fastapi) joined with the hops of a
// real collector fed OTLP JSON, one test per state.
#include "map/propagation_map.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "audit/audit_fixture.h"
#include "collector_process.h"
#include "map/collector_hops.h"
#include "map/map_report.h"
#include "map/otlp_spans.h"

namespace tracemesh::map {
namespace {

using nlohmann::json;
using testing::attribute;
using testing::otlp;
using testing::span;
using tracemesh::testing::random_hex;
using tracemesh::testing::TemporaryDirectory;

const audit::AuditResult& fleet_audit() {
  static const audit::AuditResult result = [] {
    audit::AuditOptions options;
    options.threads = 1;
    auto audited = audit::run_audit(audit::testing::fleet_fixture, options);
    EXPECT_TRUE(audited) << audited.error().text();
    return audited ? std::move(*audited) : audit::AuditResult{};
  }();
  return result;
}

class FleetMapTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(collector_.ready()) << collector_.log(); }

  // A call from `caller` (its CLIENT span under a SERVER root) of `method
  // url`; the callee's SERVER span a child of it when `connected`, else the
  // root of a new trace reporting `format`. An empty `callee` sends no callee span.
  void call(const std::string& caller, const std::string& callee, const std::string& method,
            const std::string& url, const std::string& route, bool connected,
            const std::string& format = "none", const json& site = nullptr) {
    const std::string trace = random_hex(32);
    const std::string root = random_hex(16);
    const std::string client = random_hex(16);
    json client_attributes = {attribute("http.request.method", method), attribute("url.full", url)};
    if (site.is_object()) {
      client_attributes.push_back(attribute("code.file.path", site["file"]));
      client_attributes.push_back(attribute("code.line.number", site["line"]));
    }
    post(caller, {span(trace, root, "", "GET /", 2, json::array()),
                  span(trace, client, root, method, 3, client_attributes)});
    if (!callee.empty()) {
      const std::string path = url.substr(url.find('/', url.find("//") + 2));
      json server_attributes = {attribute("http.request.method", method),
                                attribute("url.path", path),
                                attribute("tracemesh.propagation.format", format)};
      if (!route.empty()) server_attributes.push_back(attribute("http.route", route));
      post(callee,
           {span(connected ? trace : random_hex(32), random_hex(16),
                 connected ? client : std::string(), method + " " + path, 2, server_attributes)});
    }
    traces_.push_back(trace);
  }

  void post(const std::string& service, const std::vector<json>& spans) {
    const auto response = collector_.post(otlp(service, spans), "application/json");
    ASSERT_TRUE(response && response->status == 200) << collector_.log();
  }

  PropagationMap joined() {
    HopsRequest request;
    request.base_url = collector_.http_url();
    request.since = std::chrono::seconds(2'000'000'000);  // the spans are dated 2023
    request.wait_settled = std::chrono::seconds(20);
    const auto hops = fetch_runtime_hops(request);
    EXPECT_TRUE(hops) << hops.error().text();
    if (!hops) return {};
    EXPECT_EQ(hops->unsettled_traces, 0U);
    return build_map(fleet_audit(), *hops, {});
  }

  static const MapEdge* find(const PropagationMap& map, const std::string& caller,
                             const std::string& callee, const std::string& endpoint) {
    for (const MapEdge& edge : map.edges) {
      if (edge.caller == caller && edge.callee == callee && edge.endpoint == endpoint) return &edge;
    }
    return nullptr;
  }

  static std::vector<std::string> blamed(const MapEdge& edge) {
    std::vector<std::string> sites;
    for (const MapSite& site : edge.sites) {
      if (site.blamed) sites.push_back(site.file + ":" + std::to_string(site.line));
    }
    return sites;
  }

  TemporaryDirectory directory_;
  tracemesh::testing::Collector collector_{directory_.path()};
  std::vector<std::string> traces_;
};

TEST_F(FleetMapTest, AConnectedCallThroughATracedSiteIsProven) {
  call("gateway", "orders", "GET", "http://orders:8001/orders/42", "/orders/{order_id}", true);
  const PropagationMap map = joined();
  const MapEdge* edge = find(map, "gateway", "orders", "/orders/{order_id}");
  ASSERT_NE(edge, nullptr) << map_markdown(map);
  EXPECT_EQ(edge->state, EdgeState::proven) << edge->reason;
  EXPECT_EQ(edge->code_evidence, "audit");
  EXPECT_EQ(edge->runtime.connected, 1U);
  ASSERT_EQ(edge->sites.size(), 1U);
  EXPECT_EQ(edge->sites[0].file, "gateway/app/main.py");
  EXPECT_EQ(edge->sites[0].line, 27);
  ASSERT_NE(edge->callee_route, nullptr);
  EXPECT_EQ(edge->callee_route->file, "services/orders/orders/api.py");
}

TEST_F(FleetMapTest, ABrokenCallFromAnUntracedSiteBlamesThatSite) {
  call("gateway", "billing", "POST", "http://billing:8002/charge", "", false, "none");
  const PropagationMap map = joined();
  const MapEdge* edge = find(map, "gateway", "billing", "/charge");
  ASSERT_NE(edge, nullptr) << map_markdown(map);
  EXPECT_EQ(edge->state, EdgeState::broken_in_code) << edge->reason;
  EXPECT_EQ(blamed(*edge), std::vector<std::string>{"gateway/app/main.py:35"});
  EXPECT_EQ(edge->runtime.broken_caller_did_not_inject, 1U);
  EXPECT_FALSE(edge->audit_disagrees);
  // SARIF: one result, at the site, for code scanning to annotate.
  const json sarif = json::parse(map_sarif(map, audit::testing::fleet_fixture));
  const json& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 1U) << sarif.dump(2);
  EXPECT_EQ(results[0]["ruleId"], "TM004");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "gateway/app/main.py");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 35);
}

TEST_F(FleetMapTest, AContextTheCalleeDroppedNamesItsMiddlewareAndRoute) {
  call("gateway", "orders", "GET", "http://orders:8001/orders/42", "/orders/{order_id}", false,
       "tracecontext");
  const PropagationMap map = joined();
  const MapEdge* edge = find(map, "gateway", "orders", "/orders/{order_id}");
  ASSERT_NE(edge, nullptr) << map_markdown(map);
  EXPECT_EQ(edge->state, EdgeState::broken_at_callee) << edge->reason;
  EXPECT_TRUE(blamed(*edge).empty());
  EXPECT_NE(edge->reason.find("services/orders/orders/tracing.py:13"), std::string::npos)
      << edge->reason;
  EXPECT_NE(edge->reason.find("services/orders/orders/api.py:14"), std::string::npos)
      << edge->reason;
  const json sarif = json::parse(map_sarif(map, audit::testing::fleet_fixture));
  ASSERT_EQ(sarif["runs"][0]["results"].size(), 1U);
  EXPECT_EQ(sarif["runs"][0]["results"][0]["ruleId"], "TM005");
}

TEST_F(FleetMapTest, CodeEdgesNothingCalledAreUntestedAndStrangersAreUnknownToCode) {
  call("gateway", "orders", "GET", "http://orders:8001/orders/42", "/orders/{order_id}", true);
  call("billing", "ledger", "POST", "http://ledger:9000/entries", "/entries", true);
  const PropagationMap map = joined();
  // orders -> billing GET /price: billing serves no /price, so the endpoint is the site's path.
  const MapEdge* untested = find(map, "orders", "billing", "/price");
  ASSERT_NE(untested, nullptr) << map_markdown(map);
  EXPECT_EQ(untested->state, EdgeState::untested);
  EXPECT_EQ(untested->sites[0].file, "services/orders/orders/api.py");
  // The notifier's publishers: no reader in the code, none seen.
  const MapEdge* published = find(map, "notifier", "", "orders/created");
  ASSERT_NE(published, nullptr) << map_markdown(map);
  EXPECT_EQ(published->state, EdgeState::untested);
  const MapEdge* stranger = find(map, "billing", "ledger", "/entries");
  ASSERT_NE(stranger, nullptr) << map_markdown(map);
  EXPECT_EQ(stranger->state, EdgeState::unknown_to_code);
  EXPECT_NE(stranger->reason.find("no call site in billing's code"), std::string::npos)
      << stranger->reason;
  // Coverage leaves out what the code does not know.
  EXPECT_EQ(map.coverage.whole, map.edges.size() - map.count(EdgeState::unknown_to_code));
  EXPECT_EQ(map.coverage.part, 1U);
  // 1 proven of 6: the 5 untested (gateway -> billing, orders -> billing, 3 publishers).
  EXPECT_EQ(map.count(EdgeState::untested), 5U);
  EXPECT_EQ(coverage_line(map), "edges proven 1/6 (16.7 %)") << map_markdown(map);
}

TEST_F(FleetMapTest, ARuntimeSiteInTheRepositoryPlacesACallerTheAuditCannotRead) {
  // A caller the audit lists but cannot read (say, C++), whose SDK recorded
  // its call site: the site joins the edge, and its broken calls blame it.
  const json site = {{"file", "/ci/build/checkout/gateway/app/clients.py"}, {"line", 2}};
  call("admin", "billing", "POST", "http://billing:8002/charge", "", false, "none", site);
  const PropagationMap map = joined();
  const MapEdge* edge = find(map, "admin", "billing", "/charge");
  ASSERT_NE(edge, nullptr) << map_markdown(map);
  ASSERT_EQ(edge->sites.size(), 1U);
  EXPECT_EQ(edge->sites[0].source, "runtime");
  EXPECT_EQ(edge->sites[0].file, "gateway/app/clients.py");
  EXPECT_EQ(edge->state, EdgeState::broken_in_code) << edge->reason;
  EXPECT_EQ(blamed(*edge), std::vector<std::string>{"gateway/app/clients.py:2"});
  // admin is audited and the audit has no site there: it says so.
  EXPECT_TRUE(edge->audit_disagrees);
}

// A callee that starts a new trace linking the caller's span restarted it on
// purpose; a call whose context went out unsampled expected no span. Both
// are told apart from broken, and neither counts in the coverage.
TEST_F(FleetMapTest, RestartedAndUnsampledEdgesAreNotFailures) {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string to_billing = random_hex(16);
  const std::string to_orders = random_hex(16);
  json billing_call = span(trace, to_billing, root, "POST", 3,
                           {attribute("http.request.method", "POST"),
                            attribute("url.full", "http://billing:8002/charge")});
  json orders_call = span(trace, to_orders, root, "GET", 3,
                          {attribute("http.request.method", "GET"),
                           attribute("url.full", "http://orders:8001/orders/42"),
                           attribute("server.address", "orders"), attribute("server.port", 8001)});
  orders_call["flags"] = 0x100;  // sent unsampled
  post("gateway", {span(trace, root, "", "GET /", 2, json::array()), billing_call, orders_call});
  json billing = span(random_hex(32), random_hex(16), "", "POST /charge", 2,
                      {attribute("url.path", "/charge"),
                       attribute("tracemesh.propagation.format", "tracecontext")});
  billing["links"] = {{{"traceId", trace}, {"spanId", to_billing}}};
  post("billing", {billing});
  const PropagationMap map = joined();
  const MapEdge* restarted = find(map, "gateway", "billing", "/charge");
  ASSERT_NE(restarted, nullptr) << map_markdown(map);
  EXPECT_EQ(restarted->state, EdgeState::restarted) << restarted->reason;
  EXPECT_EQ(restarted->runtime.restarted, 1U);
  EXPECT_TRUE(blamed(*restarted).empty());
  const MapEdge* unsampled = find(map, "gateway", "orders", "/orders/{order_id}");
  ASSERT_NE(unsampled, nullptr) << map_markdown(map);
  EXPECT_EQ(unsampled->state, EdgeState::unsampled) << unsampled->reason;
  EXPECT_EQ(unsampled->runtime.unsampled, 1U);
  EXPECT_EQ(map.count(EdgeState::broken_in_code) + map.count(EdgeState::broken_at_callee), 0U)
      << map_markdown(map);
  // Coverage: the untested edges only (orders -> billing and the publishers).
  EXPECT_EQ(map.coverage.whole, map.count(EdgeState::untested));
}

TEST_F(FleetMapTest, TheJsonReportKeepsItsShape) {
  call("gateway", "billing", "POST", "http://billing:8002/charge", "", false, "none");
  const PropagationMap map = joined();
  const json report = json::parse(map_json(map, "repo", collector_.http_url()));
  EXPECT_EQ(report["schema"], "tracemesh.map/v1");
  // The documented key order, checked in the text (nlohmann sorts keys).
  const std::string text = map_json(map, "repo", collector_.http_url());
  std::size_t at = 0;
  for (const char* key :
       {"\"schema\"", "\"root\"", "\"collector\"", "\"window\"", "\"unsettled_traces\"",
        "\"truncated\"", "\"coverage\"", "\"states\"", "\"services\"", "\"edges\""}) {
    const std::size_t found = text.find(key, at);
    ASSERT_NE(found, std::string::npos) << key;
    at = found;
  }
  const json& edge = report["edges"][0];
  EXPECT_EQ(edge["state"], "broken_in_code");
  for (const char* key :
       {"caller", "callee", "peer", "caller_in_code", "callee_in_code", "protocol", "method",
        "endpoint", "state", "reason", "code_evidence", "audit_disagrees", "runtime", "sites",
        "callee_route", "callee_middleware"}) {
    EXPECT_TRUE(edge.contains(key)) << key;
  }
  EXPECT_EQ(edge["runtime"]["broken"]["caller_did_not_inject"], 1);
  EXPECT_EQ(edge["callee_middleware"]["present"], false);
}

}  // namespace
}  // namespace tracemesh::map
