// Configuration of the HTTP exporters from options and OTEL_EXPORTER_* variables.
#include <array>
#include <charconv>

#include "sdk/list_members.h"
#include "tracemesh/otlp_exporter.h"
#include "tracemesh/resource.h"

namespace tracemesh {
namespace {

constexpr std::string_view default_otlp_endpoint = "http://localhost:4318";
constexpr std::string_view default_zipkin_endpoint = "http://localhost:9411/api/v2/spans";
constexpr std::chrono::milliseconds default_timeout{10000};
constexpr std::chrono::milliseconds max_timeout = std::chrono::hours(1);

// Return the first of `names` that is set.
std::optional<std::pair<std::string_view, std::string>> first_set(
    const Environment& environment, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    if (auto value = environment.get(name)) return std::pair{name, std::move(*value)};
  }
  return std::nullopt;
}

Expected<std::string> checked_url(std::string_view setting, std::string url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Error{ErrorCode::invalid_config,
                 std::string(setting) + ": '" + url + "' is not an http:// or https:// URL"};
  }
  return url;
}

Expected<std::chrono::milliseconds> timeout_setting(
    const std::optional<std::chrono::milliseconds>& code_value, const Environment& environment,
    std::initializer_list<std::string_view> names) {
  std::chrono::milliseconds timeout = default_timeout;
  std::string_view setting = "timeout";
  if (code_value) {
    timeout = *code_value;
  } else if (const auto value = first_set(environment, names)) {
    setting = value->first;
    std::int64_t milliseconds = 0;
    const auto& text = value->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), milliseconds);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Error{ErrorCode::invalid_config,
                   std::string(setting) + ": '" + text + "' is not a whole number of milliseconds"};
    }
    timeout = std::chrono::milliseconds(milliseconds);
  }
  if (timeout <= std::chrono::milliseconds(0) || timeout > max_timeout) {
    return Error{ErrorCode::invalid_config, std::string(setting) + ": " +
                                                std::to_string(timeout.count()) +
                                                " ms is outside 1 ms to 1 h"};
  }
  return timeout;
}

Expected<std::vector<std::pair<std::string, std::string>>> parse_headers(std::string_view setting,
                                                                         std::string_view text) {
  auto members = parse_resource_attributes(text);
  if (!members) {
    return Error{ErrorCode::invalid_config,
                 std::string(setting) + ": " + std::string(members.error().text())};
  }
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& member : *members) {
    const auto* value = member.value.get_if<std::string>();
    headers.emplace_back(member.key, value != nullptr ? *value : std::string());
  }
  return headers;
}

template <typename T>
struct Choice {
  std::string_view name;  // lowercase
  T value;
};

// Return the code value, else the first set of `names` matched (ASCII
// case-insensitively) against `choices`, else `fallback`; an unknown name is
// an error that lists the accepted ones after `expected`.
template <typename T, std::size_t N>
Expected<T> choice_setting(const std::optional<T>& code_value, const Environment& environment,
                           std::initializer_list<std::string_view> names,
                           const std::array<Choice<T>, N>& choices, T fallback,
                           std::string_view expected) {
  if (code_value) return *code_value;
  const auto value = first_set(environment, names);
  if (!value) return fallback;
  const std::string name = detail::ascii_lowercase(value->second);
  for (const auto& choice : choices) {
    if (name == choice.name) return choice.value;
  }
  return Error{ErrorCode::invalid_config,
               std::string(value->first) + ": '" + value->second + "' " + std::string(expected)};
}

Expected<OtlpProtocol> protocol_setting(const std::optional<OtlpProtocol>& code_value,
                                        const Environment& environment) {
  static constexpr std::array<Choice<OtlpProtocol>, 2> protocols{
      {{"http/protobuf", OtlpProtocol::http_protobuf}, {"http/json", OtlpProtocol::http_json}}};
  return choice_setting(code_value, environment,
                        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"},
                        protocols, OtlpProtocol::http_protobuf,
                        "is not supported: this exporter speaks OTLP/HTTP, use http/protobuf or "
                        "http/json (grpc is refused)");
}

