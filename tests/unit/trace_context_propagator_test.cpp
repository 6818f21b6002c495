// W3C Trace Context (Level 1 and 2): `traceparent` parsing, the
// TraceContextPropagator's extraction rules (duplicate headers, OWS,
// tracestate handling) and what inject() writes. Row names follow the cases
// of the W3C test suite (w3c/trace-context test/test.py) where one exists.
#include "tracemesh/trace_context_propagator.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/baggage.h"
#include "tracemesh/carrier.h"
#include "tracemesh/context.h"

namespace tracemesh {
namespace {

using spec::CodesText;
using spec::CodeText;
using spec::Headers;
using spec::HeaderValue;
using spec::RowName;

bool Contains(const std::vector<ErrorCode>& codes, ErrorCode code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";
constexpr std::string_view kOtherTrace = "12345678901234567890123456789012";
constexpr std::string_view kOtherSpan = "1234567890123456";
constexpr std::string_view kZeroTrace = "00000000000000000000000000000000";
constexpr std::string_view kZeroSpan = "0000000000000000";

std::string Tp(std::string_view version, std::string_view trace, std::string_view span,
               std::string_view flags) {
  return std::string(version) + "-" + std::string(trace) + "-" + std::string(span) + "-" +
         std::string(flags);
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Return `text` with the character at `index` replaced by `c`.
std::string WithChar(std::string_view text, std::size_t index, char c) {
  std::string out(text);
  out[index] = c;
  return out;
}

SpanContext MakeSpanContext(std::string_view trace_hex, std::string_view span_hex,
                            std::uint8_t flags, std::string_view trace_state = {}) {
  SpanContext context;
  if (!trace_hex.empty()) context.trace_id = TraceId::from_hex(trace_hex).value();
  if (!span_hex.empty()) context.span_id = SpanId::from_hex(span_hex).value();
  context.flags = TraceFlags(flags);
  if (!trace_state.empty()) context.trace_state = TraceState::parse(trace_state).value();
  return context;
}

std::size_t HeaderCount(const Headers& headers, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(),
                    [name](const auto& header) { return header_name_equals(header.first, name); }));
}

// --- traceparent values --------------------------------------------------------

struct TraceparentRow {
  std::string_view name = "";
  std::string value{};
  bool ok = false;
  std::string trace_id{};           // when ok
  std::string span_id{};            // when ok
  bool sampled = false;             // when ok
  bool random = false;              // when ok
  std::vector<ErrorCode> errors{};  // acceptable codes when !ok
  bool extract_only = false;        // a row about surrounding whitespace
  friend void PrintTo(const TraceparentRow& row, std::ostream* os) { *os << row.name; }
};

TraceparentRow Valid(std::string_view name, std::string value, bool sampled, bool random = false,
                     bool extract_only = false) {
  return {.name = name,
          .value = std::move(value),
          .ok = true,
          .trace_id = std::string(kTrace),
          .span_id = std::string(kSpan),
          .sampled = sampled,
          .random = random,
          .extract_only = extract_only};
}

TraceparentRow Invalid(std::string_view name, std::string value, std::vector<ErrorCode> errors,
                       bool extract_only = false) {
  return {.name = name,
          .value = std::move(value),
          .errors = std::move(errors),
          .extract_only = extract_only};
}

std::vector<TraceparentRow> TraceparentRows() {
  using E = ErrorCode;
  const std::string valid = Tp("00", kTrace, kSpan, "01");
  return {
      // Version 00: exactly 55 characters.
      Valid("version_00_sampled", Tp("00", kTrace, kSpan, "01"), true),
      Valid("version_00_not_sampled", Tp("00", kTrace, kSpan, "00"), false),
      Valid("flags_random_bit", Tp("00", kTrace, kSpan, "02"), false, true),
      Valid("flags_sampled_and_random", Tp("00", kTrace, kSpan, "03"), true, true),
      // Flags are a bit field: unknown bits must be masked, not compared.
      Valid("flags_unknown_bit_with_sampled", Tp("00", kTrace, kSpan, "09"), true),
      Valid("flags_unknown_bit_without_sampled", Tp("00", kTrace, kSpan, "08"), false),
      Valid("flags_all_set", Tp("00", kTrace, kSpan, "ff"), true, true),
      Invalid("version_00_trailing_dot", valid + ".", {E::bad_length}),
      Invalid("version_00_with_future_fields", valid + "-what-the-future-will-be-like",
              {E::bad_length}),
      Invalid("version_00_trailing_dash", valid + "-", {E::bad_length}),
      // Version ff is forbidden.
      Invalid("version_ff", Tp("ff", kTrace, kSpan, "01"), {E::bad_version}),
      // Future versions: parse the first four fields, allow more after a '-'.
      Valid("version_cc_55_characters", Tp("cc", kTrace, kSpan, "01"), true),
      Valid("version_cc_with_future_fields",
            Tp("cc", kTrace, kSpan, "01") + "-what-the-future-will-be-like", true),
      Valid("version_01_with_future_field", Tp("01", kTrace, kSpan, "00") + "-abc", false),
      Valid("version_fe", Tp("fe", kTrace, kSpan, "01"), true),
      Invalid("version_cc_future_fields_without_dash",
              Tp("cc", kTrace, kSpan, "01") + ".what-the-future-will-be-like",
              {E::bad_delimiter, E::bad_length}),
      Invalid("version_cc_shorter_than_55", Tp("cc", kTrace, kSpan, "1"), {E::bad_length}),
      Invalid("version_cc_trace_id_too_long", Tp("cc", std::string(kTrace) + "0", kSpan, "01"),
              {E::bad_delimiter, E::bad_length}),
      Invalid("version_cc_uppercase_trace_id", Tp("cc", Upper(kTrace), kSpan, "01"),
              {E::bad_character}),
      Invalid("version_cc_zero_trace_id", Tp("cc", kZeroTrace, kSpan, "01"), {E::zero_trace_id}),
      Invalid("version_cc_zero_parent_id", Tp("cc", kTrace, kZeroSpan, "01"), {E::zero_span_id}),
      Invalid("version_cc_flags_not_hex", Tp("cc", kTrace, kSpan, "0x") + "-future",
              {E::bad_flags, E::bad_character}),
      // The version field itself.
      Invalid("version_uppercase", Tp("CC", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_character}),
      Invalid("version_ff_uppercase", Tp("FF", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_character}),
      Invalid("version_illegal_first_character", Tp(".0", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_character}),
      Invalid("version_illegal_second_character", Tp("0.", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_character}),
      Invalid("version_not_hex", Tp("0g", kTrace, kSpan, "01"), {E::bad_version, E::bad_character}),
      Invalid("version_too_long_3", Tp("000", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_length, E::bad_delimiter}),
      Invalid("version_too_long_4", Tp("0000", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_length, E::bad_delimiter}),
      Invalid("version_too_short", Tp("0", kTrace, kSpan, "01"),
              {E::bad_version, E::bad_length, E::bad_delimiter}),
      // trace-id.
      Invalid("trace_id_all_zero", Tp("00", kZeroTrace, kSpan, "01"), {E::zero_trace_id}),
      Invalid("trace_id_illegal_first_character", Tp("00", WithChar(kTrace, 0, '.'), kSpan, "01"),
              {E::bad_character}),
      Invalid("trace_id_illegal_last_character", Tp("00", WithChar(kTrace, 31, '.'), kSpan, "01"),
              {E::bad_character}),
      Invalid("trace_id_non_hex_letter", Tp("00", WithChar(kTrace, 5, 'g'), kSpan, "01"),
              {E::bad_character}),
      Invalid("trace_id_space_inside", Tp("00", WithChar(kTrace, 16, ' '), kSpan, "01"),
              {E::bad_character}),
      Invalid("trace_id_uppercase", Tp("00", Upper(kTrace), kSpan, "01"), {E::bad_character}),
      Invalid("trace_id_one_uppercase_digit", Tp("00", WithChar(kTrace, 1, 'B'), kSpan, "01"),
              {E::bad_character}),
      Invalid("trace_id_too_long", Tp("00", std::string(kTrace) + "1", kSpan, "01"),
              {E::bad_length, E::bad_delimiter}),
      Invalid("trace_id_too_short", Tp("00", kTrace.substr(1), kSpan, "01"),
              {E::bad_length, E::bad_delimiter}),
      // parent-id.
      Invalid("parent_id_all_zero", Tp("00", kTrace, kZeroSpan, "01"), {E::zero_span_id}),
      Invalid("parent_id_illegal_first_character", Tp("00", kTrace, WithChar(kSpan, 0, '.'), "01"),
              {E::bad_character}),
      Invalid("parent_id_illegal_last_character", Tp("00", kTrace, WithChar(kSpan, 15, '.'), "01"),
              {E::bad_character}),
      Invalid("parent_id_uppercase", Tp("00", kTrace, Upper(kSpan), "01"), {E::bad_character}),
      Invalid("parent_id_too_long", Tp("00", kTrace, std::string(kSpan) + "7", "01"),
              {E::bad_length, E::bad_delimiter}),
      Invalid("parent_id_too_short", Tp("00", kTrace, kSpan.substr(1), "01"),
              {E::bad_length, E::bad_delimiter}),
      // trace-flags.
      Invalid("flags_illegal_first_character", Tp("00", kTrace, kSpan, ".0"),
              {E::bad_flags, E::bad_character}),
      Invalid("flags_illegal_second_character", Tp("00", kTrace, kSpan, "0."),
              {E::bad_flags, E::bad_character}),
      Invalid("flags_uppercase", Tp("00", kTrace, kSpan, "0A"), {E::bad_flags, E::bad_character}),
      Invalid("flags_too_long", Tp("00", kTrace, kSpan, "001"),
              {E::bad_length, E::bad_delimiter, E::bad_flags}),
      Invalid("flags_too_short", Tp("00", kTrace, kSpan, "1"),
              {E::bad_length, E::bad_delimiter, E::bad_flags}),
      // Delimiters.
      Invalid("delimiter_after_version_not_dash", WithChar(valid, 2, '_'), {E::bad_delimiter}),
      Invalid("delimiter_after_trace_id_not_dash", WithChar(valid, 35, '_'), {E::bad_delimiter}),
      Invalid("delimiter_after_parent_id_not_dash", WithChar(valid, 52, '_'), {E::bad_delimiter}),
      Invalid("delimiter_missing", "00" + std::string(kTrace) + "-" + std::string(kSpan) + "-01",
              {E::bad_length, E::bad_delimiter}),
      Invalid("delimiter_doubled", "00--" + std::string(kTrace) + "-" + std::string(kSpan) + "-01",
              {E::bad_length, E::bad_delimiter}),
      Invalid("delimiter_shifted_into_trace_id",
              "00-" + std::string(kTrace.substr(0, 31)) + "-" + std::string(kTrace.substr(31)) +
                  std::string(kSpan) + "-01",
              {E::bad_delimiter, E::bad_character}),
      Invalid("empty_value", "", {E::bad_length}),
      // Optional whitespace (SP / HTAB) around the header value, as the propagator reads it.
      Valid("ows_leading_space", " " + valid, true, false, true),
      Valid("ows_leading_tab", "\t" + valid, true, false, true),
      Valid("ows_trailing_space", valid + " ", true, false, true),
      Valid("ows_trailing_tab", valid + "\t", true, false, true),
      Valid("ows_both_sides", "\t " + valid + " \t", true, false, true),
      Invalid("ows_only", " \t ", {E::bad_length}, true),
      Invalid("newline_is_not_ows", "\n" + valid, {E::bad_length, E::bad_version, E::bad_character},
              true),
  };
}

void ExpectSpanContextMatches(const SpanContext& context, const TraceparentRow& row) {
  EXPECT_EQ(context.trace_id.to_hex(), row.trace_id);
  EXPECT_EQ(context.span_id.to_hex(), row.span_id);
  EXPECT_EQ(context.flags.sampled(), row.sampled);
  EXPECT_EQ(context.flags.random(), row.random);
  EXPECT_TRUE(context.is_remote);
  EXPECT_TRUE(context.is_valid());
  EXPECT_TRUE(context.trace_state.empty());
  EXPECT_EQ(context.legacy_trace_id, nullptr);
}

class TraceparentTest : public testing::TestWithParam<TraceparentRow> {};

TEST_P(TraceparentTest, ParseTraceparent) {
  const TraceparentRow& row = GetParam();
  const Expected<SpanContext> parsed = parse_traceparent(row.value);
  if (!row.ok) {
    ASSERT_FALSE(parsed.has_value()) << "accepted: " << row.value;
    EXPECT_TRUE(Contains(row.errors, parsed.error().code))
        << "got " << CodeText(parsed.error().code) << ", want " << CodesText(row.errors);
    return;
  }
  ASSERT_TRUE(parsed.has_value()) << "rejected with " << CodeText(parsed.error().code);
  ExpectSpanContextMatches(*parsed, row);
}

TEST_P(TraceparentTest, ExtractFromCarrier) {
  const TraceparentRow& row = GetParam();
  const Headers headers{{"traceparent", row.value}};
  const Expected<Context> extracted =
      TraceContextPropagator().extract(SequenceReader(headers), Context());
  if (!row.ok) {
    ASSERT_FALSE(extracted.has_value()) << "accepted: " << row.value;
    EXPECT_TRUE(Contains(row.errors, extracted.error().code))
        << "got " << CodeText(extracted.error().code) << ", want " << CodesText(row.errors);
    EXPECT_TRUE(extracted.error().message.empty()) << "propagation errors carry no message";
    return;
  }
  ASSERT_TRUE(extracted.has_value()) << "rejected with " << CodeText(extracted.error().code);
  ExpectSpanContextMatches(extracted->span_context(), row);
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceparentTest, testing::ValuesIn(TraceparentRows()),
                         RowName<TraceparentRow>);

// --- extraction from whole carriers ------------------------------------------------

struct ExtractRow {
  std::string_view name = "";
  Headers headers{};
  bool ok = false;
  std::string trace_id{};           // when ok
  std::string tracestate{};         // when ok: the normalized tracestate extracted ("" = none)
  std::vector<ErrorCode> errors{};  // acceptable codes when !ok
  friend void PrintTo(const ExtractRow& row, std::ostream* os) { *os << row.name; }
};

ExtractRow Extracted(std::string_view name, Headers headers, std::string tracestate = {},
                     std::string_view trace_id = kTrace) {
  return {.name = name,
          .headers = std::move(headers),
          .ok = true,
          .trace_id = std::string(trace_id),
          .tracestate = std::move(tracestate)};
}

ExtractRow Rejected(std::string_view name, Headers headers, std::vector<ErrorCode> errors) {
  return {.name = name, .headers = std::move(headers), .errors = std::move(errors)};
}

std::string TracestateMembers(int first, int count) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    if (!out.empty()) out += ',';
    out += "bar" + std::to_string(i) + "=" + std::to_string(i);
  }
  return out;
}

