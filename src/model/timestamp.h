// Wall-clock instants as logs write them: RFC 3339 text ("2026-12-07T19:10:00.123Z",
// "2026-12-07 19:10:00,123+01:00") and numbers of seconds, milliseconds, microseconds
// or nanoseconds since the Unix epoch. Reports write them back as RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tracemesh::model {

// Nanoseconds since the Unix epoch of an RFC 3339 date-time: a `T` or a space
// between date and time, up to nine fraction digits after `.` or `,`, and `Z`,
// `±hh:mm`, `±hhmm`, `±hh` or no zone at all (read as UTC). Nullopt for anything
// else, including dates before 1970 or after 2261.
std::optional<std::uint64_t> parse_timestamp(std::string_view text) noexcept;

// Nanoseconds since the Unix epoch of a number of seconds, milliseconds,
// microseconds or nanoseconds, told apart by which of them falls between
// 2000-01-01 and 2261-01-01 (the ranges do not overlap); read to the
// microsecond. Nullopt for any other value (0, negative, non-finite, a
// duration mistaken for a time).
std::optional<std::uint64_t> epoch_number_nanos(double value) noexcept;
// The same for an integer, exactly.
std::optional<std::uint64_t> epoch_number_nanos(std::uint64_t value) noexcept;

// "2026-12-07T19:10:00.123456789Z"; the fraction trimmed to milliseconds
// unless `full_precision`.
std::string format_timestamp(std::uint64_t unix_nanos, bool full_precision = false);

}  // namespace tracemesh::model
