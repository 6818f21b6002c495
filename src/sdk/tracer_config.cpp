#include "tracemesh/tracer_config.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <string>

#include "sdk/list_members.h"
#include "tracemesh/json_lines_exporter.h"

namespace tracemesh {
namespace {

constexpr std::string_view sdk_version = "0.1.0";

Error invalid(std::string_view variable, std::string_view value, std::string_view expected) {
  return Error{ErrorCode::invalid_config, std::string(variable) + ": '" + std::string(value) +
                                              "' is not " + std::string(expected)};
}

// Return `text` trimmed of optional whitespace and lowercased.
std::string lowercase(std::string_view text) {
  return detail::ascii_lowercase(detail::trim_ows(text));
}

// The value set in code, else the environment's; nullopt when neither (or empty).
std::optional<std::string> setting(const std::optional<std::string>& option,
                                   const Environment& environment, std::string_view variable) {
  if (option) return option;
  auto value = environment.get(variable);
  if (value && detail::trim_ows(*value).empty()) return std::nullopt;
  return value;
}

Expected<std::size_t> parse_count(const Environment& environment, std::string_view variable,
                                  std::size_t fallback, bool allow_zero) {
  const auto value = environment.get(variable);
  if (!value || detail::trim_ows(*value).empty()) return fallback;
  const auto text = detail::trim_ows(*value);
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || (!allow_zero && number == 0)) {
    return invalid(variable, *value, allow_zero ? "a whole number" : "a whole number above 0");
  }
  return number;
}

Expected<bool> parse_bool(const std::optional<bool>& option, const Environment& environment,
                          std::string_view variable) {
  if (option) return *option;
  const auto value = environment.get(variable);
  if (!value) return false;
  const auto text = lowercase(*value);
  if (text == "true") return true;
  if (text == "false" || text.empty()) return false;
  return invalid(variable, *value, "true or false");
}

// Return whether `name` is an RFC 9110 token (what a header name must be).
bool is_header_name(std::string_view name) {
  constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::ranges::all_of(name, [specials](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           specials.find(c) != std::string_view::npos;
  });
}

std::string executable_name() {
  char path[PATH_MAX];
  const auto size = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (size <= 0) return "unknown";
  const std::string_view full(path, static_cast<std::size_t>(size));
  return std::string(full.substr(full.rfind('/') + 1));
}

Expected<std::shared_ptr<const Resource>> make_resource(const TracerOptions& options,
                                                        const Environment& environment) {
  Attributes attributes{{"telemetry.sdk.name", "tracemesh"},
                        {"telemetry.sdk.language", "cpp"},
                        {"telemetry.sdk.version", sdk_version}};
  if (const auto text = environment.get("OTEL_RESOURCE_ATTRIBUTES")) {
    auto parsed = parse_resource_attributes(*text);
    if (!parsed) return parsed.error();
    for (auto& attribute : *parsed) set_attribute(attributes, attribute.key, attribute.value);
  }
  // Precedence, lowest first: OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME,
  // resource attributes set in code, the service name set in code.
  if (auto name = environment.get("OTEL_SERVICE_NAME"); name && !detail::trim_ows(*name).empty()) {
    set_attribute(attributes, "service.name", detail::trim_ows(*name));
  }
  for (const auto& attribute : options.resource_attributes) {
    set_attribute(attributes, attribute.key, attribute.value);
  }
  if (options.service_name) {
    set_attribute(attributes, "service.name", *options.service_name);
  } else if (find_attribute(attributes, "service.name") == nullptr) {
    set_attribute(attributes, "service.name", "unknown_service:" + executable_name());
  }
  return std::make_shared<const Resource>(std::move(attributes));
}

Expected<double> parse_ratio(const std::optional<std::string>& argument) {
  if (!argument) return 1.0;
  const auto text = detail::trim_ows(*argument);
  double ratio = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ratio);
  if (error != std::errc() || end != text.data() + text.size() || !(ratio >= 0.0 && ratio <= 1.0)) {
    return invalid("OTEL_TRACES_SAMPLER_ARG", *argument, "a number in [0, 1]");
  }
  return ratio;
}

