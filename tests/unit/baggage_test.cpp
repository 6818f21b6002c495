// W3C Baggage: the header grammar (token keys, OWS around '=' and ',',
// properties), percent-decoding and -encoding of values, the 64-member and
// 8192-byte limits, strict and lenient parsing, mutation, and the
// BaggagePropagator.
#include "tracemesh/baggage.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/baggage_propagator.h"
#include "tracemesh/carrier.h"
#include "tracemesh/context.h"

namespace tracemesh {

// Print baggage entries readably in failure messages (found by argument-dependent lookup).
void PrintTo(const Baggage::Entry& entry, std::ostream* os) {
  *os << "{" << testing::PrintToString(entry.key) << ", " << testing::PrintToString(entry.value)
      << ", " << testing::PrintToString(entry.metadata) << "}";
}

namespace {

using spec::CodeText;
using spec::Headers;
using spec::RowName;

using Entry = Baggage::Entry;

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string EntriesText(const std::vector<Entry>& entries) {
  std::string out;
  for (const Entry& entry : entries) {
    out += "[" + entry.key + "|" + entry.value + "|" + entry.metadata + "]";
  }
  return out;
}

// "k0=v,k1=v,...": `count` members, each exactly `member_size` bytes.
std::string Members(std::size_t count, std::size_t member_size = 0) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (!out.empty()) out += ',';
    std::string member = "k" + std::to_string(i) + "=";
    const std::size_t value_size = member_size > member.size() ? member_size - member.size() : 1;
    out += member + std::string(value_size, 'v');
  }
  return out;
}

// Whether every character of an encoded value is a baggage-octet or a percent escape.
bool IsEncodedValue(std::string_view value) {
  for (char c : value) {
    const auto octet = static_cast<unsigned char>(c);
    const bool allowed = octet == 0x21 || (octet >= 0x23 && octet <= 0x2B) ||
                         (octet >= 0x2D && octet <= 0x3A) || (octet >= 0x3C && octet <= 0x5B) ||
                         (octet >= 0x5D && octet <= 0x7E);
    if (!allowed) return false;
  }
  return true;
}

// --- valid headers -------------------------------------------------------------

struct ParseRow {
  std::string_view name = "";
  std::string header{};
  std::vector<Entry> entries{};
  friend void PrintTo(const ParseRow& row, std::ostream* os) { *os << row.name; }
};

class BaggageParseTest : public testing::TestWithParam<ParseRow> {};

TEST_P(BaggageParseTest, ParsesStrictly) {
  const ParseRow& row = GetParam();
  const Expected<Baggage> parsed = Baggage::parse(row.header);
  ASSERT_TRUE(parsed.has_value()) << "rejected with " << CodeText(parsed.error().code);
  EXPECT_EQ(parsed->entries(), row.entries)
      << "got " << EntriesText(parsed->entries()) << "\nwant " << EntriesText(row.entries);
  EXPECT_EQ(parsed->size(), row.entries.size());
  for (const Entry& entry : row.entries) {
    EXPECT_EQ(parsed->get(entry.key), std::optional<std::string_view>(entry.value));
  }
}

