// GET /api/graph: services as nodes and calls as edges over a time window,
// each edge with its traffic, latency and propagation health.
//
// An edge's calls are of three kinds:
//   connected    the callee's inbound span is a child of the caller's span;
//   broken       the callee started a new trace instead (a stored broken hop);
//   restarted    the callee started a new trace that links the caller's
//                span: on purpose (a trust boundary, a batch), not a loss;
//   unanswered   no span of the callee arrived at all (counted once the
//                caller's trace has settled): the peer is taken to be not
//                instrumented and appears as a node named by its address;
//   unsampled    no span of the callee, and the caller sent its context
//                unsampled: none was due (says nothing of the peer);
//   logged       no span of the callee, but the callee logged the trace id
//                while the call was out (logged_callee.h): the context arrived.
// Propagation health is (connected + restarted + logged) / (the same + broken).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collector/store/span_store.h"
#include "collector/store/trace_window.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

struct GraphEdge {
  std::string caller;
  std::string callee;
  std::string protocol;  // "http", or the messaging system ("mqtt", ...)
  std::uint64_t connected = 0;
  std::uint64_t broken = 0;
  std::uint64_t restarted = 0;   // the callee's new trace links the call
  std::uint64_t unanswered = 0;  // calls to a peer that sent no spans
  std::uint64_t unsampled = 0;   // unanswered, and sent unsampled
  std::uint64_t logged = 0;      // no span of the callee, its logs name the trace
  std::uint64_t errors = 0;
  double p50_ms = 0;  // latency of connected calls, as the caller saw them
  double p95_ms = 0;
  bool callee_instrumented = true;

  // Return the share of calls that arrived connected (1 when none could).
  double propagation_health() const noexcept;
};

struct ServiceGraph {
  std::vector<std::string> services;              // that sent spans
  std::vector<std::string> uninstrumented_peers;  // called, but sent no spans
  std::vector<std::string> log_only_services;     // called, sent no spans, logged the trace
  std::vector<GraphEdge> edges;
  // The audit figures: cross-service calls whose context arrived (connected)
  // among all calls to instrumented services.
  std::uint64_t calls_total = 0;
  std::uint64_t calls_connected = 0;
};

// Build the graph of calls whose caller span started in [start, end].
Expected<ServiceGraph> service_graph(const SpanStore& store, std::uint64_t start_unix_nano,
                                     std::uint64_t end_unix_nano);

// SQLite's plan (EXPLAIN QUERY PLAN details) for each of the graph's queries
// of the window's traces, for tests. Throws SqliteError.
std::vector<std::string> graph_query_plans(Database& db, std::uint64_t start_unix_nano,
                                           std::uint64_t end_unix_nano);

}  // namespace tracemesh::collector
