// Durations as users write them (command line, query parameters): a number and a unit ("250ms",
// "1.5s", "10s", "5m", "24h"); units ns, us (or µs), ms, s, m, h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace tracemesh::model {

// Parse `text`; an Error (invalid_input) naming the accepted forms otherwise.
Expected<std::chrono::nanoseconds> parse_duration(std::string_view text);

}  // namespace tracemesh::model

namespace tracemesh::model {

// Format `nanos` for people: "850ns", "12.3µs", "182.4ms", "2.35s", "3m 20s".
std::string format_duration(std::uint64_t nanos);

}  // namespace tracemesh::model