TEST_P(BaggageParseTest, ParsesLenientlyWithNothingDropped) {
  const ParseRow& row = GetParam();
  const Baggage::Parsed parsed = Baggage::parse_lenient(row.header);
  EXPECT_EQ(parsed.dropped, 0u);
  EXPECT_EQ(parsed.baggage.entries(), row.entries);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BaggageParseTest,
    testing::ValuesIn(std::vector<ParseRow>{
        {.name = "single_member", .header = "key1=value1", .entries = {{"key1", "value1", ""}}},
        {.name = "spec_single_header_example",
         .header = "userId=alice,serverNode=DF%2028,isProduction=false",
         .entries = {{"userId", "alice", ""},
                     {"serverNode", "DF 28", ""},
                     {"isProduction", "false", ""}}},
        {.name = "ows_around_equals",
         .header = "userId =   alice",
         .entries = {{"userId", "alice", ""}}},
        {.name = "ows_around_equals_and_comma",
         .header = "serverNode = DF%2028, isProduction = false",
         .entries = {{"serverNode", "DF 28", ""}, {"isProduction", "false", ""}}},
        {.name = "tabs_as_ows",
         .header = "a\t=\t1\t,\tb=2",
         .entries = {{"a", "1", ""}, {"b", "2", ""}}},
        {.name = "ows_around_header",
         .header = "  a=1 , b=2  ",
         .entries = {{"a", "1", ""}, {"b", "2", ""}}},
        {.name = "spec_properties_example",
         .header = "key1=value1;property1;property2, key2 = value2, key3=value3; "
                   "propertyKey=propertyValue",
         .entries = {{"key1", "value1", "property1;property2"},
                     {"key2", "value2", ""},
                     {"key3", "value3", "propertyKey=propertyValue"}}},
        {.name = "property_ows_trimmed",
         .header = "k=v ; p1=x ; p2 ",
         .entries = {{"k", "v", "p1=x;p2"}}},
        {.name = "value_may_contain_equals", .header = "k=a=b", .entries = {{"k", "a=b", ""}}},
        {.name = "empty_value", .header = "k=", .entries = {{"k", "", ""}}},
        {.name = "every_token_character_in_key",
         .header = "!#$%&'*+-.^_`|~09azAZ=1",
         .entries = {{"!#$%&'*+-.^_`|~09azAZ", "1", ""}}},
        {.name = "uppercase_key", .header = "UserId=1", .entries = {{"UserId", "1", ""}}},
        {.name = "every_baggage_octet_but_percent",
         .header = "k=!#$&'()*+-./:<=>?@[]^_`{|}~09AZaz",
         .entries = {{"k", "!#$&'()*+-./:<=>?@[]^_`{|}~09AZaz", ""}}},
        {.name = "percent_encoded_space", .header = "k=%20", .entries = {{"k", " ", ""}}},
        {.name = "percent_encoded_comma", .header = "k=a%2Cb", .entries = {{"k", "a,b", ""}}},
        {.name = "percent_hex_is_case_insensitive",
         .header = "k=a%2cb",
         .entries = {{"k", "a,b", ""}}},
        {.name = "percent_encoded_percent", .header = "k=100%25", .entries = {{"k", "100%", ""}}},
        {.name = "percent_encoded_semicolon_is_not_a_property",
         .header = "k=a%3Bb",
         .entries = {{"k", "a;b", ""}}},
        {.name = "utf8_two_bytes", .header = "k=caf%C3%A9", .entries = {{"k", "caf\xC3\xA9", ""}}},
        {.name = "utf8_three_bytes",
         .header = "k=%E2%82%AC",
         .entries = {{"k", "\xE2\x82\xAC", ""}}},
        {.name = "utf8_four_bytes",
         .header = "k=%F0%9F%98%80",
         .entries = {{"k", "\xF0\x9F\x98\x80", ""}}},
        // "percent-encoded octet sequences that do not match the UTF-8 encoding scheme
        // MUST be replaced with the replacement code point (U+FFFD)".
        {.name = "invalid_utf8_byte_replaced",
         .header = "k=a%FFb",
         .entries = {{"k",
                      "a\xEF\xBF\xBD"
                      "b",
                      ""}}},
        {.name = "truncated_utf8_sequence_replaced",
         .header = "k=%C3",
         .entries = {{"k", "\xEF\xBF\xBD", ""}}},
    }),
    RowName<ParseRow>);

// --- malformed members -----------------------------------------------------------

struct MalformedRow {
  std::string_view name = "";
  std::string member{};
  friend void PrintTo(const MalformedRow& row, std::ostream* os) { *os << row.name; }
};

class BaggageMalformedTest : public testing::TestWithParam<MalformedRow> {};

TEST_P(BaggageMalformedTest, StrictParseFails) {
  const MalformedRow& row = GetParam();
  const Expected<Baggage> alone = Baggage::parse(row.member);
  EXPECT_FALSE(alone.has_value()) << "accepted: " << EntriesText(alone->entries());
  const Expected<Baggage> among = Baggage::parse("good=1," + row.member + ",other=2");
  EXPECT_FALSE(among.has_value()) << "accepted: " << EntriesText(among->entries());
}

TEST_P(BaggageMalformedTest, LenientParseKeepsTheValidMembers) {
  const MalformedRow& row = GetParam();
  const Baggage::Parsed parsed = Baggage::parse_lenient("good=1," + row.member + ",other=2");
  EXPECT_EQ(parsed.dropped, 1u);
  EXPECT_EQ(parsed.baggage.entries(), (std::vector<Entry>{{"good", "1", ""}, {"other", "2", ""}}))
      << "got " << EntriesText(parsed.baggage.entries());
}

