#include "audit/audit.h"

#include <algorithm>
#include <future>
#include <set>
#include <system_error>
#include <tuple>
#include <type_traits>

#include "audit/rules/code_ports.h"

namespace tracemesh::audit {
namespace {

// `task` started on a second thread, unless `threads` is 1 or no thread can
// be had: then an empty future, and the caller runs the task itself.
template <typename Task>
std::future<std::invoke_result_t<Task>> beside(unsigned threads, Task task) {
  if (threads == 1) return {};
  try {
    return std::async(std::launch::async, std::move(task));
  } catch (const std::system_error&) {
    return {};
  }
}

std::vector<Edge> find_edges(const std::vector<OutboundCall>& calls,
                             const std::vector<MessagingSite>& messaging) {
  std::map<std::tuple<std::string, std::string, std::string>, Edge> edges;
  const auto count = [&](const std::string& from, const std::string& to, const char* protocol,
                         bool traced) {
    Edge& edge = edges[{from, to, protocol}];
    edge.from = from;
    edge.to = to;
    edge.protocol = protocol;
    ++edge.call_sites;
    if (traced) ++edge.traced_call_sites;
  };
  for (const OutboundCall& call : calls) {
    // An undecided site is counted apart, here as in the metrics.
    if (call.cross_service && call.unresolved.empty())
      count(call.service, call.target_service, "http", call.propagates_trace);
  }
  for (const MessagingSite& publisher : messaging) {
    if (publisher.role != "publisher") continue;
    std::set<std::string> receivers;
    for (const MessagingSite& subscriber : messaging) {
      if (subscriber.role == "subscriber" && subscriber.service != publisher.service &&
          topic_matches(subscriber.topic, publisher.topic)) {
        receivers.insert(subscriber.service);
      }
    }
    for (const std::string& receiver : receivers)
      count(publisher.service, receiver, "mqtt", publisher.trace_id_in_payload);
  }
  std::vector<Edge> list;
  for (auto& [key, edge] : edges) list.push_back(std::move(edge));
  return list;
}

Metrics compute_metrics(const AuditResult& result) {
  Metrics metrics;
  for (std::size_t i = 0; i < result.services.services.size(); ++i) {
    if (!result.services.services[i].audited()) continue;  // listed, not counted
    ++metrics.services_total;
    metrics.services_with_tracing += result.middleware[i].present ? 1U : 0U;
  }
  for (const OutboundCall& call : result.outbound_calls) {
    if (!call.counts()) continue;
    if (!call.unresolved.empty()) {
      ++metrics.outbound_unresolved;
      continue;
    }
    ++metrics.outbound_call_sites;
    metrics.outbound_traced += call.propagates_trace ? 1 : 0;
    if (!call.cross_service) continue;
    ++metrics.cross_service_call_sites;
    metrics.cross_service_traced += call.propagates_trace ? 1 : 0;
  }
  std::map<std::string, bool> modules;  // "service:file" → any route tested
  for (const Route& route : result.routes) {
    ++metrics.routes_total;
    metrics.routes_integration_tested += route.integration_tested ? 1 : 0;
    bool& tested = modules[route.service + ":" + route.file];
    tested = tested || route.integration_tested;
  }
  metrics.route_modules = modules.size();
  for (const auto& [module, tested] : modules)
    metrics.route_modules_with_integration_tests += tested ? 1 : 0;
  return metrics;
}

}  // namespace

Share metric_share(const Metrics& metrics, std::string_view key) {
  if (key == "services_with_tracing")
    return {metrics.services_with_tracing, metrics.services_total};
  if (key == "outbound_traced") return {metrics.outbound_traced, metrics.outbound_call_sites};
  if (key == "cross_service_traced")
    return {metrics.cross_service_traced, metrics.cross_service_call_sites};
  if (key == "routes_integration_tested")
    return {metrics.routes_integration_tested, metrics.routes_total};
  if (key == "route_modules_with_integration_tests")
    return {metrics.route_modules_with_integration_tests, metrics.route_modules};
  return {};
}

void apply_rules(const Fleet& fleet, AuditResult& result, unsigned threads) {
  // The rules only read the fleet. With two threads: one finds the routes
  // and their tests, the other the middleware and messaging; both then
  // share the search for outbound calls, the longest rule.
  OutboundCallSearch outbound(fleet);
  const auto routes = [&] {
    result.routes = find_routes(fleet);
    result.integration_tests = find_integration_tests(fleet);
    map_tests_to_routes(result.integration_tests, result.routes);
    outbound.work();
  };
  std::future<void> helper = beside(threads, routes);
  result.middleware = find_inbound_middleware(fleet);
  result.messaging = find_messaging(fleet);
  outbound.work();
  if (helper.valid()) {
    helper.get();
  } else {
    routes();
  }
  result.outbound_calls = std::move(outbound).calls();
  result.edges = find_edges(result.outbound_calls, result.messaging);
  result.metrics = compute_metrics(result);
}

Expected<std::unique_ptr<AuditedFleet>> audit_fleet(const std::filesystem::path& root,
                                                    const AuditOptions& options) {
  ScanOptions scan;
  scan.excluded = options.config.exclude;
  scan.threads = options.threads;
  scan.progress = options.progress;
  auto repository = scan_repository(root, scan);
  if (!repository) return repository.error();
  auto audited = std::make_unique<AuditedFleet>();
  audited->repository = std::move(*repository);
  audited->headers = TraceHeaders(options.config.headers);
  AuditResult& result = audited->result;
  result.root = root;
  result.python_files = audited->repository.modules.size();
  result.python_bytes = audited->repository.python_bytes;
  result.problems = audited->repository.problems;
  // The code index needs only the modules: a second thread builds it while
  // this one discovers the services.
  std::future<CodeIndex> index =
      beside(options.threads, [&] { return CodeIndex(audited->repository, audited->headers); });
  result.services = discover_services(audited->repository, options.config.services);
  result.problems.insert(result.problems.end(), result.services.problems.begin(),
                         result.services.problems.end());
  audited->fleet = std::make_unique<const Fleet>(
      audited->repository, result.services,
      index.valid() ? index.get() : CodeIndex(audited->repository, audited->headers),
      options.config.trusted_wrappers);
  const Fleet& fleet = *audited->fleet;
  // The ports the services' own code listens on join those of their
  // deployment (the fleet reads result.services: the rules see them).
  for (Service& service : result.services.services) {
    if (!service.audited()) continue;
    const std::set<int> ports = code_ports(fleet, service);
    service.ports.insert(ports.begin(), ports.end());
  }
  apply_rules(fleet, result, options.threads);
  result.thresholds = options.config.fail_under;
  for (const auto& [key, minimum] : result.thresholds) {
    const Share actual = metric_share(result.metrics, key);
    if (actual.percent() < minimum) result.failures.push_back({key, minimum, actual});
  }
  return audited;
}

Expected<AuditResult> run_audit(const std::filesystem::path& root, const AuditOptions& options) {
  auto audited = audit_fleet(root, options);
  if (!audited) return audited.error();
  return std::move((*audited)->result);
}

}  // namespace tracemesh::audit
