#include "model/timestamp.h"

#include <cmath>
#include <cstdio>

namespace tracemesh::model {
namespace {

constexpr std::uint64_t nanos_per_second = 1'000'000'000;
constexpr int last_year = 2261;  // 2^64 ns after 1970 is in 2554; keep well inside
// Epoch numbers are read from 2000-01-01 to 2261-01-01: in seconds,
// milliseconds, microseconds or nanoseconds, whichever puts them there.
constexpr std::uint64_t min_epoch_seconds = 946'684'800;
constexpr std::uint64_t max_epoch_seconds = 9'183'110'400;

// Days from 1970-01-01 to the proleptic Gregorian date (year, month 1-12, day 1-31).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = year / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned shifted_month = month > 2 ? month - 3 : month + 9;  // March is 0
  const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = days / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const unsigned month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year =
      static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

bool is_leap(std::int64_t year) noexcept {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) noexcept {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Reads fixed-width decimal fields off the front of the text.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  std::optional<unsigned> digits(std::size_t count) noexcept {
    if (text_.size() < count) return std::nullopt;
    unsigned value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    text_.remove_prefix(count);
    return value;
  }
  bool take(char c) noexcept {
    if (text_.empty() || text_.front() != c) return false;
    text_.remove_prefix(1);
    return true;
  }
  bool take_any(std::string_view chars) noexcept {
    if (text_.empty() || chars.find(text_.front()) == std::string_view::npos) return false;
    text_.remove_prefix(1);
    return true;
  }
  // Up to nine digits of a fraction, as nanoseconds; further digits are read
  // and dropped. Nullopt when there is no digit at all.
  std::optional<std::uint64_t> fraction() noexcept {
    std::uint64_t nanos = 0;
    std::size_t count = 0;
    while (!text_.empty() && text_.front() >= '0' && text_.front() <= '9') {
      if (count < 9) nanos = nanos * 10 + static_cast<unsigned>(text_.front() - '0');
      ++count;
      text_.remove_prefix(1);
    }
    if (count == 0) return std::nullopt;
    for (; count < 9; ++count) nanos *= 10;
    return nanos;
  }
  bool done() const noexcept { return text_.empty(); }

 private:
  std::string_view text_;
};

// The zone's offset east of UTC in seconds, consuming the rest of the text;
// nullopt when it is not a zone.
std::optional<std::int64_t> zone_offset(Cursor& cursor) noexcept {
  if (cursor.done() || cursor.take('Z') || cursor.take('z')) {
    return cursor.done() ? std::optional<std::int64_t>(0) : std::nullopt;
  }
  int sign = 0;
  if (cursor.take('+')) sign = 1;
  if (sign == 0 && cursor.take('-')) sign = -1;
  if (sign == 0) return std::nullopt;
  const auto hours = cursor.digits(2);
  const bool colon = cursor.take(':');
  // ±hh alone, ±hh:mm or ±hhmm.
  const auto minutes = cursor.done() && !colon ? std::optional<unsigned>(0) : cursor.digits(2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59 || !cursor.done()) return std::nullopt;
  return sign * static_cast<std::int64_t>(*hours * 3600 + *minutes * 60);
}

}  // namespace

std::optional<std::uint64_t> parse_timestamp(std::string_view text) noexcept {
  Cursor cursor(text);
  const auto year = cursor.digits(4);
  if (!year || !cursor.take('-')) return std::nullopt;
  const auto month = cursor.digits(2);
  if (!month || !cursor.take('-')) return std::nullopt;
  const auto day = cursor.digits(2);
  if (!day || !cursor.take_any("Tt ")) return std::nullopt;
  const auto hour = cursor.digits(2);
  if (!hour || !cursor.take(':')) return std::nullopt;
  const auto minute = cursor.digits(2);
  if (!minute || !cursor.take(':')) return std::nullopt;
  const auto second = cursor.digits(2);
  if (!second) return std::nullopt;
  const auto fraction = cursor.take_any(".,") ? cursor.fraction() : std::optional<std::uint64_t>(0);
  const auto offset = zone_offset(cursor);
  if (!fraction || !offset || *year < 1970 || *year > last_year || *month < 1 || *month > 12 ||
      *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  const std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400 +
                               std::int64_t{*hour} * 3600 + std::int64_t{*minute} * 60 + *second -
                               *offset;
  if (seconds < 0) return std::nullopt;
  return static_cast<std::uint64_t>(seconds) * nanos_per_second + *fraction;
}

std::optional<std::uint64_t> epoch_number_nanos(double value) noexcept {
  if (!std::isfinite(value) || value <= 0) return std::nullopt;
  // Read to the microsecond (a double holds microseconds since 1970 exactly
  // until 2255), so "1796670600.123" lands on .123000000 as the text does.
  for (const double unit : {1.0, 1e3, 1e6, 1e9}) {
    const double seconds = value / unit;
    if (seconds >= static_cast<double>(min_epoch_seconds) &&
        seconds < static_cast<double>(max_epoch_seconds)) {
      return static_cast<std::uint64_t>(std::llround(seconds * 1e6)) * 1000;
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> epoch_number_nanos(std::uint64_t value) noexcept {
  for (const std::uint64_t unit : {std::uint64_t{1}, std::uint64_t{1'000}, std::uint64_t{1'000'000},
                                   std::uint64_t{1'000'000'000}}) {
    if (value >= min_epoch_seconds * unit && value < max_epoch_seconds * unit) {
      return value * (nanos_per_second / unit);
    }
  }
  return std::nullopt;
}

std::string format_timestamp(std::uint64_t unix_nanos, bool full_precision) {
  const auto seconds = static_cast<std::int64_t>(unix_nanos / nanos_per_second);
  const auto fraction = unix_nanos % nanos_per_second;
  const CivilDate date = civil_from_days(seconds / 86400);
  const auto of_day = seconds % 86400;
  char text[48];
  const int hour = static_cast<int>(of_day / 3600);
  const int minute = static_cast<int>(of_day / 60 % 60);
  const int second = static_cast<int>(of_day % 60);
  if (full_precision) {
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02d:%02d:%02d.%09lluZ",
                  static_cast<long long>(date.year), date.month, date.day, hour, minute, second,
                  static_cast<unsigned long long>(fraction));
  } else {
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02d:%02d:%02d.%03lluZ",
                  static_cast<long long>(date.year), date.month, date.day, hour, minute, second,
                  static_cast<unsigned long long>(fraction / 1'000'000));
  }
  return text;
}

}  // namespace tracemesh::model