INSTANTIATE_TEST_SUITE_P(Rows, BaggageMalformedTest,
                         testing::ValuesIn(std::vector<MalformedRow>{
                             {.name = "no_equals", .member = "novalue"},
                             {.name = "empty_key", .member = "=v"},
                             {.name = "space_in_key", .member = "my key=v"},
                             {.name = "parenthesis_in_key", .member = "k(=v"},
                             {.name = "at_sign_in_key", .member = "k@=v"},
                             {.name = "slash_in_key", .member = "k/=v"},
                             {.name = "colon_in_key", .member = "k:=v"},
                             {.name = "brace_in_key", .member = "k{=v"},
                             {.name = "quoted_key", .member = "\"k\"=v"},
                             {.name = "non_ascii_key", .member = "k\xC3\xA9=v"},
                             {.name = "space_in_value", .member = "k=a b"},
                             {.name = "tab_in_value", .member = "k=a\tb"},
                             {.name = "quote_in_value", .member = "k=\"v\""},
                             {.name = "backslash_in_value", .member = "k=a\\b"},
                             {.name = "control_character_in_value", .member = "k=a\x01"},
                             {.name = "delete_character_in_value", .member = "k=a\x7F"},
                             {.name = "raw_non_ascii_in_value", .member = "k=caf\xC3\xA9"},
                             {.name = "property_without_key", .member = "k=v;=x"},
                             {.name = "property_key_not_a_token", .member = "k=v;p@=1"},
                             {.name = "space_in_property_value", .member = "k=v;p=a b"},
                             {.name = "empty_property", .member = "k=v;"},
                         }),
                         RowName<MalformedRow>);

TEST(BaggageMalformedTest, CommaInValueSplitsTheMember) {
  // "k=a,b": the comma ends the member, and "b" has no '='.
  EXPECT_FALSE(Baggage::parse("k=a,b").has_value());
  const Baggage::Parsed parsed = Baggage::parse_lenient("k=a,b");
  EXPECT_EQ(parsed.dropped, 1u);
  EXPECT_EQ(parsed.baggage.entries(), (std::vector<Entry>{{"k", "a", ""}}));
}

TEST(BaggageMalformedTest, LenientParseOfOnlyMalformedMembersIsEmpty) {
  const Baggage::Parsed parsed = Baggage::parse_lenient("a b=1,=2,c");
  EXPECT_TRUE(parsed.baggage.empty());
  EXPECT_EQ(parsed.dropped, 3u);
}

// --- limits ------------------------------------------------------------------------

TEST(BaggageLimitsTest, SixtyFourMembersAreAccepted) {
  const Expected<Baggage> parsed = Baggage::parse(Members(64));
  ASSERT_TRUE(parsed.has_value()) << CodeText(parsed.error().code);
  EXPECT_EQ(parsed->size(), 64u);
}

TEST(BaggageLimitsTest, SixtyFifthMemberFailsStrictParse) {
  const Expected<Baggage> parsed = Baggage::parse(Members(65));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, ErrorCode::too_many_members)
      << "got " << CodeText(parsed.error().code);
}

TEST(BaggageLimitsTest, SixtyFifthMemberIsDroppedByLenientParse) {
  const Baggage::Parsed parsed = Baggage::parse_lenient(Members(65));
  EXPECT_EQ(parsed.baggage.size(), 64u);
  EXPECT_EQ(parsed.dropped, 1u);
  EXPECT_TRUE(parsed.baggage.get("k63").has_value());
  EXPECT_FALSE(parsed.baggage.get("k64").has_value());
}

TEST(BaggageLimitsTest, HeaderOf8192BytesIsAccepted) {
  // Eight members of 1023 bytes and seven commas: 8191 bytes; one more byte makes 8192.
  const std::string header = Members(8, 1023) + "v";
  ASSERT_EQ(header.size(), 8192u);
  const Expected<Baggage> parsed = Baggage::parse(header);
  ASSERT_TRUE(parsed.has_value()) << CodeText(parsed.error().code);
  EXPECT_EQ(parsed->size(), 8u);
}

