#include "model/duration.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tracemesh::model {
namespace {

// Nanoseconds per unit, 0 for an unknown unit.
std::uint64_t unit_scale(std::string_view unit) noexcept {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s") return 1'000;  // us, µs
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

}  // namespace

Expected<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  const Error invalid{ErrorCode::invalid_input,
                      "'" + std::string(text) + "' is not a duration (e.g. 250ms, 1.5s, 5m, 24h)"};
  const char* const last = text.data() + text.size();
  std::uint64_t whole = 0;
  const auto [whole_end, error] = std::from_chars(text.data(), last, whole);
  if (error != std::errc() || whole_end == text.data()) return invalid;
  // An optional fraction: up to nine digits after a point.
  const char* cursor = whole_end;
  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;
  if (cursor != last && *cursor == '.') {
    ++cursor;
    const char* const digits = cursor;
    while (cursor != last && *cursor >= '0' && *cursor <= '9') {
      if (cursor - digits == 9) return invalid;
      fraction = fraction * 10 + static_cast<std::uint64_t>(*cursor - '0');
      fraction_scale *= 10;
      ++cursor;
    }
    if (cursor == digits) return invalid;
  }
  const std::uint64_t scale =
      unit_scale(std::string_view(cursor, static_cast<std::size_t>(last - cursor)));
  if (scale == 0) return invalid;
  if (whole > static_cast<std::uint64_t>(INT64_MAX) / scale) return invalid;
  // fraction < fraction_scale <= 1e9 and scale <= 3.6e12: compute without overflow.
  const std::uint64_t fraction_nanos =
      fraction_scale == 1
          ? 0
          : static_cast<std::uint64_t>(static_cast<long double>(fraction) * scale / fraction_scale);
  const std::uint64_t total = whole * scale;
  if (total > static_cast<std::uint64_t>(INT64_MAX) - fraction_nanos) return invalid;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total + fraction_nanos));
}

}  // namespace tracemesh::model

namespace tracemesh::model {

std::string format_duration(std::uint64_t nanos) {
  char buffer[48];
  if (nanos < 1'000) {
    std::snprintf(buffer, sizeof buffer, "%lluns", static_cast<unsigned long long>(nanos));
  } else if (nanos < 1'000'000) {
    std::snprintf(buffer, sizeof buffer, "%.1fµs", static_cast<double>(nanos) / 1e3);
  } else if (nanos < 1'000'000'000) {
    std::snprintf(buffer, sizeof buffer, "%.1fms", static_cast<double>(nanos) / 1e6);
  } else if (nanos < 60'000'000'000) {
    std::snprintf(buffer, sizeof buffer, "%.2fs", static_cast<double>(nanos) / 1e9);
  } else {
    const std::uint64_t seconds = nanos / 1'000'000'000;
    std::snprintf(buffer, sizeof buffer, "%llum %02llus",
                  static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned long long>(seconds % 60));
  }
  return buffer;
}

}  // namespace tracemesh::model
