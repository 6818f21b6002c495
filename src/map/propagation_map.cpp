#include "map/propagation_map.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "map/route_templates.h"
#include "map/site_paths.h"

namespace tracemesh::map {
namespace {

// Who calls whom: the runtime names, and the code's (two audited services
// may report one runtime name: their edges stay apart).
struct Parties {
  std::string caller;
  std::string caller_in_code;
  std::string callee;
  std::string callee_in_code;
  std::string peer;
  auto operator<=>(const Parties&) const = default;
};

// The parties, protocol, method, endpoint.
using EdgeKey = std::tuple<Parties, std::string, std::string, std::string>;

bool is_messaging(const RuntimeHop& hop) {
  return hop.protocol != "http";
}

void add_traffic(EdgeTraffic& traffic, const RuntimeHop& hop) {
  traffic.connected += hop.connected;
  traffic.broken_caller_did_not_inject += hop.broken_caller_did_not_inject;
  traffic.broken_callee_did_not_extract += hop.broken_callee_did_not_extract;
  traffic.broken_unknown += hop.broken_unknown;
  traffic.restarted += hop.restarted;
  traffic.unanswered += hop.unanswered;
  traffic.unsampled += hop.unsampled;
  for (const auto& [format, calls] : hop.formats) traffic.formats[format] += calls;
  const std::string& seen = is_messaging(hop) ? hop.topic : hop.path.empty() ? hop.route : hop.path;
  if (!seen.empty()) traffic.seen.insert(seen);
  if (!hop.example_trace_id.empty() &&
      (traffic.example_trace_id.empty() || hop.example_trace_id < traffic.example_trace_id))
    traffic.example_trace_id = hop.example_trace_id;
}

class Joiner {
 public:
  Joiner(const audit::AuditResult& audit, const RuntimeHops& hops, const MapOptions& options)
      : audit_(audit), hops_(hops) {
    std::set<std::string> runtime_names;
    for (const RuntimeHop& hop : hops.hops) {
      runtime_names.insert(hop.caller);
      if (!hop.callee.empty()) runtime_names.insert(hop.callee);
    }
    map_.names = match_service_names(audit.services, runtime_names, options.service_names);
  }

  PropagationMap join() {
    code_ = code_edges(audit_);
    for (const CodeEdge& code : code_) {
      if (code.callee.empty()) continue;  // opened when a hop matches it
      MapEdge& edge = edge_for(
          {runtime_name(code.caller), code.caller, runtime_name(code.callee), code.callee, ""},
          code.protocol, code.method, code.endpoint);
      edge.callee_route = code.route;
      edge.sites = code.sites;
    }
    for (const RuntimeHop& hop : hops_.hops) join_hop(hop);
    for (const CodeEdge& code : code_) {  // publishers no reader was seen for: untested
      if (!code.callee.empty() || claimed_.contains(&code)) continue;
      MapEdge& edge = edge_for({runtime_name(code.caller), code.caller, "", "", ""}, code.protocol,
                               code.method, code.endpoint);
      edge.sites = code.sites;
    }
    for (auto& [key, edge] : edges_) {
      finish(edge);
      map_.edges.push_back(std::move(edge));
    }
    std::stable_sort(map_.edges.begin(), map_.edges.end(),
                     [](const MapEdge& a, const MapEdge& b) { return a.state < b.state; });
    for (const MapEdge& edge : map_.edges) {
      if (edge.state == EdgeState::unknown_to_code || edge.state == EdgeState::restarted ||
          edge.state == EdgeState::unsampled)
        continue;
      ++map_.coverage.whole;
      if (edge.state == EdgeState::proven) ++map_.coverage.part;
    }
    map_.start_unix_nano = hops_.start_unix_nano;
    map_.end_unix_nano = hops_.end_unix_nano;
    map_.unsettled_traces = hops_.unsettled_traces;
    map_.truncated = hops_.truncated;
    return std::move(map_);
  }

 private:
  std::string runtime_name(const std::string& audit_name) const {
    const auto found = map_.names.runtime.find(audit_name);
    return found == map_.names.runtime.end() ? audit_name : found->second;
  }

  const audit::Service* audit_service(const std::string& name) const {
    for (const audit::Service& service : audit_.services.services) {
      if (service.name == name) return &service;
    }
    return nullptr;
  }

  // The audit service an unanswered call's peer ("host:port") names.
  std::string peer_service(const std::string& peer) const {
    const std::string host = peer.substr(0, peer.rfind(':'));
    if (std::string name = map_.names.audit_name(host); !name.empty()) return name;
    return audit_service(host) != nullptr ? host : std::string();
  }

  MapEdge& edge_for(const Parties& parties, const std::string& protocol, const std::string& method,
                    const std::string& endpoint) {
    MapEdge& edge = edges_[{parties, protocol, method, endpoint}];
    edge.caller = parties.caller;
    edge.caller_in_code = parties.caller_in_code;
    edge.callee = parties.callee;
    edge.callee_in_code = parties.callee_in_code;
    edge.peer = parties.peer;
    edge.protocol = protocol;
    edge.method = method;
    edge.endpoint = endpoint;
    return edge;
  }