TEST(BaggageLimitsTest, HeaderOver8192BytesFailsStrictParse) {
  const std::string header = Members(9, 1023);
  ASSERT_GT(header.size(), 8192u);
  const Expected<Baggage> parsed = Baggage::parse(header);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, ErrorCode::too_long) << "got " << CodeText(parsed.error().code);
}

TEST(BaggageLimitsTest, MembersBeyond8192BytesAreDroppedByLenientParse) {
  const Baggage::Parsed parsed = Baggage::parse_lenient(Members(9, 1023));
  EXPECT_EQ(parsed.baggage.size(), 8u);
  EXPECT_EQ(parsed.dropped, 1u);
  EXPECT_FALSE(parsed.baggage.get("k8").has_value());
  EXPECT_LE(parsed.baggage.to_header().size(), Baggage::max_header_size);
}

TEST(BaggageLimitsTest, LimitConstantsMatchTheSpec) {
  EXPECT_EQ(Baggage::max_members, 64u);
  EXPECT_EQ(Baggage::max_header_size, 8192u);
}

// --- get / set / erase ---------------------------------------------------------------

TEST(BaggageMutationTest, SetThenGet) {
  const Expected<Baggage> baggage = Baggage().set("userId", "alice");
  ASSERT_TRUE(baggage.has_value());
  EXPECT_EQ(baggage->get("userId"), std::optional<std::string_view>("alice"));
  EXPECT_EQ(baggage->get("userid"), std::nullopt) << "keys are case-sensitive";
  EXPECT_EQ(baggage->get("user"), std::nullopt);
  EXPECT_EQ(baggage->size(), 1u);
  EXPECT_FALSE(baggage->empty());
}

TEST(BaggageMutationTest, SetReplacesPreviousValue) {
  const Expected<Baggage> first = Baggage().set("k", "1");
  ASSERT_TRUE(first.has_value());
  const Expected<Baggage> second = first->set("k", "2");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->size(), 1u);
  EXPECT_EQ(second->get("k"), std::optional<std::string_view>("2"));
  EXPECT_EQ(first->get("k"), std::optional<std::string_view>("1")) << "set() changed its receiver";
}

TEST(BaggageMutationTest, SetKeepsMetadata) {
  const Expected<Baggage> baggage = Baggage().set("k", "v", "p1=x;p2");
  ASSERT_TRUE(baggage.has_value());
  ASSERT_EQ(baggage->entries().size(), 1u);
  EXPECT_EQ(baggage->entries()[0], (Entry{"k", "v", "p1=x;p2"}));
}

TEST(BaggageMutationTest, SetAcceptsAnyValueBecauseValuesAreEncoded) {
  const std::string value = "a b,c;d\"e\\f%g caf\xC3\xA9";
  const Expected<Baggage> baggage = Baggage().set("k", value);
  ASSERT_TRUE(baggage.has_value());
  EXPECT_EQ(baggage->get("k"), std::optional<std::string_view>(value));
}

struct BadKeyRow {
  std::string_view name = "";
  std::string key{};
  friend void PrintTo(const BadKeyRow& row, std::ostream* os) { *os << row.name; }
};

class BaggageSetBadKeyTest : public testing::TestWithParam<BadKeyRow> {};

TEST_P(BaggageSetBadKeyTest, SetRejectsKeyThatIsNotAToken) {
  const Expected<Baggage> baggage = Baggage().set(GetParam().key, "v");
  EXPECT_FALSE(baggage.has_value());
}

INSTANTIATE_TEST_SUITE_P(Rows, BaggageSetBadKeyTest,
                         testing::ValuesIn(std::vector<BadKeyRow>{
                             {.name = "empty", .key = ""},
                             {.name = "space", .key = "a b"},
                             {.name = "comma", .key = "a,b"},
                             {.name = "equals", .key = "a=b"},
                             {.name = "semicolon", .key = "a;b"},
                             {.name = "quote", .key = "a\"b"},
                             {.name = "non_ascii", .key = "caf\xC3\xA9"},
                             {.name = "control", .key = "a\x01"},
                         }),
                         RowName<BadKeyRow>);

TEST(BaggageMutationTest, SetFailsBeyondSixtyFourMembers) {
  const Expected<Baggage> full = Baggage::parse(Members(64));
  ASSERT_TRUE(full.has_value());
  const Expected<Baggage> over = full->set("extra", "v");
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::too_many_members) << CodeText(over.error().code);
  // Replacing an existing member of a full baggage is fine.
  EXPECT_TRUE(full->set("k0", "w").has_value());
}

