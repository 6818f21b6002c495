// OTEL_PROPAGATORS parsing (make_propagator) and the CompositePropagator:
// the first configured format that yields a span context wins, baggage always
// contributes, the reported error is the first one that is not
// missing_header, and injection writes every configured format.
#include "tracemesh/composite_propagator.h"
#include "support/spec_rows.h"
#include "tracemesh/tracer.h"

#include <gtest/gtest.h>

#include <new>

#include <span>

#include <stdexcept>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/b3_propagator.h"
#include "tracemesh/baggage.h"
#include "tracemesh/baggage_propagator.h"
#include "tracemesh/carrier.h"
#include "tracemesh/context.h"
#include "tracemesh/trace_context_propagator.h"

namespace tracemesh {
namespace {

using spec::CodeText;
using spec::Headers;
using spec::HeaderValue;
using spec::RowName;

std::vector<std::string> Names(const CompositePropagator& composite) {
  std::vector<std::string> names;
  for (const auto& propagator : composite.propagators()) names.emplace_back(propagator->name());
  return names;
}

std::shared_ptr<const CompositePropagator> MustMake(std::string_view value,
                                                    const LegacyHeaderNames& names = {}) {
  Expected<std::shared_ptr<const CompositePropagator>> made = make_propagator(value, names);
  EXPECT_TRUE(made.has_value()) << "make_propagator(\"" << value << "\") failed";
  if (!made.has_value())
    return std::make_shared<const CompositePropagator>(
        std::vector<std::shared_ptr<const Propagator>>{});
  EXPECT_NE(*made, nullptr);
  return *made;
}

// --- make_propagator ------------------------------------------------------------------------

struct ConfigRow {
  std::string_view name = "";
  std::string value{};
  bool ok = false;
  std::vector<std::string> names{};  // when ok: the formats, in order
  std::string unknown{};             // when !ok: the name the error message must quote
  friend void PrintTo(const ConfigRow& row, std::ostream* os) { *os << row.name; }
};

class MakePropagatorTest : public testing::TestWithParam<ConfigRow> {};

TEST_P(MakePropagatorTest, BuildsPerRow) {
  const ConfigRow& row = GetParam();
  const Expected<std::shared_ptr<const CompositePropagator>> made = make_propagator(row.value);
  if (!row.ok) {
    ASSERT_FALSE(made.has_value()) << "accepted";
    EXPECT_EQ(made.error().code, ErrorCode::unknown_name) << CodeText(made.error().code);
    EXPECT_NE(made.error().message.find(row.unknown), std::string::npos)
        << "message does not name \"" << row.unknown << "\": " << made.error().message;
    return;
  }
  ASSERT_TRUE(made.has_value()) << CodeText(made.error().code) << ": " << made.error().text();
  ASSERT_NE(*made, nullptr);
  EXPECT_EQ(Names(**made), row.names);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, MakePropagatorTest,
    testing::ValuesIn(std::vector<ConfigRow>{
        {.name = "otel_default",
         .value = "tracecontext,baggage",
         .ok = true,
         .names = {"tracecontext", "baggage"}},
        {.name = "every_known_name",
         .value = "tracecontext,baggage,b3,b3multi,xtraceid",
         .ok = true,
         .names = {"tracecontext", "baggage", "b3", "b3multi", "xtraceid"}},
        {.name = "order_is_kept",
         .value = "xtraceid,b3multi,baggage,b3,tracecontext",
         .ok = true,
         .names = {"xtraceid", "b3multi", "baggage", "b3", "tracecontext"}},
        {.name = "single_name", .value = "b3", .ok = true, .names = {"b3"}},
        {.name = "names_are_case_insensitive",
         .value = "TraceContext,BAGGAGE,B3Multi",
         .ok = true,
         .names = {"tracecontext", "baggage", "b3multi"}},
        {.name = "whitespace_is_ignored",
         .value = " tracecontext , baggage ",
         .ok = true,
         .names = {"tracecontext", "baggage"}},
        {.name = "tabs_are_ignored",
         .value = "\ttracecontext,\tb3\t",
         .ok = true,
         .names = {"tracecontext", "b3"}},
        {.name = "duplicates_kept_once",
         .value = "b3,tracecontext,b3",
         .ok = true,
         .names = {"b3", "tracecontext"}},
        {.name = "duplicates_of_different_case_kept_once",
         .value = "b3multi,B3MULTI",
         .ok = true,
         .names = {"b3multi"}},
        {.name = "none", .value = "none", .ok = true, .names = {}},
        {.name = "none_any_case", .value = " NONE ", .ok = true, .names = {}},
        {.name = "unknown_name", .value = "tracecontext,jaeger", .ok = false, .unknown = "jaeger"},
        {.name = "unknown_name_first", .value = "xray,baggage", .ok = false, .unknown = "xray"},
        {.name = "misspelled_name", .value = "tracecontex", .ok = false, .unknown = "tracecontex"},
    }),
    RowName<ConfigRow>);

// --- extraction precedence ------------------------------------------------------------------

constexpr std::string_view kTraceA = "0af7651916cd43dd8448eb211c80319c";  // traceparent
constexpr std::string_view kSpanA = "b7ad6b7169203331";
constexpr std::string_view kTraceB = "80f198ee56343ba864fe8b2a57d3eff7";  // b3
constexpr std::string_view kSpanB = "e457b5a2e4d86bd1";
constexpr std::string_view kTraceC = "4bf92f3577b34da6a3ce929d0e0e4736";  // X-Trace-ID

std::pair<std::string, std::string> Traceparent(std::string_view version = "00") {
  return {"traceparent",
          std::string(version) + "-" + std::string(kTraceA) + "-" + std::string(kSpanA) + "-01"};
}
std::pair<std::string, std::string> B3(std::string_view value = {}) {
  return {"b3", value.empty() ? std::string(kTraceB) + "-" + std::string(kSpanB) + "-1"
                              : std::string(value)};
}
std::pair<std::string, std::string> XTraceId(std::string_view value = kTraceC) {
  return {"X-Trace-ID", std::string(value)};
}

struct ExtractRow {
  std::string_view name = "";
  std::string config{};
  Headers headers{};
  std::string format{};              // "" = no span context
  std::string trace_id{};            // when format is not empty
  std::optional<ErrorCode> error{};  // when format is empty
  std::string baggage_value{};       // expected value of baggage key "k" ("" = none)
  friend void PrintTo(const ExtractRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<ExtractRow> ExtractRows() {
  using E = ErrorCode;
  const std::string a(kTraceA);
  const std::string b(kTraceB);
  const std::string c(kTraceC);
  const Headers all{Traceparent(), B3(), XTraceId()};
  return {
      {.name = "tracecontext_first",
       .config = "tracecontext,b3,xtraceid",
       .headers = all,
       .format = "tracecontext",
       .trace_id = a},
      {.name = "b3_first",
       .config = "b3,tracecontext,xtraceid",
       .headers = all,
       .format = "b3",
       .trace_id = b},
      {.name = "b3multi_first_reads_single_header",
       .config = "b3multi,tracecontext",
       .headers = all,
       .format = "b3multi",
       .trace_id = b},
      {.name = "xtraceid_first",
       .config = "xtraceid,b3,tracecontext",
       .headers = all,
       .format = "xtraceid",
       .trace_id = c},
      {.name = "first_missing_next_wins",
       .config = "tracecontext,b3,xtraceid",
       .headers = {B3(), XTraceId()},
       .format = "b3",
       .trace_id = b},
      {.name = "first_malformed_next_wins",
       .config = "tracecontext,b3,xtraceid",
       .headers = {Traceparent("ff"), B3(), XTraceId()},
       .format = "b3",
       .trace_id = b},
      {.name = "duplicate_traceparent_next_wins",
       .config = "tracecontext,b3",
       .headers = {Traceparent(), Traceparent(), B3()},
       .format = "b3",
       .trace_id = b},
      {.name = "two_malformed_then_valid",
       .config = "tracecontext,b3,xtraceid",
       .headers = {Traceparent("ff"), B3("0"), XTraceId()},
       .format = "xtraceid",
       .trace_id = c},
      {.name = "baggage_listed_first",
       .config = "baggage,tracecontext",
       .headers = {{"baggage", "k=v"}, Traceparent()},
       .format = "tracecontext",
       .trace_id = a,
       .baggage_value = "v"},
      {.name = "baggage_listed_last",
       .config = "tracecontext,b3,baggage",
       .headers = {B3(), {"baggage", "k=v"}},
       .format = "b3",
       .trace_id = b,
       .baggage_value = "v"},
      {.name = "baggage_without_span_context",
       .config = "tracecontext,baggage",
       .headers = {{"baggage", "k=v"}},
       .format = "",
       .error = E::missing_header,
       .baggage_value = "v"},
      {.name = "baggage_kept_when_traceparent_malformed",
       .config = "baggage,tracecontext",
       .headers = {Traceparent("ff"), {"baggage", "k=v"}},
       .format = "",
       .error = E::bad_version,
       .baggage_value = "v"},
      {.name = "none_works_first_non_missing_reason",
       .config = "tracecontext,b3,xtraceid",
       .headers = {B3("0"), XTraceId("a b")},
       .format = "",
       .error = E::no_ids},
      {.name = "none_works_reason_of_first_format",
       .config = "tracecontext,b3,xtraceid",
       .headers = {Traceparent("ff"), B3("0"), XTraceId("a b")},
       .format = "",
       .error = E::bad_version},
      {.name = "none_works_reason_of_last_format",
       .config = "tracecontext,b3,xtraceid",
       .headers = {XTraceId(std::string(32, '0'))},
       .format = "",
       .error = E::zero_trace_id},
      {.name = "nothing_present",
       .config = "tracecontext,baggage,b3,b3multi,xtraceid",
       .headers = {{"other", "x"}},
       .format = "",
       .error = E::missing_header},
      {.name = "unconfigured_formats_ignored",
       .config = "tracecontext",
       .headers = {B3(), XTraceId()},
       .format = "",
       .error = E::missing_header},
      {.name = "no_formats",
       .config = "none",
       .headers = all,
       .format = "",
       .error = E::missing_header},
  };
}

class CompositeExtractTest : public testing::TestWithParam<ExtractRow> {};

TEST_P(CompositeExtractTest, ExtractWithReport) {
  const ExtractRow& row = GetParam();
  const auto composite = MustMake(row.config);
  const Extraction report = composite->extract_with_report(SequenceReader(row.headers), Context());
  EXPECT_EQ(report.format, row.format);
  if (!row.format.empty()) {
    EXPECT_EQ(report.context.span_context().trace_id.to_hex(), row.trace_id);
    EXPECT_TRUE(report.context.span_context().is_remote);
    EXPECT_FALSE(report.error.has_value()) << CodeText(report.error->code);
  } else {
    EXPECT_FALSE(report.context.span_context().has_trace())
        << "took trace " << report.context.span_context().trace_id.to_hex();
    ASSERT_TRUE(report.error.has_value());
    EXPECT_EQ(report.error->code, *row.error) << "got " << CodeText(report.error->code);
  }
  const std::optional<std::string_view> baggage = report.context.baggage().get("k");
  if (row.baggage_value.empty()) {
    EXPECT_EQ(baggage, std::nullopt);
  } else {
    EXPECT_EQ(baggage, std::optional<std::string_view>(row.baggage_value));
  }
}

TEST_P(CompositeExtractTest, ExtractAgreesWithReport) {
  const ExtractRow& row = GetParam();
  const auto composite = MustMake(row.config);
  const Expected<Context> extracted = composite->extract(SequenceReader(row.headers), Context());
  if (!row.format.empty()) {
    ASSERT_TRUE(extracted.has_value()) << CodeText(extracted.error().code);
    EXPECT_EQ(extracted->span_context().trace_id.to_hex(), row.trace_id);
  } else if (row.baggage_value.empty()) {
    // Nothing at all was taken: extract() reports the same reason.
    ASSERT_FALSE(extracted.has_value());
    EXPECT_EQ(extracted.error().code, *row.error) << "got " << CodeText(extracted.error().code);
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, CompositeExtractTest, testing::ValuesIn(ExtractRows()),
                         RowName<ExtractRow>);

TEST(CompositeExtractTest, ExplicitPropagatorListKeepsOrder) {
  const CompositePropagator composite(
      {std::make_shared<const B3Propagator>(), std::make_shared<const TraceContextPropagator>()});
  EXPECT_EQ(composite.name(), "composite");
  ASSERT_EQ(composite.propagators().size(), 2u);
  const Headers headers{Traceparent(), B3()};
  const Extraction report = composite.extract_with_report(SequenceReader(headers), Context());
  EXPECT_EQ(report.format, "b3");
  EXPECT_EQ(report.context.span_context().trace_id.to_hex(), kTraceB);
}

TEST(CompositeExtractTest, LegacyHeaderNamesAreUsed) {
  const auto composite = MustMake("tracecontext,xtraceid", {"X-Request-ID", ""});
  const Headers headers{{"x-request-id", "req-12345"}, {"X-Trace-ID", std::string(kTraceC)}};
  const Extraction report = composite->extract_with_report(SequenceReader(headers), Context());
  EXPECT_EQ(report.format, "xtraceid");
  // SHA-256("req-12345"), first 16 bytes.
  EXPECT_EQ(report.context.span_context().trace_id.to_hex(), "d91f01884d5ba2df910d0508fed50b41");
}

// --- injection --------------------------------------------------------------------------------

struct InjectRow {
  std::string_view name = "";
  std::string config{};
  Headers expected{};  // exactly the headers written
  friend void PrintTo(const InjectRow& row, std::ostream* os) { *os << row.name; }
};

std::vector<InjectRow> InjectRows() {
  const std::string t(kTraceA);
  const std::string s(kSpanA);
  const std::string traceparent = "00-" + t + "-" + s + "-01";
  return {
      {.name = "every_format",
       .config = "tracecontext,baggage,b3,b3multi,xtraceid",
       .expected = {{"traceparent", traceparent},
                    {"baggage", "k=v"},
                    {"b3", t + "-" + s + "-1"},
                    {"X-B3-TraceId", t},
                    {"X-B3-SpanId", s},
                    {"X-B3-Sampled", "1"},
                    {"X-Trace-ID", t}}},
      {.name = "otel_default",
       .config = "tracecontext,baggage",
       .expected = {{"traceparent", traceparent}, {"baggage", "k=v"}}},
      {.name = "b3_only", .config = "b3", .expected = {{"b3", t + "-" + s + "-1"}}},
      {.name = "xtraceid_only", .config = "xtraceid", .expected = {{"X-Trace-ID", t}}},
      {.name = "none", .config = "none", .expected = {}},
  };
}

class CompositeInjectTest : public testing::TestWithParam<InjectRow> {};

TEST_P(CompositeInjectTest, WritesEveryConfiguredFormat) {
  const InjectRow& row = GetParam();
  SpanContext span_context;
  span_context.trace_id = TraceId::from_hex(kTraceA).value();
  span_context.span_id = SpanId::from_hex(kSpanA).value();
  span_context.flags = TraceFlags(TraceFlags::sampled_bit);
  const Expected<Baggage> baggage = Baggage().set("k", "v");
  ASSERT_TRUE(baggage.has_value());
  Headers headers;
  SequenceWriter writer(headers);
  MustMake(row.config)->inject(Context(span_context, *baggage), writer);
  EXPECT_EQ(headers.size(), row.expected.size());
  for (const auto& [name, value] : row.expected) {
    EXPECT_EQ(HeaderValue(headers, name), std::optional<std::string>(value)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, CompositeInjectTest, testing::ValuesIn(InjectRows()),
                         RowName<InjectRow>);

TEST(CompositeInjectTest, LegacyHeaderNamesAreUsed) {
  SpanContext span_context;
  span_context.trace_id = TraceId::from_hex(kTraceC).value();
  span_context.span_id = SpanId::from_hex(kSpanA).value();
  span_context.legacy_trace_id = std::make_shared<const std::string>("req-12345");
  Headers headers;
  SequenceWriter writer(headers);
  MustMake("xtraceid", {"X-Langfuse-Trace-ID", "X-Langfuse-Parent-Span-ID"})
      ->inject(Context(span_context), writer);
  EXPECT_EQ(HeaderValue(headers, "X-Langfuse-Trace-ID"), std::optional<std::string>("req-12345"));
  EXPECT_EQ(HeaderValue(headers, "X-Langfuse-Parent-Span-ID"), std::optional<std::string>(kSpanA));
  EXPECT_EQ(HeaderValue(headers, "X-Trace-ID"), std::nullopt);
}

TEST(CompositeInjectTest, RoundTripThroughEveryFormat) {
  const auto composite = MustMake("tracecontext,baggage,b3,b3multi,xtraceid");
  SpanContext span_context;
  span_context.trace_id = TraceId::from_hex(kTraceB).value();
  span_context.span_id = SpanId::from_hex(kSpanB).value();
  span_context.flags = TraceFlags(TraceFlags::sampled_bit);
  Headers headers;
  SequenceWriter writer(headers);
  composite->inject(Context(span_context), writer);
  const Extraction report = composite->extract_with_report(SequenceReader(headers), Context());
  EXPECT_EQ(report.format, "tracecontext");
  EXPECT_EQ(report.context.span_context().trace_id, span_context.trace_id);
  EXPECT_EQ(report.context.span_context().span_id, span_context.span_id);
}

// A legacy id string must reach every hop unchanged, whichever format each
// service reads first; and the W3C/B3 parent must still link the hops.
TEST(CompositePropagator, LegacyIdIsResentUnchangedOnEveryHop) {
  for (const std::string order :
       {"tracecontext,xtraceid", "xtraceid,tracecontext", "b3,xtraceid"}) {
    SCOPED_TRACE(order);
    TracerOptions options;
    options.propagators = order;
    options.sampler_name = "always_on";
    MapEnvironment environment;
    auto config = finalize(options, environment);
    ASSERT_TRUE(config);
    const Tracer tracer(std::move(*config));

    Headers inbound{{"X-Trace-ID", "req-12345"}};
    TraceId trace_id;
    SpanId previous_span;
    for (int hop = 0; hop < 4; ++hop) {
      SCOPED_TRACE("hop " + std::to_string(hop));
      auto extracted = tracer.propagator().extract(SequenceReader(inbound), Context());
      ASSERT_TRUE(extracted);
      if (hop > 0) {
        EXPECT_EQ(extracted->span_context().span_id, previous_span) << "the hop lost its parent";
      }
      SpanOptions span_options{.kind = SpanKind::server};
      span_options.parent = *extracted;
      auto span = tracer.start_span("hop", span_options);
      if (hop == 0) trace_id = span.context().trace_id;
      EXPECT_EQ(span.context().trace_id, trace_id);

      Headers outbound;
      SequenceWriter writer(outbound);
      tracer.propagator().inject(Context(span.context()), writer);
      EXPECT_EQ(HeaderValue(outbound, "X-Trace-ID"), std::optional<std::string>("req-12345"));
      previous_span = span.context().span_id;
      inbound = outbound;
    }
  }
}

// A user's carrier may throw (an allocation, an .at() on a missing key);
// propagation must never let that reach the request thread.
class ThrowingReader final : public CarrierReader {
 public:
  std::optional<std::string_view> get(std::string_view) const override {
    throw std::runtime_error("carrier failed");
  }
  std::size_t get_all(std::string_view, std::span<std::string_view>) const override {
    throw std::runtime_error("carrier failed");
  }
};

class ThrowingWriter final : public CarrierWriter {
 public:
  void set(std::string_view, std::string_view) override { throw std::bad_alloc(); }
};

TEST(CompositePropagator, AThrowingCarrierIsAnErrorValueNotAnException) {
  auto propagator = make_propagator("tracecontext,baggage,b3,b3multi,xtraceid");
  ASSERT_TRUE(propagator);
  const ThrowingReader reader;
  const auto extraction = (*propagator)->extract_with_report(reader, Context());
  ASSERT_TRUE(extraction.error.has_value());
  EXPECT_EQ(extraction.error->code, ErrorCode::carrier_failed);
  for (const auto& format : (*propagator)->propagators()) {
    SCOPED_TRACE(std::string(format->name()));
    const auto extracted = format->extract(reader, Context());
    ASSERT_FALSE(extracted.has_value());
    EXPECT_EQ(extracted.error().code, ErrorCode::carrier_failed);
  }

  SpanContext span_context;
  span_context.trace_id = TraceId::random();
  span_context.span_id = SpanId::random();
  ThrowingWriter writer;
  EXPECT_NO_THROW((*propagator)->inject(Context(span_context), writer));
}

}  // namespace
}  // namespace tracemesh