Expected<std::shared_ptr<const Sampler>> make_sampler(const TracerOptions& options,
                                                      const Environment& environment) {
  if (options.sampler) return options.sampler;
  const auto name_setting = setting(options.sampler_name, environment, "OTEL_TRACES_SAMPLER");
  const std::string name = name_setting ? lowercase(*name_setting) : "parentbased_always_on";
  const auto argument = setting(options.sampler_arg, environment, "OTEL_TRACES_SAMPLER_ARG");
  if (name == "always_on") return make_always_on_sampler();
  if (name == "always_off") return make_always_off_sampler();
  if (name == "parentbased_always_on") return make_parent_based_sampler(make_always_on_sampler());
  if (name == "parentbased_always_off") return make_parent_based_sampler(make_always_off_sampler());
  if (name == "traceidratio" || name == "parentbased_traceidratio") {
    auto ratio = parse_ratio(argument);
    if (!ratio) return ratio.error();
    auto sampler = make_trace_id_ratio_sampler(*ratio);
    return name == "traceidratio" ? sampler : make_parent_based_sampler(std::move(sampler));
  }
  return Error{ErrorCode::unknown_name,
               "OTEL_TRACES_SAMPLER: unknown sampler '" + name +
                   "' (known: always_on, always_off, traceidratio, parentbased_always_on, "
                   "parentbased_always_off, parentbased_traceidratio)"};
}

Expected<std::shared_ptr<const CompositePropagator>> make_configured_propagator(
    const TracerOptions& options, const Environment& environment) {
  LegacyHeaderNames names;
  if (auto header =
          setting(options.legacy_trace_header, environment, "TRACEMESH_LEGACY_TRACE_HEADER")) {
    names.trace_header = std::string(detail::trim_ows(*header));
  }
  if (auto header =
          setting(options.legacy_parent_header, environment, "TRACEMESH_LEGACY_PARENT_HEADER")) {
    names.parent_header = std::string(detail::trim_ows(*header));
  }
  for (const auto& [variable, header] :
       {std::pair{"TRACEMESH_LEGACY_TRACE_HEADER", names.trace_header},
        std::pair{"TRACEMESH_LEGACY_PARENT_HEADER", names.parent_header}}) {
    if (!header.empty() && !is_header_name(header)) {
      return Error{ErrorCode::invalid_config,
                   std::string(variable) + ": '" + header + "' is not an HTTP header name"};
    }
  }
  if (names.trace_header.empty()) {
    return Error{ErrorCode::invalid_config, "TRACEMESH_LEGACY_TRACE_HEADER: must not be empty"};
  }
  const auto list = setting(options.propagators, environment, "OTEL_PROPAGATORS");
  auto propagator = make_propagator(list ? *list : "tracecontext,baggage", names);
  if (!propagator) {
    return Error{propagator.error().code, "OTEL_PROPAGATORS: " + propagator.error().message};
  }
  return propagator;
}

