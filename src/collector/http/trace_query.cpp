#include "trace_query.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "json_text.h"
#include "trace_json.h"

namespace tracemesh::collector {
namespace {

// Append the spans under `parent` as a tree: [{"span_id", "children": [...]}].
void append_children(std::string& out, const std::multimap<std::string, std::size_t>& children,
                     const std::vector<model::SpanRecord>& spans, const std::string& parent,
                     std::size_t depth) {
  out += '[';
  const auto [first, last] = children.equal_range(parent);
  bool comma = false;
  for (auto it = first; it != last; ++it) {
    if (comma) out += ',';
    comma = true;
    const std::string id = spans[it->second].span_id.to_hex();
    out += "{\"span_id\":\"" + id + "\",\"children\":";
    // A cycle of parent ids cannot recurse forever: no tree is deeper than the trace.
    if (depth < spans.size()) {
      append_children(out, children, spans, id, depth + 1);
    } else {
      out += "[]";
    }
    out += '}';
  }
  out += ']';
}

}  // namespace

QueryAnswer query_error(int status, std::string_view message) {
  QueryAnswer answer{status, "{\"error\":"};
  model::append_json_string(answer.body, message);
  answer.body += '}';
  return answer;
}

QueryAnswer query_trace(std::string_view trace_id_hex, const SpanStore& store,
                        const model::IntegrityOptions& integrity) {
  std::string lower(trace_id_hex);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c; });
  const auto trace_id = TraceId::from_hex(lower);
  if (!trace_id) return query_error(400, "a trace id is 32 hex digits, not all zero");
  const auto stored = store.trace(*trace_id);
  if (!stored) return query_error(500, stored.error().text());
  if (!stored->has_value()) return query_error(404, "no span of trace " + lower + " is stored");
  const auto& spans = (*stored)->spans;
  // A settled trace has the full verdict the store judged (broken hops need
  // other traces). Until the store has settled it, the trace is shown as
  // still arriving, judged as it stands.
  std::string verdict = (*stored)->settled_verdict_json;
  if (verdict.empty()) {
    const std::uint64_t last = (*stored)->last_received_unix_nano;
    verdict = model::verdict_json(model::analyze_trace(spans, last, last, integrity));
  }

  QueryAnswer answer;
  answer.body = "{\"trace_id\":\"" + lower + "\",\"spans\":[";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) answer.body += ',';
    model::append_span_json(answer.body, spans[i]);
  }
  // Roots and spans whose parent is missing head the tree.
  std::unordered_set<std::string> present;
  for (const auto& span : spans) present.insert(span.span_id.to_hex());
  std::multimap<std::string, std::size_t> children;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const std::string parent = spans[i].is_root() ? "" : spans[i].parent_span_id.to_hex();
    children.emplace(present.contains(parent) ? parent : "", i);
  }
  answer.body += "],\"tree\":";
  append_children(answer.body, children, spans, "", 0);
  answer.body += ",\"verdict\":" + verdict + "}";
  return answer;
}

}  // namespace tracemesh::collector
