#include "tracemesh/environment.h"

#include <array>
#include <cstdlib>

namespace tracemesh {
namespace {

class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override {
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }
};

constexpr std::array<EnvironmentVariable, 25> table{{
    {"OTEL_SDK_DISABLED", "false",
     "\"true\": spans record nothing and pass the inbound context through unchanged."},
    {"OTEL_SERVICE_NAME", "unknown_service:<executable>",
     "service.name of every span; wins over OTEL_RESOURCE_ATTRIBUTES."},
    {"OTEL_RESOURCE_ATTRIBUTES", "",
     "Resource attributes as key=value pairs separated by commas; values percent-encoded."},
    {"OTEL_TRACES_SAMPLER", "parentbased_always_on",
     "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, "
     "parentbased_traceidratio."},
    {"OTEL_TRACES_SAMPLER_ARG", "1.0", "The ratio for traceidratio samplers, a number in [0, 1]."},
    {"OTEL_PROPAGATORS", "tracecontext,baggage",
     "Comma-separated formats: tracecontext, baggage, b3, b3multi, xtraceid, none. Extraction "
     "takes the first that yields a context; injection writes all."},
    {"OTEL_TRACES_EXPORTER", "none",
     "none, console (JSON lines on stdout), jsonl (JSON lines to TRACEMESH_JSONL_FILE), and, "
     "with tracemesh::curl's exporter_factory(), otlp and zipkin. An exporter set in code wins."},
    {"TRACEMESH_JSONL_FILE", "", "File the jsonl exporter appends to."},
    {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318",
     "OTLP/HTTP base URL; /v1/traces is appended (tracemesh::curl)."},
    {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "",
     "Full OTLP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT."},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
     "http/protobuf or http/json (grpc is refused). _TRACES_PROTOCOL wins."},
    {"OTEL_EXPORTER_OTLP_HEADERS", "",
     "Extra request headers as key=value,key2=value2 (values percent-decoded). _TRACES_HEADERS "
     "wins."},
    {"OTEL_EXPORTER_OTLP_COMPRESSION", "none", "gzip or none. _TRACES_COMPRESSION wins."},
    {"OTEL_EXPORTER_OTLP_TIMEOUT", "10000",
     "Milliseconds for exporting one batch, retries included (1 ms to 1 h). _TRACES_TIMEOUT "
     "wins."},
    {"OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://localhost:9411/api/v2/spans",
     "Zipkin v2 spans URL (tracemesh::curl)."},
    {"OTEL_EXPORTER_ZIPKIN_TIMEOUT", "10000", "Milliseconds for exporting one batch to Zipkin."},
    {"TRACEMESH_LEGACY_TRACE_HEADER", "X-Trace-ID",
     "Header the xtraceid propagator reads and writes the trace id in."},
    {"TRACEMESH_LEGACY_PARENT_HEADER", "",
     "Header the xtraceid propagator reads and writes the parent span id in; unset: none."},
    {"OTEL_BSP_SCHEDULE_DELAY", "5000",
     "Milliseconds between two exports of the batch span processor (> 0)."},
    {"OTEL_BSP_MAX_QUEUE_SIZE", "2048",
     "Spans the batch span processor buffers; more are dropped and counted (> 0)."},
    {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512",
     "Spans per export call (> 0, at most OTEL_BSP_MAX_QUEUE_SIZE)."},
    {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "128",
     "Attributes kept per span; more are dropped and counted."},
    {"OTEL_SPAN_EVENT_COUNT_LIMIT", "128", "Events kept per span; more are dropped and counted."},
    {"OTEL_SPAN_LINK_COUNT_LIMIT", "128", "Links kept per span; more are dropped and counted."},
    {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "0",
     "Longest string attribute value kept (longer ones are truncated); 0 means no limit."},
}};

}  // namespace

const Environment& process_environment() {
  static const ProcessEnvironment environment;
  return environment;
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::span<const EnvironmentVariable> environment_variables() noexcept {
  return table;
}

}  // namespace tracemesh