TEST(BaggageMutationTest, EncodedHeaderNeverExceedsLimit) {
  // 3000 spaces encode to 9000 bytes: either set() refuses or to_header() stays in bounds.
  const Expected<Baggage> baggage = Baggage().set("k", std::string(3000, ' '));
  if (baggage.has_value()) {
    EXPECT_LE(baggage->to_header().size(), Baggage::max_header_size);
  }
}

TEST(BaggageMutationTest, Erase) {
  const Expected<Baggage> baggage = Baggage::parse("a=1,b=2,c=3");
  ASSERT_TRUE(baggage.has_value());
  const Baggage erased = baggage->erase("b");
  EXPECT_EQ(erased.entries(), (std::vector<Entry>{{"a", "1", ""}, {"c", "3", ""}}));
  EXPECT_EQ(baggage->size(), 3u) << "erase() changed its receiver";
  EXPECT_EQ(baggage->erase("x"), *baggage);
  EXPECT_TRUE(Baggage::parse("a=1")->erase("a").empty());
  EXPECT_TRUE(Baggage().erase("a").empty());
}

TEST(BaggageMutationTest, DefaultIsEmpty) {
  const Baggage baggage;
  EXPECT_TRUE(baggage.empty());
  EXPECT_EQ(baggage.size(), 0u);
  EXPECT_TRUE(baggage.entries().empty());
  EXPECT_EQ(baggage.to_header(), "");
  EXPECT_EQ(baggage.get("a"), std::nullopt);
}

// --- encoding -------------------------------------------------------------------------

struct EncodeRow {
  std::string_view name = "";
  std::vector<Entry> entries{};  // set in order on an empty baggage
  std::string header{};          // expected, percent escapes compared case-insensitively
  friend void PrintTo(const EncodeRow& row, std::ostream* os) { *os << row.name; }
};

class BaggageEncodeTest : public testing::TestWithParam<EncodeRow> {};

Baggage Build(const std::vector<Entry>& entries) {
  Baggage baggage;
  for (const Entry& entry : entries) {
    Expected<Baggage> next = baggage.set(entry.key, entry.value, entry.metadata);
    EXPECT_TRUE(next.has_value()) << "could not set " << entry.key;
    if (next.has_value()) baggage = *next;
  }
  return baggage;
}

TEST_P(BaggageEncodeTest, EncodesWhatMustBeEncoded) {
  const EncodeRow& row = GetParam();
  const std::string header = Build(row.entries).to_header();
  EXPECT_EQ(Lowercase(header), Lowercase(row.header)) << header;
}

