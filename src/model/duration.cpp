#include "duration.h"

#include <charconv>
#include <string>

namespace tracemesh::model {

Expected<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  const Error invalid{ErrorCode::invalid_input,
                      "'" + std::string(text) + "' is not a duration (e.g. 250ms, 10s, 5m, 24h)"};
  if (error != std::errc() || end == text.data()) return invalid;
  using std::chrono::nanoseconds;
  std::uint64_t scale = 0;
  if (unit == "ms") {
    scale = 1'000'000;
  } else if (unit == "s") {
    scale = 1'000'000'000;
  } else if (unit == "m") {
    scale = 60'000'000'000;
  } else if (unit == "h") {
    scale = 3'600'000'000'000;
  } else {
    return invalid;
  }
  if (number > static_cast<std::uint64_t>(INT64_MAX) / scale) return invalid;
  return nanoseconds(static_cast<std::int64_t>(number * scale));
}

}  // namespace tracemesh::model