  // The code edge `hop` travelled: same services, protocol and method, and
  // the closest endpoint (path_match's score; for MQTT, the filter with the
  // fewest wildcards); on a tie, the edge of exactly the hop's method. A
  // publish nobody answered (no callee) joins its caller's edges by topic.
  const CodeEdge* code_edge_of(const RuntimeHop& hop, const std::string& caller,
                               const std::string& callee) const {
    const CodeEdge* best = nullptr;
    std::pair<int, bool> best_score{-1, false};
    for (const CodeEdge& code : code_) {
      if (caller.empty() || code.caller != caller) continue;
      std::optional<int> score;
      if (is_messaging(hop)) {
        const bool reader_fits = code.callee == callee || code.callee.empty() || callee.empty();
        if (code.protocol == "http" || !reader_fits) continue;
        if (audit::topic_matches(code.endpoint, hop.topic))
          score = topic_filter_specificity(code.endpoint);
      } else {
        if (code.protocol != "http" || code.callee != callee ||
            !methods_meet(code.method, hop.method))
          continue;
        if (!hop.route.empty()) score = path_match(code.endpoint, route_template(hop.route));
        if (!score && !hop.path.empty()) score = path_match(code.endpoint, hop.path);
      }
      if (!score) continue;
      const std::pair<int, bool> candidate{*score,
                                           !hop.method.empty() && code.method == hop.method};
      if (candidate > best_score) {
        best = &code;
        best_score = candidate;
      }
    }
    return best;
  }

  void add_site(MapEdge& edge, const RuntimeHop& hop) {
    if (!hop.site) return;
    const auto file = repository_file(audit_.root, hop.site->file, hop.site->line);
    if (!file) return;
    const auto same = std::find_if(edge.sites.begin(), edge.sites.end(), [&](const MapSite& site) {
      return site.file == *file && site.line == hop.site->line;
    });
    MapSite* site = nullptr;
    if (same != edge.sites.end()) {
      site = &*same;
      if (site->source == "audit") site->source = "audit+runtime";
    } else {
      MapSite found;
      found.file = *file;
      found.line = hop.site->line;
      found.function = hop.site->function;
      found.source = "runtime";
      found.propagation = "unknown";
      edge.sites.push_back(std::move(found));
      site = &edge.sites.back();
    }
    site->connected += hop.connected;
    site->broken += hop.broken();
  }

  void join_hop(const RuntimeHop& hop) {
    const std::string caller = map_.names.audit_name(hop.caller);
    const std::string callee =
        hop.callee.empty() ? peer_service(hop.peer) : map_.names.audit_name(hop.callee);
    const std::string callee_runtime = !hop.callee.empty() ? hop.callee
                                       : callee.empty()    ? std::string()
                                                           : runtime_name(callee);
    const std::string peer = callee_runtime.empty() ? hop.peer : std::string();
    if (const CodeEdge* code = code_edge_of(hop, caller, callee)) {
      // A publish no reader answered joins the edge to the reader the code names.
      const std::string callee_in_code = !callee.empty() ? callee : code->callee;
      const std::string edge_callee = !callee_runtime.empty()   ? callee_runtime
                                      : !callee_in_code.empty() ? runtime_name(callee_in_code)
                                                                : std::string();
      MapEdge& edge = edge_for({runtime_name(code->caller), code->caller, edge_callee,
                                callee_in_code, edge_callee.empty() ? hop.peer : std::string()},
                               code->protocol, code->method, code->endpoint);
      claimed_.insert(code);
      if (edge.sites.empty()) {  // a publisher's edge, opened by the first reader seen
        edge.callee_route = code->route;
        edge.sites = code->sites;
      }
      add_traffic(edge.runtime, hop);
      add_site(edge, hop);
      return;
    }
    // Not in the audit's edges: keyed by what ran.
    std::string endpoint = is_messaging(hop)    ? std::string("*")
                           : !hop.route.empty() ? route_template(hop.route)
                                                : hop.path;
    const audit::Route* route = nullptr;
    if (!is_messaging(hop) && !callee.empty()) {
      route = matching_route(audit_, callee, hop.method,
                             hop.route.empty() ? hop.path : route_template(hop.route));
      if (route != nullptr) endpoint = route->path;
    }
    MapEdge& edge = edge_for({hop.caller, caller, callee_runtime, callee, peer}, hop.protocol,
                             hop.method, endpoint);
    edge.ambiguous_name = map_.names.ambiguous(hop.caller) || map_.names.ambiguous(hop.callee);
    if (edge.callee_route == nullptr) edge.callee_route = route;
    add_traffic(edge.runtime, hop);
    add_site(edge, hop);
  }

  void finish(MapEdge& edge) const {
    if (!edge.callee_in_code.empty()) {
      for (const audit::InboundMiddleware& middleware : audit_.middleware) {
        if (middleware.service == edge.callee_in_code) edge.callee_middleware = &middleware;
      }
    }
    const audit::Service* caller = audit_service(edge.caller_in_code);
    judge_edge(edge, caller != nullptr && caller->audited());
  }

  const audit::AuditResult& audit_;
  const RuntimeHops& hops_;
  std::vector<CodeEdge> code_;
  std::set<const CodeEdge*> claimed_;  // code edges some hop travelled
  std::map<EdgeKey, MapEdge> edges_;
  PropagationMap map_;
};

}  // namespace

const char* to_string(EdgeState state) noexcept {
  switch (state) {
    case EdgeState::proven:
      return "proven";
    case EdgeState::broken_in_code:
      return "broken_in_code";
    case EdgeState::broken_at_callee:
      return "broken_at_callee";
    case EdgeState::untested:
      return "untested";
    case EdgeState::unknown_to_code:
      return "unknown_to_code";
    case EdgeState::restarted:
      return "restarted";
    case EdgeState::unsampled:
      return "unsampled";
  }
  return "unknown";
}

std::size_t PropagationMap::count(EdgeState state) const noexcept {
  return static_cast<std::size_t>(std::count_if(
      edges.begin(), edges.end(), [state](const MapEdge& edge) { return edge.state == state; }));
}

PropagationMap build_map(const audit::AuditResult& audit, const RuntimeHops& hops,
                         const MapOptions& options) {
  return Joiner(audit, hops, options).join();
}

}  // namespace tracemesh::map
