// How runtime hops find their code edge, on a hand-made audit (no collector):
// the closest endpoint wins, then the exact method; MQTT filters by their
// wildcards; two audited services with one runtime name stay apart; a
// publish nobody answered joins the reader the code names.
#include <gtest/gtest.h>

#include <algorithm>

#include "map/propagation_map.h"

namespace tracemesh::map {
namespace {

audit::Service service(const std::string& name, const std::string& runtime_name = "") {
  audit::Service found;
  found.name = name;
  found.root = name;
  if (!runtime_name.empty()) found.environment["OTEL_SERVICE_NAME"] = runtime_name;
  return found;
}

audit::OutboundCall call(const std::string& from, const std::string& to, int line,
                         const std::string& method, const std::string& url) {
  audit::OutboundCall site;
  site.service = from;
  site.file = from + "/main.py";
  site.line = line;
  site.method = method;
  site.target = url;
  site.target_kind = "service";
  site.target_service = to;
  site.cross_service = true;
  site.propagates_trace = true;
  return site;
}

audit::MessagingSite messaging(const std::string& owner, int line, const std::string& role,
                               const std::string& topic) {
  audit::MessagingSite site;
  site.service = owner;
  site.file = owner + "/main.py";
  site.line = line;
  site.role = role;
  site.topic = topic;
  site.trace_id_in_payload = true;
  return site;
}

RuntimeHop hop(const std::string& caller, const std::string& callee, const std::string& method,
               const std::string& path, const std::string& route = "") {
  RuntimeHop found;
  found.caller = caller;
  found.callee = callee;
  found.protocol = "http";
  found.method = method;
  found.path = path;
  found.route = route;
  found.connected = 1;
  return found;
}

const MapEdge* find(const PropagationMap& map, const std::string& caller_in_code,
                    const std::string& endpoint, const std::string& method = "") {
  for (const MapEdge& edge : map.edges) {
    if (edge.caller_in_code == caller_in_code && edge.endpoint == endpoint &&
        (method.empty() || edge.method == method))
      return &edge;
  }
  return nullptr;
}

TEST(EdgeJoin, ARuntimeRouteJoinsTheTemplateNotALiteralItWouldAlsoMatch) {
  audit::AuditResult audit;
  audit.services.services = {service("a"), service("b")};
  audit.outbound_calls = {call("a", "b", 3, "GET", "http://b/orders/export"),
                          call("a", "b", 5, "GET", "http://b/orders/{order_id}")};
  RuntimeHops hops;
  hops.hops = {hop("a", "b", "GET", "/orders/{id}", "/orders/{id}"),
               hop("a", "b", "GET", "/orders/export")};
  hops.hops[0].connected = 5;
  const PropagationMap map = build_map(audit, hops, {});
  ASSERT_NE(find(map, "a", "/orders/{order_id}"), nullptr);
  EXPECT_EQ(find(map, "a", "/orders/{order_id}")->runtime.connected, 5U);
  ASSERT_NE(find(map, "a", "/orders/export"), nullptr);
  EXPECT_EQ(find(map, "a", "/orders/export")->runtime.connected, 1U);
}

TEST(EdgeJoin, TheEdgeOfExactlyTheHopsMethodWinsATie) {
  audit::AuditResult audit;
  audit.services.services = {service("a"), service("b")};
  audit.outbound_calls = {call("a", "b", 3, "", "http://b/items"),
                          call("a", "b", 5, "POST", "http://b/items")};
  RuntimeHops hops;
  hops.hops = {hop("a", "b", "POST", "/items")};
  const PropagationMap map = build_map(audit, hops, {});
  ASSERT_NE(find(map, "a", "/items", "POST"), nullptr);
  EXPECT_EQ(find(map, "a", "/items", "POST")->state, EdgeState::proven);
  const auto any = std::find_if(map.edges.begin(), map.edges.end(),
                                [](const MapEdge& edge) { return edge.method.empty(); });
  ASSERT_NE(any, map.edges.end());
  EXPECT_EQ(any->state, EdgeState::untested);
}

TEST(EdgeJoin, TwoAuditedServicesWithOneRuntimeNameStayApart) {
  audit::AuditResult audit;
  audit.services.services = {service("jaeger/gw", "gw"), service("tempo/gw", "gw"), service("b")};
  audit.outbound_calls = {call("jaeger/gw", "b", 3, "GET", "http://b/x"),
                          call("tempo/gw", "b", 4, "GET", "http://b/x")};
  RuntimeHops hops;
  hops.hops = {hop("gw", "b", "GET", "/x")};
  const PropagationMap map = build_map(audit, hops, {});
  const MapEdge* jaeger = find(map, "jaeger/gw", "/x");
  const MapEdge* tempo = find(map, "tempo/gw", "/x");
  ASSERT_NE(jaeger, nullptr);
  ASSERT_NE(tempo, nullptr);
  EXPECT_EQ(jaeger->sites.size(), 1U);
  EXPECT_EQ(tempo->sites.size(), 1U);
  // Which of them ran is not known: the hop is unknown to the code, and says why.
  const MapEdge* unknown = find(map, "", "/x");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->state, EdgeState::unknown_to_code);
  EXPECT_NE(unknown->reason.find("--service-map"), std::string::npos) << unknown->reason;
  // --service-map settles it.
  MapOptions options;
  options.service_names = {{"tempo/gw", "tempo-gw"}};
  const PropagationMap settled = build_map(audit, hops, options);
  EXPECT_EQ(find(settled, "jaeger/gw", "/x")->state, EdgeState::proven);
  EXPECT_EQ(find(settled, "tempo/gw", "/x")->state, EdgeState::untested);
}

TEST(EdgeJoin, MqttJoinsTheNarrowestFilterAndAnUnansweredPublishItsReader) {
  audit::AuditResult audit;
  audit.services.services = {service("a"), service("b")};
  audit.messaging = {messaging("a", 3, "publisher", "fleet/alerts/{device}"),
                     messaging("b", 7, "subscriber", "fleet/#"),
                     messaging("b", 9, "subscriber", "fleet/alerts/+")};
  RuntimeHop consumed;
  consumed.caller = "a";
  consumed.callee = "b";
  consumed.protocol = "mqtt";
  consumed.topic = "fleet/alerts/pump-7";
  consumed.connected = 2;
  RuntimeHop lost = consumed;
  lost.callee.clear();
  lost.peer = lost.topic;
  lost.connected = 0;
  lost.unanswered = 1;
  RuntimeHops hops;
  hops.hops = {consumed, lost};
  const PropagationMap map = build_map(audit, hops, {});
  const MapEdge* narrow = find(map, "a", "fleet/alerts/+");
  ASSERT_NE(narrow, nullptr);
  EXPECT_EQ(narrow->callee, "b");
  EXPECT_EQ(narrow->runtime.connected, 2U);
  EXPECT_EQ(narrow->runtime.unanswered, 1U);
  EXPECT_EQ(narrow->state, EdgeState::proven) << narrow->reason;
  EXPECT_EQ(find(map, "a", "fleet/#")->state, EdgeState::untested);
  EXPECT_EQ(map.count(EdgeState::unknown_to_code), 0U);
}

}  // namespace
}  // namespace tracemesh::map
