#include "map/map_report.h"

#include <array>
#include <cstdio>
#include <filesystem>

#include "report/json_writer.h"
#include "report/markdown.h"
#include "report/sarif.h"

namespace tracemesh::map {
namespace {

constexpr std::array all_states = {EdgeState::broken_in_code, EdgeState::broken_at_callee,
                                   EdgeState::untested,       EdgeState::unknown_to_code,
                                   EdgeState::restarted,      EdgeState::unsampled,
                                   EdgeState::proven};

std::string edge_name(const MapEdge& edge) {
  const std::string callee = !edge.callee.empty() ? edge.callee
                             : !edge.peer.empty() ? edge.peer + " (no spans)"
                                                  : std::string("(unknown reader)");
  return edge.caller + " → " + callee;
}

std::string endpoint_text(const MapEdge& edge) {
  return (edge.method.empty() ? std::string() : edge.method + " ") + edge.endpoint;
}

std::string site_text(const MapSite& site) {
  std::string text = site.file + ":" + std::to_string(site.line);
  if (site.blamed) text = "**" + text + "**";
  if (site.propagation == "yes") text += " (traced)";
  if (site.propagation == "no") text += " (untraced)";
  if (site.propagation == "undecided") text += " (undecided)";
  return text;
}

std::string traffic_text(const EdgeTraffic& traffic) {
  if (traffic.calls() == 0) return "no calls";
  std::string text = std::to_string(traffic.connected) + " connected";
  if (traffic.broken() > 0) text += ", " + std::to_string(traffic.broken()) + " broken";
  if (traffic.restarted > 0) text += ", " + std::to_string(traffic.restarted) + " restarted";
  if (traffic.unanswered > 0) text += ", " + std::to_string(traffic.unanswered) + " unanswered";
  if (traffic.unsampled > 0) text += ", " + std::to_string(traffic.unsampled) + " unsampled";
  return text;
}

std::string percent_text(double percent) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f", percent);
  return text.data();
}

std::string absolute_root(const std::string& root) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(root, error);
  std::string text = error ? std::string() : absolute.lexically_normal().generic_string();
  if (!text.empty() && text.back() != '/') text += '/';
  return text;
}

}  // namespace

std::string coverage_line(const PropagationMap& map) {
  return "edges proven " + std::to_string(map.coverage.part) + "/" +
         std::to_string(map.coverage.whole) + " (" + percent_text(map.coverage.percent()) + " %)";
}

std::string map_markdown(const PropagationMap& map) {
  std::string text = "# Propagation map\n\n" + coverage_line(map) + "\n\n";
  for (const EdgeState state : all_states) {
    text += std::string(state == all_states.front() ? "" : " · ") + to_string(state) + " " +
            std::to_string(map.count(state));
  }
  text += "\n";
  if (map.unsettled_traces > 0)
    text += "\n" + std::to_string(map.unsettled_traces) +
            " traces of the window were not settled yet: their broken hops are not counted.\n";
  if (map.truncated) text += "\nThe collector left out hops over its limit.\n";
  for (const EdgeState state : all_states) {
    std::vector<std::vector<std::string>> rows;
    for (const MapEdge& edge : map.edges) {
      if (edge.state != state) continue;
      std::string sites;
      for (const MapSite& site : edge.sites) sites += (sites.empty() ? "" : ", ") + site_text(site);
      rows.push_back({edge_name(edge), edge.protocol, endpoint_text(edge),
                      traffic_text(edge.runtime), sites.empty() ? "—" : sites, edge.reason});
    }
    if (rows.empty()) continue;
    text += "\n## " + std::string(to_string(state)) + "\n\n";
    text += report::markdown_table({"edge", "protocol", "endpoint", "runtime", "call sites", "why"},
                                   rows);
  }
  text += "\n## Service names\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [audit_name, runtime] : map.names.runtime)
    rows.push_back({audit_name, runtime, map.names.mapped_by.at(audit_name)});
  text += report::markdown_table({"in the code", "at runtime", "matched by"}, rows);
  return text;
}

