// An edge's state from its sites and its traffic: the rules of docs/map.md,
// the first that holds.
#include <algorithm>

#include "map/propagation_map.h"

namespace tracemesh::map {
namespace {

bool any_site(const MapEdge& edge, const char* propagation) {
  return std::any_of(edge.sites.begin(), edge.sites.end(), [propagation](const MapSite& site) {
    return site.propagation == propagation;
  });
}

std::string calls_text(std::uint64_t calls) {
  return std::to_string(calls) + (calls == 1 ? " call" : " calls");
}

// Name the sites that lose the context: the audit's untraced ones when it
// found any, else the runtime sites the broken calls came from, else (the
// audit thought every site sends it) every site of the edge.
void blame_sites(MapEdge& edge) {
  const bool untraced = any_site(edge, "no");
  bool any = false;
  for (MapSite& site : edge.sites) {
    site.blamed = untraced ? site.propagation == "no" : site.broken > 0;
    any = any || site.blamed;
  }
  if (!any) {
    for (MapSite& site : edge.sites) site.blamed = true;
  }
}

std::string callee_evidence(const MapEdge& edge) {
  std::string text;
  if (edge.callee_middleware != nullptr) {
    const audit::InboundMiddleware& middleware = *edge.callee_middleware;
    if (!middleware.present) {
      text += middleware.file.empty()
                  ? "; no tracing middleware is registered in " + edge.callee_in_code +
                        "'s served modules"
                  : "; its middleware at " + middleware.file + ":" +
                        std::to_string(middleware.line) + " does not count: " + middleware.detail;
    } else {
      text += "; its middleware (" + middleware.file + ":" + std::to_string(middleware.line) +
              ") did not continue the trace on this route";
    }
  }
  if (edge.callee_route != nullptr) {
    text += "; served by " + edge.callee_route->file + ":" +
            std::to_string(edge.callee_route->line) + " (" + edge.callee_route->handler + ")";
  }
  return text;
}

}  // namespace

void judge_edge(MapEdge& edge, bool caller_audited) {
  const EdgeTraffic& traffic = edge.runtime;
  const std::uint64_t broken = traffic.broken();
  const bool propagating = any_site(edge, "yes");
  const bool untraced = any_site(edge, "no");
  const bool runtime_site = std::any_of(edge.sites.begin(), edge.sites.end(),
                                        [](const MapSite& s) { return s.source != "audit"; });
  edge.code_evidence = propagating ? "audit" : runtime_site ? "runtime_site" : "";

  if (edge.sites.empty()) {
    edge.state = EdgeState::unknown_to_code;
    edge.reason =
        edge.ambiguous_name ? "its runtime service name is reported by several audited services: "
                              "--service-map AUDIT=RUNTIME says which"
        : edge.caller_in_code.empty() ? edge.caller + " is not a service of the audited repository"
        : !caller_audited
            ? edge.caller +
                  " is not audited (not Python) and its SDK recorded no call site in "
                  "the repository"
            : "no call site in " + edge.caller_in_code + "'s code matches " +
                  (edge.method.empty() ? std::string() : edge.method + " ") + edge.endpoint;
    if (edge.callee.empty() && !edge.peer.empty()) edge.reason += "; the peer sent no spans";
    return;
  }
  if (traffic.calls() == 0) {
    edge.state = EdgeState::untested;
    edge.reason = "no call on this edge in the window";
    return;
  }
  const bool caller_dropped = traffic.broken_caller_did_not_inject > 0 ||
                              (traffic.broken_unknown > 0 && untraced) ||
                              (traffic.broken_unknown > 0 && !propagating && !caller_audited);
  if (broken > 0 && caller_dropped) {
    edge.state = EdgeState::broken_in_code;
    blame_sites(edge);
    edge.audit_disagrees = caller_audited && !untraced;
    edge.reason = calls_text(broken) + " arrived without the context";
    if (traffic.broken_caller_did_not_inject > 0) edge.reason += " (the callee found none)";
    if (edge.audit_disagrees) edge.reason += "; the audit found no untraced site on this edge";
    return;
  }
  if (broken > 0 || (traffic.unanswered > 0 && traffic.connected + traffic.restarted == 0)) {
    edge.state = EdgeState::broken_at_callee;
    edge.reason =
        broken > 0 ? calls_text(broken) + " carried the context but the callee started a new trace"
                   : calls_text(traffic.unanswered) + " got no span from the callee";
    edge.reason += callee_evidence(edge);
    return;
  }
  if (traffic.connected == 0 && traffic.restarted > 0) {
    edge.state = EdgeState::restarted;
    edge.reason = calls_text(traffic.restarted) +
                  " started a new trace at the callee that links the caller's span, on purpose";
    return;
  }
  if (traffic.connected == 0) {
    edge.state = EdgeState::unsampled;
    edge.reason = calls_text(traffic.unsampled) +
                  " went out with the context unsampled: no callee span was due";
    return;
  }
  edge.state = EdgeState::proven;
  edge.reason = calls_text(traffic.connected) + " arrived connected";
  if (traffic.restarted + traffic.unsampled + traffic.unanswered > 0)
    edge.reason += " (and " + std::to_string(traffic.restarted) + " restarted, " +
                   std::to_string(traffic.unsampled) + " unsampled, " +
                   std::to_string(traffic.unanswered) + " with no span from the callee)";
  if (untraced) edge.reason += "; untraced sites on this edge were not exercised";
  edge.audit_disagrees = caller_audited && !propagating && untraced;
}

}  // namespace tracemesh::map
