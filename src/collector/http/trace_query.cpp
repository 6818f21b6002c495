#include "collector/http/trace_query.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "model/ascii.h"
#include "model/json_text.h"
#include "model/trace_json.h"

namespace tracemesh::collector {
namespace {

// Append the span tree: [{"span_id", "children": [...]}], heads first.
// Iterative, so a trace that is one long chain cannot exhaust the stack.
void append_tree(std::string& out, const std::vector<std::vector<std::size_t>>& children,
                 const std::vector<std::size_t>& heads,
                 const std::vector<model::SpanRecord>& spans) {
  struct Frame {
    const std::vector<std::size_t>* siblings;
    std::size_t next = 0;
  };
  std::vector<Frame> stack{{&heads, 0}};
  out += '[';
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.siblings->size()) {
      stack.pop_back();
      out += stack.empty() ? "]" : "]}";
      continue;
    }
    if (frame.next > 0) out += ',';
    const std::size_t index = (*frame.siblings)[frame.next++];
    out += "{\"span_id\":\"" + spans[index].span_id.to_hex() + "\",\"children\":[";
    stack.push_back({&children[index], 0});
  }
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
  const std::string lower = model::ascii_lowercase(trace_id_hex);
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
  std::unordered_map<SpanId, std::size_t, model::IdHash> index_of;
  for (std::size_t i = 0; i < spans.size(); ++i) index_of.emplace(spans[i].span_id, i);
  std::vector<std::vector<std::size_t>> children(spans.size());
  std::vector<std::size_t> heads;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto parent =
        spans[i].is_root() ? index_of.end() : index_of.find(spans[i].parent_span_id);
    if (parent == index_of.end() || parent->second == i) {
      heads.push_back(i);
    } else {
      children[parent->second].push_back(i);
    }
  }
  answer.body += "],\"tree\":";
  append_tree(answer.body, children, heads, spans);
  answer.body += ",\"verdict\":" + verdict + "}";
  return answer;
}

}  // namespace tracemesh::collector
