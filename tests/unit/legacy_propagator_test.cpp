// Legacy single-id headers (X-Trace-ID, X-Request-ID, X-Langfuse-Trace-ID +
// parent header): the deterministic mapping of any id string to a trace id,
// and what LegacyPropagator extracts and injects.
//
// Expected SHA-256 digests are published test vectors (FIPS 180-2: "abc" and
// the 56-byte two-block message) or were computed independently with
// coreutils `sha256sum`; each row names its input so it can be re-checked with
// `printf '%s' INPUT | sha256sum`.
#include "tracemesh/legacy_propagator.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
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

constexpr std::string_view kHex = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kUuid = "550e8400-e29b-41d4-a716-446655440000";
constexpr std::string_view kUuidBits = "550e8400e29b41d4a716446655440000";
constexpr std::string_view kUuidUpper = "550E8400-E29B-41D4-A716-446655440000";

// SHA-256 digests (first 16 bytes shown where a trace id is expected).
constexpr std::string_view kSha256Abc = "ba7816bf8f01cfea414140de5dae2223";       // FIPS 180-2
constexpr std::string_view kSha256TwoBlock = "248d6a61d20638b8e5c026930c3e6039";  // FIPS 180-2
constexpr std::string_view kTwoBlockMessage =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

// --- parse_legacy_trace_id -------------------------------------------------------------------

struct TraceIdRow {
  std::string_view name = "";
  std::string input{};
  bool ok = false;
  std::string trace_id{};           // when ok
  std::vector<ErrorCode> errors{};  // acceptable codes when !ok (empty: any)
  friend void PrintTo(const TraceIdRow& row, std::ostream* os) { *os << row.name; }
};

TraceIdRow Maps(std::string_view name, std::string input, std::string_view trace_id) {
  return {.name = name, .input = std::move(input), .ok = true, .trace_id = std::string(trace_id)};
}

TraceIdRow Fails(std::string_view name, std::string input, std::vector<ErrorCode> errors) {
  return {.name = name, .input = std::move(input), .errors = std::move(errors)};
}

