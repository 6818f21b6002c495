// Tests for finalize(): how options and OTEL_* / TRACEMESH_* environment
// variables become a TracerConfig, and every way a setting can be rejected.

#include "tracemesh/tracer_config.h"
#include "support/gated_exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/batch_span_processor.h"
#include "tracemesh/carrier.h"
#include "tracemesh/environment.h"
#include "tracemesh/ids.h"
#include "tracemesh/in_memory_exporter.h"
#include "tracemesh/legacy_propagator.h"
#include "tracemesh/sampler.h"

namespace tracemesh {
namespace {

using spec::GatedExporter;
using spec::make_span_data;

using ::testing::HasSubstr;
using Variables = std::map<std::string, std::string, std::less<>>;

// Return a fresh path in the temporary directory (not created).
std::filesystem::path temporary_path(std::string_view stem) {
  return std::filesystem::temp_directory_path() /
         (std::string(stem) + "-" + std::to_string(random_uint64()) + ".jsonl");
}

// Return options that export into memory through a batch processor, so that
// every OTEL_BSP_* setting is applied.
TracerOptions with_exporter() {
  TracerOptions options;
  options.exporter = std::make_shared<InMemoryExporter>();
  return options;
}

// Return options that export into `exporter` through a batch processor.
TracerOptions exporting_to(std::shared_ptr<SpanExporter> exporter) {
  TracerOptions options;
  options.exporter = std::move(exporter);
  return options;
}

// --- sampling probes ----------------------------------------------------------------------

enum class Parent { none, sampled, unsampled };

bool samples(const Sampler& sampler, Parent parent_kind) {
  const TraceId trace_id = TraceId::random();
  SpanContext parent;
  if (parent_kind != Parent::none) {
    parent.trace_id = trace_id;
    parent.span_id = SpanId::from_uint64(42);
    parent.flags = TraceFlags().with_sampled(parent_kind == Parent::sampled);
    parent.is_remote = true;
  }
  const Attributes attributes;
  return sampler.should_sample(SamplingInput{parent, trace_id, "op", SpanKind::server,
                                             attributes}) == SamplingDecision::record_and_sample;
}

// Return the names of the configured propagators, in order.
std::vector<std::string> propagator_names(const TracerConfig& config) {
  std::vector<std::string> names;
  for (const auto& propagator : config.propagator->propagators()) {
    names.emplace_back(propagator->name());
  }
  return names;
}

// Return the configured legacy propagator, or null.
const LegacyPropagator* legacy_propagator(const TracerConfig& config) {
  for (const auto& propagator : config.propagator->propagators()) {
    if (const auto* legacy = dynamic_cast<const LegacyPropagator*>(propagator.get())) {
      return legacy;
    }
  }
  return nullptr;
}

std::string attribute_string(const TracerConfig& config, std::string_view key) {
  const AttributeValue* value = find_attribute(config.resource->attributes(), key);
  if (value == nullptr) return "<missing>";
  const auto* text = value->get_if<std::string>();
  return text != nullptr ? *text : "<not a string>";
}

// --- rows that succeed --------------------------------------------------------------------

struct SuccessRow {
  std::string name;
  Variables environment;
  std::function<TracerOptions()> options;
  std::function<void(const TracerConfig&)> check;
};

std::ostream& operator<<(std::ostream& out, const SuccessRow& row) {
  return out << row.name;
}

class FinalizeSucceeds : public ::testing::TestWithParam<SuccessRow> {};

TEST_P(FinalizeSucceeds, AppliesTheSetting) {
  const SuccessRow& row = GetParam();
  const auto config = finalize(row.options(), MapEnvironment(row.environment));
  ASSERT_TRUE(config.has_value()) << config.error().text();
  ASSERT_NE(config->resource, nullptr);
  ASSERT_NE(config->sampler, nullptr);
  ASSERT_NE(config->propagator, nullptr);
  row.check(*config);
}

TracerOptions no_options() {
  return {};
}

void expect_root_sampled(const TracerConfig& config, bool expected) {
  EXPECT_EQ(samples(*config.sampler, Parent::none), expected) << config.sampler->description();
}

void expect_follows_parent(const TracerConfig& config) {
  EXPECT_TRUE(samples(*config.sampler, Parent::sampled)) << config.sampler->description();
  EXPECT_FALSE(samples(*config.sampler, Parent::unsampled)) << config.sampler->description();
}

const SuccessRow success_rows[] = {
    // Resource.
    {"service_name_from_environment",
     {{"OTEL_SERVICE_NAME", "checkout"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_EQ(config.resource->service_name(), "checkout"); }},
    {"resource_attributes_percent_decoded",
     {{"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,team=payments%20%26%20billing"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(attribute_string(config, "deployment.environment"), "prod");
       EXPECT_EQ(attribute_string(config, "team"), "payments & billing");
     }},
    {"service_name_from_resource_attributes",
     {{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(config.resource->service_name(), "from-attributes");
     }},
    {"service_name_variable_wins_over_resource_attributes",
     {{"OTEL_SERVICE_NAME", "from-variable"},
      {"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(config.resource->service_name(), "from-variable");
     }},
    {"service_name_resource_attribute_option_wins_over_environment",
     {{"OTEL_SERVICE_NAME", "from-environment"}},
     [] {
       TracerOptions options;
       options.resource_attributes = {{"service.name", "from-code"}};
       return options;
     },
     [](const TracerConfig& config) { EXPECT_EQ(config.resource->service_name(), "from-code"); }},
    {"service_name_option_wins_over_environment",
     {{"OTEL_SERVICE_NAME", "from-environment"},
      {"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"}},
     [] {
       TracerOptions options;
       options.service_name = "from-code";
       return options;
     },
     [](const TracerConfig& config) { EXPECT_EQ(config.resource->service_name(), "from-code"); }},
    {"resource_attribute_options_merge_over_environment",
     {{"OTEL_RESOURCE_ATTRIBUTES", "team=from-environment,region=eu"}},
     [] {
       TracerOptions options;
       options.resource_attributes = {{"team", "from-code"}};
       return options;
     },
     [](const TracerConfig& config) {
       EXPECT_EQ(attribute_string(config, "team"), "from-code");
       EXPECT_EQ(attribute_string(config, "region"), "eu");
     }},
    // Samplers.
    {"sampler_default_is_parentbased_always_on",
     {},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, true);
       expect_follows_parent(config);
     }},
    {"sampler_empty_value_is_unset",
     {{"OTEL_TRACES_SAMPLER", ""}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, true);
       expect_follows_parent(config);
     }},
    {"sampler_always_on",
     {{"OTEL_TRACES_SAMPLER", "always_on"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, true);
       EXPECT_TRUE(samples(*config.sampler, Parent::unsampled));
     }},
    {"sampler_always_off",
     {{"OTEL_TRACES_SAMPLER", "always_off"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, false);
       EXPECT_FALSE(samples(*config.sampler, Parent::sampled));
     }},
    {"sampler_traceidratio_0",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, false);
       EXPECT_FALSE(samples(*config.sampler, Parent::sampled)) << "ratio ignores the parent";
     }},
    {"sampler_traceidratio_1",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1"}},
     no_options,
     [](const TracerConfig& config) { expect_root_sampled(config, true); }},
    {"sampler_traceidratio_half",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.5"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_THAT(config.sampler->description(), HasSubstr("TraceIdRatioBased{0.5}"));
     }},
    {"sampler_traceidratio_without_argument_samples_everything",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}},
     no_options,
     [](const TracerConfig& config) { expect_root_sampled(config, true); }},
    {"sampler_parentbased_always_on",
     {{"OTEL_TRACES_SAMPLER", "parentbased_always_on"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, true);
       expect_follows_parent(config);
     }},
    {"sampler_parentbased_always_off",
     {{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, false);
       expect_follows_parent(config);
     }},
    {"sampler_parentbased_traceidratio_0",
     {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, false);
       expect_follows_parent(config);
     }},
    {"sampler_parentbased_traceidratio_1",
     {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1"}},
     no_options,
     [](const TracerConfig& config) {
       expect_root_sampled(config, true);
       expect_follows_parent(config);
     }},
    {"sampler_name_option_wins_over_environment",
     {{"OTEL_TRACES_SAMPLER", "always_on"}},
     [] {
       TracerOptions options;
       options.sampler_name = "always_off";
       return options;
     },
     [](const TracerConfig& config) { expect_root_sampled(config, false); }},
    {"sampler_object_option_wins_over_environment",
     {{"OTEL_TRACES_SAMPLER", "always_on"}},
     [] {
       TracerOptions options;
       options.sampler = make_always_off_sampler();
       return options;
     },
     [](const TracerConfig& config) { expect_root_sampled(config, false); }},
    {"sampler_argument_option_wins_over_environment",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1"}},
     [] {
       TracerOptions options;
       options.sampler_arg = "0";
       return options;
     },
     [](const TracerConfig& config) { expect_root_sampled(config, false); }},
    // Propagators.
    {"propagators_default_include_tracecontext_and_baggage",
     {},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_THAT(propagator_names(config), ::testing::IsSupersetOf({"tracecontext", "baggage"}));
     }},
    {"propagators_in_configured_order",
     {{"OTEL_PROPAGATORS", "b3multi,tracecontext,xtraceid,b3,baggage"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(propagator_names(config), (std::vector<std::string>{"b3multi", "tracecontext",
                                                                     "xtraceid", "b3", "baggage"}));
     }},
    {"propagators_case_and_whitespace_ignored",
     {{"OTEL_PROPAGATORS", " TraceContext , BAGGAGE "}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(propagator_names(config), (std::vector<std::string>{"tracecontext", "baggage"}));
     }},
    {"propagators_none",
     {{"OTEL_PROPAGATORS", "none"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_TRUE(propagator_names(config).empty()); }},
    {"propagators_option_wins_over_environment",
     {{"OTEL_PROPAGATORS", "tracecontext"}},
     [] {
       TracerOptions options;
       options.propagators = "b3";
       return options;
     },
     [](const TracerConfig& config) {
       EXPECT_EQ(propagator_names(config), (std::vector<std::string>{"b3"}));
     }},
    {"legacy_headers_default",
     {{"OTEL_PROPAGATORS", "xtraceid"}},
     no_options,
     [](const TracerConfig& config) {
       const LegacyPropagator* legacy = legacy_propagator(config);
       ASSERT_NE(legacy, nullptr);
       EXPECT_EQ(legacy->header_names().trace_header, "X-Trace-ID");
       EXPECT_EQ(legacy->header_names().parent_header, "");
     }},
    {"legacy_headers_from_environment",
     {{"OTEL_PROPAGATORS", "tracecontext,xtraceid"},
      {"TRACEMESH_LEGACY_TRACE_HEADER", "X-Langfuse-Trace-ID"},
      {"TRACEMESH_LEGACY_PARENT_HEADER", "X-Langfuse-Parent-Observation-ID"}},
     no_options,
     [](const TracerConfig& config) {
       const LegacyPropagator* legacy = legacy_propagator(config);
       ASSERT_NE(legacy, nullptr);
       EXPECT_EQ(legacy->header_names().trace_header, "X-Langfuse-Trace-ID");
       EXPECT_EQ(legacy->header_names().parent_header, "X-Langfuse-Parent-Observation-ID");
     }},
    {"legacy_header_options_win_over_environment",
     {{"OTEL_PROPAGATORS", "xtraceid"},
      {"TRACEMESH_LEGACY_TRACE_HEADER", "X-From-Environment"},
      {"TRACEMESH_LEGACY_PARENT_HEADER", "X-Parent-From-Environment"}},
     [] {
       TracerOptions options;
       options.legacy_trace_header = "X-Request-ID";
       options.legacy_parent_header = "X-Parent-ID";
       return options;
     },
     [](const TracerConfig& config) {
       const LegacyPropagator* legacy = legacy_propagator(config);
       ASSERT_NE(legacy, nullptr);
       EXPECT_EQ(legacy->header_names().trace_header, "X-Request-ID");
       EXPECT_EQ(legacy->header_names().parent_header, "X-Parent-ID");
     }},
    // Batch processor.
    {"batch_processor_by_default",
     {},
     with_exporter,
     [](const TracerConfig& config) {
       EXPECT_NE(dynamic_cast<BatchSpanProcessor*>(config.processor.get()), nullptr);
     }},
    {"batch_settings_accepted",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "64"},
      {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64"},
      {"OTEL_BSP_SCHEDULE_DELAY", "250"}},
     with_exporter,
     [](const TracerConfig& config) {
       EXPECT_NE(dynamic_cast<BatchSpanProcessor*>(config.processor.get()), nullptr);
     }},
    {"synchronous_export_uses_simple_processor",
     {},
     [] {
       TracerOptions options = with_exporter();
       options.synchronous_export = true;
       return options;
     },
     [](const TracerConfig& config) {
       EXPECT_NE(dynamic_cast<SimpleSpanProcessor*>(config.processor.get()), nullptr);
     }},
    // Span limits.
    {"span_limits_default",
     {},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(config.limits.max_attributes, 128U);
       EXPECT_EQ(config.limits.max_events, 128U);
       EXPECT_EQ(config.limits.max_links, 128U);
       EXPECT_EQ(config.limits.max_attribute_value_length, 0U);
     }},
    {"span_limits_from_environment",
     {{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "5"},
      {"OTEL_SPAN_EVENT_COUNT_LIMIT", "6"},
      {"OTEL_SPAN_LINK_COUNT_LIMIT", "7"},
      {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "8"}},
     no_options,
     [](const TracerConfig& config) {
       EXPECT_EQ(config.limits.max_attributes, 5U);
       EXPECT_EQ(config.limits.max_events, 6U);
       EXPECT_EQ(config.limits.max_links, 7U);
       EXPECT_EQ(config.limits.max_attribute_value_length, 8U);
     }},
    {"span_limits_option_wins_over_environment",
     {{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "5"}, {"OTEL_SPAN_EVENT_COUNT_LIMIT", "6"}},
     [] {
       SpanLimits limits;
       limits.max_attributes = 50;
       limits.max_events = 60;
       TracerOptions options;
       options.limits = limits;
       return options;
     },
     [](const TracerConfig& config) {
       EXPECT_EQ(config.limits.max_attributes, 50U);
       EXPECT_EQ(config.limits.max_events, 60U);
     }},
    // Exporters.
    {"exporter_default_is_none",
     {},
     no_options,
     [](const TracerConfig& config) { EXPECT_EQ(config.processor, nullptr); }},
    {"exporter_none",
     {{"OTEL_TRACES_EXPORTER", "none"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_EQ(config.processor, nullptr); }},
    {"exporter_console",
     {{"OTEL_TRACES_EXPORTER", "console"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_NE(config.processor, nullptr); }},
    {"exporter_option_wins_over_environment",
     {{"OTEL_TRACES_EXPORTER", "none"}},
     with_exporter,
     [](const TracerConfig& config) { EXPECT_NE(config.processor, nullptr); }},
    // Disabling.
    {"enabled_by_default",
     {},
     no_options,
     [](const TracerConfig& config) { EXPECT_FALSE(config.disabled); }},
    {"disabled_true",
     {{"OTEL_SDK_DISABLED", "true"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_TRUE(config.disabled); }},
    {"disabled_is_case_insensitive",
     {{"OTEL_SDK_DISABLED", "TRUE"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_TRUE(config.disabled); }},
    {"disabled_false",
     {{"OTEL_SDK_DISABLED", "false"}},
     no_options,
     [](const TracerConfig& config) { EXPECT_FALSE(config.disabled); }},
    {"disabled_option_wins_over_environment",
     {{"OTEL_SDK_DISABLED", "true"}},
     [] {
       TracerOptions options;
       options.disabled = false;
       return options;
     },
     [](const TracerConfig& config) { EXPECT_FALSE(config.disabled); }},
};

INSTANTIATE_TEST_SUITE_P(Rows, FinalizeSucceeds, ::testing::ValuesIn(success_rows),
                         [](const ::testing::TestParamInfo<SuccessRow>& param_info) {
                           return param_info.param.name;
                         });

// --- rows that fail -----------------------------------------------------------------------

struct ErrorRow {
  std::string name;
  Variables environment;
  ErrorCode code;
  std::vector<std::string> mentions;  // substrings the message must contain
  std::function<TracerOptions()> options = with_exporter;
};

std::ostream& operator<<(std::ostream& out, const ErrorRow& row) {
  return out << row.name;
}

class FinalizeFails : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(FinalizeFails, NamesTheOffendingSetting) {
  const ErrorRow& row = GetParam();
  const auto config = finalize(row.options(), MapEnvironment(row.environment));
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, row.code) << config.error().text();
  for (const std::string& mention : row.mentions) {
    EXPECT_THAT(config.error().message, HasSubstr(mention));
  }
}

constexpr auto invalid = ErrorCode::invalid_config;
constexpr auto unknown = ErrorCode::unknown_name;

const ErrorRow error_rows[] = {
    {"resource_attributes_member_without_equals",
     {{"OTEL_RESOURCE_ATTRIBUTES", "a=1,broken"}},
     invalid,
     {"OTEL_RESOURCE_ATTRIBUTES", "broken"}},
    {"resource_attributes_empty_key",
     {{"OTEL_RESOURCE_ATTRIBUTES", "=nameless"}},
     invalid,
     {"OTEL_RESOURCE_ATTRIBUTES", "=nameless"}},
    {"sampler_unknown_name",
     {{"OTEL_TRACES_SAMPLER", "sometimes"}},
     unknown,
     {"OTEL_TRACES_SAMPLER", "sometimes"}},
    {"sampler_argument_not_a_number",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "half"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG", "half"}},
    {"sampler_argument_trailing_garbage",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.5x"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG", "0.5x"}},
    {"sampler_argument_above_one",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG", "1.5"}},
    {"sampler_argument_below_zero",
     {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "-0.1"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG", "-0.1"}},
    {"sampler_argument_not_a_number_for_parentbased",
     {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "nan"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG"}},
    {"sampler_argument_out_of_range_for_parentbased",
     {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}},
     invalid,
     {"OTEL_TRACES_SAMPLER_ARG"}},
    {"propagators_unknown_name",
     {{"OTEL_PROPAGATORS", "tracecontext,bogus"}},
     unknown,
     {"OTEL_PROPAGATORS", "bogus"}},
    {"propagators_unsupported_otel_name",
     {{"OTEL_PROPAGATORS", "jaeger"}},
     unknown,
     {"OTEL_PROPAGATORS", "jaeger"}},
    {"batch_queue_size_not_a_number",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "big"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE", "big"}},
    {"batch_queue_size_zero",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "0"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE"}},
    {"batch_queue_size_negative",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "-8"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE"}},
    {"batch_queue_size_trailing_garbage",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "2048k"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE"}},
    {"legacy_trace_header_not_a_header_name",
     {{"TRACEMESH_LEGACY_TRACE_HEADER", "X Trace ID"}},
     invalid,
     {"TRACEMESH_LEGACY_TRACE_HEADER", "X Trace ID"}},
    {"legacy_parent_header_not_a_header_name",
     {{"TRACEMESH_LEGACY_PARENT_HEADER", "X-Parent:"}},
     invalid,
     {"TRACEMESH_LEGACY_PARENT_HEADER"}},
    {"batch_queue_size_above_limit",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "1048577"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE", "1048577", "limit"}},
    {"batch_queue_size_overflows_64_bits",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "9223372036854775809"}},
     invalid,
     {"OTEL_BSP_MAX_QUEUE_SIZE"}},
    {"schedule_delay_above_one_hour",
     {{"OTEL_BSP_SCHEDULE_DELAY", "3600001"}},
     invalid,
     {"OTEL_BSP_SCHEDULE_DELAY", "limit"}},
    {"schedule_delay_that_would_overflow_a_clock",
     {{"OTEL_BSP_SCHEDULE_DELAY", "18446744073709551615"}},
     invalid,
     {"OTEL_BSP_SCHEDULE_DELAY"}},
    {"batch_size_not_a_number",
     {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "many"}},
     invalid,
     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "many"}},
    {"batch_size_zero",
     {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0"}},
     invalid,
     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}},
    {"batch_size_above_queue_size",
     {{"OTEL_BSP_MAX_QUEUE_SIZE", "8"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"}},
     invalid,
     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}},
    {"batch_size_above_default_queue_size",
     {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"}},
     invalid,
     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}},
    {"batch_schedule_delay_not_a_number",
     {{"OTEL_BSP_SCHEDULE_DELAY", "soon"}},
     invalid,
     {"OTEL_BSP_SCHEDULE_DELAY", "soon"}},
    {"batch_schedule_delay_zero",
     {{"OTEL_BSP_SCHEDULE_DELAY", "0"}},
     invalid,
     {"OTEL_BSP_SCHEDULE_DELAY"}},
    {"batch_options_size_above_queue_size",
     {},
     invalid,
     {},
     [] {
       TracerOptions options = with_exporter();
       BatchOptions batch;
       batch.max_queue_size = 8;
       batch.max_export_batch_size = 16;
       options.batch = batch;
       return options;
     }},
    {"attribute_count_limit_not_a_number",
     {{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "lots"}},
     invalid,
     {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "lots"}},
    {"event_count_limit_negative",
     {{"OTEL_SPAN_EVENT_COUNT_LIMIT", "-1"}},
     invalid,
     {"OTEL_SPAN_EVENT_COUNT_LIMIT"}},
    {"link_count_limit_not_a_number",
     {{"OTEL_SPAN_LINK_COUNT_LIMIT", "x"}},
     invalid,
     {"OTEL_SPAN_LINK_COUNT_LIMIT"}},
    {"attribute_value_length_limit_not_a_number",
     {{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "long"}},
     invalid,
     {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"}},
    {"exporter_unknown_name",
     {{"OTEL_TRACES_EXPORTER", "carrier_pigeon"}},
     unknown,
     {"OTEL_TRACES_EXPORTER", "carrier_pigeon"},
     no_options},
    {"exporter_jsonl_without_file",
     {{"OTEL_TRACES_EXPORTER", "jsonl"}},
     invalid,
     {"TRACEMESH_JSONL_FILE"},
     no_options},
    {"exporter_jsonl_file_is_a_directory",
     {{"OTEL_TRACES_EXPORTER", "jsonl"},
      {"TRACEMESH_JSONL_FILE", std::filesystem::temp_directory_path().string()}},
     ErrorCode::io_error,
     {"TRACEMESH_JSONL_FILE"},
     no_options},
};

INSTANTIATE_TEST_SUITE_P(Rows, FinalizeFails, ::testing::ValuesIn(error_rows),
                         [](const ::testing::TestParamInfo<ErrorRow>& param_info) {
                           return param_info.param.name;
                         });

// --- settings checked by their effect -----------------------------------------------------

TEST(FinalizeJsonLines, OpensTheConfiguredFile) {
  const auto path = temporary_path("tracemesh-config");
  {
    const auto config =
        finalize({}, MapEnvironment(Variables{{"OTEL_TRACES_EXPORTER", "jsonl"},
                                              {"TRACEMESH_JSONL_FILE", path.string()}}));
    ASSERT_TRUE(config.has_value()) << config.error().text();
    EXPECT_NE(config->processor, nullptr);
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  std::filesystem::remove(path);
}

TEST(FinalizeLegacyHeaders, TheConfiguredHeadersAreExtracted) {
  const auto config =
      finalize({}, MapEnvironment(Variables{{"OTEL_PROPAGATORS", "xtraceid"},
                                            {"TRACEMESH_LEGACY_TRACE_HEADER", "X-Request-ID"},
                                            {"TRACEMESH_LEGACY_PARENT_HEADER", "X-Parent-ID"}}));
  ASSERT_TRUE(config.has_value()) << config.error().text();
  const std::map<std::string, std::string> headers = {{"x-request-id", "order-7781"},
                                                      {"x-parent-id", "00f067aa0ba902b7"}};
  const MapReader<std::map<std::string, std::string>> reader(headers);
  const auto context = config->propagator->extract(reader, Context());
  ASSERT_TRUE(context.has_value()) << context.error().text();
  const auto expected_trace = parse_legacy_trace_id("order-7781");
  ASSERT_TRUE(expected_trace.has_value());
  EXPECT_EQ(context->span_context().trace_id, *expected_trace);
  EXPECT_EQ(context->span_context().span_id, SpanId::from_uint64(0x00f067aa0ba902b7));
  EXPECT_EQ(context->span_context().legacy_id(), "order-7781");
}

TEST(FinalizeBatch, BatchSizeFromTheEnvironmentBoundsEachExport) {
  auto exporter = std::make_shared<GatedExporter>(true);
  const auto config = finalize(exporting_to(exporter),
                               MapEnvironment(Variables{{"OTEL_BSP_MAX_QUEUE_SIZE", "64"},
                                                        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2"}}));
  ASSERT_TRUE(config.has_value()) << config.error().text();
  for (int i = 0; i < 7; ++i) config->processor->on_end(make_span_data());
  EXPECT_TRUE(config->processor->force_flush(std::chrono::seconds(10)));
  std::size_t total = 0;
  for (std::size_t size : exporter->batch_sizes()) {
    EXPECT_LE(size, 2U);
    total += size;
  }
  EXPECT_EQ(total, 7U);
  config->processor->shutdown(std::chrono::seconds(10));
}

TEST(FinalizeBatch, QueueSizeFromTheEnvironmentBoundsTheQueue) {
  auto exporter = std::make_shared<GatedExporter>(false);
  const auto config = finalize(exporting_to(exporter),
                               MapEnvironment(Variables{{"OTEL_BSP_MAX_QUEUE_SIZE", "4"},
                                                        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1"},
                                                        {"OTEL_BSP_SCHEDULE_DELAY", "10"}}));
  ASSERT_TRUE(config.has_value()) << config.error().text();
  auto* processor = dynamic_cast<BatchSpanProcessor*>(config->processor.get());
  ASSERT_NE(processor, nullptr);
  processor->on_end(make_span_data());
  const bool entered = exporter->wait_entered();
  EXPECT_TRUE(entered) << "the worker never started exporting";
  for (int i = 0; i < 19; ++i) processor->on_end(make_span_data());
  const BatchStats stats = processor->stats();
  exporter->open();
  EXPECT_EQ(stats.received + stats.dropped_queue_full, 20U);
  if (entered) {
    // One span in the blocked export plus at most four queued.
    EXPECT_LE(stats.received, 5U);
    EXPECT_GE(stats.dropped_queue_full, 15U);
  }
  processor->shutdown(std::chrono::seconds(10));
}

// --- the table of variables and its documentation -----------------------------------------

TEST(EnvironmentVariables, TheTableListsEveryVariableTheSdkReads) {
  const std::string_view expected[] = {
      "OTEL_SERVICE_NAME",
      "OTEL_RESOURCE_ATTRIBUTES",
      "OTEL_TRACES_SAMPLER",
      "OTEL_TRACES_SAMPLER_ARG",
      "OTEL_PROPAGATORS",
      "TRACEMESH_LEGACY_TRACE_HEADER",
      "TRACEMESH_LEGACY_PARENT_HEADER",
      "OTEL_TRACES_EXPORTER",
      "TRACEMESH_JSONL_FILE",
      "OTEL_BSP_MAX_QUEUE_SIZE",
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      "OTEL_BSP_SCHEDULE_DELAY",
      "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
      "OTEL_SPAN_EVENT_COUNT_LIMIT",
      "OTEL_SPAN_LINK_COUNT_LIMIT",
      "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
      "OTEL_SDK_DISABLED",
  };
  const auto table = environment_variables();
  for (std::string_view name : expected) {
    SCOPED_TRACE(std::string(name));
    const auto found = std::find_if(table.begin(), table.end(),
                                    [&](const EnvironmentVariable& v) { return v.name == name; });
    ASSERT_NE(found, table.end());
    EXPECT_FALSE(found->description.empty());
  }
}

TEST(EnvironmentVariables, NamesAreUnique) {
  std::vector<std::string_view> names;
  for (const auto& variable : environment_variables()) names.push_back(variable.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(EnvironmentVariables, EveryVariableIsDocumented) {
  const char* source_dir = TRACEMESH_SOURCE_DIR;
  const std::filesystem::path path = std::filesystem::path(source_dir) / "docs" / "environment.md";
  std::ifstream file(path);
  ASSERT_TRUE(file.good()) << "cannot read " << path;
  std::stringstream text;
  text << file.rdbuf();
  const std::string documentation = text.str();
  for (const auto& variable : environment_variables()) {
    EXPECT_THAT(documentation, HasSubstr(std::string(variable.name)))
        << variable.name << " is missing from " << path;
  }
}

TEST(MapEnvironment, ReturnsSetValuesAndNulloptForUnset) {
  MapEnvironment environment(Variables{{"A", "1"}});
  environment.set("B", "");
  EXPECT_EQ(environment.get("A"), std::optional<std::string>("1"));
  EXPECT_EQ(environment.get("B"), std::optional<std::string>(""));
  EXPECT_EQ(environment.get("C"), std::nullopt);
}

}  // namespace
}  // namespace tracemesh
