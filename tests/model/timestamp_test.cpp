// Wall-clock instants as logs write them: one named row per accepted form
// and per refused one.
#include "model/timestamp.h"

#include <gtest/gtest.h>

namespace {

using tracemesh::model::epoch_number_nanos;
using tracemesh::model::format_timestamp;
using tracemesh::model::parse_timestamp;

// 2026-12-07T19:10:00Z
constexpr std::uint64_t base = 1'796'670'600ULL * 1'000'000'000ULL;

TEST(ParseTimestamp, ReadsRfc3339AndTheFormsLoggersWrite) {
  struct Row {
    const char* name;
    const char* text;
    std::uint64_t nanos;
  };
  const Row rows[] = {
      {"utc", "2026-12-07T19:10:00Z", base},
      {"lowercase", "2026-12-07t19:10:00z", base},
      {"millis", "2026-12-07T19:10:00.123Z", base + 123'000'000},
      {"nanos", "2026-12-07T19:10:00.123456789Z", base + 123'456'789},
      {"more_than_nine_digits", "2026-12-07T19:10:00.1234567891Z", base + 123'456'789},
      {"space_and_comma", "2026-12-07 19:10:00,250", base + 250'000'000},
      {"no_zone_is_utc", "2026-12-07T19:10:00", base},
      {"offset_east", "2026-12-07T20:10:00+01:00", base},
      {"offset_west", "2026-12-07T14:10:00-05:00", base},
      {"offset_without_colon", "2026-12-07T20:40:00+0130", base},
      {"offset_hours_only", "2026-12-07T20:10:00+01", base},
      {"epoch", "1970-01-01T00:00:00Z", 0},
      {"leap_day", "2024-02-29T00:00:00Z", 1'709'164'800ULL * 1'000'000'000ULL},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto parsed = parse_timestamp(row.text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, row.nanos);
  }
}

TEST(ParseTimestamp, RefusesWhatIsNotADateTime) {
  const char* rows[] = {
      "",
      "yesterday",
      "2026-12-07",                // no time
      "2026-13-07T19:10:00Z",      // month 13
      "2026-02-30T19:10:00Z",      // no such day
      "2025-02-29T00:00:00Z",      // not a leap year
      "2026-12-07T24:00:00Z",      // hour 24
      "2026-12-07T19:10:00Zjunk",  // trailing text
      "2026-12-07T19:10:00.Z",     // a separator without fraction digits
      "2026-12-07T19:10:00,",
      "2026-12-07T19:10:00+25:00",  // offset out of range
      "1969-12-31T23:59:59Z",       // before the epoch
      "1970-01-01T00:30:00+01:00",  // before the epoch by its offset
      "2300-01-01T00:00:00Z",       // past the supported range
      "26-12-07T19:10:00Z",
  };
  for (const char* text : rows) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_timestamp(text).has_value());
  }
}

TEST(EpochNumber, ToldApartByMagnitude) {
  EXPECT_EQ(epoch_number_nanos(std::uint64_t{1'796'670'600}), base);
  EXPECT_EQ(epoch_number_nanos(std::uint64_t{1'796'670'600'123}), base + 123'000'000);
  EXPECT_EQ(epoch_number_nanos(std::uint64_t{1'796'670'600'123'456}), base + 123'456'000);
  EXPECT_EQ(epoch_number_nanos(std::uint64_t{1'796'670'600'123'456'789}), base + 123'456'789);
  const auto seconds = epoch_number_nanos(1'796'670'600.25);
  ASSERT_TRUE(seconds.has_value());
  EXPECT_NEAR(static_cast<double>(*seconds - base), 250'000'000.0, 1000.0);
  EXPECT_EQ(epoch_number_nanos(1'796'670'600.123), base + 123'000'000);  // to the microsecond
  // Values that are no time in any unit: refused rather than read as 1970 or wrapped.
  for (const std::uint64_t value :
       {std::uint64_t{0}, std::uint64_t{12}, std::uint64_t{20'000'000'000},
        std::uint64_t{500'000'000'000}, std::uint64_t{18'446'744'073'709'551'615U}}) {
    SCOPED_TRACE(value);
    EXPECT_FALSE(epoch_number_nanos(value).has_value());
  }
  EXPECT_FALSE(epoch_number_nanos(-1.0).has_value());
  EXPECT_FALSE(epoch_number_nanos(1e300).has_value());
  EXPECT_FALSE(epoch_number_nanos(12.5).has_value());
}

TEST(FormatTimestamp, WritesRfc3339InUtcAndReadsBack) {
  EXPECT_EQ(format_timestamp(base + 123'456'789), "2026-12-07T19:10:00.123Z");
  EXPECT_EQ(format_timestamp(base + 123'456'789, true), "2026-12-07T19:10:00.123456789Z");
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000Z");
  for (const std::uint64_t nanos : {base, base + 1, std::uint64_t{951'782'400'000'000'001}}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(nanos, true)), nanos);
  }
}

}  // namespace
