#include "collector/store/settler.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "collector/store/span_rows.h"
#include "model/broken_hops.h"
#include "model/trace_json.h"

namespace tracemesh::collector {
namespace {

// Inbound roots of other traces for the call's destination that started in
// its window: the callee candidates (HTTP by path, messaging by destination;
// is_callee_of checks the rest). Roots whose links hold the call's ids (?5:
// trace id and span id, as link_refs stores them) come first, so a busy
// destination's limit never hides the root that restarted the call.
constexpr const char* select_http_candidates_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE parent_span_id IS NULL AND kind = 2 AND destination_path = ?4 AND "
    "start_unix_nano BETWEEN ?1 AND ?2 AND trace_id != ?3 "
    "ORDER BY instr(link_refs, ?5) = 0, start_unix_nano LIMIT 20";
constexpr const char* select_consumer_candidates_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE parent_span_id IS NULL AND kind = 5 AND messaging_destination = ?4 AND "
    "start_unix_nano BETWEEN ?1 AND ?2 AND trace_id != ?3 "
    "ORDER BY instr(link_refs, ?5) = 0, start_unix_nano LIMIT 20";

}  // namespace

Settler::Settler(Database& db, ArrivingTraces& arriving, const model::IntegrityOptions& options)
    : db_(db), arriving_(arriving), options_(options), select_(db.prepare(select_spans_sql)) {}

// Add to `verdict` the calls of `spans` whose callee started a new trace instead.
void Settler::find_broken_hops(Statement& http_candidates, Statement& consumer_candidates,
                               const std::vector<model::SpanRecord>& spans,
                               model::TraceVerdict& verdict) const {
  std::vector<SpanId> claimed;
  std::vector<model::SpanRecord> roots;
  std::vector<const model::SpanRecord*> candidates;
  std::array<unsigned char, sizeof(TraceId::bytes) + sizeof(SpanId::bytes)> link{};
  for (const model::SpanRecord* call : model::unanswered_calls(spans)) {
    const bool messaging = call->kind == model::SpanKind::producer;
    const std::string& destination =
        messaging ? call->destination.messaging_destination : call->destination.path;
    roots.clear();
    if (!destination.empty()) {  // else nothing to match a callee by
      Statement& select = messaging ? consumer_candidates : http_candidates;
      const model::CallWindow window =
          model::call_window(*call, options_.call_tolerance_nanos, options_.messaging_delay_nanos);
      select.bind(1, as_sql_bound(window.earliest))
          .bind(2, as_sql_bound(window.latest))
          .bind_blob(3, call->trace_id.bytes.data(), call->trace_id.bytes.size())
          .bind(4, destination);
      std::copy(call->trace_id.bytes.begin(), call->trace_id.bytes.end(), link.begin());
      std::copy(call->span_id.bytes.begin(), call->span_id.bytes.end(),
                link.begin() + static_cast<std::ptrdiff_t>(call->trace_id.bytes.size()));
      select.bind_blob(5, link.data(), link.size());
      while (select.step()) roots.push_back(read_span(select));
      select.reset();
    }
    candidates.clear();
    for (const model::SpanRecord& root : roots) candidates.push_back(&root);
    model::judge_unanswered_call(*call, candidates, options_, claimed, verdict);
  }
}

std::optional<Settler::Pass> Settler::settle(std::uint64_t now_unix_nano) {
  using Clock = std::chrono::steady_clock;
  const std::uint64_t grace = options_.grace_nanos;
  if (now_unix_nano < grace) return std::nullopt;
  try {
    Statement due = db_.prepare(
        "SELECT trace_id FROM traces WHERE settled = 0 AND last_received_unix_nano <= ?1 "
        "LIMIT ?2");
    due.bind(1, as_sql(now_unix_nano - grace)).bind(2, static_cast<std::int64_t>(batch));
    std::vector<TraceId> ids;
    while (due.step()) ids.push_back(id_from_blob<TraceId>(due.column_blob(0)));
    // Nothing due: no backlog either. (A pass that settled exactly one batch, or
    // whose due traces retention then deleted, used to leave the flag set, and
    // the writer woke without pause until a trace became due.)
    if (ids.empty()) return Pass{};
    Statement update = db_.prepare(
        "UPDATE traces SET integrity = ?2, verdict = ?3, settled = 1 WHERE trace_id = ?1");
    Statement http_candidates = db_.prepare(select_http_candidates_sql);
    Statement consumer_candidates = db_.prepare(select_consumer_candidates_sql);
    Statement forget_hops = db_.prepare("DELETE FROM broken_hops WHERE caller_trace_id = ?1");
    Statement record_hop = db_.prepare(
        "INSERT OR REPLACE INTO broken_hops (caller_trace_id, caller_span_id, caller_service, "
        "callee_trace_id, callee_span_id, callee_service, protocol, culprit, "
        "call_start_unix_nano, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    // A bounded slice per pass, so queued writes wait at most this long.
    const auto budget_end = Clock::now() + std::chrono::milliseconds(50);
    Pass pass;
    std::vector<model::SpanRecord> spans;
    db_.execute("BEGIN IMMEDIATE");
    for (const TraceId& id : ids) {
      if (Clock::now() >= budget_end) break;
      ++pass.settled;
      std::uint64_t last_received = 0;
      // A trace held from its first span has never settled: no hops to forget.
      const bool held = arriving_.load(id, spans, last_received);
      if (held) {
        ++pass.from_memory;
      } else {
        spans = load_trace(select_, id, last_received);
      }
      model::TraceVerdict verdict =
          model::analyze_trace(spans, last_received, now_unix_nano, options_);
      find_broken_hops(http_candidates, consumer_candidates, spans, verdict);
      if (!held) {
        forget_hops.bind_blob(1, id.bytes.data(), id.bytes.size());
        forget_hops.run();
      }
      const auto record = [&](const model::BrokenHop& hop, const char* outcome) {
        record_hop.bind_blob(1, id.bytes.data(), id.bytes.size())
            .bind_blob(2, hop.caller_span_id.bytes.data(), hop.caller_span_id.bytes.size())
            .bind(3, hop.caller_service)
            .bind_blob(4, hop.callee_trace_id.bytes.data(), hop.callee_trace_id.bytes.size())
            .bind_blob(5, hop.callee_span_id.bytes.data(), hop.callee_span_id.bytes.size())
            .bind(6, hop.callee_service)
            .bind(7, hop.protocol)
            .bind(8, model::to_string(hop.culprit))
            .bind(9, as_sql(hop.call_start_unix_nano))
            .bind(10, outcome);
        record_hop.run();
      };
      for (const model::BrokenHop& hop : verdict.broken_hops) record(hop, "broken");
      for (const model::BrokenHop& hop : verdict.restarted_hops) record(hop, "restarted");
      update.bind_blob(1, id.bytes.data(), id.bytes.size())
          .bind(2, verdict.integrity())
          .bind(3, model::verdict_json(verdict));
      update.run();
    }
    db_.execute("COMMIT");
    for (std::size_t i = 0; i < pass.settled; ++i) arriving_.erase(ids[i]);
    pass.backlog = pass.settled < ids.size() || ids.size() == batch;
    return pass;
  } catch (const SqliteError&) {
    select_.reset();  // a statement left mid-step would refuse every later bind
    try {
      db_.execute("ROLLBACK");
    } catch (const SqliteError&) {
    }
    return std::nullopt;
  }
}

}  // namespace tracemesh::collector
