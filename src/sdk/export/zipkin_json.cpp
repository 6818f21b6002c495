// Zipkin v2 JSON encoding of spans, following the OpenTelemetry Zipkin
// exporter mapping: microsecond times, string tags, events as annotations,
// status as otel.status_code / error tags.
#include <type_traits>

#include "sdk/json_text.h"
#include "tracemesh/span_encoding.h"

namespace tracemesh {
namespace {

using detail::append_json_string;

std::string_view zipkin_kind(SpanKind kind) {
  switch (kind) {
    case SpanKind::server:
      return "SERVER";
    case SpanKind::client:
      return "CLIENT";
    case SpanKind::producer:
      return "PRODUCER";
    case SpanKind::consumer:
      return "CONSUMER";
    case SpanKind::internal:
      break;
  }
  return {};
}

template <typename T>
void append_scalar_text(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out += std::to_string(value);
  } else if constexpr (std::is_same_v<T, double>) {
    detail::append_json_number(out, value);
  } else {
    out += value;
  }
}

// Return an attribute value as Zipkin tag text; arrays become JSON arrays.
std::string tag_text(const AttributeValue& value) {
  std::string text;
  std::visit(
      [&text](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          text += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) text += ',';
            append_json_string(text, v[i]);
          }
          text += ']';
        } else if constexpr (std::is_same_v<T, std::vector<bool>> ||
                             std::is_same_v<T, std::vector<std::int64_t>> ||
                             std::is_same_v<T, std::vector<double>>) {
          text += '[';
          bool first = true;
          for (const auto& element : v) {
            if (!first) text += ',';
            first = false;
            append_scalar_text<typename T::value_type>(text, element);
          }
          text += ']';
        } else {
          append_scalar_text(text, v);
        }
      },
      value.variant());
  return text;
}

void append_tag(std::string& out, bool& first, std::string_view key, std::string_view value) {
  if (!first) out += ',';
  first = false;
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

void append_span(std::string& out, const SpanData& span) {
  out += R"({"traceId":")" + span.context.trace_id.to_hex() + R"(","id":")" +
         span.context.span_id.to_hex() + '"';
  if (span.parent_span_id.is_valid()) {
    out += R"(,"parentId":")" + span.parent_span_id.to_hex() + '"';
  }
  out += R"(,"name":)";
  append_json_string(out, span.name);
  if (const auto kind = zipkin_kind(span.kind); !kind.empty()) {
    out += R"(,"kind":")";
    out += kind;
    out += '"';
  }
  const std::uint64_t start_micros = span.start_unix_nano / 1000;
  const std::uint64_t end_micros = span.end_unix_nano / 1000;
  out += R"(,"timestamp":)" + std::to_string(start_micros);
  out +=
      R"(,"duration":)" + std::to_string(end_micros > start_micros ? end_micros - start_micros : 0);
  out += R"(,"localEndpoint":{"serviceName":)";
  append_json_string(out, span.resource ? span.resource->service_name() : "");
  out += '}';
  if (!span.events.empty()) {
    out += R"(,"annotations":[)";
    for (std::size_t i = 0; i < span.events.size(); ++i) {
      if (i > 0) out += ',';
      out += R"({"timestamp":)" + std::to_string(span.events[i].time_unix_nano / 1000) +
             R"(,"value":)";
      append_json_string(out, span.events[i].name);
      out += '}';
    }
    out += ']';
  }
  out += R"(,"tags":{)";
  bool first = true;
  for (const auto& attribute : span.attributes) {
    append_tag(out, first, attribute.key, tag_text(attribute.value));
  }
  if (span.context.legacy_trace_id) {
    append_tag(out, first, legacy_trace_id_attribute, *span.context.legacy_trace_id);
  }
  if (span.scope && !span.scope->name.empty()) {
    append_tag(out, first, "otel.scope.name", span.scope->name);
  }
  if (span.status.code == StatusCode::ok) append_tag(out, first, "otel.status_code", "OK");
  if (span.status.code == StatusCode::error) {
    append_tag(out, first, "otel.status_code", "ERROR");
    append_tag(out, first, "error", span.status.description);
  }
  out += "}}";
}

}  // namespace

std::string encode_zipkin_json(SpanBatch spans) {
  std::string out = "[";
  bool first = true;
  for (const auto& span : spans) {
    if (!span) continue;
    if (!first) out += ',';
    first = false;
    append_span(out, *span);
  }
  out += ']';
  return out;
}

}  // namespace tracemesh