Expected<SpanLimits> make_limits(const TracerOptions& options, const Environment& environment) {
  if (options.limits) return *options.limits;
  SpanLimits limits;
  auto attributes =
      parse_count(environment, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", limits.max_attributes, true);
  if (!attributes) return attributes.error();
  auto events = parse_count(environment, "OTEL_SPAN_EVENT_COUNT_LIMIT", limits.max_events, true);
  if (!events) return events.error();
  auto links = parse_count(environment, "OTEL_SPAN_LINK_COUNT_LIMIT", limits.max_links, true);
  if (!links) return links.error();
  auto length = parse_count(environment, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                            limits.max_attribute_value_length, true);
  if (!length) return length.error();
  return SpanLimits{*attributes, *events, *links, *length};
}

Expected<BatchOptions> make_batch_options(const TracerOptions& options,
                                          const Environment& environment) {
  BatchOptions batch = options.batch.value_or(BatchOptions{});
  if (!options.batch) {
    auto delay = parse_count(environment, "OTEL_BSP_SCHEDULE_DELAY",
                             static_cast<std::size_t>(batch.schedule_delay.count()), false);
    if (!delay) return delay.error();
    if (*delay > static_cast<std::size_t>(max_schedule_delay.count())) {
      return Error{ErrorCode::invalid_config, "OTEL_BSP_SCHEDULE_DELAY: " + std::to_string(*delay) +
                                                  " ms is above the limit of " +
                                                  std::to_string(max_schedule_delay.count()) +
                                                  " ms (1 hour)"};
    }
    auto queue = parse_count(environment, "OTEL_BSP_MAX_QUEUE_SIZE", batch.max_queue_size, false);
    if (!queue) return queue.error();
    auto size = parse_count(environment, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
                            batch.max_export_batch_size, false);
    if (!size) return size.error();
    batch = BatchOptions{*queue, *size, std::chrono::milliseconds(*delay)};
  }
  if (batch.max_queue_size == 0 || batch.max_export_batch_size == 0 ||
      batch.schedule_delay.count() <= 0) {
    return Error{ErrorCode::invalid_config,
                 "OTEL_BSP_*: queue size, batch size and schedule delay must be above 0"};
  }
  if (batch.max_queue_size > max_batch_queue_size) {
    return Error{ErrorCode::invalid_config,
                 "OTEL_BSP_MAX_QUEUE_SIZE: " + std::to_string(batch.max_queue_size) +
                     " is above the limit of " + std::to_string(max_batch_queue_size)};
  }
  if (batch.schedule_delay > max_schedule_delay) {
    return Error{ErrorCode::invalid_config,
                 "OTEL_BSP_SCHEDULE_DELAY: " + std::to_string(batch.schedule_delay.count()) +
                     " ms is above the limit of " + std::to_string(max_schedule_delay.count()) +
                     " ms (1 hour)"};
  }
  if (batch.max_export_batch_size > batch.max_queue_size) {
    return Error{ErrorCode::invalid_config,
                 "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: " + std::to_string(batch.max_export_batch_size) +
                     " is above OTEL_BSP_MAX_QUEUE_SIZE " + std::to_string(batch.max_queue_size)};
  }
  return batch;
}

Expected<std::shared_ptr<SpanExporter>> make_exporter(const TracerOptions& options,
                                                      const Environment& environment) {
  if (options.exporter) return options.exporter;
  const auto name_setting = environment.get("OTEL_TRACES_EXPORTER");
  const std::string name = name_setting ? lowercase(*name_setting) : "none";
  if (name == "none" || name.empty()) return std::shared_ptr<SpanExporter>();
  if (name == "console") return std::shared_ptr<SpanExporter>(JsonLinesExporter::to_stdout());
  if (name == "jsonl") {
    const auto path = environment.get("TRACEMESH_JSONL_FILE");
    if (!path || path->empty()) {
      return Error{ErrorCode::invalid_config,
                   "OTEL_TRACES_EXPORTER: 'jsonl' needs TRACEMESH_JSONL_FILE to name a file"};
    }
    auto exporter = JsonLinesExporter::open(*path);
    if (!exporter) {
      return Error{ErrorCode::io_error, "TRACEMESH_JSONL_FILE: " + exporter.error().message};
    }
    return std::shared_ptr<SpanExporter>(std::move(*exporter));
  }
  if (options.exporter_factory) {
    auto exporter = options.exporter_factory(name, environment);
    if (exporter || exporter.error().code != ErrorCode::unknown_name) return exporter;
  }
  if (name == "otlp" || name == "zipkin") {
    return Error{ErrorCode::invalid_config,
                 "OTEL_TRACES_EXPORTER: '" + name +
                     "' needs tracemesh::curl: set TracerOptions::exporter_factory to "
                     "tracemesh::exporter_factory() (tracemesh/otlp_exporter.h)"};
  }
  return Error{ErrorCode::unknown_name, "OTEL_TRACES_EXPORTER: unknown exporter '" + name +
                                            "' (known: none, console, jsonl, otlp, zipkin)"};
}

}  // namespace

Expected<TracerConfig> finalize(const TracerOptions& options, const Environment& environment) {
  TracerConfig config;
  auto disabled = parse_bool(options.disabled, environment, "OTEL_SDK_DISABLED");
  if (!disabled) return disabled.error();
  config.disabled = *disabled;
  auto resource = make_resource(options, environment);
  if (!resource) return resource.error();
  config.resource = std::move(*resource);
  auto sampler = make_sampler(options, environment);
  if (!sampler) return sampler.error();
  config.sampler = std::move(*sampler);
  auto propagator = make_configured_propagator(options, environment);
  if (!propagator) return propagator.error();
  config.propagator = std::move(*propagator);
  auto limits = make_limits(options, environment);
  if (!limits) return limits.error();
  config.limits = *limits;
  auto batch = make_batch_options(options, environment);
  if (!batch) return batch.error();
  auto exporter = make_exporter(options, environment);
  if (!exporter) return exporter.error();
  if (*exporter && !config.disabled) {
    if (options.synchronous_export) {
      config.processor = std::make_shared<SimpleSpanProcessor>(std::move(*exporter));
    } else {
      try {
        config.processor = std::make_shared<BatchSpanProcessor>(std::move(*exporter), *batch);
      } catch (const std::exception& failure) {
        return Error{ErrorCode::io_error,
                     std::string("cannot start the batch export thread: ") + failure.what()};
      }
    }
  }
  return config;
}

}  // namespace tracemesh