Expected<Compression> compression_setting(const std::optional<Compression>& code_value,
                                          const Environment& environment) {
  static constexpr std::array<Choice<Compression>, 3> compressions{
      {{"gzip", Compression::gzip}, {"none", Compression::none}, {"", Compression::none}}};
  return choice_setting(code_value, environment,
                        {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"},
                        compressions, Compression::none, "is not gzip or none");
}

Expected<std::string> otlp_url(const OtlpExporterOptions& options, const Environment& environment) {
  if (options.traces_endpoint) return checked_url("traces_endpoint", *options.traces_endpoint);
  if (!options.endpoint) {
    if (auto value = environment.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
      return checked_url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", std::move(*value));
    }
  }
  std::string setting = "endpoint";
  std::string base;
  if (options.endpoint) {
    base = *options.endpoint;
  } else if (auto value = environment.get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    setting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    base = std::move(*value);
  } else {
    base = default_otlp_endpoint;
  }
  if (!base.empty() && base.back() == '/') base.pop_back();
  return checked_url(setting, base + "/v1/traces");
}

Expected<RetryPolicy> checked_retry(const RetryPolicy& retry) {
  if (retry.max_attempts < 1 || retry.initial_backoff.count() < 0 ||
      retry.max_backoff < retry.initial_backoff || retry.multiplier < 1.0 || retry.jitter < 0.0 ||
      retry.jitter >= 1.0 || retry.max_retry_after.count() < 0) {
    return Error{ErrorCode::invalid_config,
                 "retry: needs max_attempts >= 1, 0 <= initial_backoff <= max_backoff, "
                 "multiplier >= 1 and 0 <= jitter < 1"};
  }
  return retry;
}

}  // namespace

Expected<HttpExporterOptions> finalize(const OtlpExporterOptions& options,
                                       const Environment& environment) {
  HttpExporterOptions result;
  auto url = otlp_url(options, environment);
  if (!url) return url.error();
  result.url = std::move(*url);
  if (options.headers) {
    result.headers = *options.headers;
  } else if (const auto value = first_set(environment, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                                                        "OTEL_EXPORTER_OTLP_HEADERS"})) {
    auto headers = parse_headers(value->first, value->second);
    if (!headers) return headers.error();
    result.headers = std::move(*headers);
  }
  auto compression = compression_setting(options.compression, environment);
  if (!compression) return compression.error();
  result.compression = *compression;
  auto timeout =
      timeout_setting(options.timeout, environment,
                      {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"});
  if (!timeout) return timeout.error();
  result.timeout = *timeout;
  auto retry = checked_retry(options.retry);
  if (!retry) return retry.error();
  result.retry = *retry;
  result.log = options.log;
  return result;
}

Expected<HttpExporterOptions> finalize(const ZipkinExporterOptions& options,
                                       const Environment& environment) {
  HttpExporterOptions result;
  std::string url = std::string(default_zipkin_endpoint);
  std::string setting = "endpoint";
  if (options.endpoint) {
    url = *options.endpoint;
  } else if (auto value = environment.get("OTEL_EXPORTER_ZIPKIN_ENDPOINT")) {
    setting = "OTEL_EXPORTER_ZIPKIN_ENDPOINT";
    url = std::move(*value);
  }
  auto checked = checked_url(setting, std::move(url));
  if (!checked) return checked.error();
  result.url = std::move(*checked);
  auto timeout = timeout_setting(options.timeout, environment, {"OTEL_EXPORTER_ZIPKIN_TIMEOUT"});
  if (!timeout) return timeout.error();
  result.timeout = *timeout;
  auto retry = checked_retry(options.retry);
  if (!retry) return retry.error();
  result.retry = *retry;
  result.log = options.log;
  return result;
}

Expected<std::shared_ptr<HttpSpanExporter>> make_otlp_exporter(const OtlpExporterOptions& options,
                                                               const Environment& environment) {
  auto protocol = protocol_setting(options.protocol, environment);
  if (!protocol) return protocol.error();
  auto finalized = finalize(options, environment);
  if (!finalized) return finalized.error();
  return std::make_shared<HttpSpanExporter>(std::move(*finalized), otlp_encoding(*protocol));
}

Expected<std::shared_ptr<HttpSpanExporter>> make_zipkin_exporter(
    const ZipkinExporterOptions& options, const Environment& environment) {
  auto finalized = finalize(options, environment);
  if (!finalized) return finalized.error();
  return std::make_shared<HttpSpanExporter>(std::move(*finalized), zipkin_encoding());
}

ExporterFactory exporter_factory() {
  return [](std::string_view name,
            const Environment& environment) -> Expected<std::shared_ptr<SpanExporter>> {
    if (name == "otlp") {
      auto exporter = make_otlp_exporter({}, environment);
      if (!exporter) return exporter.error();
      return std::shared_ptr<SpanExporter>(std::move(*exporter));
    }
    if (name == "zipkin") {
      auto exporter = make_zipkin_exporter({}, environment);
      if (!exporter) return exporter.error();
      return std::shared_ptr<SpanExporter>(std::move(*exporter));
    }
    return Error{ErrorCode::unknown_name, "unknown exporter '" + std::string(name) + "'"};
  };
}

}  // namespace tracemesh
