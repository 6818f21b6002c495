// What the collector saw: the /api/hops answer (collector/store/hop_counts.h)
// read back — each hop key (caller, callee or peer, protocol, method, route,
// path, topic, the caller's code location) with how its calls fared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracemesh/expected.h"

namespace tracemesh::map {

// Where the caller's code sent the call, as its SDK recorded it
// (code.file.path, code.line.number): a path on the machine that built or
// ran it.
struct RuntimeSite {
  std::string file;
  int line = 0;
  std::string function;
};

struct RuntimeHop {
  std::string caller;
  std::string callee;  // "" for an unanswered call
  std::string peer;    // an unanswered call's destination ("host:port", or the topic)
  std::string protocol;
  std::string method;
  std::string route;  // the callee's http.route template
  std::string path;
  std::string topic;
  std::optional<RuntimeSite> site;
  std::uint64_t connected = 0;
  std::uint64_t broken_caller_did_not_inject = 0;
  std::uint64_t broken_callee_did_not_extract = 0;
  std::uint64_t broken_unknown = 0;
  std::uint64_t restarted = 0;  // the callee's new trace links the call: on purpose
  std::uint64_t unanswered = 0;
  std::uint64_t unsampled = 0;                   // unanswered, and the context was sent unsampled
  std::map<std::string, std::uint64_t> formats;  // the callee's inbound formats
  std::string example_trace_id;

  std::uint64_t broken() const noexcept {
    return broken_caller_did_not_inject + broken_callee_did_not_extract + broken_unknown;
  }
  std::uint64_t calls() const noexcept {
    return connected + broken() + restarted + unanswered + unsampled;
  }
};

struct RuntimeHops {
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::uint64_t unsettled_traces = 0;
  bool truncated = false;
  std::vector<RuntimeHop> hops;
};

// Parse an /api/hops answer. invalid_input, naming the field, for anything
// else.
Expected<RuntimeHops> parse_runtime_hops(std::string_view json);

}  // namespace tracemesh::map
