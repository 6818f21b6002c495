// Waiting for traces in a collector: find the traces the selectors select,
// then wait until the collector says each is settled (no span arrived for
// its grace period). Settled is the collector's judgement, not a guess from
// a span count that stopped changing. Selectors are searched again on every
// poll, so traces that arrive while the first ones settle are checked too;
// the wait ends when every trace found is settled and a search made after
// that finds nothing new.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/trace.h"
#include "tracemesh/expected.h"
#include "verify/collector_client.h"
#include "verify/spec.h"

namespace tracemesh::verify {

struct WaitOptions {
  std::uint64_t timeout_nanos = 30'000'000'000;
  std::uint64_t poll_interval_nanos = 250'000'000;
  std::optional<std::uint64_t> start_after_unix_nano;  // only traces that start at or after
  std::size_t limit = 100;                             // traces per selector
  std::function<void(const std::string&)> progress;    // what it is waiting for, now and then
};

struct Fetched {
  std::vector<model::Trace> traces;   // settled, in the order first found
  std::string missing;                // what did not arrive or settle in time; empty when complete
  std::vector<std::string> warnings;  // e.g. a selection cut at the limit
};

// Find and wait for the traces of every selector (an empty selector: every
// trace, with `start_after_unix_nano`). Unreachable collector: retried until
// the timeout, then its Error; a refused request (bad token): its Error at once.
Expected<Fetched> wait_for_traces(CollectorClient& client,
                                  const std::vector<TraceSelector>& selectors,
                                  const WaitOptions& options);

}  // namespace tracemesh::verify
