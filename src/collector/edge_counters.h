// tracemesh_edge_calls_total{caller,callee,protocol,outcome}: every call
// between services the collector has seen since it started, by how its
// context travelled (service_graph.h: connected, broken, restarted,
// unanswered, unsampled, logged), so teams can alert on a broken edge:
//   rate(tracemesh_edge_calls_total{outcome="broken"}[5m]) > 0
//
// A counter must never go down, whatever retention deletes, so the calls are
// added up window by window as a scrape finds them: each call is counted once,
// when its caller span's start is `lag` old (the collector uses twice the grace
// period and a second, by when its trace has settled and a broken hop or an
// unanswered call is known). A call whose spans arrive later than that is
// counted as it stood. Counting starts at the collector's start: calls that
// started before (stored earlier, or sent late after a restart) are not counted.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "collector/store/span_store.h"

namespace tracemesh::collector {

// Series kept; the calls of edges beyond are counted under caller, callee
// and protocol "other" (service names come from senders: their number must
// not grow the scrape without end).
inline constexpr std::size_t max_edge_series = 10'000;

class EdgeCounters {
 public:
  EdgeCounters(std::uint64_t start_unix_nano, std::uint64_t lag_nanos)
      : counted_until_(start_unix_nano), lag_nanos_(lag_nanos) {}

  // Add the calls whose caller span started since the last count and at
  // least the lag before `now_unix_nano`; then append the metric to `out`.
  // A store error leaves the counts as they were (the window is read again next time).
  void append_metrics(const SpanStore& store, std::uint64_t now_unix_nano, std::string& out);

 private:
  std::mutex mutex_;
  std::uint64_t counted_until_;  // calls that started up to here are counted
  std::uint64_t lag_nanos_;
  // (caller, callee, protocol, outcome) → calls
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::uint64_t> calls_;
};

}  // namespace tracemesh::collector
