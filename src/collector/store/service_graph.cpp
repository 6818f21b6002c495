#include "collector/store/service_graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "collector/store/logged_callee.h"
#include "collector/store/sqlite.h"
#include "collector/store/trace_window.h"
#include "model/span_record.h"

namespace tracemesh::collector {
namespace {

using EdgeKey = std::tuple<std::string, std::string, std::string>;  // caller, callee, protocol

double percentile_ms(std::vector<std::uint64_t>& durations, double fraction) {
  if (durations.empty()) return 0;
  const auto index =
      static_cast<std::size_t>(fraction * static_cast<double>(durations.size() - 1) + 0.5);
  std::nth_element(durations.begin(), durations.begin() + static_cast<std::ptrdiff_t>(index),
                   durations.end());
  return static_cast<double>(durations[index]) / 1e6;
}

std::string protocol_of(model::SpanKind callee_kind, const std::string& messaging_system) {
  if (callee_kind == model::SpanKind::server) return "http";
  return messaging_system.empty() ? "messaging" : messaging_system;
}

// The graph's queries of the window's traces, {window} standing for the
// condition on them.
constexpr const char* services_sql =
    "SELECT DISTINCT s.service FROM traces t CROSS JOIN spans s ON s.trace_id = t.trace_id "
    "WHERE {window} AND s.start_unix_nano BETWEEN ?1 AND ?2";
constexpr const char* connected_sql = R"sql(
SELECT p.service, c.service, p.kind, c.kind, p.start_unix_nano, p.end_unix_nano, c.start_unix_nano,
  c.end_unix_nano, p.status_code, c.status_code, c.messaging_system
FROM traces t CROSS JOIN spans c ON c.trace_id = t.trace_id
  JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
WHERE {window} AND c.kind IN (2, 5) AND p.service != c.service
  AND p.start_unix_nano BETWEEN ?1 AND ?2)sql";
// Column 8: the service whose logs prove the call arrived (logged_callee.h).
std::string unanswered_sql() {
  return log_only_cte() + R"sql(
SELECT p.service, p.span_id, p.kind, p.destination_address, p.destination_port,
  p.messaging_system, p.messaging_destination, p.flags, )sql" +
         logged_callee_sql("p") + R"sql(
FROM traces t CROSS JOIN spans p ON p.trace_id = t.trace_id
WHERE {window} AND t.settled = 1 AND p.kind IN (3, 4)
  AND p.start_unix_nano BETWEEN ?1 AND ?2
  AND NOT EXISTS (SELECT 1 FROM spans c WHERE c.trace_id = p.trace_id
                  AND c.parent_span_id = p.span_id AND c.kind IN (2, 5)))sql";
}

struct EdgeData {
  GraphEdge edge;
  std::vector<std::uint64_t> durations;
};

class GraphBuilder {
 public:
  GraphBuilder(Database& db, std::uint64_t start, std::uint64_t end)
      : db_(db),
        start_(start),
        end_(end),
        window_(window_traces_sql(window_index(db, start, end))) {}

  ServiceGraph build() {
    read_services();
    read_connected();
    read_broken();
    read_unanswered();
    ServiceGraph graph;
    graph.services.assign(services_.begin(), services_.end());
    graph.uninstrumented_peers.assign(peers_.begin(), peers_.end());
    for (const std::string& service : logging_) {
      if (!services_.contains(service)) graph.log_only_services.push_back(service);
    }
    for (auto& [key, data] : edges_) {
      data.edge.p50_ms = percentile_ms(data.durations, 0.50);
      data.edge.p95_ms = percentile_ms(data.durations, 0.95);
      if (data.edge.callee_instrumented) {
        graph.calls_total +=
            data.edge.connected + data.edge.restarted + data.edge.logged + data.edge.broken;
        graph.calls_connected += data.edge.connected + data.edge.restarted + data.edge.logged;
      }
      graph.edges.push_back(std::move(data.edge));
    }
    return graph;
  }

 private:
  EdgeData& edge(const std::string& caller, const std::string& callee,
                 const std::string& protocol) {
    EdgeData& data = edges_[{caller, callee, protocol}];
    data.edge.caller = caller;
    data.edge.callee = callee;
    data.edge.protocol = protocol;
    return data;
  }

  // `sql` with {window} standing for the condition on the window's traces.
  Statement windowed(const std::string& sql) {
    Statement statement = db_.prepare(with_window(sql, window_));
    statement.bind(1, as_sql_bound(start_)).bind(2, as_sql_bound(end_));
    return statement;
  }

  void read_services() {
    Statement statement = windowed(services_sql);
    while (statement.step()) services_.insert(statement.column_text(0));
  }

