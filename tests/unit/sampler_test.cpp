// Tests for the samplers: always_on/off, trace-id ratio and parent-based.

#include "tracemesh/sampler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "tracemesh/ids.h"
#include "tracemesh/span_context.h"

namespace tracemesh {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t low_56_bits = 0x00FF'FFFF'FFFF'FFFFULL;

// Return the decision of `sampler` for a span of trace `trace_id` under `parent`.
SamplingDecision decide(const Sampler& sampler, const TraceId& trace_id,
                        const SpanContext& parent = {}) {
  const Attributes attributes;
  return sampler.should_sample(
      SamplingInput{parent, trace_id, "operation", SpanKind::internal, attributes});
}

bool sampled(const Sampler& sampler, const TraceId& trace_id, const SpanContext& parent = {}) {
  return decide(sampler, trace_id, parent) == SamplingDecision::record_and_sample;
}

enum class ParentKind { none, remote_sampled, remote_unsampled, local_sampled, local_unsampled };

std::string_view to_string(ParentKind kind) {
  switch (kind) {
    case ParentKind::none:
      return "none";
    case ParentKind::remote_sampled:
      return "remote_sampled";
    case ParentKind::remote_unsampled:
      return "remote_unsampled";
    case ParentKind::local_sampled:
      return "local_sampled";
    case ParentKind::local_unsampled:
      return "local_unsampled";
  }
  return "?";
}

// Return a parent span context of `kind` in trace `trace_id` (invalid for none).
SpanContext make_parent(ParentKind kind, const TraceId& trace_id) {
  SpanContext parent;
  if (kind == ParentKind::none) return parent;
  parent.trace_id = trace_id;
  parent.span_id = SpanId::from_uint64(0x1234);
  const bool is_sampled = kind == ParentKind::remote_sampled || kind == ParentKind::local_sampled;
  parent.flags = TraceFlags().with_sampled(is_sampled);
  parent.is_remote = kind == ParentKind::remote_sampled || kind == ParentKind::remote_unsampled;
  return parent;
}

struct DecisionRow {
  std::string name;
  std::function<std::shared_ptr<const Sampler>()> make;
  ParentKind parent;
  SamplingDecision expected;
};

std::ostream& operator<<(std::ostream& out, const DecisionRow& row) {
  return out << row.name;
}

class SamplerDecision : public ::testing::TestWithParam<DecisionRow> {};

TEST_P(SamplerDecision, DecidesAsSpecified) {
  const DecisionRow& row = GetParam();
  auto sampler = row.make();
  ASSERT_NE(sampler, nullptr);
  // Several trace ids: the rows do not depend on the id.
  for (int i = 0; i < 50; ++i) {
    const TraceId trace_id = TraceId::random();
    SCOPED_TRACE(trace_id.to_hex() + " parent=" + std::string(to_string(row.parent)));
    EXPECT_EQ(decide(*sampler, trace_id, make_parent(row.parent, trace_id)), row.expected);
  }
}

std::shared_ptr<const Sampler> always_on() {
  return make_always_on_sampler();
}
std::shared_ptr<const Sampler> always_off() {
  return make_always_off_sampler();
}
std::shared_ptr<const Sampler> ratio_zero() {
  return make_trace_id_ratio_sampler(0.0);
}
std::shared_ptr<const Sampler> ratio_one() {
  return make_trace_id_ratio_sampler(1.0);
}
std::shared_ptr<const Sampler> parent_based_on() {
  return make_parent_based_sampler(make_always_on_sampler());
}
std::shared_ptr<const Sampler> parent_based_off() {
  return make_parent_based_sampler(make_always_off_sampler());
}
std::shared_ptr<const Sampler> parent_based_ratio_zero() {
  return make_parent_based_sampler(make_trace_id_ratio_sampler(0.0));
}

constexpr auto sample = SamplingDecision::record_and_sample;
constexpr auto drop = SamplingDecision::drop;

INSTANTIATE_TEST_SUITE_P(
    Rows, SamplerDecision,
    ::testing::Values(
        DecisionRow{"always_on_root", always_on, ParentKind::none, sample},
        DecisionRow{"always_on_ignores_unsampled_parent", always_on, ParentKind::remote_unsampled,
                    sample},
        DecisionRow{"always_off_root", always_off, ParentKind::none, drop},
        DecisionRow{"always_off_ignores_sampled_parent", always_off, ParentKind::remote_sampled,
                    drop},
        DecisionRow{"ratio_0_root", ratio_zero, ParentKind::none, drop},
        DecisionRow{"ratio_0_ignores_sampled_parent", ratio_zero, ParentKind::local_sampled, drop},
        DecisionRow{"ratio_1_root", ratio_one, ParentKind::none, sample},
        DecisionRow{"ratio_1_ignores_unsampled_parent", ratio_one, ParentKind::local_unsampled,
                    sample},
        DecisionRow{"ratio_above_1_is_clamped_to_1",
                    [] { return make_trace_id_ratio_sampler(1.5); }, ParentKind::none, sample},
        DecisionRow{"ratio_below_0_is_clamped_to_0",
                    [] { return make_trace_id_ratio_sampler(-0.5); }, ParentKind::none, drop},
        DecisionRow{"parentbased_on_root_uses_root_sampler", parent_based_on, ParentKind::none,
                    sample},
        DecisionRow{"parentbased_on_remote_sampled", parent_based_on, ParentKind::remote_sampled,
                    sample},
        DecisionRow{"parentbased_on_remote_unsampled", parent_based_on,
                    ParentKind::remote_unsampled, drop},
        DecisionRow{"parentbased_on_local_sampled", parent_based_on, ParentKind::local_sampled,
                    sample},
        DecisionRow{"parentbased_on_local_unsampled", parent_based_on, ParentKind::local_unsampled,
                    drop},
        DecisionRow{"parentbased_off_root_uses_root_sampler", parent_based_off, ParentKind::none,
                    drop},
        DecisionRow{"parentbased_off_remote_sampled", parent_based_off, ParentKind::remote_sampled,
                    sample},
        DecisionRow{"parentbased_off_remote_unsampled", parent_based_off,
                    ParentKind::remote_unsampled, drop},
        DecisionRow{"parentbased_off_local_sampled", parent_based_off, ParentKind::local_sampled,
                    sample},
        DecisionRow{"parentbased_off_local_unsampled", parent_based_off,
                    ParentKind::local_unsampled, drop},
        DecisionRow{"parentbased_ratio_0_root", parent_based_ratio_zero, ParentKind::none, drop},
        DecisionRow{"parentbased_ratio_0_sampled_parent", parent_based_ratio_zero,
                    ParentKind::remote_sampled, sample}),
    [](const ::testing::TestParamInfo<DecisionRow>& param_info) { return param_info.param.name; });

TEST(TraceIdRatioSampler, ExtremeRatiosHoldForBoundaryIds) {
  // The lowest 56 bits at their minimum and maximum (the high half keeps the id valid).
  const TraceId lowest = TraceId::from_halves(1, 0);
  const TraceId highest = TraceId::from_halves(1, low_56_bits);
  const auto zero = make_trace_id_ratio_sampler(0.0);
  const auto one = make_trace_id_ratio_sampler(1.0);
  EXPECT_FALSE(sampled(*zero, lowest));
  EXPECT_FALSE(sampled(*zero, highest));
  EXPECT_TRUE(sampled(*one, lowest));
  EXPECT_TRUE(sampled(*one, highest));
}

TEST(TraceIdRatioSampler, HalfDecidesTheBoundaryIdsDifferently) {
  const auto half = make_trace_id_ratio_sampler(0.5);
  EXPECT_NE(sampled(*half, TraceId::from_halves(1, 0)),
            sampled(*half, TraceId::from_halves(1, low_56_bits)));
}

TEST(TraceIdRatioSampler, SameTraceIdGetsTheSameDecisionEverywhere) {
  const auto first = make_trace_id_ratio_sampler(0.5);
  const auto second = make_trace_id_ratio_sampler(0.5);  // "another service"
  for (int i = 0; i < 1000; ++i) {
    const TraceId trace_id = TraceId::random();
    SCOPED_TRACE(trace_id.to_hex());
    const bool decision = sampled(*first, trace_id);
    EXPECT_EQ(sampled(*first, trace_id), decision);
    EXPECT_EQ(sampled(*second, trace_id), decision);
  }
}

TEST(TraceIdRatioSampler, DecidesFromTheLowest56BitsOnly) {
  const auto half = make_trace_id_ratio_sampler(0.5);
  for (int i = 0; i < 1000; ++i) {
    const TraceId trace_id = TraceId::random();
    SCOPED_TRACE(trace_id.to_hex());
    // Change every bit above the lowest 56: the high half and the top byte of the low half.
    const TraceId other = TraceId::from_halves(
        ~trace_id.high(), (trace_id.low() & low_56_bits) | (~trace_id.low() & ~low_56_bits));
    EXPECT_EQ(sampled(*half, other), sampled(*half, trace_id));
  }
}

TEST(TraceIdRatioSampler, HalfSamplesAboutHalfOfRandomTraces) {
  const auto half = make_trace_id_ratio_sampler(0.5);
  constexpr int total = 10000;
  int count = 0;
  for (int i = 0; i < total; ++i) {
    if (sampled(*half, TraceId::random())) ++count;
  }
  const double share = static_cast<double>(count) / total;
  EXPECT_GT(share, 0.45);
  EXPECT_LT(share, 0.55);
}

TEST(TraceIdRatioSampler, ASmallerRatioSamplesASubsetOfALargerOne) {
  const auto quarter = make_trace_id_ratio_sampler(0.25);
  const auto half = make_trace_id_ratio_sampler(0.5);
  for (int i = 0; i < 2000; ++i) {
    const TraceId trace_id = TraceId::random();
    SCOPED_TRACE(trace_id.to_hex());
    if (sampled(*quarter, trace_id)) {
      EXPECT_TRUE(sampled(*half, trace_id));
    }
  }
}

TEST(SamplerDescription, NamesTheSampler) {
  EXPECT_THAT(make_always_on_sampler()->description(), HasSubstr("AlwaysOn"));
  EXPECT_THAT(make_always_off_sampler()->description(), HasSubstr("AlwaysOff"));
  EXPECT_EQ(make_trace_id_ratio_sampler(0.25)->description(), "TraceIdRatioBased{0.25}");
  EXPECT_EQ(make_trace_id_ratio_sampler(0.5)->description(), "TraceIdRatioBased{0.5}");
}

TEST(SamplerDescription, ParentBasedNamesItsRoot) {
  const auto root = make_trace_id_ratio_sampler(0.25);
  const std::string description = make_parent_based_sampler(root)->description();
  EXPECT_THAT(description, HasSubstr("ParentBased"));
  EXPECT_THAT(description, HasSubstr(root->description()));
}

}  // namespace
}  // namespace tracemesh
