// Durations as users write them (command line, query parameters): a number and a unit ("250ms",
// "10s", "5m", "24h").
#pragma once

#include <chrono>
#include <string_view>

#include "tracemesh/expected.h"

namespace tracemesh::model {

// Parse `text`; an Error (invalid_input) naming the accepted forms otherwise.
Expected<std::chrono::nanoseconds> parse_duration(std::string_view text);

}  // namespace tracemesh::model
