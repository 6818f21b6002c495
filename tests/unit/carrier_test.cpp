// Carrier adapters: header names compare ASCII case-insensitively, get_all()
// sees repeated headers, and writers replace a header whatever its case.
#include "tracemesh/carrier.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>

#include <type_traits>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tracemesh {
namespace {

using spec::Headers;
using spec::RowName;

using HeaderMap = std::map<std::string, std::string>;
using HeaderMultimap = std::multimap<std::string, std::string>;

// --- header_name_equals ---------------------------------------------------

struct NameRow {
  std::string_view name = "";
  std::string_view a = "";
  std::string_view b = "";
  bool equal = false;
  friend void PrintTo(const NameRow& row, std::ostream* os) { *os << row.name; }
};

class HeaderNameEqualsTest : public testing::TestWithParam<NameRow> {};

TEST_P(HeaderNameEqualsTest, ComparesIgnoringAsciiCase) {
  const NameRow& row = GetParam();
  EXPECT_EQ(header_name_equals(row.a, row.b), row.equal) << row.a << " vs " << row.b;
  EXPECT_EQ(header_name_equals(row.b, row.a), row.equal) << "not symmetric";
}

INSTANTIATE_TEST_SUITE_P(
    Rows, HeaderNameEqualsTest,
    testing::ValuesIn(std::vector<NameRow>{
        {.name = "same_spelling", .a = "traceparent", .b = "traceparent", .equal = true},
        {.name = "upper_vs_lower", .a = "TRACEPARENT", .b = "traceparent", .equal = true},
        {.name = "mixed_case", .a = "X-B3-TraceId", .b = "x-b3-traceid", .equal = true},
        {.name = "digits_and_dashes", .a = "X-B3-0", .b = "x-b3-0", .equal = true},
        {.name = "both_empty", .a = "", .b = "", .equal = true},
        {.name = "different_names", .a = "traceparent", .b = "tracestate", .equal = false},
        {.name = "prefix_is_not_equal", .a = "trace", .b = "traceparent", .equal = false},
        {.name = "empty_vs_name", .a = "", .b = "b3", .equal = false},
        {.name = "dash_vs_underscore", .a = "x-trace-id", .b = "x_trace_id", .equal = false},
        // Only letters fold: '[' (0x5B) and '{' (0x7B) differ by the case bit but are not letters.
        {.name = "bracket_vs_brace", .a = "a[", .b = "a{", .equal = false},
        {.name = "at_vs_backtick", .a = "@", .b = "`", .equal = false},
        {.name = "caret_vs_tilde", .a = "^", .b = "~", .equal = false},
    }),
    RowName<NameRow>);

// --- readers ---------------------------------------------------------------

TEST(MapReaderTest, GetFindsNameInAnyCase) {
  const HeaderMap map{{"TraceParent", "tp"}, {"b3", "single"}};
  const MapReader reader(map);
  EXPECT_EQ(reader.get("traceparent"), std::optional<std::string_view>("tp"));
  EXPECT_EQ(reader.get("TRACEPARENT"), std::optional<std::string_view>("tp"));
  EXPECT_EQ(reader.get("B3"), std::optional<std::string_view>("single"));
  EXPECT_EQ(reader.get("tracestate"), std::nullopt);
}

TEST(MapReaderTest, WorksOverUnorderedMap) {
  const std::unordered_map<std::string, std::string> map{{"X-Trace-ID", "abc"}};
  const MapReader reader(map);
  EXPECT_EQ(reader.get("x-trace-id"), std::optional<std::string_view>("abc"));
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("X-TRACE-ID", values), 1u);
  EXPECT_EQ(values[0], "abc");
}

TEST(MapReaderTest, GetAllCountsRepeatedHeadersOfAnyCase) {
  const HeaderMultimap map{
      {"tracestate", "a=1"}, {"TraceState", "b=2"}, {"TRACESTATE", "c=3"}, {"other", "x"}};
  const MapReader reader(map);
  std::array<std::string_view, 4> values{};
  ASSERT_EQ(reader.get_all("tracestate", values), 3u);
  // A multimap orders by exact key bytes; every value must be found, whatever the order.
  std::vector<std::string_view> found(values.begin(), values.begin() + 3);
  EXPECT_NE(std::find(found.begin(), found.end(), "a=1"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "b=2"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "c=3"), found.end());
}

TEST(MapReaderTest, GetAllReportsCountBeyondBufferSize) {
  const HeaderMultimap map{{"baggage", "a=1"}, {"baggage", "b=2"}, {"baggage", "c=3"}};
  const MapReader reader(map);
  std::array<std::string_view, 1> values{};
  EXPECT_EQ(reader.get_all("Baggage", values), 3u);
  EXPECT_EQ(values[0], "a=1");
  EXPECT_EQ(reader.get_all("baggage", std::span<std::string_view>()), 3u);
}

TEST(MapReaderTest, GetAllOfAbsentNameIsZero) {
  const HeaderMap map{{"a", "1"}};
  const MapReader reader(map);
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("b", values), 0u);
}