std::vector<ExtractRow> ExtractRows() {
  using E = ErrorCode;
  const std::string tp = Tp("00", kTrace, kSpan, "01");
  const std::string other_tp = Tp("00", kOtherTrace, kOtherSpan, "01");
  return {
      Rejected("no_headers", {}, {E::missing_header}),
      Rejected("only_tracestate", {{"tracestate", "foo=1"}}, {E::missing_header}),
      Rejected("header_name_with_dash", {{"trace-parent", tp}}, {E::missing_header}),
      Rejected("header_name_with_dot", {{"trace.parent", tp}}, {E::missing_header}),
      Extracted("header_name_mixed_case", {{"TraceParent", tp}}),
      Extracted("header_name_alternating_case", {{"TrAcEpArEnT", tp}}),
      Extracted("header_name_uppercase", {{"TRACEPARENT", tp}}),
      Rejected("two_traceparent_headers_different",
               {{"traceparent", tp}, {"traceparent", other_tp}}, {E::duplicate_header}),
      Rejected("two_traceparent_headers_identical", {{"traceparent", tp}, {"traceparent", tp}},
               {E::duplicate_header}),
      Rejected("two_traceparent_headers_different_case", {{"traceparent", tp}, {"TRACEPARENT", tp}},
               {E::duplicate_header}),
      Rejected("two_traceparent_headers_one_invalid",
               {{"traceparent", tp}, {"traceparent", "garbage"}}, {E::duplicate_header}),
      // tracestate is not parsed when traceparent is invalid: the error is traceparent's.
      Rejected("invalid_traceparent_ignores_tracestate",
               {{"traceparent", Tp("ff", kTrace, kSpan, "01")}, {"tracestate", "foo=1"}},
               {E::bad_version}),
      Rejected("invalid_traceparent_and_invalid_tracestate",
               {{"traceparent", Tp("00", kZeroTrace, kSpan, "01")}, {"tracestate", "FOO=1"}},
               {E::zero_trace_id}),
      Extracted("traceparent_without_tracestate", {{"traceparent", tp}}),
      Extracted("traceparent_with_tracestate", {{"traceparent", tp}, {"tracestate", "foo=1,bar=2"}},
                "foo=1,bar=2"),
      Extracted("tracestate_header_name_mixed_case", {{"traceparent", tp}, {"TrAcEsTaTe", "foo=1"}},
                "foo=1"),
      Extracted("tracestate_header_name_with_dash", {{"traceparent", tp}, {"trace-state", "foo=1"}},
                ""),
      // A malformed tracestate is dropped; traceparent survives.
      Extracted("invalid_tracestate_uppercase_key", {{"traceparent", tp}, {"tracestate", "FOO=1"}},
                ""),
      Extracted("invalid_tracestate_bad_value",
                {{"traceparent", tp}, {"tracestate", "foo=bar=baz"}}, ""),
      Extracted("invalid_tracestate_one_bad_member",
                {{"traceparent", tp}, {"tracestate", "foo=1,b.r=2"}}, ""),
      // A duplicated key keeps its first member: the state is still inherited (W3C suite).
      Extracted("tracestate_duplicated_keys", {{"traceparent", tp}, {"tracestate", "foo=1,foo=2"}},
                "foo=1"),
      Extracted("tracestate_duplicated_keys_across_headers",
                {{"traceparent", tp}, {"tracestate", "foo=1"}, {"tracestate", "foo=1"}}, "foo=1"),
      // Several tracestate headers are combined in order (RFC 7230 3.2.2).
      Extracted("multiple_tracestate_headers_combined",
                {{"traceparent", tp},
                 {"tracestate", "foo=1,bar=2"},
                 {"tracestate", "rojo=1,congo=2"},
                 {"tracestate", "baz=3"}},
                "foo=1,bar=2,rojo=1,congo=2,baz=3"),
      Extracted("tracestate_headers_of_different_case_combined",
                {{"traceparent", tp}, {"tracestate", "a=1"}, {"TraceState", "b=2"}}, "a=1,b=2"),
      Extracted("empty_tracestate_header", {{"traceparent", tp}, {"tracestate", ""}}, ""),
      Extracted("empty_tracestate_then_member",
                {{"traceparent", tp}, {"tracestate", ""}, {"tracestate", "foo=1"}}, "foo=1"),
      Extracted("member_then_empty_tracestate",
                {{"traceparent", tp}, {"tracestate", "foo=1"}, {"tracestate", ""}}, "foo=1"),
      Extracted("tracestate_ows_normalized",
                {{"traceparent", tp}, {"tracestate", "foo=1 \t , \t bar=2, \t baz=3"}},
                "foo=1,bar=2,baz=3"),
      Extracted("tracestate_32_members_over_headers",
                {{"traceparent", tp},
                 {"tracestate", TracestateMembers(1, 10)},
                 {"tracestate", TracestateMembers(11, 10)},
                 {"tracestate", TracestateMembers(21, 10)},
                 {"tracestate", TracestateMembers(31, 2)}},
                TracestateMembers(1, 32)),
      Extracted("tracestate_33_members_over_headers_dropped",
                {{"traceparent", tp},
                 {"tracestate", TracestateMembers(1, 10)},
                 {"tracestate", TracestateMembers(11, 10)},
                 {"tracestate", TracestateMembers(21, 10)},
                 {"tracestate", TracestateMembers(31, 3)}},
                ""),
      Extracted("traceparent_with_ows_and_tracestate",
                {{"traceparent", " " + tp + "\t"}, {"tracestate", "congo=t61rcWkgMzE"}},
                "congo=t61rcWkgMzE"),
      Extracted(
          "future_version_with_tracestate",
          {{"traceparent", Tp("cc", kTrace, kSpan, "01") + "-future"}, {"tracestate", "rojo=1"}},
          "rojo=1"),
  };
}