std::vector<TraceIdRow> TraceIdRows() {
  using E = ErrorCode;
  return {
      // 32 hex digits, either case: those bits.
      Maps("hex_lowercase", std::string(kHex), kHex),
      Maps("hex_uppercase", "4BF92F3577B34DA6A3CE929D0E0E4736", kHex),
      Maps("hex_mixed_case", "4bF92f3577B34dA6a3Ce929D0e0E4736", kHex),
      // UUID 8-4-4-4-12, either case: its 128 bits.
      Maps("uuid_lowercase", std::string(kUuid), kUuidBits),
      Maps("uuid_uppercase", std::string(kUuidUpper), kUuidBits),
      Maps("uuid_all_f", "ffffffff-ffff-ffff-ffff-ffffffffffff",
           "ffffffffffffffffffffffffffffffff"),
      // Anything else: the first 16 bytes of SHA-256 over the string.
      Maps("sha256_abc", "abc", kSha256Abc),
      Maps("sha256_two_block_message", std::string(kTwoBlockMessage), kSha256TwoBlock),
      Maps("sha256_single_character", "a", "ca978112ca1bbdcafac231b39a23dc4d"),
      Maps("sha256_lowest_visible_character", "!", "bb7208bc9b5d7c04f1236a82a0093a5e"),
      Maps("sha256_request_id", "req-12345", "d91f01884d5ba2df910d0508fed50b41"),
      Maps("sha256_55_bytes_one_block", std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9a"),
      Maps("sha256_64_bytes_two_blocks", std::string(64, 'a'), "ffe054fe7ae0cb6dc65c3af9b61d5209"),
      Maps("sha256_256_characters", std::string(256, 'x'), "85e62acd750c4eb56b7b6a1d66dca5bf"),
      Maps("sha256_256_tildes", std::string(256, '~'), "21a36136b94a008c7c2a63a7369622e5"),
      // Near misses of the hex and UUID forms are hashed, not parsed.
      Maps("sha256_16_hex_digits_not_padded", "4bf92f3577b34da6",
           "bcd1b12ba58b15f50121a8b1fcbfd3a9"),
      Maps("sha256_31_hex_digits", "0af7651916cd43dd8448eb211c80319",
           "2772293fa8e3fe4fb10ba82e17fa443e"),
      Maps("sha256_32_characters_not_hex", "0AF7651916CD43DD8448EB211C80319G",
           "e40bb317f8cd57d7f99eaf2f89ab2b9a"),
      Maps("sha256_uuid_one_digit_short", "550e8400-e29b-41d4-a716-44665544000",
           "887857954f7e3d7e89d6a10d5d21dab5"),
      Maps("sha256_uuid_with_braces", "{550e8400-e29b-41d4-a716-446655440000}",
           "fc8f01733c2ef8e04b8ccb1540370fc0"),
      Maps("sha256_uuid_dashes_misplaced", "550e8400e29b-41d4-a716-4466-55440000",
           "5a927ca24a1021d934f756fc80f9b65d"),
      Maps("sha256_uuid_with_suffix", std::string(kUuidUpper) + "x",
           "5e06ffa218012ed30b8839fa3dd40729"),
      // Errors.
      Fails("empty", "", {}),
      Fails("257_characters", std::string(257, 'x'), {E::too_long, E::bad_length}),
      Fails("space_inside", "abc def", {E::bad_character}),
      Fails("sentence_with_spaces", "The quick brown fox jumps over the lazy dog",
            {E::bad_character}),
      Fails("tab_inside", "abc\tdef", {E::bad_character}),
      Fails("newline_inside", "abc\ndef", {E::bad_character}),
      Fails("control_character", "abc\x01", {E::bad_character}),
      Fails("delete_character", "abc\x7f", {E::bad_character}),
      Fails("non_ascii", "caf\xc3\xa9", {E::bad_character}),
      Fails("nul_inside", std::string("ab\0cd", 5), {E::bad_character}),
      Fails("all_zero_hex", std::string(32, '0'), {E::zero_trace_id}),
      Fails("all_zero_uuid", "00000000-0000-0000-0000-000000000000", {E::zero_trace_id}),
  };
}

class LegacyTraceIdTest : public testing::TestWithParam<TraceIdRow> {};

TEST_P(LegacyTraceIdTest, MapsPerRow) {
  const TraceIdRow& row = GetParam();
  const Expected<TraceId> id = parse_legacy_trace_id(row.input);
  if (!row.ok) {
    ASSERT_FALSE(id.has_value()) << "accepted as " << id->to_hex();
    EXPECT_TRUE(Contains(row.errors, id.error().code))
        << "got " << CodeText(id.error().code) << ", want " << CodesText(row.errors);
    return;
  }
  ASSERT_TRUE(id.has_value()) << "rejected with " << CodeText(id.error().code);
  EXPECT_EQ(id->to_hex(), row.trace_id);
  // Deterministic: every SDK that sees the same string computes the same id.
  const Expected<TraceId> again = parse_legacy_trace_id(row.input);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *id);
}

INSTANTIATE_TEST_SUITE_P(Rows, LegacyTraceIdTest, testing::ValuesIn(TraceIdRows()),
                         RowName<TraceIdRow>);

TEST(LegacyTraceIdTest, MaxSizeIs256) {
  EXPECT_EQ(max_legacy_id_size, 256u);
}

// --- parse_legacy_span_id ---------------------------------------------------------------------

struct SpanIdRow {
  std::string_view name = "";
  std::string input{};
  bool ok = false;
  std::string span_id{};
  std::vector<ErrorCode> errors{};
  friend void PrintTo(const SpanIdRow& row, std::ostream* os) { *os << row.name; }
};

class LegacySpanIdTest : public testing::TestWithParam<SpanIdRow> {};

