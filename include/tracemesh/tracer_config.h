// Tracer configuration in two phases.
//
// TracerOptions is what code sets: every field optional. finalize() fills the
// unset fields from the environment (OTEL_* variables; see environment.h),
// then from defaults, validates everything, and returns a complete
// TracerConfig or an Error naming the offending setting and value. Values set
// in code win over the environment.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tracemesh/attribute.h"
#include "tracemesh/batch_span_processor.h"
#include "tracemesh/composite_propagator.h"
#include "tracemesh/environment.h"
#include "tracemesh/expected.h"
#include "tracemesh/resource.h"
#include "tracemesh/sampler.h"
#include "tracemesh/span_exporter.h"
#include "tracemesh/span_processor.h"

namespace tracemesh {

struct SpanLimits {
  std::size_t max_attributes = 128;            // OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT
  std::size_t max_events = 128;                // OTEL_SPAN_EVENT_COUNT_LIMIT
  std::size_t max_links = 128;                 // OTEL_SPAN_LINK_COUNT_LIMIT
  std::size_t max_attribute_value_length = 0;  // OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT; 0 = none
};

// Create the exporter that OTEL_TRACES_EXPORTER names, for names the core
// does not build itself (otlp, zipkin: see tracemesh/otlp_exporter.h).
// Return an ErrorCode::unknown_name error for a name it does not know either.
using ExporterFactory = std::function<Expected<std::shared_ptr<SpanExporter>>(
    std::string_view name, const Environment& environment)>;

struct TracerOptions {
  std::optional<std::string> service_name;  // OTEL_SERVICE_NAME
  Attributes resource_attributes;           // merged over OTEL_RESOURCE_ATTRIBUTES
  // A sampler object, or a name and argument as OTEL_TRACES_SAMPLER(_ARG) spell them.
  std::shared_ptr<const Sampler> sampler;
  std::optional<std::string> sampler_name;
  std::optional<std::string> sampler_arg;
  std::optional<std::string> propagators;           // OTEL_PROPAGATORS
  std::optional<std::string> legacy_trace_header;   // TRACEMESH_LEGACY_TRACE_HEADER
  std::optional<std::string> legacy_parent_header;  // TRACEMESH_LEGACY_PARENT_HEADER
  // The exporter to use; when null, OTEL_TRACES_EXPORTER chooses
  // ("none" by default; "console" and "jsonl" write JSON lines).
  std::shared_ptr<SpanExporter> exporter;
  // Consulted when `exporter` is null and OTEL_TRACES_EXPORTER names an
  // exporter the core does not have (e.g. tracemesh::curl's exporter_factory()).
  ExporterFactory exporter_factory;
  // Export synchronously on the ending thread instead of batching (tools, tests).
  bool synchronous_export = false;
  // Batch and limit settings are taken whole: when set in code, the
  // corresponding OTEL_BSP_* / OTEL_SPAN_*_LIMIT variables are not read.
  std::optional<BatchOptions> batch;  // OTEL_BSP_*
  std::optional<SpanLimits> limits;   // OTEL_SPAN_*_LIMIT
  std::optional<bool> disabled;  // OTEL_SDK_DISABLED: no spans recorded, context still propagates
};

// A complete, validated configuration.
struct TracerConfig {
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const Sampler> sampler;
  std::shared_ptr<const CompositePropagator> propagator;
  std::shared_ptr<SpanProcessor> processor;  // null when nothing is exported
  SpanLimits limits;
  bool disabled = false;
};

// Apply the environment to `options`, validate, and build the configuration.
Expected<TracerConfig> finalize(const TracerOptions& options,
                                const Environment& environment = process_environment());

}  // namespace tracemesh