std::string map_json(const PropagationMap& map, const std::string& root,
                     const std::string& collector) {
  report::JsonWriter json;
  json.begin_object()
      .field("schema", "tracemesh.map/v1")
      .field("root", root)
      .field("collector", collector)
      .key("window")
      .begin_object()
      .field("start_unix_nano", map.start_unix_nano)
      .field("end_unix_nano", map.end_unix_nano)
      .end_object()
      .field("unsettled_traces", map.unsettled_traces)
      .field("truncated", map.truncated);
  json.key("coverage")
      .begin_object()
      .field("edges_proven", static_cast<std::uint64_t>(map.coverage.part))
      .field("edges_judged", static_cast<std::uint64_t>(map.coverage.whole))
      .field("percent", map.coverage.percent())
      .end_object();
  json.key("states").begin_object();
  for (const EdgeState state : all_states)
    json.field(to_string(state), static_cast<std::uint64_t>(map.count(state)));
  json.end_object().key("services").begin_array();
  for (const auto& [audit_name, runtime] : map.names.runtime) {
    json.begin_object()
        .field("in_code", audit_name)
        .field("runtime", runtime)
        .field("mapped_by", map.names.mapped_by.at(audit_name))
        .end_object();
  }
  json.end_array().key("edges").begin_array();
  for (const MapEdge& edge : map.edges) {
    json.begin_object()
        .field("caller", edge.caller)
        .key("callee")
        .text_or_null(edge.callee)
        .key("peer")
        .text_or_null(edge.peer)
        .key("caller_in_code")
        .text_or_null(edge.caller_in_code)
        .key("callee_in_code")
        .text_or_null(edge.callee_in_code)
        .field("protocol", edge.protocol)
        .key("method")
        .text_or_null(edge.method)
        .field("endpoint", edge.endpoint)
        .field("state", to_string(edge.state))
        .field("reason", edge.reason)
        .key("code_evidence")
        .text_or_null(edge.code_evidence)
        .field("audit_disagrees", edge.audit_disagrees);
    const EdgeTraffic& traffic = edge.runtime;
    json.key("runtime")
        .begin_object()
        .field("connected", traffic.connected)
        .key("broken")
        .begin_object()
        .field("caller_did_not_inject", traffic.broken_caller_did_not_inject)
        .field("callee_did_not_extract", traffic.broken_callee_did_not_extract)
        .field("unknown", traffic.broken_unknown)
        .end_object()
        .field("restarted", traffic.restarted)
        .field("unanswered", traffic.unanswered)
        .field("unsampled", traffic.unsampled)
        .key("formats")
        .begin_object();
    for (const auto& [format, calls] : traffic.formats) json.field(format, calls);
    json.end_object().key("seen").begin_array();
    for (const std::string& seen : traffic.seen) json.value(seen);
    json.end_array().key("example_trace_id").text_or_null(traffic.example_trace_id).end_object();
    json.key("sites").begin_array();
    for (const MapSite& site : edge.sites) {
      json.begin_object()
          .field("file", site.file)
          .field("line", site.line)
          .key("function")
          .text_or_null(site.function)
          .field("source", site.source)
          .field("propagation", site.propagation)
          .key("how")
          .text_or_null(site.how)
          .field("connected", site.connected)
          .field("broken", site.broken)
          .field("blamed", site.blamed)
          .end_object();
    }
    json.end_array().key("callee_route");
    if (edge.callee_route == nullptr) {
      json.null();
    } else {
      json.begin_object()
          .field("file", edge.callee_route->file)
          .field("line", edge.callee_route->line)
          .field("method", edge.callee_route->method)
          .field("path", edge.callee_route->path)
          .field("handler", edge.callee_route->handler)
          .end_object();
    }
    json.key("callee_middleware");
    if (edge.callee_middleware == nullptr) {
      json.null();
    } else {
      const audit::InboundMiddleware& middleware = *edge.callee_middleware;
      json.begin_object()
          .field("present", middleware.present)
          .key("file")
          .text_or_null(middleware.file)
          .field("line", middleware.line)
          .key("kind")
          .text_or_null(middleware.kind)
          .key("detail")
          .text_or_null(middleware.detail)
          .end_object();
    }
    json.end_object();
  }
  json.end_array().end_object();
  return json.take();
}

std::string map_sarif(const PropagationMap& map, const std::string& root) {
  const std::vector<report::SarifRule> rules = {
      {"TM004", "BrokenEdgeCallSite",
       "A call site on an edge whose calls arrived at the callee without the trace context",
       "error"},
      {"TM005", "CalleeDropsContext",
       "A service that received the trace context and started a new trace instead", "error"},
  };
  std::vector<report::SarifResult> results;
  for (const MapEdge& edge : map.edges) {
    if (edge.state == EdgeState::broken_in_code) {
      for (const MapSite& site : edge.sites) {
        if (!site.blamed) continue;
        results.push_back({"TM004",
                           edge_name(edge) + " (" + edge.protocol + " " + endpoint_text(edge) +
                               "): " + edge.reason + "; this call site does not send it",
                           {{site.file, site.line}}});
      }
    }
    if (edge.state == EdgeState::broken_at_callee) {
      report::SarifResult result{
          "TM005",
          edge_name(edge) + " (" + edge.protocol + " " + endpoint_text(edge) + "): " + edge.reason,
          {}};
      if (edge.callee_middleware != nullptr && !edge.callee_middleware->file.empty())
        result.locations.push_back({edge.callee_middleware->file, edge.callee_middleware->line});
      if (edge.callee_route != nullptr)
        result.locations.push_back({edge.callee_route->file, edge.callee_route->line});
      if (!result.locations.empty()) results.push_back(std::move(result));
    }
  }
  return report::sarif_json({"tracemesh audit", TRACEMESH_VERSION_STRING, {}, absolute_root(root)},
                            rules, results);
}

}  // namespace tracemesh::map