TEST_P(BaggageEncodeTest, RoundTripsThroughParse) {
  const EncodeRow& row = GetParam();
  const Baggage baggage = Build(row.entries);
  const std::string header = baggage.to_header();
  const Expected<Baggage> parsed = Baggage::parse(header);
  ASSERT_TRUE(parsed.has_value()) << header << ": " << CodeText(parsed.error().code);
  EXPECT_EQ(*parsed, baggage) << "got " << EntriesText(parsed->entries());
  for (const Entry& entry : baggage.entries()) {
    const std::string member_prefix = entry.key + "=";
    const std::size_t at = header.find(member_prefix);
    ASSERT_NE(at, std::string::npos);
    const std::size_t end = header.find_first_of(",;", at);
    const std::string encoded = header.substr(
        at + member_prefix.size(),
        end == std::string::npos ? std::string::npos : end - at - member_prefix.size());
    EXPECT_TRUE(IsEncodedValue(encoded)) << "unencoded character in " << encoded;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BaggageEncodeTest,
    testing::ValuesIn(std::vector<EncodeRow>{
        {.name = "plain_value", .entries = {{"k", "v", ""}}, .header = "k=v"},
        {.name = "empty_value", .entries = {{"k", "", ""}}, .header = "k="},
        {.name = "space", .entries = {{"serverNode", "DF 28", ""}}, .header = "serverNode=DF%2028"},
        {.name = "percent_sign", .entries = {{"k", "100%", ""}}, .header = "k=100%25"},
        {.name = "comma", .entries = {{"k", "a,b", ""}}, .header = "k=a%2Cb"},
        {.name = "semicolon", .entries = {{"k", "a;b", ""}}, .header = "k=a%3Bb"},
        {.name = "double_quote", .entries = {{"k", "\"q\"", ""}}, .header = "k=%22q%22"},
        {.name = "backslash", .entries = {{"k", "a\\b", ""}}, .header = "k=a%5Cb"},
        {.name = "control_character", .entries = {{"k", "a\x01", ""}}, .header = "k=a%01"},
        {.name = "tab", .entries = {{"k", "a\tb", ""}}, .header = "k=a%09b"},
        {.name = "utf8", .entries = {{"k", "caf\xC3\xA9", ""}}, .header = "k=caf%C3%A9"},
        {.name = "utf8_emoji",
         .entries = {{"k", "\xF0\x9F\x98\x80", ""}},
         .header = "k=%F0%9F%98%80"},
        {.name = "metadata", .entries = {{"k", "v", "p1=x;p2"}}, .header = "k=v;p1=x;p2"},
        {.name = "two_members", .entries = {{"a", "1", ""}, {"b", "2", ""}}, .header = "a=1,b=2"},
    }),
    RowName<EncodeRow>);

TEST(BaggageEncodeTest, EveryAsciiValueRoundTrips) {
  std::string value;
  for (char c = 0x01; c < 0x7F; ++c) value += c;
  value += "\xC3\xA9\xE2\x82\xAC";
  const Expected<Baggage> baggage = Baggage().set("k", value);
  ASSERT_TRUE(baggage.has_value());
  const Expected<Baggage> parsed = Baggage::parse(baggage->to_header());
  ASSERT_TRUE(parsed.has_value()) << baggage->to_header();
  EXPECT_EQ(parsed->get("k"), std::optional<std::string_view>(value));
}

TEST(BaggageEncodeTest, ParsedHeaderRoundTrips) {
  const std::string header =
      "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue";
  const Expected<Baggage> parsed = Baggage::parse(header);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->to_header(), header);
}

// --- BaggagePropagator ------------------------------------------------------------------

struct ExtractRow {
  std::string_view name = "";
  Headers headers{};
  bool ok = false;
  std::vector<Entry> entries{};      // when ok
  std::optional<ErrorCode> error{};  // when !ok and the API names the code
  friend void PrintTo(const ExtractRow& row, std::ostream* os) { *os << row.name; }
};

class BaggagePropagatorExtractTest : public testing::TestWithParam<ExtractRow> {};

TEST_P(BaggagePropagatorExtractTest, ExtractsPerRow) {
  const ExtractRow& row = GetParam();
  const Expected<Context> extracted =
      BaggagePropagator().extract(SequenceReader(row.headers), Context());
  if (!row.ok) {
    ASSERT_FALSE(extracted.has_value()) << EntriesText(extracted->baggage().entries());
    if (row.error) {
      EXPECT_EQ(extracted.error().code, *row.error) << "got " << CodeText(extracted.error().code);
    }
    return;
  }
  ASSERT_TRUE(extracted.has_value()) << "rejected with " << CodeText(extracted.error().code);
  EXPECT_EQ(extracted->baggage().entries(), row.entries)
      << "got " << EntriesText(extracted->baggage().entries());
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BaggagePropagatorExtractTest,
    testing::ValuesIn(std::vector<ExtractRow>{
        {.name = "no_header", .headers = {}, .ok = false, .error = ErrorCode::missing_header},
        {.name = "other_headers_only",
         .headers = {{"baggages", "a=1"}},
         .ok = false,
         .error = ErrorCode::missing_header},
        {.name = "single_header",
         .headers = {{"baggage", "userId=alice,serverNode=DF%2028,isProduction=false"}},
         .ok = true,
         .entries = {{"userId", "alice", ""},
                     {"serverNode", "DF 28", ""},
                     {"isProduction", "false", ""}}},
        {.name = "header_name_any_case",
         .headers = {{"Baggage", "a=1"}},
         .ok = true,
         .entries = {{"a", "1", ""}}},
        {.name = "several_headers_read_as_one_list",
         .headers = {{"baggage", "userId=alice"},
                     {"BAGGAGE", "serverNode=DF%2028,isProduction=false"}},
         .ok = true,
         .entries = {{"userId", "alice", ""},
                     {"serverNode", "DF 28", ""},
                     {"isProduction", "false", ""}}},
        {.name = "spec_ows_example_over_two_headers",
         .headers = {{"baggage", "userId =   alice"},
                     {"baggage", "serverNode = DF%2028, isProduction = false"}},
         .ok = true,
         .entries = {{"userId", "alice", ""},
                     {"serverNode", "DF 28", ""},
                     {"isProduction", "false", ""}}},
        {.name = "malformed_member_skipped",
         .headers = {{"baggage", "a=1,bad member,b=2"}},
         .ok = true,
         .entries = {{"a", "1", ""}, {"b", "2", ""}}},
        {.name = "malformed_header_among_good_ones",
         .headers = {{"baggage", "a=1"}, {"baggage", "no-equals"}, {"baggage", "b=2"}},
         .ok = true,
         .entries = {{"a", "1", ""}, {"b", "2", ""}}},
        {.name = "nothing_usable", .headers = {{"baggage", "no-equals,=v"}}, .ok = false},
    }),
    RowName<ExtractRow>);

