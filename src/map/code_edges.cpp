#include "map/code_edges.h"

#include <map>
#include <tuple>

#include "audit/rules/targets.h"
#include "map/route_templates.h"

namespace tracemesh::map {
namespace {

using EdgeKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

MapSite audit_site(const audit::OutboundCall& call) {
  MapSite site;
  site.file = call.file;
  site.line = call.line;
  site.function = call.function;
  site.source = "audit";
  site.propagation = !call.unresolved.empty() ? "undecided" : call.propagates_trace ? "yes" : "no";
  site.how = call.unresolved.empty() ? call.how : call.unresolved;
  return site;
}

}  // namespace

bool methods_meet(const std::string& a, const std::string& b) {
  return a.empty() || b.empty() || a == "*" || b == "*" || a == b;
}

const audit::Route* matching_route(const audit::AuditResult& result, const std::string& callee,
                                   const std::string& method, const std::string& path) {
  const audit::Route* best = nullptr;
  int best_literal = -1;
  for (const audit::Route& route : result.routes) {
    if (route.service != callee || !route.served || !methods_meet(route.method, method)) continue;
    const auto literal = path_match(route.path, path);
    if (literal && *literal > best_literal) {
      best = &route;
      best_literal = *literal;
    }
  }
  return best;
}

std::vector<CodeEdge> code_edges(const audit::AuditResult& result) {
  std::map<EdgeKey, CodeEdge> edges;
  const auto edge = [&edges](const std::string& caller, const std::string& callee,
                             const std::string& protocol, const std::string& method,
                             const std::string& endpoint) -> CodeEdge& {
    CodeEdge& found = edges[{caller, callee, protocol, method, endpoint}];
    found.caller = caller;
    found.callee = callee;
    found.protocol = protocol;
    found.method = method;
    found.endpoint = endpoint;
    return found;
  };
  for (const audit::OutboundCall& call : result.outbound_calls) {
    if (!call.counts() || !call.cross_service || call.target_kind != "service" ||
        call.target_service.empty())
      continue;
    const std::string path = audit::split_url(call.target).path;
    const audit::Route* route = matching_route(result, call.target_service, call.method, path);
    CodeEdge& found = edge(call.service, call.target_service, "http", call.method,
                           route != nullptr ? route->path
                           : path.empty()   ? "/"
                                            : path);
    found.route = route;
    found.sites.push_back(audit_site(call));
  }
  for (const audit::MessagingSite& publisher : result.messaging) {
    if (publisher.role != "publisher") continue;
    MapSite site;
    site.file = publisher.file;
    site.line = publisher.line;
    site.source = "audit";
    site.propagation = publisher.trace_id_in_payload ? "yes" : "no";
    site.how = publisher.how;
    bool read = false;
    for (const audit::MessagingSite& subscriber : result.messaging) {
      if (subscriber.role != "subscriber" || subscriber.service == publisher.service ||
          subscriber.system != publisher.system ||
          !(audit::topic_matches(subscriber.topic, publisher.topic) ||
            audit::topic_matches(subscriber.topic, topic_filter(publisher.topic))))
        continue;
      edge(publisher.service, subscriber.service, publisher.system, "", subscriber.topic)
          .sites.push_back(site);
      read = true;
    }
    if (!read)
      edge(publisher.service, "", publisher.system, "", topic_filter(publisher.topic))
          .sites.push_back(site);
  }
  std::vector<CodeEdge> list;
  for (auto& [key, found] : edges) list.push_back(std::move(found));
  return list;
}

}  // namespace tracemesh::map
