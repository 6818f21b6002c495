#include "audit/report/audit_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "report/json_writer.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/sarif.h"

namespace tracemesh::audit {
namespace {

report::JsonWriter& line_or_null(report::JsonWriter& out, int line) {
  return line > 0 ? out.value(line) : out.null();
}

std::string location(const std::string& file, int line) {
  if (file.empty()) return {};
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string percent_text(double percent) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", percent);
  return text;
}

// "1 service", "2 services".
std::string counted(std::size_t count, const std::string& one, const std::string& many = {}) {
  return std::to_string(count) + " " + (count == 1 ? one : many.empty() ? one + "s" : many);
}

std::string root_name(const AuditResult& result) {
  std::string name = result.root.filename().string();
  if (name.empty() || name == ".") name = result.root.parent_path().filename().string();
  return name.empty() ? result.root.string() : name;
}

}  // namespace

std::string share_text(const Share& share) {
  return std::to_string(share.part) + "/" + std::to_string(share.whole) + " (" +
         percent_text(share.percent()) + ")";
}

// Keys in the order of the documented schema (docs/audit.md), written as
// they are produced: the report of a large repository holds tens of
// thousands of calls and routes.
std::string audit_json(const AuditResult& result) {
  report::JsonWriter out;
  out.begin_object()
      .field("schema", "tracemesh.audit/v1")
      .field("root", result.root.string())
      .field("python_files", result.python_files)
      .field("python_bytes", result.python_bytes);
  out.key("services").begin_array();
  for (std::size_t i = 0; i < result.services.services.size(); ++i) {
    const Service& service = result.services.services[i];
    const InboundMiddleware& middleware = result.middleware[i];
    out.begin_object()
        .field("name", service.name)
        .field("root", service.root.empty() ? "." : service.root)
        .field("language", service.language)
        .field("audited", service.audited())
        .field("found_by", service.found_by)
        .key("framework")
        .text_or_null(service.framework)
        .field("has_http_server", service.has_http_server);
    out.key("inbound_middleware")
        .begin_object()
        .field("present", middleware.present)
        .key("file")
        .text_or_null(middleware.file);
    line_or_null(out.key("line"), middleware.line)
        .key("kind")
        .text_or_null(middleware.kind)
        .field("detail", middleware.detail)
        .end_object();
    out.end_object();
  }
  out.end_array();
  out.key("shared_libraries").begin_array();
  for (const SharedLibrary& library : result.services.libraries) {
    out.begin_object().field("root", library.root.empty() ? "." : library.root);
    out.key("used_by").begin_array();
    for (const std::string& service : library.used_by) out.value(service);
    out.end_array().field("modules", library.modules.size()).end_object();
  }
  out.end_array();
  out.key("outside_services").begin_array();
  for (const std::string& path : result.services.unowned) out.value(path);
  out.end_array();
  out.key("outbound_calls").begin_array();
  for (const OutboundCall& call : result.outbound_calls) {
    out.begin_object()
        .field("service", call.service)
        .field("file", call.file)
        .field("line", call.line)
        .key("construction_file")
        .text_or_null(call.construction_file);
    line_or_null(out.key("construction_line"), call.construction_line)
        .key("function")
        .text_or_null(call.function)
        .field("library", call.library)
        .key("method")
        .text_or_null(call.method)
        .key("target")
        .text_or_null(call.target)
        .field("target_kind", call.target_kind)
        .key("target_service")
        .text_or_null(call.target_service)
        .field("cross_service", call.cross_service)
        .field("propagates_trace", call.propagates_trace)
        .key("propagation_condition")
        .text_or_null(call.propagation_condition)
        .key("unresolved")
        .text_or_null(call.unresolved)
        .field("how", call.how)
        .field("reachable", call.reachable)
        .end_object();
  }
  out.end_array();
  out.key("routes").begin_array();
  for (const Route& route : result.routes) {
    out.begin_object()
        .field("service", route.service)
        .field("file", route.file)
        .field("line", route.line)
        .field("method", route.method)
        .field("path", route.path)
        .field("handler", route.handler)
        .field("served", route.served)
        .field("integration_tested", route.integration_tested);
    out.key("tests").begin_array();
    for (const RouteTest& test : route.tests) {
      out.begin_object()
          .field("file", test.file)
          .field("line", test.line)
          .field("name", test.name)
          .field("skipped", test.skipped)
          .end_object();
    }
    out.end_array().end_object();
  }
  out.end_array();
  out.key("messaging").begin_array();
  for (const MessagingSite& site : result.messaging) {
    out.begin_object()
        .field("service", site.service)
        .field("file", site.file)
        .field("line", site.line)
        .field("system", site.system)
        .field("role", site.role)
        .field("topic", site.topic)
        .field("trace_id_in_payload", site.trace_id_in_payload)
        .field("how", site.how)
        .field("reachable", site.reachable)
        .end_object();
  }
  out.end_array();
  out.key("edges").begin_array();
  for (const Edge& edge : result.edges) {
    out.begin_object()
        .field("from", edge.from)
        .field("to", edge.to)
        .field("protocol", edge.protocol)
        .field("call_sites", edge.call_sites)
        .field("traced_call_sites", edge.traced_call_sites)
        .end_object();
  }
  out.end_array();
  const Metrics& m = result.metrics;
  out.key("metrics")
      .begin_object()
      .field("services_total", m.services_total)
      .field("services_with_tracing", m.services_with_tracing)
      .field("outbound_call_sites", m.outbound_call_sites)
      .field("outbound_traced", m.outbound_traced)
      .field("outbound_unresolved", m.outbound_unresolved)
      .field("cross_service_call_sites", m.cross_service_call_sites)
      .field("cross_service_traced", m.cross_service_traced)
      .field("routes_total", m.routes_total)
      .field("routes_integration_tested", m.routes_integration_tested)
      .field("route_modules", m.route_modules)
      .field("route_modules_with_integration_tests", m.route_modules_with_integration_tests)
      .end_object();
  out.key("thresholds").begin_array();
  for (const auto& [key, minimum] : result.thresholds) {
    const Share actual = metric_share(m, key);
    out.begin_object()
        .field("metric", key)
        .field("minimum_percent", minimum)
        .field("percent", actual.percent())
        .field("passed", actual.percent() >= minimum)
        .end_object();
  }
  out.end_array();
  out.key("problems").begin_array();
  for (const Problem& problem : result.problems) {
    out.begin_object().field("file", problem.path).field("message", problem.message).end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string audit_markdown(const AuditResult& result) {
  using report::markdown_table;
  const Metrics& m = result.metrics;
  std::string out = "# Tracing audit: " + root_name(result) + "\n\n";
  out += counted(result.python_files, "Python file") + " (" +
         std::to_string((result.python_bytes + 1023) / 1024) + " KiB) in " +
         counted(m.services_total, "service") + " and " +
         counted(result.services.libraries.size(), "shared library", "shared libraries");
  const std::size_t unaudited = result.services.services.size() - m.services_total;
  if (unaudited > 0)
    out += "; " + counted(unaudited, "service") + " in other languages listed, not audited";
  if (!result.services.unowned.empty())
    out += "; " + counted(result.services.unowned.size(), "file") +
           " outside every service, not audited";
  if (!result.problems.empty())
    out += "; " + counted(result.problems.size(), "problem") + " (see Problems)";
  out += ".\n\n## Metrics\n\n";
  const auto row = [&](const char* label, std::string_view key) {
    return std::vector<std::string>{label, share_text(metric_share(m, key))};
  };
  out += markdown_table(
      {"Metric", "Value"},
      {row("Services with tracing middleware", "services_with_tracing"),
       row("Outbound HTTP call sites traced", "outbound_traced"),
       row("Cross-service call sites traced", "cross_service_traced"),
       row("Routes with integration tests", "routes_integration_tested"),
       row("Router modules with integration tests", "route_modules_with_integration_tests")});
  if (m.outbound_unresolved > 0) {
    out += "\n" + std::to_string(m.outbound_unresolved) +
           " outbound call site(s) could not be decided; they are counted apart (see \"Not "
           "decided\").\n";
  }
  if (!result.thresholds.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [key, minimum] : result.thresholds) {
      const Share actual = metric_share(m, key);
      rows.push_back({key, percent_text(minimum), percent_text(actual.percent()),
                      actual.percent() >= minimum ? "pass" : "**FAIL**"});
    }
    out += "\n### Thresholds\n\n" + markdown_table({"Metric", "Minimum", "Actual", "Result"}, rows);
  }

  out += "\n## Services and inbound tracing middleware\n\n";
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < result.services.services.size(); ++i) {
    const Service& service = result.services.services[i];
    const InboundMiddleware& middleware = result.middleware[i];
    if (!service.audited()) continue;
    rows.push_back({service.name, service.root.empty() ? "." : service.root,
                    service.framework.empty() ? "-" : service.framework,
                    service.has_http_server ? "yes" : "no", middleware.present ? "yes" : "**no**",
                    location(middleware.file, middleware.line), middleware.detail});
  }
  out += markdown_table(
      {"Service", "Root", "Framework", "HTTP server", "Tracing middleware", "Where", "Detail"},
      rows);
  if (unaudited > 0) {
    rows.clear();
    for (const Service& service : result.services.services) {
      if (service.audited()) continue;
      rows.push_back({service.name, service.root.empty() ? "." : service.root,
                      std::string(language_name(service.language)), service.found_by});
    }
    out += "\nIn other languages (listed, not audited: the audit reads Python):\n\n" +
           markdown_table({"Service", "Root", "Language", "Found by"}, rows);
  }
  if (!result.services.libraries.empty()) {
    rows.clear();
    for (const SharedLibrary& library : result.services.libraries) {
      std::string users;
      for (const std::string& user : library.used_by) users += (users.empty() ? "" : ", ") + user;
      rows.push_back({library.root.empty() ? "." : library.root,
                      std::to_string(library.modules.size()), users});
    }
    out += "\nShared libraries (their findings count for each service using them):\n\n" +
           markdown_table({"Library", "Modules", "Used by"}, rows);
  }
  if (!result.services.unowned.empty()) {
    constexpr std::size_t shown = 20;
    const std::vector<std::string>& unowned = result.services.unowned;
    out += "\nOutside every service and not imported by one (not audited): ";
    for (std::size_t i = 0; i < std::min(unowned.size(), shown); ++i)
      out += (i == 0 ? "`" : ", `") + unowned[i] + "`";
    if (unowned.size() > shown) out += " and " + std::to_string(unowned.size() - shown) + " more";
    out += ".\n";
  }

  out += "\n## Cross-service calls\n\n";
  rows.clear();
  for (const Edge& edge : result.edges) {
    rows.push_back({edge.from, edge.to, edge.protocol, std::to_string(edge.call_sites),
                    share_text({edge.traced_call_sites, edge.call_sites})});
  }
  out += rows.empty() ? "No call between services was resolved.\n"
                      : markdown_table({"From", "To", "Protocol", "Call sites", "Traced"}, rows);

  out += "\n## Untraced outbound call sites\n\n";
  rows.clear();
  for (const OutboundCall& call : result.outbound_calls) {
    if (call.propagates_trace || !call.counts() || !call.unresolved.empty()) continue;
    rows.push_back({call.service, location(call.file, call.line), call.library,
                    call.method.empty() ? "-" : call.method, call.target,
                    call.target_service.empty() ? call.target_kind
                                                : call.target_kind + " " + call.target_service,
                    call.reachable ? "yes" : "no"});
  }
  out += rows.empty() ? "None: every outbound call site carries the trace.\n"
                      : markdown_table({"Service", "Call site", "Library", "Method", "Target",
                                        "Target kind", "Reachable"},
                                       rows);
  rows.clear();
  for (const OutboundCall& call : result.outbound_calls) {
    if (!call.propagates_trace || call.propagation_condition.empty()) continue;
    rows.push_back(
        {call.service, location(call.file, call.line), call.propagation_condition, call.how});
  }
  if (!rows.empty()) {
    out += "\n### Traced only under a condition\n\n" +
           markdown_table({"Service", "Call site", "Only", "How"}, rows);
  }
  rows.clear();
  for (const OutboundCall& call : result.outbound_calls) {
    if (!call.unresolved.empty())
      rows.push_back({call.service, location(call.file, call.line), call.unresolved});
  }
  if (!rows.empty()) {
    out += "\n### Not decided (counted apart)\n\n" +
           markdown_table({"Service", "Call site", "Unresolved"}, rows);
  }
  out += "\n### Every outbound call site\n\n";
  rows.clear();
  for (const OutboundCall& call : result.outbound_calls) {
    rows.push_back({call.service, location(call.file, call.line),
                    location(call.construction_file, call.construction_line), call.library,
                    call.method.empty() ? "-" : call.method, call.target,
                    call.propagates_trace      ? "yes"
                    : !call.unresolved.empty() ? "unresolved"
                    : call.counts()            ? "**no**"
                                               : "n/a",
                    call.how});
  }
  out += rows.empty() ? "None found.\n"
                      : markdown_table({"Service", "Call site", "Client made at", "Library",
                                        "Method", "Target", "Traced", "How"},
                                       rows);

  out += "\n## Messaging\n\n";
  rows.clear();
  for (const MessagingSite& site : result.messaging) {
    rows.push_back({site.service, location(site.file, site.line), site.system, site.role,
                    site.topic, site.trace_id_in_payload ? "yes" : "**no**", site.how});
  }
  out += rows.empty()
             ? "No MQTT publish or subscribe site found.\n"
             : markdown_table(
                   {"Service", "Site", "System", "Role", "Topic", "Trace id travels", "How"}, rows);

  out += "\n## Routes\n";
  std::string current;
  rows.clear();
  const auto flush = [&] {
    if (!rows.empty())
      out += "\n### " + current + "\n\n" +
             markdown_table({"Method", "Path", "Handler", "Where", "Served", "Integration tests"},
                            rows);
    rows.clear();
  };
  for (const Route& route : result.routes) {
    if (route.service != current) {
      flush();
      current = route.service;
    }
    std::string tests;
    for (const RouteTest& test : route.tests) {
      tests += (tests.empty() ? "" : ", ") + test.name + (test.skipped ? " (skipped)" : "");
    }
    rows.push_back({route.method, route.path, route.handler, location(route.file, route.line),
                    route.served ? "yes" : "**no**", tests.empty() ? "**none**" : tests});
  }
  flush();
  if (result.routes.empty()) out += "\nNo routes found.\n";

  out += "\n## Integration test coverage per router module\n\n";
  std::map<std::pair<std::string, std::string>, std::pair<Share, std::string>> modules;
  for (const Route& route : result.routes) {
    auto& [share, uncovered] = modules[{route.service, route.file}];
    ++share.whole;
    if (route.integration_tested) {
      ++share.part;
    } else {
      uncovered += (uncovered.empty() ? "" : ", ") + route.method + " " + route.path;
    }
  }
  rows.clear();
  for (const auto& [key, value] : modules) {
    rows.push_back({key.first, key.second, share_text(value.first),
                    value.second.empty() ? "-" : value.second});
  }
  out += rows.empty()
             ? "No router modules.\n"
             : markdown_table({"Service", "Module", "Routes tested", "Uncovered routes"}, rows);
  if (!result.problems.empty()) {
    out += "\n## Problems\n\n";
    rows.clear();
    for (const Problem& problem : result.problems) rows.push_back({problem.path, problem.message});
    out += markdown_table({"File", "Problem"}, rows);
  }
  return out;
}

std::string audit_sarif(const AuditResult& result) {
  using report::SarifResult;
  const std::vector<report::SarifRule> rules = {
      {"TM001", "UntracedOutboundCall",
       "An outbound HTTP call that does not carry the trace context", "warning"},
      {"TM002", "ServiceWithoutTracingMiddleware",
       "An HTTP service without inbound middleware that reads the trace context", "warning"},
      {"TM003", "MessageWithoutTraceId", "An MQTT message published without the trace id",
       "warning"}};
  std::vector<SarifResult> results;
  for (std::size_t i = 0; i < result.services.services.size(); ++i) {
    const Service& service = result.services.services[i];
    const InboundMiddleware& middleware = result.middleware[i];
    if (middleware.present || !service.has_http_server) continue;
    SarifResult entry{
        "TM002",
        "Service " + service.name + " has no tracing middleware: " + middleware.detail,
        {}};
    if (!middleware.file.empty()) {
      entry.locations.push_back({middleware.file, middleware.line});
    } else if (!service.modules.empty()) {
      entry.locations.push_back({service.modules.front(), 0});
    }
    results.push_back(std::move(entry));
  }
  for (const OutboundCall& call : result.outbound_calls) {
    if (call.propagates_trace || !call.counts() || !call.unresolved.empty()) continue;
    std::string message = call.service + ": " + (call.method.empty() ? "" : call.method + " ") +
                          call.target + " (" + call.library + ") without the trace context";
    if (call.cross_service) message += ", to service " + call.target_service;
    if (call.construction_line > 0)
      message += "; client made at " + location(call.construction_file, call.construction_line);
    results.push_back({"TM001", message, {{call.file, call.line}}});
  }
  for (const MessagingSite& site : result.messaging) {
    if (site.role != "publisher" || site.trace_id_in_payload) continue;
    results.push_back({"TM003",
                       site.service + ": publish to " + site.topic + " without the trace id",
                       {{site.file, site.line}}});
  }
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(result.root, error);
  std::string root = error ? std::string() : absolute.lexically_normal().generic_string();
  if (!root.empty() && root.back() != '/') root += '/';
  return report::sarif_json({"tracemesh audit", TRACEMESH_VERSION_STRING, {}, root}, rules,
                            results);
}

std::string audit_junit(const AuditResult& result, std::vector<report::TestCase> more) {
  report::TestSuite suite{"thresholds", {}};
  for (const auto& [key, minimum] : result.thresholds) {
    const Share actual = metric_share(result.metrics, key);
    report::TestCase test{"tracemesh.audit", key, std::nullopt,
                          share_text(actual) + ", minimum " + std::to_string(minimum) + "%"};
    if (actual.percent() < minimum) test.failure = key + " is below its minimum";
    suite.cases.push_back(std::move(test));
  }
  for (report::TestCase& test : more) suite.cases.push_back(std::move(test));
  return report::junit_xml("tracemesh audit", {suite});
}

}  // namespace tracemesh::audit
