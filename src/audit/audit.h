// `tracemesh audit`, the whole run: scan and parse the repository, discover
// its services, apply every rule (inbound middleware, outbound HTTP calls,
// routes and their integration tests, MQTT messaging), derive the
// cross-service edges and the metrics a hand audit would tabulate, and
// check the thresholds.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/config.h"
#include "audit/rules/integration_tests.h"
#include "audit/rules/messaging.h"
#include "audit/rules/middleware.h"
#include "audit/rules/outbound_calls.h"
#include "audit/rules/routes.h"
#include "audit/rules/services.h"
#include "tracemesh/expected.h"

namespace tracemesh::audit {

// A caller → callee edge: HTTP calls to another service, or MQTT messages
// from a publisher to a service subscribed to a matching topic.
struct Edge {
  std::string from;
  std::string to;
  std::string protocol;  // "http", "mqtt"
  std::size_t call_sites = 0;
  std::size_t traced_call_sites = 0;
};

struct Metrics {
  std::size_t services_total = 0;
  std::size_t services_with_tracing = 0;  // inbound middleware present
  std::size_t outbound_call_sites = 0;    // decided sites: traced or not
  std::size_t outbound_traced = 0;
  std::size_t outbound_unresolved = 0;  // sites the audit could not decide, counted apart
  std::size_t cross_service_call_sites = 0;
  std::size_t cross_service_traced = 0;
  std::size_t routes_total = 0;
  std::size_t routes_integration_tested = 0;
  std::size_t route_modules = 0;
  std::size_t route_modules_with_integration_tests = 0;
};

// A metric as a share: `part` of `whole`; 100 % when the whole is empty.
struct Share {
  std::size_t part = 0;
  std::size_t whole = 0;
  double percent() const {
    return whole == 0 ? 100.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  }
};

// The share behind a threshold key (see threshold_keys).
Share metric_share(const Metrics& metrics, std::string_view key);

// A threshold the audit fell below.
struct ThresholdFailure {
  std::string key;
  double minimum = 0;
  Share actual;
};

struct AuditResult {
  std::filesystem::path root;
  std::size_t python_files = 0;
  std::size_t python_bytes = 0;
  std::vector<Problem> problems;  // files skipped, compose files unreadable
  ServiceMap services;
  std::vector<InboundMiddleware> middleware;
  std::vector<OutboundCall> outbound_calls;
  std::vector<Route> routes;
  std::vector<IntegrationTest> integration_tests;
  std::vector<MessagingSite> messaging;
  std::vector<Edge> edges;
  Metrics metrics;
  std::map<std::string, double> thresholds;
  std::vector<ThresholdFailure> failures;
};

struct AuditOptions {
  AuditConfig config;
  unsigned threads = 0;  // parser threads, 0: one per hardware thread; 1 also runs the rules on one
  std::function<void(std::size_t done, std::size_t total)> progress;
};

// Every rule on `fleet` (whose services are result.services): middleware,
// outbound calls, routes with their integration tests, messaging, then the
// edges and metrics. The rules run on two threads unless `threads` is 1
// (they only read the fleet: Fleet is safe for concurrent const use).
void apply_rules(const Fleet& fleet, AuditResult& result, unsigned threads = 1);

// An audit with the code it read: the repository, its index and the fleet
// the rules ran on, for tools that act on the code (the fixer). Neither
// copied nor moved: the fleet refers to the repository and the result's
// services.
struct AuditedFleet {
  AuditedFleet() = default;
  AuditedFleet(const AuditedFleet&) = delete;
  AuditedFleet& operator=(const AuditedFleet&) = delete;

  Repository repository;
  TraceHeaders headers;
  AuditResult result;
  std::unique_ptr<const Fleet> fleet;
};

// run_audit, keeping the fleet. An Error only when `root` cannot be read.
Expected<std::unique_ptr<AuditedFleet>> audit_fleet(const std::filesystem::path& root,
                                                    const AuditOptions& options);

// An Error only when `root` cannot be read.
Expected<AuditResult> run_audit(const std::filesystem::path& root, const AuditOptions& options);

}  // namespace tracemesh::audit
