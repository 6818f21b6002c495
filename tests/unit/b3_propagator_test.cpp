// B3 propagation (openzipkin/b3-propagation): the single `b3` header
// "{TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}", the X-B3-* headers,
// and what each B3Propagator encoding extracts and injects.
#include "tracemesh/b3_propagator.h"
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

#include "tracemesh/carrier.h"
#include "tracemesh/context.h"

namespace tracemesh {
namespace {

using spec::CodesText;
using spec::CodeText;
using spec::Contains;
using spec::Headers;
using spec::HeaderValue;
using spec::RowName;

// Example ids from the B3 README.
constexpr std::string_view kTrace = "80f198ee56343ba864fe8b2a57d3eff7";
constexpr std::string_view kTrace64 = "64fe8b2a57d3eff7";
constexpr std::string_view kTrace64Padded = "000000000000000064fe8b2a57d3eff7";
constexpr std::string_view kSpan = "e457b5a2e4d86bd1";
constexpr std::string_view kParent = "05e3ac9a4f6e3b90";
constexpr std::string_view kOtherTrace = "463ac35c9f6413ad48485a3953bb6124";
constexpr std::string_view kOtherSpan = "0020000000000001";

std::string Join(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (std::string_view field : fields) {
    if (!out.empty()) out += '-';
    out += field;
  }
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

SpanContext MakeSpanContext(std::string_view trace_hex, std::string_view span_hex,
                            std::uint8_t flags) {
  SpanContext context;
  if (!trace_hex.empty()) context.trace_id = TraceId::from_hex(trace_hex).value();
  if (!span_hex.empty()) context.span_id = SpanId::from_hex(span_hex).value();
  context.flags = TraceFlags(flags);
  return context;
}

// What a row expects: an accepted context, or one of the acceptable error codes
// (an empty list accepts any error).
struct Expectation {
  bool ok = false;
  std::string trace_id{};
  std::string span_id{};
  std::optional<bool> sampled{};  // nullopt: not checked (no sampling state received)
  std::vector<ErrorCode> errors{};
};

Expectation Accept(std::string_view trace, std::string_view span, std::optional<bool> sampled) {
  return {
      .ok = true, .trace_id = std::string(trace), .span_id = std::string(span), .sampled = sampled};
}

Expectation Reject(std::vector<ErrorCode> errors) {
  return {.errors = std::move(errors)};
}

void ExpectOutcome(const Expected<SpanContext>& result, const Expectation& want) {
  if (!want.ok) {
    ASSERT_FALSE(result.has_value()) << "accepted trace " << result->trace_id.to_hex();
    EXPECT_TRUE(Contains(want.errors, result.error().code))
        << "got " << CodeText(result.error().code) << ", want " << CodesText(want.errors);
    return;
  }
  ASSERT_TRUE(result.has_value()) << "rejected with " << CodeText(result.error().code);
  EXPECT_EQ(result->trace_id.to_hex(), want.trace_id);
  EXPECT_EQ(result->span_id.to_hex(), want.span_id);
  if (want.sampled) {
    EXPECT_EQ(result->flags.sampled(), *want.sampled);
  }
  EXPECT_TRUE(result->is_remote);
  EXPECT_TRUE(result->is_valid());
}

// --- single header ---------------------------------------------------------------------

struct SingleRow {
  std::string_view name = "";
  std::string value{};
  Expectation want{};
  friend void PrintTo(const SingleRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<SingleRow> SingleRows() {
  using E = ErrorCode;
  return {
      {"all_fields_sampled", Join({kTrace, kSpan, "1", kParent}), Accept(kTrace, kSpan, true)},
      {"all_fields_not_sampled", Join({kTrace, kSpan, "0", kParent}), Accept(kTrace, kSpan, false)},
      {"debug_means_sampled", Join({kTrace, kSpan, "d", kParent}), Accept(kTrace, kSpan, true)},
      {"sampled_without_parent", Join({kTrace, kSpan, "1"}), Accept(kTrace, kSpan, true)},
      {"not_sampled_without_parent", Join({kTrace, kSpan, "0"}), Accept(kTrace, kSpan, false)},
      {"debug_without_parent", Join({kTrace, kSpan, "d"}), Accept(kTrace, kSpan, true)},
      {"sampling_state_absent", Join({kTrace, kSpan}), Accept(kTrace, kSpan, std::nullopt)},
      {"trace_id_64_bit_left_padded", Join({kTrace64, kSpan, "1"}),
       Accept(kTrace64Padded, kSpan, true)},
      {"trace_id_64_bit_with_parent", Join({kTrace64, kSpan, "0", kParent}),
       Accept(kTrace64Padded, kSpan, false)},
      // A lone sampling state carries no ids.
      {"lone_deny", "0", Reject({E::no_ids})},
      {"lone_accept", "1", Reject({E::no_ids})},
      {"lone_debug", "d", Reject({E::no_ids})},
      // "lower-hex" ids: uppercase is malformed.
      {"uppercase_trace_id", Join({Upper(kTrace), kSpan, "1"}), Reject({E::bad_character})},
      {"uppercase_span_id", Join({kTrace, Upper(kSpan), "1"}), Reject({E::bad_character})},
      {"uppercase_parent_id", Join({kTrace, kSpan, "1", Upper(kParent)}),
       Reject({E::bad_character})},
      {"non_hex_trace_id", Join({"80f198ee56343ba864fe8b2a57d3eff.", kSpan, "1"}),
       Reject({E::bad_character})},
      {"non_hex_span_id", Join({kTrace, "e457b5a2e4d86bdz", "1"}), Reject({E::bad_character})},
      // Lengths: trace ids are 16 or 32 hex digits, span ids 16.
      {"trace_id_15_digits", Join({kTrace64.substr(1), kSpan, "1"}), Reject({E::bad_length})},
      {"trace_id_17_digits", Join({std::string(kTrace64) + "0", kSpan, "1"}),
       Reject({E::bad_length})},
      {"trace_id_24_digits", Join({kTrace.substr(8), kSpan, "1"}), Reject({E::bad_length})},
      {"trace_id_31_digits", Join({kTrace.substr(1), kSpan, "1"}), Reject({E::bad_length})},
      {"trace_id_33_digits", Join({std::string(kTrace) + "0", kSpan, "1"}),
       Reject({E::bad_length})},
      {"span_id_15_digits", Join({kTrace, kSpan.substr(1), "1"}), Reject({E::bad_length})},
      {"span_id_17_digits", Join({kTrace, std::string(kSpan) + "0", "1"}), Reject({E::bad_length})},
      {"span_id_32_digits", Join({kTrace, kTrace, "1"}), Reject({E::bad_length})},
      {"parent_id_15_digits", Join({kTrace, kSpan, "1", kParent.substr(1)}),
       Reject({E::bad_length})},
      {"parent_id_17_digits", Join({kTrace, kSpan, "1", std::string(kParent) + "0"}),
       Reject({E::bad_length})},
      // Sampling state is exactly one of 1, 0, d.
      {"sampling_state_2", Join({kTrace, kSpan, "2"}), Reject({E::bad_flags})},
      {"sampling_state_x", Join({kTrace, kSpan, "x"}), Reject({E::bad_flags})},
      {"sampling_state_true", Join({kTrace, kSpan, "true"}), Reject({E::bad_flags})},
      {"sampling_state_two_characters", Join({kTrace, kSpan, "01"}), Reject({E::bad_flags})},
      {"sampling_state_empty", std::string(kTrace) + "-" + std::string(kSpan) + "-",
       Reject({E::bad_flags, E::bad_delimiter, E::bad_length})},
      {"lone_invalid_sampling_state", "x", Reject({E::bad_flags, E::bad_length})},
      // Structure.
      {"extra_field", Join({kTrace, kSpan, "1", kParent, "extra"}),
       Reject({E::bad_delimiter, E::bad_length})},
      {"parent_without_sampling_state", Join({kTrace, kSpan, kParent}),
       Reject({E::bad_flags, E::bad_length})},
      {"trace_id_only", std::string(kTrace), Reject({E::bad_length, E::bad_delimiter})},
      {"trace_id_then_dash", std::string(kTrace) + "-", Reject({E::bad_length, E::bad_delimiter})},
      {"wrong_separator", std::string(kTrace) + "_" + std::string(kSpan) + "_1",
       Reject({E::bad_delimiter, E::bad_length, E::bad_character})},
      {"empty_value", "", Reject({E::bad_length, E::no_ids, E::missing_header})},
      // Zero ids are invalid.
      {"zero_trace_id_128", Join({"00000000000000000000000000000000", kSpan, "1"}),
       Reject({E::zero_trace_id})},
      {"zero_trace_id_64", Join({"0000000000000000", kSpan, "1"}), Reject({E::zero_trace_id})},
      {"zero_span_id", Join({kTrace, "0000000000000000", "1"}), Reject({E::zero_span_id})},
  };
}

class B3SingleTest : public testing::TestWithParam<SingleRow> {};

TEST_P(B3SingleTest, ParseB3Single) {
  const SingleRow& row = GetParam();
  ExpectOutcome(parse_b3_single(row.value), row.want);
}

TEST_P(B3SingleTest, ExtractWithEitherEncoding) {
  const SingleRow& row = GetParam();
  const Headers headers{{"b3", row.value}};
  for (auto encoding :
       {B3Propagator::Encoding::single_header, B3Propagator::Encoding::multi_header}) {
    SCOPED_TRACE(encoding == B3Propagator::Encoding::single_header ? "b3" : "b3multi");
    const Expected<Context> extracted =
        B3Propagator(encoding).extract(SequenceReader(headers), Context());
    if (extracted.has_value()) {
      ExpectOutcome(Expected<SpanContext>(extracted->span_context()), row.want);
    } else {
      ExpectOutcome(Expected<SpanContext>(extracted.error()), row.want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, B3SingleTest, testing::ValuesIn(SingleRows()), RowName<SingleRow>);

// --- multiple headers -------------------------------------------------------------------

struct MultiRow {
  std::string_view name = "";
  Headers headers{};
  Expectation want{};
  friend void PrintTo(const MultiRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<MultiRow> MultiRows() {
  using E = ErrorCode;
  const std::string t(kTrace);
  const std::string s(kSpan);
  const std::string p(kParent);
  return {
      {"sampled_1",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "1"}},
       Accept(kTrace, kSpan, true)},
      {"sampled_0",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "0"}},
       Accept(kTrace, kSpan, false)},
      {"sampled_true_from_old_clients",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "true"}},
       Accept(kTrace, kSpan, true)},
      {"sampled_false_from_old_clients",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "false"}},
       Accept(kTrace, kSpan, false)},
      {"flags_1_is_debug_and_sampled",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Flags", "1"}},
       Accept(kTrace, kSpan, true)},
      {"sampling_absent",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}},
       Accept(kTrace, kSpan, std::nullopt)},
      {"with_parent_span_id",
       {{"X-B3-TraceId", t}, {"X-B3-ParentSpanId", p}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "1"}},
       Accept(kTrace, kSpan, true)},
      {"trace_id_64_bit_left_padded",
       {{"X-B3-TraceId", std::string(kTrace64)}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "1"}},
       Accept(kTrace64Padded, kSpan, true)},
      {"lowercase_header_names",
       {{"x-b3-traceid", t}, {"x-b3-spanid", s}, {"x-b3-sampled", "1"}},
       Accept(kTrace, kSpan, true)},
      {"uppercase_header_names",
       {{"X-B3-TRACEID", t}, {"X-B3-SPANID", s}, {"X-B3-SAMPLED", "0"}},
       Accept(kTrace, kSpan, false)},
      {"no_b3_headers",
       {{"traceparent", "00-" + t + "-" + s + "-01"}},
       Reject({E::missing_header})},
      {"missing_span_id", {{"X-B3-TraceId", t}, {"X-B3-Sampled", "1"}}, Reject({})},
      {"missing_trace_id", {{"X-B3-SpanId", s}, {"X-B3-Sampled", "1"}}, Reject({})},
      {"sampled_only", {{"X-B3-Sampled", "0"}}, Reject({})},
      {"uppercase_trace_id",
       {{"X-B3-TraceId", Upper(t)}, {"X-B3-SpanId", s}},
       Reject({E::bad_character})},
      {"uppercase_span_id",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", Upper(s)}},
       Reject({E::bad_character})},
      {"trace_id_31_digits",
       {{"X-B3-TraceId", t.substr(1)}, {"X-B3-SpanId", s}},
       Reject({E::bad_length})},
      {"span_id_15_digits",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s.substr(1)}},
       Reject({E::bad_length})},
      {"zero_trace_id",
       {{"X-B3-TraceId", std::string(32, '0')}, {"X-B3-SpanId", s}},
       Reject({E::zero_trace_id})},
      {"zero_span_id",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", std::string(16, '0')}},
       Reject({E::zero_span_id})},
      {"sampled_2",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "2"}},
       Reject({E::bad_flags})},
      {"sampled_d_is_single_header_only",
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "d"}},
       Reject({E::bad_flags})},
  };
}

