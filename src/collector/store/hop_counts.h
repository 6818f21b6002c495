// GET /api/hops: the window's cross-service calls counted per hop key — the
// caller, the callee (or the peer that sent no spans), the protocol, the
// HTTP method, the callee's route template, the path, the messaging topic
// and the caller's code location (code.file.path / code.line.number) — with
// how each call fared: connected, broken (by likely culprit), restarted,
// unanswered, unsampled or logged (service_graph.h says what each means).
// `tracemesh audit --against` joins these to the code's call sites; the
// graph (service_graph.h) is the same calls counted per service pair only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/span_store.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

struct HopKey {
  std::string caller;
  std::string callee;  // "" for an unanswered call; the logging service for a logged one
  std::string peer;    // an unanswered call's destination: "host:port", or the topic
  std::string protocol;
  std::string method;     // "" when neither span records it
  std::string route;      // the callee's http.route, when it records one
  std::string path;       // the caller's URL path, else the callee's; ids as {id} (path_shape)
  std::string topic;      // the messaging destination
  std::string site_file;  // the caller span's code.file.path; "" when not recorded
  std::int64_t site_line = 0;
  std::string site_function;

  auto operator<=>(const HopKey&) const = default;
};

struct HopCount {
  HopKey key;
  std::uint64_t connected = 0;
  // Broken, by the culprit's name ("caller_did_not_inject", ...).
  std::map<std::string, std::uint64_t> broken;
  std::uint64_t restarted = 0;   // the callee's new trace links the call: on purpose
  std::uint64_t unanswered = 0;  // counted once the caller's trace settled
  std::uint64_t unsampled = 0;   // unanswered, and the context was sent unsampled
  std::uint64_t logged = 0;      // no span of the callee, but its logs name the trace
  // The formats the callee's inbound spans report ("none", "tracecontext", ...).
  std::map<std::string, std::uint64_t> formats;
  std::string example_trace_id;  // the caller's trace, hex; the least one
};

struct HopCounts {
  std::vector<HopCount> hops;  // sorted by key
  bool truncated = false;      // more keys than the limit: the rest are left out
  // Traces of the window not settled yet: their broken and unanswered calls
  // are not known yet.
  std::uint64_t unsettled_traces = 0;
};

// `path` with each segment that is an id written {id}: digits, a UUID, or a
// hex string of 12 or more with a digit ("/orders/42/items" ->
// "/orders/{id}/items"), so the calls to one route share one key.
std::string path_shape(std::string_view path);

// The hop keys an answer holds at most.
inline constexpr std::size_t max_hop_keys = 10'000;

// Count the calls whose caller span started in [start, end].
Expected<HopCounts> hop_counts(const SpanStore& store, std::uint64_t start_unix_nano,
                               std::uint64_t end_unix_nano, std::size_t limit = max_hop_keys);

}  // namespace tracemesh::collector
