// GET /api/hops from a running collector: the runtime half of the map.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "map/runtime_hops.h"
#include "tracemesh/expected.h"

namespace tracemesh::map {

struct HopsRequest {
  std::string base_url;                // http://HOST:PORT of the collector's query listener
  std::optional<std::string> token;    // bearer token for the query API
  std::chrono::seconds since{86'400};  // the window: this long up to now
  // Ask again until no trace of the window is unsettled (their broken hops
  // are not judged yet), for at most this long; 0: ask once.
  std::chrono::milliseconds wait_settled{0};
};

// The hops of the window. invalid_input for a bad URL or an answer that is
// not /api/hops (a 4xx names the reason); transport_error when the
// collector cannot be reached.
Expected<RuntimeHops> fetch_runtime_hops(const HopsRequest& request);

}  // namespace tracemesh::map
