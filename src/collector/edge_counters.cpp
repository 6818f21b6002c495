#include "collector/edge_counters.h"

#include <utility>

#include "collector/http/metrics_text.h"
#include "collector/store/service_graph.h"

namespace tracemesh::collector {

void EdgeCounters::append_metrics(const SpanStore& store, std::uint64_t now_unix_nano,
                                  std::string& out) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t until = now_unix_nano > lag_nanos_ ? now_unix_nano - lag_nanos_ : 0;
  if (until > counted_until_) {
    const auto graph = service_graph(store, counted_until_ + 1, until);
    if (graph) {
      for (const GraphEdge& edge : graph->edges) {
        for (const auto& [outcome, count] :
             {std::pair{"connected", edge.connected}, std::pair{"broken", edge.broken},
              std::pair{"restarted", edge.restarted}, std::pair{"unanswered", edge.unanswered},
              std::pair{"unsampled", edge.unsampled}, std::pair{"logged", edge.logged}}) {
          if (count == 0) continue;
          auto key = std::make_tuple(edge.caller, edge.callee, edge.protocol, std::string(outcome));
          if (calls_.size() >= max_edge_series && !calls_.contains(key)) {
            key = {"other", "other", "other", outcome};
          }
          calls_[key] += count;
        }
      }
      counted_until_ = until;
    }
  }
  out +=
      "# HELP tracemesh_edge_calls_total Calls between services since the collector started, "
      "by how the trace context travelled (counted once the caller's trace has settled).\n"
      "# TYPE tracemesh_edge_calls_total counter\n";
  for (const auto& [key, count] : calls_) {
    const auto& [caller, callee, protocol, outcome] = key;
    out += "tracemesh_edge_calls_total{caller=\"" + prometheus_label(caller) + "\",callee=\"" +
           prometheus_label(callee) + "\",protocol=\"" + prometheus_label(protocol) +
           "\",outcome=\"" + outcome + "\"} " + std::to_string(count) + "\n";
  }
}

}  // namespace tracemesh::collector