class TraceContextExtractTest : public testing::TestWithParam<ExtractRow> {};

TEST_P(TraceContextExtractTest, ExtractsPerRow) {
  const ExtractRow& row = GetParam();
  const Expected<Context> extracted =
      TraceContextPropagator().extract(SequenceReader(row.headers), Context());
  if (!row.ok) {
    ASSERT_FALSE(extracted.has_value())
        << "accepted trace " << extracted->span_context().trace_id.to_hex();
    EXPECT_TRUE(Contains(row.errors, extracted.error().code))
        << "got " << CodeText(extracted.error().code) << ", want " << CodesText(row.errors);
    return;
  }
  ASSERT_TRUE(extracted.has_value()) << "rejected with " << CodeText(extracted.error().code);
  const SpanContext& context = extracted->span_context();
  EXPECT_EQ(context.trace_id.to_hex(), row.trace_id);
  EXPECT_TRUE(context.is_valid());
  EXPECT_TRUE(context.is_remote);
  EXPECT_EQ(context.trace_state.header(), row.tracestate);
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceContextExtractTest, testing::ValuesIn(ExtractRows()),
                         RowName<ExtractRow>);

TEST(TraceContextExtractTest, MultimapCarrierWithTwoTraceparentsIsRejected) {
  const std::multimap<std::string, std::string> headers{
      {"traceparent", Tp("00", kTrace, kSpan, "01")},
      {"traceparent", Tp("00", kOtherTrace, kOtherSpan, "01")}};
  const Expected<Context> extracted =
      TraceContextPropagator().extract(MapReader(headers), Context());
  ASSERT_FALSE(extracted.has_value());
  EXPECT_EQ(extracted.error().code, ErrorCode::duplicate_header)
      << "got " << CodeText(extracted.error().code);
}