  void read_connected() {
    Statement statement = windowed(connected_sql);
    while (statement.step()) {
      const auto callee_kind = static_cast<model::SpanKind>(statement.column_int(3));
      EdgeData& data = edge(statement.column_text(0), statement.column_text(1),
                            protocol_of(callee_kind, statement.column_text(10)));
      ++data.edge.connected;
      const auto caller_kind = static_cast<model::SpanKind>(statement.column_int(2));
      const bool caller_timed =
          caller_kind == model::SpanKind::client || caller_kind == model::SpanKind::producer;
      const std::int64_t begin = statement.column_int(caller_timed ? 4 : 6);
      const std::int64_t finish = statement.column_int(caller_timed ? 5 : 7);
      if (finish >= begin) data.durations.push_back(static_cast<std::uint64_t>(finish - begin));
      const auto error = static_cast<std::int64_t>(model::StatusCode::error);
      if (statement.column_int(8) == error || statement.column_int(9) == error) ++data.edge.errors;
    }
  }

  // A broken (or restarted) call counts in the edge's latency and errors as
  // its caller saw them.
  void read_broken() {
    Statement statement = windowed(R"sql(
SELECT b.caller_service, b.callee_service, b.protocol, b.caller_span_id, p.start_unix_nano,
  p.end_unix_nano, p.status_code, b.outcome
FROM broken_hops b JOIN spans p ON p.trace_id = b.caller_trace_id AND p.span_id = b.caller_span_id
WHERE b.call_start_unix_nano BETWEEN ?1 AND ?2)sql");
    while (statement.step()) {
      EdgeData& data =
          edge(statement.column_text(0), statement.column_text(1), statement.column_text(2));
      ++(statement.column_text(7) == "restarted" ? data.edge.restarted : data.edge.broken);
      broken_calls_.insert(std::string(statement.column_blob(3)));
      const std::int64_t begin = statement.column_int(4);
      const std::int64_t finish = statement.column_int(5);
      if (finish >= begin) data.durations.push_back(static_cast<std::uint64_t>(finish - begin));
      if (statement.column_int(6) == static_cast<std::int64_t>(model::StatusCode::error))
        ++data.edge.errors;
    }
  }

  void read_unanswered() {
    Statement statement = windowed(unanswered_sql());
    while (statement.step()) {
      if (broken_calls_.contains(std::string(statement.column_blob(1)))) continue;
      const bool messaging =
          static_cast<model::SpanKind>(statement.column_int(2)) == model::SpanKind::producer;
      const std::string protocol =
          messaging ? (statement.column_is_null(5) || statement.column_text(5).empty()
                           ? std::string("messaging")
                           : statement.column_text(5))
                    : std::string("http");
      if (!statement.column_is_null(8)) {  // the callee's logs show the context arrived
        EdgeData& data = edge(statement.column_text(0), statement.column_text(8), protocol);
        ++data.edge.logged;
        logging_.insert(statement.column_text(8));
        continue;
      }
      std::string peer;
      if (messaging) {
        peer = statement.column_text(6);
      } else {
        peer = statement.column_text(3);
        if (statement.column_int(4) != 0) peer += ":" + std::to_string(statement.column_int(4));
      }
      if (peer.empty()) continue;  // nothing says where the call went
      EdgeData& data = edge(statement.column_text(0), peer, protocol);
      // No span was due: says nothing of the peer.
      if (model::known_unsampled(static_cast<std::uint32_t>(statement.column_int(7)))) {
        ++data.edge.unsampled;
        continue;
      }
      ++data.edge.unanswered;
      data.edge.callee_instrumented = false;
      peers_.insert(peer);
    }
  }

  Database& db_;
  std::uint64_t start_;
  std::uint64_t end_;
  std::string window_;  // the condition on the window's traces
  std::set<std::string> services_;
  std::set<std::string> peers_;
  std::set<std::string> logging_;       // callees of logged hops
  std::set<std::string> broken_calls_;  // caller span ids (raw bytes) of broken hops
  std::map<EdgeKey, EdgeData> edges_;
};

}  // namespace

std::vector<std::string> graph_query_plans(Database& db, std::uint64_t start, std::uint64_t end) {
  const std::string window = window_traces_sql(window_index(db, start, end));
  std::vector<std::string> plans;
  for (const std::string& sql :
       {std::string(services_sql), std::string(connected_sql), unanswered_sql()}) {
    Statement plan = db.prepare("EXPLAIN QUERY PLAN " + with_window(sql, window));
    std::string steps;
    while (plan.step()) steps += plan.column_text(3) + "; ";
    plans.push_back(std::move(steps));
  }
  return plans;
}

double GraphEdge::propagation_health() const noexcept {
  const std::uint64_t kept = connected + restarted + logged;
  const std::uint64_t judged = kept + broken;
  return judged == 0 ? 1.0 : static_cast<double>(kept) / static_cast<double>(judged);
}

Expected<ServiceGraph> service_graph(const SpanStore& store, std::uint64_t start_unix_nano,
                                     std::uint64_t end_unix_nano) {
  return store.with_reader([&](Database& db) -> Expected<ServiceGraph> {
    try {
      return GraphBuilder(db, start_unix_nano, end_unix_nano).build();
    } catch (const SqliteError& error) {
      return Error{ErrorCode::io_error, error.what()};
    }
  });
}

}  // namespace tracemesh::collector