TEST_P(LegacySpanIdTest, MapsPerRow) {
  const SpanIdRow& row = GetParam();
  const Expected<SpanId> id = parse_legacy_span_id(row.input);
  if (!row.ok) {
    ASSERT_FALSE(id.has_value()) << "accepted as " << id->to_hex();
    EXPECT_TRUE(Contains(row.errors, id.error().code))
        << "got " << CodeText(id.error().code) << ", want " << CodesText(row.errors);
    return;
  }
  ASSERT_TRUE(id.has_value()) << "rejected with " << CodeText(id.error().code);
  EXPECT_EQ(id->to_hex(), row.span_id);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, LegacySpanIdTest,
    testing::ValuesIn(std::vector<SpanIdRow>{
        {.name = "hex_16_digits",
         .input = "00f067aa0ba902b7",
         .ok = true,
         .span_id = "00f067aa0ba902b7"},
        {.name = "sha256_abc", .input = "abc", .ok = true, .span_id = "ba7816bf8f01cfea"},
        {.name = "sha256_parent_name",
         .input = "parent-span",
         .ok = true,
         .span_id = "5b1552decca1e3bc"},
        {.name = "sha256_15_hex_digits",
         .input = "00f067aa0ba902b",
         .ok = true,
         .span_id = "8ec90973971c61fb"},
        {.name = "sha256_32_hex_digits",
         .input = std::string(kHex),
         .ok = true,
         // SHA-256("4bf92f3577b34da6a3ce929d0e0e4736"), computed with sha256sum.
         .span_id = "398acaee65c4e533"},
        {.name = "all_zero_hex",
         .input = "0000000000000000",
         .ok = false,
         .errors = {ErrorCode::zero_span_id}},
    }),
    RowName<SpanIdRow>);

// --- LegacyPropagator extraction ---------------------------------------------------------------

const LegacyHeaderNames kDefaultNames{};
const LegacyHeaderNames kRequestIdNames{"X-Request-ID", ""};
const LegacyHeaderNames kLangfuseNames{"X-Langfuse-Trace-ID", "X-Langfuse-Parent-Span-ID"};