TEST(TraceContextExtractTest, MultimapCarrierCombinesTracestateHeaders) {
  // std::multimap keeps equal keys in insertion order.
  const std::multimap<std::string, std::string> headers{
      {"traceparent", Tp("00", kTrace, kSpan, "01")},
      {"tracestate", "rojo=00f067aa0ba902b7"},
      {"tracestate", "congo=t61rcWkgMzE"}};
  const Expected<Context> extracted =
      TraceContextPropagator().extract(MapReader(headers), Context());
  ASSERT_TRUE(extracted.has_value()) << CodeText(extracted.error().code);
  EXPECT_EQ(extracted->span_context().trace_state.header(),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(TraceContextExtractTest, KeepsBaggageOfTheInputContext) {
  const Expected<Baggage> baggage = Baggage().set("user", "alice");
  ASSERT_TRUE(baggage.has_value());
  const Context input = Context().with_baggage(*baggage);
  const Headers headers{{"traceparent", Tp("00", kTrace, kSpan, "01")}};
  const Expected<Context> extracted =
      TraceContextPropagator().extract(SequenceReader(headers), input);
  ASSERT_TRUE(extracted.has_value());
  EXPECT_EQ(extracted->baggage(), *baggage);
  EXPECT_EQ(extracted->span_context().trace_id.to_hex(), kTrace);
}

TEST(TraceContextExtractTest, NameIsTracecontext) {
  const TraceContextPropagator propagator;
  EXPECT_EQ(propagator.name(), "tracecontext");
  EXPECT_TRUE(propagator.carries_span_context());
}

// --- injection ---------------------------------------------------------------------

struct InjectRow {
  std::string_view name = "";
  std::string trace_id{};  // "" = zero
  std::string span_id{};   // "" = zero
  std::uint8_t flags = 0;
  std::string tracestate{};
  bool writes = false;
  std::string traceparent{};                   // when writes
  std::optional<std::string> written_state{};  // when writes: the tracestate header, if any
  friend void PrintTo(const InjectRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<InjectRow> InjectRows() {
  const std::string t(kTrace);
  const std::string s(kSpan);
  return {
      {.name = "sampled",
       .trace_id = t,
       .span_id = s,
       .flags = 0x01,
       .writes = true,
       .traceparent = Tp("00", t, s, "01")},
      {.name = "not_sampled",
       .trace_id = t,
       .span_id = s,
       .flags = 0x00,
       .writes = true,
       .traceparent = Tp("00", t, s, "00")},
      {.name = "random_flag",
       .trace_id = t,
       .span_id = s,
       .flags = 0x02,
       .writes = true,
       .traceparent = Tp("00", t, s, "02")},
      {.name = "sampled_and_random",
       .trace_id = t,
       .span_id = s,
       .flags = 0x03,
       .writes = true,
       .traceparent = Tp("00", t, s, "03")},
      // "The behavior of other flags ... is not defined and is reserved for future use.
      // Vendors MUST set those to zero."
      {.name = "unknown_flags_sent_as_zero",
       .trace_id = t,
       .span_id = s,
       .flags = 0x09,
       .writes = true,
       .traceparent = Tp("00", t, s, "01")},
      {.name = "all_flags_sent_as_defined_bits_only",
       .trace_id = t,
       .span_id = s,
       .flags = 0xff,
       .writes = true,
       .traceparent = Tp("00", t, s, "03")},
      {.name = "hex_digits_are_lowercase",
       .trace_id = "ABCDEF0123456789ABCDEF0123456789",
       .span_id = "ABCDEF0123456789",
       .flags = 0x01,
       .writes = true,
       .traceparent = Tp("00", "abcdef0123456789abcdef0123456789", "abcdef0123456789", "01")},
      {.name = "with_tracestate",
       .trace_id = t,
       .span_id = s,
       .flags = 0x01,
       .tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
       .writes = true,
       .traceparent = Tp("00", t, s, "01"),
       .written_state = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
      {.name = "zero_span_id_writes_nothing",
       .trace_id = t,
       .span_id = "",
       .flags = 0x01,
       .writes = false},
      {.name = "zero_trace_id_writes_nothing",
       .trace_id = "",
       .span_id = s,
       .flags = 0x01,
       .writes = false},
      {.name = "empty_context_writes_nothing", .writes = false},
      {.name = "invalid_context_with_tracestate_writes_nothing",
       .trace_id = "",
       .span_id = "",
       .flags = 0x01,
       .tracestate = "foo=1",
       .writes = false},
  };
}

class TraceContextInjectTest : public testing::TestWithParam<InjectRow> {};

TEST_P(TraceContextInjectTest, InjectsPerRow) {
  const InjectRow& row = GetParam();
  const Context context(MakeSpanContext(row.trace_id, row.span_id, row.flags, row.tracestate));
  Headers headers;
  SequenceWriter writer(headers);
  TraceContextPropagator().inject(context, writer);
  if (!row.writes) {
    EXPECT_TRUE(headers.empty()) << "wrote " << headers.size() << " header(s)";
    return;
  }
  ASSERT_EQ(HeaderCount(headers, "traceparent"), 1u);
  EXPECT_EQ(HeaderValue(headers, "traceparent"), row.traceparent);
  EXPECT_EQ(HeaderCount(headers, "tracestate"), row.written_state ? 1u : 0u);
  EXPECT_EQ(HeaderValue(headers, "tracestate"), row.written_state);
  // Header names are sent lowercase.
  for (const auto& [name, value] : headers) {
    EXPECT_TRUE(name == "traceparent" || name == "tracestate") << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, TraceContextInjectTest, testing::ValuesIn(InjectRows()),
                         RowName<InjectRow>);

TEST(TraceContextInjectTest, TracestateIsTruncatedTo512Characters) {
  std::string long_state;
  for (char key = 'a'; key <= 'f'; ++key) {
    if (!long_state.empty()) long_state += ',';
    long_state += std::string(1, key) + "=" + std::string(100, 'x');
  }
  const SpanContext span_context = MakeSpanContext(kTrace, kSpan, 0x01, long_state);
  ASSERT_GT(span_context.trace_state.header().size(), 512u);
  Headers headers;
  SequenceWriter writer(headers);
  TraceContextPropagator().inject(Context(span_context), writer);
  const std::optional<std::string> written = HeaderValue(headers, "tracestate");
  ASSERT_TRUE(written.has_value());
  EXPECT_LE(written->size(), 512u);
  EXPECT_EQ(*written, span_context.trace_state.truncated_header(512));
}

TEST(TraceContextInjectTest, ReplacesExistingHeadersOfAnyCase) {
  Headers headers{{"TraceParent", "stale"}, {"TRACESTATE", "stale=1"}};
  SequenceWriter writer(headers);
  TraceContextPropagator().inject(Context(MakeSpanContext(kTrace, kSpan, 0x01, "foo=1")), writer);
  EXPECT_EQ(HeaderCount(headers, "traceparent"), 1u);
  EXPECT_EQ(HeaderValue(headers, "traceparent"), Tp("00", kTrace, kSpan, "01"));
  EXPECT_EQ(HeaderCount(headers, "tracestate"), 1u);
  EXPECT_EQ(HeaderValue(headers, "tracestate"), std::optional<std::string>("foo=1"));
}

TEST(TraceContextInjectTest, FutureVersionIsDowngradedToVersion00) {
  const Headers in{
      {"traceparent", Tp("cc", kTrace, kSpan, "01") + "-what-the-future-will-be-like"}};
  const Expected<Context> extracted =
      TraceContextPropagator().extract(SequenceReader(in), Context());
  ASSERT_TRUE(extracted.has_value());
  Headers out;
  SequenceWriter writer(out);
  TraceContextPropagator().inject(*extracted, writer);
  EXPECT_EQ(HeaderValue(out, "traceparent"), Tp("00", kTrace, kSpan, "01"));
}

TEST(TraceContextInjectTest, RoundTripsThroughExtract) {
  const SpanContext original = MakeSpanContext(kTrace, kSpan, 0x03, "congo=t61rcWkgMzE");
  Headers headers;
  SequenceWriter writer(headers);
  TraceContextPropagator().inject(Context(original), writer);
  const Expected<Context> extracted =
      TraceContextPropagator().extract(SequenceReader(headers), Context());
  ASSERT_TRUE(extracted.has_value());
  const SpanContext& context = extracted->span_context();
  EXPECT_EQ(context.trace_id, original.trace_id);
  EXPECT_EQ(context.span_id, original.span_id);
  EXPECT_EQ(context.flags, original.flags);
  EXPECT_EQ(context.trace_state, original.trace_state);
  EXPECT_TRUE(context.is_remote);
}

TEST(FormatTraceparentTest, WritesExactly55Characters) {
  std::array<char, 64> buffer{};
  buffer.fill('#');
  format_traceparent(MakeSpanContext(kTrace, kSpan, 0x01), buffer.data());
  EXPECT_EQ(std::string_view(buffer.data(), 55), Tp("00", kTrace, kSpan, "01"));
  EXPECT_EQ(buffer[55], '#') << "wrote past 55 characters";
}

TEST(FormatTraceparentTest, NotSampled) {
  std::array<char, 55> buffer{};
  format_traceparent(MakeSpanContext(kOtherTrace, kOtherSpan, 0x00), buffer.data());
  EXPECT_EQ(std::string_view(buffer.data(), buffer.size()),
            Tp("00", kOtherTrace, kOtherSpan, "00"));
}

}  // namespace
}  // namespace tracemesh