class B3MultiTest : public testing::TestWithParam<MultiRow> {};

TEST_P(B3MultiTest, ParseB3Multi) {
  const MultiRow& row = GetParam();
  ExpectOutcome(parse_b3_multi(SequenceReader(row.headers)), row.want);
}

TEST_P(B3MultiTest, ExtractWithEitherEncoding) {
  const MultiRow& row = GetParam();
  for (auto encoding :
       {B3Propagator::Encoding::single_header, B3Propagator::Encoding::multi_header}) {
    SCOPED_TRACE(encoding == B3Propagator::Encoding::single_header ? "b3" : "b3multi");
    const Expected<Context> extracted =
        B3Propagator(encoding).extract(SequenceReader(row.headers), Context());
    if (extracted.has_value()) {
      ExpectOutcome(Expected<SpanContext>(extracted->span_context()), row.want);
    } else {
      ExpectOutcome(Expected<SpanContext>(extracted.error()), row.want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, B3MultiTest, testing::ValuesIn(MultiRows()), RowName<MultiRow>);

// --- extraction precedence ---------------------------------------------------------------

TEST(B3ExtractTest, SingleHeaderIsPreferredOverMultiHeaders) {
  const Headers headers{{"X-B3-TraceId", std::string(kOtherTrace)},
                        {"X-B3-SpanId", std::string(kOtherSpan)},
                        {"b3", Join({kTrace, kSpan, "1"})}};
  for (auto encoding :
       {B3Propagator::Encoding::single_header, B3Propagator::Encoding::multi_header}) {
    const Expected<Context> extracted =
        B3Propagator(encoding).extract(SequenceReader(headers), Context());
    ASSERT_TRUE(extracted.has_value());
    EXPECT_EQ(extracted->span_context().trace_id.to_hex(), kTrace);
  }
}

TEST(B3ExtractTest, NoHeadersIsMissingHeader) {
  const Headers headers{{"other", "x"}};
  const Expected<Context> extracted = B3Propagator().extract(SequenceReader(headers), Context());
  ASSERT_FALSE(extracted.has_value());
  EXPECT_EQ(extracted.error().code, ErrorCode::missing_header);
}

TEST(B3ExtractTest, SingleHeaderNameIsCaseInsensitive) {
  const Headers headers{{"B3", Join({kTrace, kSpan, "1"})}};
  const Expected<Context> extracted = B3Propagator().extract(SequenceReader(headers), Context());
  ASSERT_TRUE(extracted.has_value());
  EXPECT_EQ(extracted->span_context().span_id.to_hex(), kSpan);
}

TEST(B3ExtractTest, Names) {
  EXPECT_EQ(B3Propagator(B3Propagator::Encoding::single_header).name(), "b3");
  EXPECT_EQ(B3Propagator(B3Propagator::Encoding::multi_header).name(), "b3multi");
  EXPECT_EQ(B3Propagator().name(), "b3");
  EXPECT_TRUE(B3Propagator().carries_span_context());
}

// --- injection ------------------------------------------------------------------------------

struct InjectRow {
  std::string_view name = "";
  B3Propagator::Encoding encoding = B3Propagator::Encoding::single_header;
  std::string trace_id{};
  std::string span_id{};
  std::uint8_t flags = 0;
  Headers expected{};  // exactly the headers written (names compared case-insensitively)
  friend void PrintTo(const InjectRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<InjectRow> InjectRows() {
  using Encoding = B3Propagator::Encoding;
  const std::string t(kTrace);
  const std::string s(kSpan);
  return {
      {"single_sampled", Encoding::single_header, t, s, 0x01, {{"b3", t + "-" + s + "-1"}}},
      {"single_not_sampled", Encoding::single_header, t, s, 0x00, {{"b3", t + "-" + s + "-0"}}},
      {"single_64_bit_trace_id_written_as_32_digits",
       Encoding::single_header,
       std::string(kTrace64Padded),
       s,
       0x01,
       {{"b3", std::string(kTrace64Padded) + "-" + s + "-1"}}},
      {"single_random_flag_is_not_sampling",
       Encoding::single_header,
       t,
       s,
       0x02,
       {{"b3", t + "-" + s + "-0"}}},
      {"single_invalid_context_writes_nothing", Encoding::single_header, t, "", 0x01, {}},
      {"multi_sampled",
       Encoding::multi_header,
       t,
       s,
       0x01,
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "1"}}},
      {"multi_not_sampled",
       Encoding::multi_header,
       t,
       s,
       0x00,
       {{"X-B3-TraceId", t}, {"X-B3-SpanId", s}, {"X-B3-Sampled", "0"}}},
      {"multi_invalid_context_writes_nothing", Encoding::multi_header, "", s, 0x01, {}},
  };
}

class B3InjectTest : public testing::TestWithParam<InjectRow> {};

TEST_P(B3InjectTest, InjectsPerRow) {
  const InjectRow& row = GetParam();
  Headers headers;
  SequenceWriter writer(headers);
  B3Propagator(row.encoding)
      .inject(Context(MakeSpanContext(row.trace_id, row.span_id, row.flags)), writer);
  EXPECT_EQ(headers.size(), row.expected.size());
  for (const auto& [name, value] : row.expected) {
    EXPECT_EQ(HeaderValue(headers, name), std::optional<std::string>(value)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, B3InjectTest, testing::ValuesIn(InjectRows()), RowName<InjectRow>);

TEST(B3InjectTest, RoundTripsThroughExtract) {
  for (auto encoding :
       {B3Propagator::Encoding::single_header, B3Propagator::Encoding::multi_header}) {
    for (std::uint8_t flags : {std::uint8_t{0}, std::uint8_t{1}}) {
      const SpanContext original = MakeSpanContext(kTrace, kSpan, flags);
      Headers headers;
      SequenceWriter writer(headers);
      const B3Propagator propagator(encoding);
      propagator.inject(Context(original), writer);
      const Expected<Context> extracted = propagator.extract(SequenceReader(headers), Context());
      ASSERT_TRUE(extracted.has_value());
      EXPECT_EQ(extracted->span_context().trace_id, original.trace_id);
      EXPECT_EQ(extracted->span_context().span_id, original.span_id);
      EXPECT_EQ(extracted->span_context().flags.sampled(), original.flags.sampled());
    }
  }
}

}  // namespace
}  // namespace tracemesh