struct ExtractRow {
  std::string_view name = "";
  LegacyHeaderNames names{};
  Headers headers{};
  bool ok = false;
  std::string trace_id{};                        // when ok
  std::string span_id{};                         // when ok ("" = zero)
  std::optional<std::string> legacy_trace_id{};  // when ok
  std::vector<ErrorCode> errors{};               // when !ok (empty: any)
  friend void PrintTo(const ExtractRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<ExtractRow> ExtractRows() {
  using E = ErrorCode;
  const std::string hex(kHex);
  const std::string uuid(kUuid);
  return {
      {.name = "default_header_uuid",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", uuid}},
       .ok = true,
       .trace_id = std::string(kUuidBits),
       .legacy_trace_id = uuid},
      {.name = "default_header_lowercase_hex_keeps_no_original",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", hex}},
       .ok = true,
       .trace_id = hex},
      {.name = "default_header_uppercase_hex_keeps_original",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", "4BF92F3577B34DA6A3CE929D0E0E4736"}},
       .ok = true,
       .trace_id = hex,
       .legacy_trace_id = "4BF92F3577B34DA6A3CE929D0E0E4736"},
      {.name = "default_header_any_string",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", "abc"}},
       .ok = true,
       .trace_id = std::string(kSha256Abc),
       .legacy_trace_id = "abc"},
      {.name = "default_header_name_lowercase",
       .names = kDefaultNames,
       .headers = {{"x-trace-id", uuid}},
       .ok = true,
       .trace_id = std::string(kUuidBits),
       .legacy_trace_id = uuid},
      {.name = "default_header_name_uppercase",
       .names = kDefaultNames,
       .headers = {{"X-TRACE-ID", hex}},
       .ok = true,
       .trace_id = hex},
      {.name = "default_header_missing",
       .names = kDefaultNames,
       .headers = {{"X-Request-ID", hex}},
       .errors = {E::missing_header}},
      {.name = "default_header_invalid_value",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", "a b"}},
       .errors = {E::bad_character}},
      {.name = "default_header_zero_id",
       .names = kDefaultNames,
       .headers = {{"X-Trace-ID", std::string(32, '0')}},
       .errors = {E::zero_trace_id}},
      {.name = "request_id_header",
       .names = kRequestIdNames,
       .headers = {{"X-Request-ID", "req-12345"}},
       .ok = true,
       .trace_id = "d91f01884d5ba2df910d0508fed50b41",
       .legacy_trace_id = "req-12345"},
      {.name = "request_id_header_ignores_x_trace_id",
       .names = kRequestIdNames,
       .headers = {{"X-Trace-ID", hex}, {"x-request-id", uuid}},
       .ok = true,
       .trace_id = std::string(kUuidBits),
       .legacy_trace_id = uuid},
      {.name = "request_id_header_missing",
       .names = kRequestIdNames,
       .headers = {{"X-Trace-ID", hex}},
       .errors = {E::missing_header}},
      {.name = "langfuse_trace_and_hex_parent",
       .names = kLangfuseNames,
       .headers = {{"X-Langfuse-Trace-ID", uuid},
                   {"X-Langfuse-Parent-Span-ID", "00f067aa0ba902b7"}},
       .ok = true,
       .trace_id = std::string(kUuidBits),
       .span_id = "00f067aa0ba902b7",
       .legacy_trace_id = uuid},
      {.name = "langfuse_parent_not_hex_is_hashed",
       .names = kLangfuseNames,
       .headers = {{"X-Langfuse-Trace-ID", hex}, {"X-Langfuse-Parent-Span-ID", "parent-span"}},
       .ok = true,
       .trace_id = hex,
       .span_id = "5b1552decca1e3bc"},
      {.name = "langfuse_header_names_lowercase",
       .names = kLangfuseNames,
       .headers = {{"x-langfuse-trace-id", "abc"}, {"x-langfuse-parent-span-id", "abc"}},
       .ok = true,
       .trace_id = std::string(kSha256Abc),
       .span_id = "ba7816bf8f01cfea",
       .legacy_trace_id = "abc"},
      {.name = "langfuse_without_parent_header",
       .names = kLangfuseNames,
       .headers = {{"X-Langfuse-Trace-ID", hex}},
       .ok = true,
       .trace_id = hex},
      {.name = "langfuse_parent_without_trace",
       .names = kLangfuseNames,
       .headers = {{"X-Langfuse-Parent-Span-ID", "00f067aa0ba902b7"}},
       .errors = {E::missing_header}},
      {.name = "langfuse_ignores_default_header",
       .names = kLangfuseNames,
       .headers = {{"X-Trace-ID", hex}},
       .errors = {E::missing_header}},
  };
}

class LegacyExtractTest : public testing::TestWithParam<ExtractRow> {};

TEST_P(LegacyExtractTest, ExtractsPerRow) {
  const ExtractRow& row = GetParam();
  const LegacyPropagator propagator(row.names);
  const Expected<Context> extracted = propagator.extract(SequenceReader(row.headers), Context());
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
  EXPECT_TRUE(context.has_trace());
  if (row.span_id.empty()) {
    EXPECT_FALSE(context.span_id.is_valid()) << "span id " << context.span_id.to_hex();
  } else {
    EXPECT_EQ(context.span_id.to_hex(), row.span_id);
  }
  EXPECT_TRUE(context.flags.sampled()) << "legacy headers carry no decision: sampled";
  EXPECT_TRUE(context.is_remote);
  if (row.legacy_trace_id) {
    ASSERT_NE(context.legacy_trace_id, nullptr);
    EXPECT_EQ(*context.legacy_trace_id, *row.legacy_trace_id);
  } else {
    EXPECT_EQ(context.legacy_trace_id, nullptr) << "kept " << *context.legacy_trace_id;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, LegacyExtractTest, testing::ValuesIn(ExtractRows()),
                         RowName<ExtractRow>);

TEST(LegacyExtractTest, DefaultNames) {
  const LegacyPropagator propagator;
  EXPECT_EQ(propagator.header_names().trace_header, "X-Trace-ID");
  EXPECT_TRUE(propagator.header_names().parent_header.empty());
  EXPECT_EQ(propagator.name(), "xtraceid");
  EXPECT_TRUE(propagator.carries_span_context());
}

// --- LegacyPropagator injection -----------------------------------------------------------------

struct InjectRow {
  std::string_view name = "";
  LegacyHeaderNames names{};
  std::string trace_id{};  // "" = zero
  std::string span_id{};   // "" = zero
  std::optional<std::string> legacy_trace_id{};
  Headers expected{};  // exactly the headers written
  friend void PrintTo(const InjectRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<InjectRow> InjectRows() {
  const std::string hex(kHex);
  const std::string uuid(kUuid);
  return {
      {.name = "original_uuid_resent_unchanged",
       .names = kDefaultNames,
       .trace_id = std::string(kUuidBits),
       .span_id = "00f067aa0ba902b7",
       .legacy_trace_id = uuid,
       .expected = {{"X-Trace-ID", uuid}}},
      {.name = "original_string_resent_unchanged",
       .names = kDefaultNames,
       .trace_id = std::string(kSha256Abc),
       .legacy_trace_id = "abc",
       .expected = {{"X-Trace-ID", "abc"}}},
      {.name = "no_original_sends_lowercase_hex",
       .names = kDefaultNames,
       .trace_id = hex,
       .span_id = "00f067aa0ba902b7",
       .expected = {{"X-Trace-ID", hex}}},
      {.name = "uppercase_input_hex_sends_lowercase",
       .names = kDefaultNames,
       .trace_id = "ABCDEF0123456789ABCDEF0123456789",
       .expected = {{"X-Trace-ID", "abcdef0123456789abcdef0123456789"}}},
      {.name = "request_id_header",
       .names = kRequestIdNames,
       .trace_id = hex,
       .legacy_trace_id = "req-12345",
       .expected = {{"X-Request-ID", "req-12345"}}},
      {.name = "langfuse_trace_and_parent",
       .names = kLangfuseNames,
       .trace_id = std::string(kUuidBits),
       .span_id = "00f067aa0ba902b7",
       .legacy_trace_id = uuid,
       .expected = {{"X-Langfuse-Trace-ID", uuid},
                    {"X-Langfuse-Parent-Span-ID", "00f067aa0ba902b7"}}},
      {.name = "langfuse_without_span_writes_no_parent",
       .names = kLangfuseNames,
       .trace_id = hex,
       .expected = {{"X-Langfuse-Trace-ID", hex}}},
      {.name = "no_trace_writes_nothing", .names = kDefaultNames, .expected = {}},
      {.name = "langfuse_no_trace_writes_nothing",
       .names = kLangfuseNames,
       .span_id = "00f067aa0ba902b7",
       .expected = {}},
  };
}

class LegacyInjectTest : public testing::TestWithParam<InjectRow> {};

TEST_P(LegacyInjectTest, InjectsPerRow) {
  const InjectRow& row = GetParam();
  SpanContext span_context;
  if (!row.trace_id.empty()) span_context.trace_id = TraceId::from_hex(row.trace_id).value();
  if (!row.span_id.empty()) span_context.span_id = SpanId::from_hex(row.span_id).value();
  span_context.flags = TraceFlags(TraceFlags::sampled_bit);
  if (row.legacy_trace_id) {
    span_context.legacy_trace_id = std::make_shared<const std::string>(*row.legacy_trace_id);
  }
  Headers headers;
  SequenceWriter writer(headers);
  LegacyPropagator(row.names).inject(Context(span_context), writer);
  EXPECT_EQ(headers.size(), row.expected.size());
  for (const auto& [name, value] : row.expected) {
    EXPECT_EQ(HeaderValue(headers, name), std::optional<std::string>(value)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, LegacyInjectTest, testing::ValuesIn(InjectRows()),
                         RowName<InjectRow>);

TEST(LegacyInjectTest, ExtractedOriginalIsResentUnchanged) {
  for (const std::string& original :
       {std::string(kUuid), std::string(kUuidUpper), std::string("req-12345"),
        std::string("4BF92F3577B34DA6A3CE929D0E0E4736"), std::string(kHex)}) {
    SCOPED_TRACE(original);
    const Headers in{{"X-Trace-ID", original}};
    const LegacyPropagator propagator;
    const Expected<Context> extracted = propagator.extract(SequenceReader(in), Context());
    ASSERT_TRUE(extracted.has_value());
    EXPECT_EQ(extracted->span_context().legacy_id(), original);
    Headers out;
    SequenceWriter writer(out);
    propagator.inject(*extracted, writer);
    EXPECT_EQ(HeaderValue(out, "X-Trace-ID"), std::optional<std::string>(original));
  }
}

TEST(LegacyInjectTest, ReplacesExistingHeaderOfAnyCase) {
  Headers headers{{"x-trace-id", "stale"}};
  SequenceWriter writer(headers);
  SpanContext span_context;
  span_context.trace_id = TraceId::from_hex(kHex).value();
  LegacyPropagator().inject(Context(span_context), writer);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].second, kHex);
}

TEST(SpanContextLegacyIdTest, OriginalOrLowercaseHex) {
  SpanContext span_context;
  span_context.trace_id = TraceId::from_hex(kHex).value();
  EXPECT_EQ(span_context.legacy_id(), kHex);
  span_context.legacy_trace_id = std::make_shared<const std::string>(kUuid);
  EXPECT_EQ(span_context.legacy_id(), kUuid);
}

}  // namespace
}  // namespace tracemesh