TEST(BaggagePropagatorExtractTest, SixtyFiveMembersOverTwoHeadersKeepsSixtyFour) {
  const Headers headers{{"baggage", Members(60)}, {"baggage", "x0=1,x1=1,x2=1,x3=1,x4=1"}};
  const Expected<Context> extracted =
      BaggagePropagator().extract(SequenceReader(headers), Context());
  ASSERT_TRUE(extracted.has_value());
  EXPECT_EQ(extracted->baggage().size(), 64u);
  EXPECT_TRUE(extracted->baggage().get("x3").has_value());
  EXPECT_FALSE(extracted->baggage().get("x4").has_value());
}

TEST(BaggagePropagatorExtractTest, KeepsSpanContextOfTheInputContext) {
  SpanContext span_context;
  span_context.trace_id = TraceId::from_halves(1, 2);
  span_context.span_id = SpanId::from_uint64(3);
  const Context input(span_context);
  const Headers headers{{"baggage", "a=1"}};
  const Expected<Context> extracted = BaggagePropagator().extract(SequenceReader(headers), input);
  ASSERT_TRUE(extracted.has_value());
  EXPECT_EQ(extracted->span_context(), span_context);
  EXPECT_EQ(extracted->baggage().get("a"), std::optional<std::string_view>("1"));
}

TEST(BaggagePropagatorInjectTest, WritesEncodedHeader) {
  const Expected<Baggage> baggage = Baggage::parse("userId=alice,serverNode=DF%2028;p");
  ASSERT_TRUE(baggage.has_value());
  Headers headers;
  SequenceWriter writer(headers);
  BaggagePropagator().inject(Context().with_baggage(*baggage), writer);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].first, "baggage");
  EXPECT_EQ(headers[0].second, "userId=alice,serverNode=DF%2028;p");
}

TEST(BaggagePropagatorInjectTest, EmptyBaggageWritesNothing) {
  Headers headers;
  SequenceWriter writer(headers);
  BaggagePropagator().inject(Context(), writer);
  EXPECT_TRUE(headers.empty());
}

TEST(BaggagePropagatorInjectTest, RoundTripsThroughExtract) {
  const Expected<Baggage> baggage = Baggage().set("note", "a b,c;d", "ttl=3");
  ASSERT_TRUE(baggage.has_value());
  Headers headers;
  SequenceWriter writer(headers);
  BaggagePropagator().inject(Context().with_baggage(*baggage), writer);
  const Expected<Context> extracted =
      BaggagePropagator().extract(SequenceReader(headers), Context());
  ASSERT_TRUE(extracted.has_value());
  EXPECT_EQ(extracted->baggage(), *baggage);
}

TEST(BaggagePropagatorTest, NameAndRole) {
  const BaggagePropagator propagator;
  EXPECT_EQ(propagator.name(), "baggage");
  EXPECT_FALSE(propagator.carries_span_context());
}

TEST(BaggageLimits, InputBeyondTheReadLimitIsCutAtAMemberBoundary) {
  std::string header;
  while (header.size() <= Baggage::max_input_size) header += "k=" + std::string(100, 'v') + ",";
  EXPECT_EQ(Baggage::parse(header).error().code, ErrorCode::too_long);
  const auto lenient = Baggage::parse_lenient(header);
  EXPECT_EQ(lenient.baggage.get("k"), std::optional<std::string_view>(std::string(100, 'v')));
  EXPECT_GE(lenient.dropped, 1U);
}

}  // namespace
}  // namespace tracemesh
