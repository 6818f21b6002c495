// W3C Trace Context `tracestate` (Level 1 and 2, section 3.3): the key and
// value grammars, list limits, normalization, mutation and truncation.
//
// Keys: Level 1 defined simple keys (lcalpha then up to 255 of lcalpha, DIGIT,
// "_", "-", "*", "/") and multi-tenant keys tenant@system (tenant up to 241
// characters, system up to 14). Level 2 folds both into one rule of at most
// 256 characters, a letter or digit first, that may contain "@" anywhere
// after it; the current W3C conformance suite (test/test.py, after "Fix
// tracestate key grammar tests", 2026) checks that rule. The rows marked
// "suite" are the keys where the two levels disagree, as the suite sends them.
#include "tracemesh/trace_state.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh {
namespace {

using spec::CodeText;
using spec::RowName;

std::string Repeat(char c, std::size_t n) {
  return std::string(n, c);
}

// "k0=0,k1=1,...": `count` distinct valid members starting at `first`.
std::string Members(std::size_t count, std::size_t first = 0) {
  std::string out;
  for (std::size_t i = first; i < first + count; ++i) {
    if (!out.empty()) out += ',';
    out += "k" + std::to_string(i) + "=" + std::to_string(i);
  }
  return out;
}

// A member "key=xxx..." of exactly `size` characters.
std::string MemberOfSize(std::string_view key, std::size_t size) {
  return std::string(key) + "=" + Repeat('x', size - key.size() - 1);
}

std::string Join(const std::vector<std::string>& members) {
  std::string out;
  for (const auto& member : members) {
    if (!out.empty()) out += ',';
    out += member;
  }
  return out;
}

// Every value character the grammar allows: %x20-2B / %x2D-3C / %x3E-7E.
std::string AllValueCharacters() {
  std::string value;
  for (char c = 0x20; c <= 0x7E; ++c) {
    if (c != ',' && c != '=') value += c;
  }
  return value;
}

TraceState MustParse(std::string_view header) {
  Expected<TraceState> parsed = TraceState::parse(header);
  EXPECT_TRUE(parsed.has_value()) << "could not parse " << header;
  return parsed.has_value() ? *parsed : TraceState();
}

// --- keys --------------------------------------------------------------------

struct KeyRow {
  std::string_view name = "";
  std::string key{};
  bool valid = false;
  friend void PrintTo(const KeyRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateKeyTest : public testing::TestWithParam<KeyRow> {};

TEST_P(TraceStateKeyTest, KeyGrammar) {
  const KeyRow& row = GetParam();
  EXPECT_EQ(TraceState::is_valid_key(row.key), row.valid);
  const Expected<TraceState> parsed = TraceState::parse(row.key + "=1");
  ASSERT_EQ(parsed.has_value(), row.valid)
      << (parsed.has_value() ? std::string("accepted") : CodeText(parsed.error().code));
  if (row.valid) {
    EXPECT_EQ(parsed->get(row.key), std::optional<std::string_view>("1"));
    EXPECT_EQ(parsed->header(), row.key + "=1");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceStateKeyTest,
    testing::ValuesIn(std::vector<KeyRow>{
        {.name = "simple_key", .key = "foo", .valid = true},
        {.name = "single_letter", .key = "a", .valid = true},
        {.name = "all_simple_key_characters",
         .key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/",
         .valid = true},
        {.name = "key_of_256_characters", .key = Repeat('z', 256), .valid = true},
        {.name = "key_of_257_characters", .key = Repeat('z', 257), .valid = false},
        {.name = "multi_tenant_key", .key = "tenant@system", .valid = true},
        {.name = "multi_tenant_key_all_characters",
         .key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/",
         .valid = true},
        {.name = "tenant_may_start_with_digit", .key = "1tenant@system", .valid = true},
        {.name = "tenant_241_system_14",
         .key = Repeat('t', 241) + "@" + Repeat('s', 14),
         .valid = true},
        {.name = "tenant_242_system_14_is_257_characters",
         .key = Repeat('t', 242) + "@" + Repeat('s', 14),
         .valid = false},
        {.name = "tenant_241_system_15_is_257_characters",
         .key = Repeat('t', 241) + "@" + Repeat('s', 15),
         .valid = false},
        {.name = "empty_tenant", .key = "@foo", .valid = false},
        {.name = "suite_empty_system", .key = "foo@", .valid = true},
        {.name = "suite_two_at_signs_in_a_row", .key = "foo@@bar", .valid = true},
        {.name = "suite_two_systems", .key = "foo@bar@baz", .valid = true},
        {.name = "suite_tenant_of_242", .key = Repeat('t', 242) + "@v", .valid = true},
        {.name = "suite_system_of_15", .key = "t@" + Repeat('v', 15), .valid = true},
        {.name = "system_may_start_with_digit", .key = "tenant@1sys", .valid = true},
        {.name = "simple_key_may_start_with_digit", .key = "1foo", .valid = true},
        {.name = "empty_key", .key = "", .valid = false},
        {.name = "uppercase_key", .key = "FOO", .valid = false},
        {.name = "one_uppercase_letter", .key = "fOo", .valid = false},
        {.name = "uppercase_system", .key = "tenant@SYS", .valid = false},
        {.name = "dot_in_key", .key = "foo.bar", .valid = false},
        {.name = "space_in_key", .key = "foo bar", .valid = false},
        {.name = "starts_with_underscore", .key = "_foo", .valid = false},
        {.name = "starts_with_dash", .key = "-foo", .valid = false},
        {.name = "starts_with_star", .key = "*foo", .valid = false},
        {.name = "starts_with_slash", .key = "/foo", .valid = false},
        {.name = "colon_in_key", .key = "foo:bar", .valid = false},
        {.name = "non_ascii_key", .key = "f\xc3\xb6o", .valid = false},
    }),
    RowName<KeyRow>);

// --- values ------------------------------------------------------------------

struct ValueRow {
  std::string_view name = "";
  std::string value{};
  bool valid = false;
  friend void PrintTo(const ValueRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateValueTest : public testing::TestWithParam<ValueRow> {};

TEST_P(TraceStateValueTest, ValueGrammar) {
  const ValueRow& row = GetParam();
  EXPECT_EQ(TraceState::is_valid_value(row.value), row.valid);
  const Expected<TraceState> parsed = TraceState::parse("foo=" + row.value);
  ASSERT_EQ(parsed.has_value(), row.valid)
      << (parsed.has_value() ? std::string("accepted") : CodeText(parsed.error().code));
  if (row.valid) {
    EXPECT_EQ(parsed->get("foo"), std::optional<std::string_view>(row.value));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceStateValueTest,
    testing::ValuesIn(std::vector<ValueRow>{
        {.name = "simple_value", .value = "t61rcWkgMzE", .valid = true},
        {.name = "single_character", .value = "1", .valid = true},
        {.name = "every_allowed_character", .value = AllValueCharacters(), .valid = true},
        {.name = "inner_space", .value = "a b", .valid = true},
        // Leading spaces belong to the value; only trailing ones are optional whitespace.
        {.name = "leading_space_preserved", .value = " bar", .valid = true},
        {.name = "value_of_256_characters", .value = Repeat('v', 256), .valid = true},
        {.name = "value_of_257_characters", .value = Repeat('v', 257), .valid = false},
        {.name = "empty_value", .value = "", .valid = false},
        {.name = "equals_sign", .value = "bar=baz", .valid = false},
        {.name = "tab", .value = "a\tb", .valid = false},
        {.name = "newline", .value = "a\nb", .valid = false},
        {.name = "delete_character", .value = "a\x7f", .valid = false},
        {.name = "control_character", .value = "a\x01", .valid = false},
        {.name = "non_ascii", .value = "caf\xc3\xa9", .valid = false},
    }),
    RowName<ValueRow>);

TEST(TraceStateValueTest, TrailingSpaceIsNotPartOfAValue) {
  EXPECT_FALSE(TraceState::is_valid_value("bar "));
  EXPECT_FALSE(TraceState::is_valid_value(" "));
  EXPECT_FALSE(TraceState().set("foo", "bar ").has_value());
}

TEST(TraceStateValueTest, CommaIsNotAValueCharacter) {
  EXPECT_FALSE(TraceState::is_valid_value("a,b"));
}

// --- whole headers -----------------------------------------------------------

struct ParseRow {
  std::string_view name = "";
  std::string header{};
  bool ok = false;
  std::string normalized{};          // when ok
  std::size_t size = 0;              // when ok
  std::optional<ErrorCode> error{};  // when !ok and the API names the code
  friend void PrintTo(const ParseRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateParseTest : public testing::TestWithParam<ParseRow> {};

TEST_P(TraceStateParseTest, ParsesPerRow) {
  const ParseRow& row = GetParam();
  const Expected<TraceState> parsed = TraceState::parse(row.header);
  if (!row.ok) {
    ASSERT_FALSE(parsed.has_value()) << "accepted as: " << parsed->header();
    if (row.error) {
      EXPECT_EQ(parsed.error().code, *row.error) << "got " << CodeText(parsed.error().code);
    }
    return;
  }
  ASSERT_TRUE(parsed.has_value()) << "rejected with " << CodeText(parsed.error().code);
  EXPECT_EQ(parsed->header(), row.normalized);
  EXPECT_EQ(parsed->size(), row.size);
  EXPECT_EQ(parsed->empty(), row.size == 0);
  // The normalized form parses to the same state.
  const Expected<TraceState> again = TraceState::parse(parsed->header());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *parsed);
}

std::vector<ParseRow> ParseRows() {
  return {
      {.name = "empty_header", .header = "", .ok = true, .normalized = "", .size = 0},
      {.name = "whitespace_only", .header = " \t ", .ok = true, .normalized = "", .size = 0},
      {.name = "single_member",
       .header = "rojo=00f067aa0ba902b7",
       .ok = true,
       .normalized = "rojo=00f067aa0ba902b7",
       .size = 1},
      {.name = "two_members_keep_order",
       .header = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
       .ok = true,
       .normalized = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
       .size = 2},
      {.name = "ows_spaces_and_tabs_around_members",
       .header = "foo=1 \t , \t bar=2, \t baz=3",
       .ok = true,
       .normalized = "foo=1,bar=2,baz=3",
       .size = 3},
      {.name = "ows_tabs_only",
       .header = "foo=1\t \t,\t \tbar=2,\t \tbaz=3",
       .ok = true,
       .normalized = "foo=1,bar=2,baz=3",
       .size = 3},
      {.name = "leading_space", .header = " foo=1", .ok = true, .normalized = "foo=1", .size = 1},
      {.name = "leading_tab", .header = "\tfoo=1", .ok = true, .normalized = "foo=1", .size = 1},
      {.name = "trailing_space", .header = "foo=1 ", .ok = true, .normalized = "foo=1", .size = 1},
      {.name = "trailing_tab", .header = "foo=1\t", .ok = true, .normalized = "foo=1", .size = 1},
      {.name = "surrounding_ows",
       .header = "\t foo=1 \t",
       .ok = true,
       .normalized = "foo=1",
       .size = 1},
      {.name = "empty_member_between",
       .header = "foo=1,,bar=2",
       .ok = true,
       .normalized = "foo=1,bar=2",
       .size = 2},
      {.name = "empty_members_at_ends",
       .header = ",foo=1,",
       .ok = true,
       .normalized = "foo=1",
       .size = 1},
      {.name = "whitespace_only_members",
       .header = " , foo=1 , \t , bar=2 , ",
       .ok = true,
       .normalized = "foo=1,bar=2",
       .size = 2},
      {.name = "only_empty_members", .header = ",,,", .ok = true, .normalized = "", .size = 0},
      {.name = "leading_space_of_value_kept",
       .header = "foo= bar",
       .ok = true,
       .normalized = "foo= bar",
       .size = 1},
      {.name = "32_members",
       .header = Members(32),
       .ok = true,
       .normalized = Members(32),
       .size = 32},
      {.name = "33_members_too_many",
       .header = Members(33),
       .ok = false,
       .error = ErrorCode::too_many_members},
      {.name = "duplicate_key_same_value_keeps_one",
       .header = "foo=1,foo=1",
       .ok = true,
       .normalized = "foo=1",
       .size = 1},
      {.name = "duplicate_key_different_values_keeps_the_first",
       .header = "foo=1,bar=2,foo=2",
       .ok = true,
       .normalized = "foo=1,bar=2",
       .size = 2},
      {.name = "duplicate_multi_tenant_key_keeps_the_first",
       .header = "t@s=1,t@s=2",
       .ok = true,
       .normalized = "t@s=1",
       .size = 1},
      {.name = "duplicates_do_not_count_toward_32_members",
       .header = Members(32) + ",k0=again",
       .ok = true,
       .normalized = Members(32),
       .size = 32},
      {.name = "suite_vendor_key_with_empty_system_is_inherited",
       .header = "foo@=1,bar=2",
       .ok = true,
       .normalized = "foo@=1,bar=2",
       .size = 2},
      {.name = "key_starting_with_at_rejects_the_header",
       .header = "@foo=1,bar=2",
       .ok = false,
       .error = ErrorCode::bad_character},
      {.name = "same_tenant_different_system_is_not_duplicate",
       .header = "t@a=1,t@b=2",
       .ok = true,
       .normalized = "t@a=1,t@b=2",
       .size = 2},
      {.name = "uppercase_key", .header = "FOO=1", .ok = false, .error = ErrorCode::bad_character},
      {.name = "uppercase_key_among_valid", .header = "foo=1,BAR=2", .ok = false},
      {.name = "space_before_equals", .header = "foo =1", .ok = false},
      {.name = "member_without_equals", .header = "foo", .ok = false},
      {.name = "second_member_without_equals", .header = "foo=1,bar", .ok = false},
      {.name = "member_without_key", .header = "=1", .ok = false},
      {.name = "empty_value", .header = "foo=", .ok = false},
      {.name = "empty_value_then_member", .header = "foo=,bar=3", .ok = false},
      {.name = "equals_in_value", .header = "foo=bar=baz", .ok = false},
      {.name = "bad_member_invalidates_whole_header", .header = "foo=1,b.r=2,baz=3", .ok = false},
      {.name = "semicolon_is_not_a_separator",
       .header = "foo=1;bar:2",
       .ok = true,
       .normalized = "foo=1;bar:2",
       .size = 1},
      {.name = "header_over_input_limit",
       .header = "foo=1" + Repeat(' ', 17000),
       .ok = false,
       .error = ErrorCode::too_long},
  };
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceStateParseTest, testing::ValuesIn(ParseRows()),
                         RowName<ParseRow>);

TEST(TraceStateParseTest, DefaultStateIsEmpty) {
  const TraceState state;
  EXPECT_TRUE(state.empty());
  EXPECT_EQ(state.size(), 0u);
  EXPECT_EQ(state.header(), "");
  EXPECT_EQ(state.get("foo"), std::nullopt);
  EXPECT_EQ(state.truncated_header(), "");
}

// --- get ---------------------------------------------------------------------

struct GetRow {
  std::string_view name = "";
  std::string header{};
  std::string key{};
  std::optional<std::string> value{};
  friend void PrintTo(const GetRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateGetTest : public testing::TestWithParam<GetRow> {};

TEST_P(TraceStateGetTest, GetsPerRow) {
  const GetRow& row = GetParam();
  const TraceState state = MustParse(row.header);
  const std::optional<std::string_view> value = state.get(row.key);
  if (!row.value) {
    EXPECT_EQ(value, std::nullopt) << "found " << *value;
  } else {
    EXPECT_EQ(value, std::optional<std::string_view>(*row.value));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceStateGetTest,
    testing::ValuesIn(std::vector<GetRow>{
        {.name = "first_member", .header = "a=1,b=2", .key = "a", .value = "1"},
        {.name = "last_member", .header = "a=1,b=2", .key = "b", .value = "2"},
        {.name = "absent_key", .header = "a=1,b=2", .key = "c"},
        {.name = "key_that_is_a_suffix", .header = "ab=1,b=2", .key = "b", .value = "2"},
        {.name = "prefix_of_a_key", .header = "foo=1", .key = "fo"},
        {.name = "longer_than_a_key", .header = "foo=1", .key = "food"},
        {.name = "key_spelled_like_a_value", .header = "a=b,c=d", .key = "b"},
        {.name = "empty_key", .header = "a=1", .key = ""},
        {.name = "from_empty_state", .header = "", .key = "a"},
        {.name = "multi_tenant_key", .header = "t@s=1,t=2", .key = "t@s", .value = "1"},
        {.name = "tenant_alone", .header = "t@s=1", .key = "t"},
        {.name = "value_after_ows", .header = "a=1 , b=2 ", .key = "b", .value = "2"},
    }),
    RowName<GetRow>);

// --- set ---------------------------------------------------------------------

struct SetRow {
  std::string_view name = "";
  std::string header{};
  std::string key{};
  std::string value{};
  bool ok = false;
  std::string result{};  // when ok
  friend void PrintTo(const SetRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateSetTest : public testing::TestWithParam<SetRow> {};

TEST_P(TraceStateSetTest, SetsPerRow) {
  const SetRow& row = GetParam();
  const TraceState state = MustParse(row.header);
  const Expected<TraceState> updated = state.set(row.key, row.value);
  EXPECT_EQ(state.header(), MustParse(row.header).header()) << "set() modified its receiver";
  if (!row.ok) {
    EXPECT_FALSE(updated.has_value()) << "accepted as: " << updated->header();
    return;
  }
  ASSERT_TRUE(updated.has_value()) << "rejected with " << CodeText(updated.error().code);
  EXPECT_EQ(updated->header(), row.result);
  EXPECT_EQ(updated->get(row.key), std::optional<std::string_view>(row.value));
  EXPECT_LE(updated->size(), TraceState::max_members);
}

std::vector<SetRow> SetRows() {
  return {
      {.name = "set_on_empty", .header = "", .key = "a", .value = "1", .ok = true, .result = "a=1"},
      {.name = "new_key_goes_first",
       .header = "a=1,b=2",
       .key = "c",
       .value = "3",
       .ok = true,
       .result = "c=3,a=1,b=2"},
      {.name = "updated_key_moves_to_front",
       .header = "a=1,b=2,c=3",
       .key = "c",
       .value = "9",
       .ok = true,
       .result = "c=9,a=1,b=2"},
      {.name = "updated_middle_key_moves_to_front",
       .header = "a=1,b=2,c=3",
       .key = "b",
       .value = "9",
       .ok = true,
       .result = "b=9,a=1,c=3"},
      {.name = "update_of_first_key",
       .header = "a=1,b=2",
       .key = "a",
       .value = "9",
       .ok = true,
       .result = "a=9,b=2"},
      {.name = "multi_tenant_key",
       .header = "a=1",
       .key = "t@s",
       .value = "x",
       .ok = true,
       .result = "t@s=x,a=1"},
      {.name = "full_list_drops_last_member",
       .header = Members(32),
       .key = "new",
       .value = "v",
       .ok = true,
       .result = "new=v," + Members(31)},
      {.name = "full_list_update_drops_nothing",
       .header = Members(32),
       .key = "k31",
       .value = "x",
       .ok = true,
       .result = "k31=x," + Members(31)},
      {.name = "value_with_leading_space",
       .header = "",
       .key = "a",
       .value = " v",
       .ok = true,
       .result = "a= v"},
      {.name = "invalid_key_uppercase", .header = "a=1", .key = "Bad", .value = "1", .ok = false},
      {.name = "invalid_key_empty", .header = "a=1", .key = "", .value = "1", .ok = false},
      {.name = "invalid_key_too_long",
       .header = "",
       .key = Repeat('k', 257),
       .value = "1",
       .ok = false},
      {.name = "invalid_value_empty", .header = "a=1", .key = "b", .value = "", .ok = false},
      {.name = "invalid_value_comma", .header = "a=1", .key = "b", .value = "x,y", .ok = false},
      {.name = "invalid_value_equals", .header = "a=1", .key = "b", .value = "x=y", .ok = false},
      {.name = "invalid_value_trailing_space",
       .header = "a=1",
       .key = "b",
       .value = "x ",
       .ok = false},
      {.name = "invalid_value_too_long",
       .header = "",
       .key = "b",
       .value = Repeat('v', 257),
       .ok = false},
  };
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceStateSetTest, testing::ValuesIn(SetRows()), RowName<SetRow>);

// --- erase -------------------------------------------------------------------

struct EraseRow {
  std::string_view name = "";
  std::string header{};
  std::string key{};
  std::string result{};
  friend void PrintTo(const EraseRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateEraseTest : public testing::TestWithParam<EraseRow> {};

TEST_P(TraceStateEraseTest, ErasesPerRow) {
  const EraseRow& row = GetParam();
  const TraceState state = MustParse(row.header);
  const TraceState erased = state.erase(row.key);
  EXPECT_EQ(erased.header(), row.result);
  EXPECT_EQ(erased.empty(), row.result.empty());
  EXPECT_EQ(erased.get(row.key), std::nullopt);
  EXPECT_EQ(state.header(), MustParse(row.header).header()) << "erase() modified its receiver";
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceStateEraseTest,
    testing::ValuesIn(std::vector<EraseRow>{
        {.name = "first_member", .header = "a=1,b=2,c=3", .key = "a", .result = "b=2,c=3"},
        {.name = "middle_member", .header = "a=1,b=2,c=3", .key = "b", .result = "a=1,c=3"},
        {.name = "last_member", .header = "a=1,b=2,c=3", .key = "c", .result = "a=1,b=2"},
        {.name = "only_member_leaves_empty", .header = "a=1", .key = "a", .result = ""},
        {.name = "absent_key_unchanged", .header = "a=1,b=2", .key = "x", .result = "a=1,b=2"},
        {.name = "suffix_key_not_confused", .header = "ab=1,b=2", .key = "b", .result = "ab=1"},
        {.name = "prefix_key_not_erased", .header = "ab=1", .key = "a", .result = "ab=1"},
        {.name = "from_empty_state", .header = "", .key = "a", .result = ""},
    }),
    RowName<EraseRow>);

// --- truncation ----------------------------------------------------------------

struct TruncateRow {
  std::string_view name = "";
  std::string header{};
  std::size_t max_size = 0;
  std::string result{};
  friend void PrintTo(const TruncateRow& row, std::ostream* os) { *os << row.name; }
};

class TraceStateTruncateTest : public testing::TestWithParam<TruncateRow> {};

TEST_P(TraceStateTruncateTest, TruncatesWholeMembers) {
  const TruncateRow& row = GetParam();
  const TraceState state = MustParse(row.header);
  const std::string truncated = state.truncated_header(row.max_size);
  EXPECT_EQ(truncated, row.result);
  EXPECT_LE(truncated.size(), row.max_size);
}

std::vector<TruncateRow> TruncateRows() {
  const std::string a = MemberOfSize("a", 102);
  const std::string b = MemberOfSize("b", 102);
  const std::string c = MemberOfSize("c", 102);
  const std::string d = MemberOfSize("d", 102);
  const std::string e = MemberOfSize("e", 102);
  const std::string f = MemberOfSize("f", 102);
  const std::string big = MemberOfSize("big", 204);
  const std::string edge = MemberOfSize("edge", 128);  // not "larger than 128"
  const std::string p = MemberOfSize("p", 125);
  const std::string q = MemberOfSize("q", 125);
  const std::string r = MemberOfSize("r", 125);
  const std::string s = MemberOfSize("s", 125);
  const std::string exactly_512 = Join({p, q, r, s, "e=123456"});
  return {
      {.name = "fits_unchanged", .header = "a=1,b=2", .max_size = 512, .result = "a=1,b=2"},
      {.name = "empty_state", .header = "", .max_size = 512, .result = ""},
      {.name = "exactly_512_unchanged",
       .header = exactly_512,
       .max_size = 512,
       .result = exactly_512},
      {.name = "large_member_removed_before_end",
       .header = Join({a, big, c, d, e}),
       .max_size = 512,
       .result = Join({a, c, d, e})},
      {.name = "then_members_from_the_end",
       .header = Join({big, a, b, c, d, e}),
       .max_size = 512,
       .result = Join({a, b, c, d})},
      {.name = "from_the_end_without_large_members",
       .header = Join({a, b, c, d, e, f}),
       .max_size = 512,
       .result = Join({a, b, c, d})},
      {.name = "member_of_128_is_not_large",
       .header = Join({edge, a, b, c, d}),
       .max_size = 512,
       .result = Join({edge, a, b, c})},
      {.name = "small_limit_keeps_two",
       .header = "a=1,b=2,c=3",
       .max_size = 7,
       .result = "a=1,b=2"},
      {.name = "small_limit_keeps_one", .header = "a=1,b=2,c=3", .max_size = 6, .result = "a=1"},
      {.name = "limit_below_first_member", .header = "a=1,b=2", .max_size = 2, .result = ""},
  };
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceStateTruncateTest, testing::ValuesIn(TruncateRows()),
                         RowName<TruncateRow>);

TEST(TraceStateTruncateTest, DefaultLimitIs512) {
  EXPECT_EQ(TraceState::default_propagated_size, 512u);
  std::vector<std::string> members;
  for (char key = 'a'; key <= 'f'; ++key) members.push_back(MemberOfSize(std::string(1, key), 102));
  const TraceState state = MustParse(Join(members));
  EXPECT_EQ(state.truncated_header(), state.truncated_header(512));
  EXPECT_LE(state.truncated_header().size(), 512u);
}

TEST(TraceStateTest, EqualityComparesNormalizedHeaders) {
  EXPECT_EQ(MustParse("a=1 , b=2"), MustParse("a=1,b=2"));
  EXPECT_FALSE(MustParse("a=1,b=2") == MustParse("b=2,a=1"));
  EXPECT_EQ(MustParse(""), TraceState());
}

}  // namespace
}  // namespace tracemesh