TEST(SequenceReaderTest, GetReturnsFirstOfRepeatedHeaders) {
  const Headers headers{{"X-Other", "0"}, {"Traceparent", "first"}, {"traceparent", "second"}};
  const SequenceReader reader(headers);
  EXPECT_EQ(reader.get("TRACEPARENT"), std::optional<std::string_view>("first"));
  EXPECT_EQ(reader.get("missing"), std::nullopt);
}

TEST(SequenceReaderTest, GetAllKeepsHeaderOrder) {
  const Headers headers{
      {"tracestate", "a=1"}, {"x", "y"}, {"TRACESTATE", "b=2"}, {"TraceState", "c=3"}};
  const SequenceReader reader(headers);
  std::array<std::string_view, 4> values{};
  ASSERT_EQ(reader.get_all("tracestate", values), 3u);
  EXPECT_EQ(values[0], "a=1");
  EXPECT_EQ(values[1], "b=2");
  EXPECT_EQ(values[2], "c=3");
}

TEST(SequenceReaderTest, GetAllReportsCountBeyondBufferSize) {
  const Headers headers{{"b", "1"}, {"B", "2"}, {"b", "3"}};
  const SequenceReader reader(headers);
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("b", values), 3u);
  EXPECT_EQ(values[0], "1");
  EXPECT_EQ(values[1], "2");
}

// A reader that only implements get(): the base get_all() must report what get() sees.
class SingleValueReader final : public CarrierReader {
 public:
  explicit SingleValueReader(std::optional<std::string> value) : value_(std::move(value)) {}
  std::optional<std::string_view> get(std::string_view name) const override {
    if (!value_ || !header_name_equals(name, "x-only")) return std::nullopt;
    return std::string_view(*value_);
  }

 private:
  std::optional<std::string> value_;
};

TEST(CarrierReaderTest, DefaultGetAllReportsTheValueGetFinds) {
  const SingleValueReader reader(std::string("v"));
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("X-Only", values), 1u);
  EXPECT_EQ(values[0], "v");
}

TEST(CarrierReaderTest, DefaultGetAllReportsZeroWhenAbsent) {
  const SingleValueReader reader(std::nullopt);
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("x-only", values), 0u);
}

TEST(CarrierReaderTest, DefaultGetAllCountsEvenWithoutBuffer) {
  const SingleValueReader reader(std::string("v"));
  EXPECT_EQ(reader.get_all("x-only", std::span<std::string_view>()), 1u);
}

// --- writers ---------------------------------------------------------------

TEST(MapWriterTest, SetInsertsNewHeader) {
  HeaderMap map;
  MapWriter writer(map);
  writer.set("traceparent", "v1");
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map.at("traceparent"), "v1");
}

TEST(MapWriterTest, SetReplacesHeaderOfAnyCase) {
  HeaderMap map{{"TraceParent", "old"}, {"TRACEPARENT", "older"}, {"keep", "k"}};
  MapWriter writer(map);
  writer.set("traceparent", "new");
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.at("traceparent"), "new");
  EXPECT_EQ(map.at("keep"), "k");
}

TEST(MapWriterTest, SetReplacesEveryRepeatedHeaderInMultimap) {
  HeaderMultimap map{{"baggage", "a=1"}, {"Baggage", "b=2"}, {"other", "o"}};
  MapWriter writer(map);
  writer.set("baggage", "c=3");
  EXPECT_EQ(map.count("baggage"), 1u);
  EXPECT_EQ(map.count("Baggage"), 0u);
  EXPECT_EQ(map.find("baggage")->second, "c=3");
  EXPECT_EQ(map.size(), 2u);
}

TEST(SequenceWriterTest, SetAppendsWhenAbsent) {
  Headers headers{{"a", "1"}};
  SequenceWriter writer(headers);
  writer.set("b3", "x");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>("b3", "x")));
}

TEST(SequenceWriterTest, SetReplacesFirstInPlaceAndDropsOthers) {
  Headers headers{{"a", "1"}, {"TraceParent", "old"}, {"b", "2"}, {"traceparent", "dup"}};
  SequenceWriter writer(headers);
  writer.set("traceparent", "new");
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].first, "a");
  EXPECT_TRUE(header_name_equals(headers[1].first, "traceparent"));
  EXPECT_EQ(headers[1].second, "new");
  EXPECT_EQ(headers[2].first, "b");
}

TEST(SequenceWriterTest, WrittenHeaderIsReadBack) {
  Headers headers;
  SequenceWriter writer(headers);
  writer.set("X-Trace-ID", "abc");
  writer.set("x-trace-id", "def");
  const SequenceReader reader(headers);
  EXPECT_EQ(reader.get("X-TRACE-ID"), std::optional<std::string_view>("def"));
  std::array<std::string_view, 2> values{};
  EXPECT_EQ(reader.get_all("x-trace-id", values), 1u);
}

// Readers refer to the headers they read, so building one from a temporary
// (which would dangle) does not compile.
TEST(Carrier, ReadersCannotBeBuiltFromTemporaries) {
  using Map = std::map<std::string, std::string>;
  static_assert(std::is_constructible_v<MapReader<Map>, const Map&>);
  static_assert(!std::is_constructible_v<MapReader<Map>, Map&&>);
  static_assert(!std::is_constructible_v<SequenceReader<Headers>, Headers&&>);
  SUCCEED();
}

}  // namespace
}  // namespace tracemesh
