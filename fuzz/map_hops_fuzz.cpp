// Fuzz the propagation map's reader of the collector's /api/hops answer
// (network input): never crash; what parses is joined with a small audit
// (a traced and an untraced call site, routes with parameters, an MQTT
// publisher and subscriber) and written in every report format.
#include <cstdint>
#include <string_view>

#include "map/map_report.h"
#include "map/propagation_map.h"

namespace {

tracemesh::audit::AuditResult small_audit() {
  using namespace tracemesh::audit;
  AuditResult result;
  result.root = "/nonexistent/tracemesh-fuzz";  // runtime sites resolve nowhere
  for (const char* name : {"a", "b"}) {
    Service service;
    service.name = name;
    result.services.services.push_back(service);
  }
  OutboundCall traced;
  traced.service = "a";
  traced.file = "a/main.py";
  traced.line = 3;
  traced.method = "GET";
  traced.target = "http://b:80/orders/{order_id}";
  traced.target_kind = "service";
  traced.target_service = "b";
  traced.cross_service = true;
  traced.propagates_trace = true;
  OutboundCall untraced = traced;
  untraced.line = 9;
  untraced.method = "";
  untraced.propagates_trace = false;
  result.outbound_calls = {traced, untraced};
  Route route;
  route.service = "b";
  route.file = "b/api.py";
  route.line = 5;
  route.method = "*";
  route.path = "/orders/{id}";
  route.served = true;
  result.routes = {route};
  MessagingSite publisher;
  publisher.service = "a";
  publisher.file = "a/main.py";
  publisher.line = 12;
  publisher.role = "publisher";
  publisher.topic = "orders/{id}/shipped";
  MessagingSite subscriber = publisher;
  subscriber.service = "b";
  subscriber.role = "subscriber";
  subscriber.topic = "orders/+/#";
  result.messaging = {publisher, subscriber};
  InboundMiddleware middleware;
  middleware.service = "b";
  result.middleware = {middleware};
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tracemesh::audit::AuditResult audit = small_audit();
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto hops = tracemesh::map::parse_runtime_hops(text);
  if (!hops) return 0;
  tracemesh::map::MapOptions options;
  options.service_names = {{"b", "b-runtime"}};
  const auto map = tracemesh::map::build_map(audit, *hops, options);
  (void)tracemesh::map::map_markdown(map);
  (void)tracemesh::map::map_json(map, "repo", "http://127.0.0.1:16686");
  (void)tracemesh::map::map_sarif(map, "repo");
  return 0;
}
