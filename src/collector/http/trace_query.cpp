#include "collector/http/trace_query.h"

#include <algorithm>
#include <vector>

#include "model/ascii.h"
#include "model/span_tree.h"
#include "model/trace_json.h"
#include "report/json_writer.h"

namespace tracemesh::collector {
namespace {

// Write the span tree: [{"span_id", "children": [...]}], heads first.
// Iterative, so a trace that is one long chain cannot exhaust the stack.
void write_tree(report::JsonWriter& json, const std::vector<std::vector<std::size_t>>& children,
                const std::vector<std::size_t>& heads,
                const std::vector<model::SpanRecord>& spans) {
  struct Frame {
    const std::vector<std::size_t>* siblings;
    std::size_t next = 0;
  };
  std::vector<Frame> stack{{&heads, 0}};
  json.begin_array();
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.siblings->size()) {
      stack.pop_back();
      json.end_array();
      if (!stack.empty()) json.end_object();
      continue;
    }
    const std::size_t index = (*frame.siblings)[frame.next++];
    json.begin_object().field("span_id", spans[index].span_id.to_hex()).key("children");
    json.begin_array();
    stack.push_back({&children[index], 0});
  }
}

constexpr std::size_t max_logs = 10'000;

// "logs": the records naming the trace, in time order (the first max_logs,
// read with one more to tell), and "logs_truncated".
void write_logs(report::JsonWriter& json, const std::vector<model::LogRecord>& logs) {
  json.key("logs").begin_array();
  std::string log_json;
  for (std::size_t i = 0; i < logs.size() && i < max_logs; ++i) {
    log_json.clear();
    model::append_log_json(log_json, logs[i]);
    json.raw(log_json);
  }
  json.end_array().field("logs_truncated", logs.size() > max_logs);
}

}  // namespace

QueryAnswer query_error(int status, std::string_view message) {
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("error", message).end_object();
  return {status, json.take()};
}

QueryAnswer query_trace(std::string_view trace_id_hex, const SpanStore& store,
                        const model::IntegrityOptions& integrity) {
  const std::string lower = model::ascii_lowercase(trace_id_hex);
  const auto trace_id = TraceId::from_hex(lower);
  if (!trace_id) return query_error(400, "a trace id is 32 hex digits, not all zero");
  const auto stored = store.trace(*trace_id);
  if (!stored) return query_error(500, stored.error().text());
  const auto logs = store.logs(*trace_id, max_logs + 1);
  if (!logs) return query_error(500, logs.error().text());
  if (!stored->has_value()) {
    return query_error(
        404, "no span of trace " + lower + " is stored" +
                 (logs->empty() ? std::string()
                                : "; " + std::to_string(logs->size()) +
                                      " log record(s) name it: GET /api/logs?trace_id=" + lower));
  }
  const auto& spans = (*stored)->spans;
  // A settled trace has the full verdict the store judged (broken hops need
  // other traces). Until the store has settled it, the trace is shown as
  // still arriving, judged as it stands.
  std::string verdict = (*stored)->settled_verdict_json;
  if (verdict.empty()) {
    const std::uint64_t last = (*stored)->last_received_unix_nano;
    verdict = model::verdict_json(model::analyze_trace(spans, last, last, integrity));
  }

  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("trace_id", lower).key("spans").begin_array();
  std::string span_json;
  for (const model::SpanRecord& span : spans) {
    span_json.clear();
    model::append_span_json(span_json, span);
    json.raw(span_json);
  }
  json.end_array();
  // Roots and spans whose parent is missing head the tree.
  const model::SpanTree tree = model::span_tree(spans);
  json.key("tree");
  write_tree(json, tree.children, tree.heads, spans);
  json.key("verdict").raw(verdict);
  write_logs(json, *logs);
  json.end_object();
  return {200, json.take()};
}

QueryAnswer query_logs(std::string_view trace_id_hex, const SpanStore& store) {
  const std::string lower = model::ascii_lowercase(trace_id_hex);
  const auto trace_id = TraceId::from_hex(lower);
  if (!trace_id) return query_error(400, "trace_id: 32 hex digits, not all zero");
  const auto logs = store.logs(*trace_id, max_logs + 1);
  if (!logs) return query_error(500, logs.error().text());
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("trace_id", lower);
  write_logs(json, *logs);
  json.end_object();
  return {200, json.take()};
}

}  // namespace tracemesh::collector
