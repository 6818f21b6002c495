// The propagation map: every edge of the code joined with what the
// collector saw over a window, each in one state (docs/map.md):
//   proven            the code sends the context and the calls arrived connected;
//   broken_in_code    calls arrived broken, and the caller's sites on the edge
//                     do not send the context: they are named, file:line;
//   broken_at_callee  the caller sent the context, the callee started a new
//                     trace (or sent no spans): its middleware and route are named;
//   untested          in the code, never called in the window;
//   unknown_to_code   called at runtime, not found in the code;
//   restarted         the callee started a new trace linking the caller's
//                     span, on purpose (a trust boundary): not a failure;
//   unsampled         the context went out unsampled: no callee span was due.
// Coverage, like code coverage: proven among the edges the code knows that
// were judged (proven, broken either way, untested).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "map/code_edges.h"
#include "map/runtime_hops.h"
#include "map/service_names.h"

namespace tracemesh::map {

// In the order reports list them: what needs fixing first.
enum class EdgeState {
  broken_in_code,
  broken_at_callee,
  untested,
  unknown_to_code,
  restarted,
  unsampled,
  proven
};
const char* to_string(EdgeState state) noexcept;

// What the collector counted on an edge.
struct EdgeTraffic {
  std::uint64_t connected = 0;
  std::uint64_t broken_caller_did_not_inject = 0;
  std::uint64_t broken_callee_did_not_extract = 0;
  std::uint64_t broken_unknown = 0;
  std::uint64_t restarted = 0;
  std::uint64_t unanswered = 0;
  std::uint64_t unsampled = 0;
  std::map<std::string, std::uint64_t> formats;  // the callee's inbound formats
  std::set<std::string> seen;                    // the paths or topics called
  std::string example_trace_id;

  std::uint64_t broken() const noexcept {
    return broken_caller_did_not_inject + broken_callee_did_not_extract + broken_unknown;
  }
  std::uint64_t calls() const noexcept {
    return connected + broken() + restarted + unanswered + unsampled;
  }
};

struct MapEdge {
  std::string caller;          // runtime service names (the audit's when never seen)
  std::string callee;          // "" only for a publisher whose reader is unknown and unseen
  std::string caller_in_code;  // the audit's names; "" when not in the code
  std::string callee_in_code;
  std::string peer;  // an unanswered call's destination, when no service is known
  std::string protocol;
  std::string method;
  std::string endpoint;
  EdgeState state = EdgeState::untested;
  std::string reason;            // one sentence: why this state
  std::string code_evidence;     // "audit", "runtime_site", or "" (none)
  bool audit_disagrees = false;  // the audit decided the opposite of what ran
  bool ambiguous_name = false;   // a runtime name that several audited services report
  std::vector<MapSite> sites;
  EdgeTraffic runtime;
  const audit::Route* callee_route = nullptr;
  const audit::InboundMiddleware* callee_middleware = nullptr;  // audited callees only
};

struct MapOptions {
  std::map<std::string, std::string> service_names;  // --service-map AUDIT=RUNTIME
};

struct PropagationMap {
  std::vector<MapEdge> edges;  // by state, then caller, callee, endpoint
  // Proven edges (part) among those judged (whole: proven, broken_in_code,
  // broken_at_callee, untested).
  audit::Share coverage;
  ServiceNames names;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::uint64_t unsettled_traces = 0;
  bool truncated = false;

  std::size_t count(EdgeState state) const noexcept;
};

// Join `audit`'s edges with `hops`. `audit` must outlive the map (edges
// point at its routes and middleware).
PropagationMap build_map(const audit::AuditResult& audit, const RuntimeHops& hops,
                         const MapOptions& options);

// Decide `edge`'s state from its sites and traffic (edge_state.cpp).
void judge_edge(MapEdge& edge, bool caller_audited);

}  // namespace tracemesh::map
