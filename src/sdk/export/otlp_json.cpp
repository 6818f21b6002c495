// OTLP/JSON encoding of spans: the protobuf messages of otlp_protobuf.cpp in
// proto3's JSON mapping as OTLP amends it (lowerCamelCase keys, trace and
// span ids as hex, 64-bit integers as decimal strings, enums as integers).
#include <type_traits>

#include "sdk/export/span_groups.h"
#include "sdk/json_text.h"
#include "tracemesh/span_encoding.h"

namespace tracemesh {
namespace {

using detail::append_json_string;

void append_key(std::string& out, std::string_view key) {
  append_json_string(out, key);
  out += ':';
}

template <typename T>
void append_scalar(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? R"({"boolValue":true})" : R"({"boolValue":false})";
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out += R"({"intValue":")" + std::to_string(value) + "\"}";
  } else if constexpr (std::is_same_v<T, double>) {
    out += R"({"doubleValue":)";
    detail::append_json_number(out, value);
    out += '}';
  } else {
    out += R"({"stringValue":)";
    append_json_string(out, value);
    out += '}';
  }
}

void append_any_value(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<bool>> ||
                      std::is_same_v<T, std::vector<std::int64_t>> ||
                      std::is_same_v<T, std::vector<double>> ||
                      std::is_same_v<T, std::vector<std::string>>) {
          out += R"({"arrayValue":{"values":[)";
          bool first = true;
          for (const auto& element : v) {
            if (!first) out += ',';
            first = false;
            append_scalar<typename T::value_type>(out, element);
          }
          out += "]}}";
        } else {
          append_scalar(out, v);
        }
      },
      value.variant());
}

void append_attribute(std::string& out, std::string_view key, const AttributeValue& value) {
  out += R"({"key":)";
  append_json_string(out, key);
  out += R"(,"value":)";
  append_any_value(out, value);
  out += '}';
}

// Append `"attributes":[...]` (with a leading comma).
void append_attributes(std::string& out, const Attributes& attributes,
                       const std::string* legacy_trace_id = nullptr) {
  out += R"(,"attributes":[)";
  bool first = true;
  for (const auto& attribute : attributes) {
    if (!first) out += ',';
    first = false;
    append_attribute(out, attribute.key, attribute.value);
  }
  if (legacy_trace_id != nullptr) {
    if (!first) out += ',';
    append_attribute(out, legacy_trace_id_attribute, *legacy_trace_id);
  }
  out += ']';
}

void append_string_field(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_key(out, key);
  append_json_string(out, value);
}

void append_count_field(std::string& out, std::string_view key, std::uint64_t value) {
  if (value == 0) return;
  out += ',';
  append_key(out, key);
  out += std::to_string(value);
}

void append_span(std::string& out, const SpanData& span) {
  out += R"({"traceId":")" + span.context.trace_id.to_hex() + R"(","spanId":")" +
         span.context.span_id.to_hex() + '"';
  if (!span.context.trace_state.empty()) {
    append_string_field(out, "traceState", span.context.trace_state.header());
  }
  if (span.parent_span_id.is_valid()) {
    append_string_field(out, "parentSpanId", span.parent_span_id.to_hex());
  }
  out += R"(,"flags":)" + std::to_string(detail::otlp_span_flags(span));
  append_string_field(out, "name", span.name);
  out += R"(,"kind":)" + std::to_string(detail::otlp_span_kind(span.kind));
  append_string_field(out, "startTimeUnixNano", std::to_string(span.start_unix_nano));
  append_string_field(out, "endTimeUnixNano", std::to_string(span.end_unix_nano));
  append_attributes(out, span.attributes, span.context.legacy_trace_id.get());
  append_count_field(out, "droppedAttributesCount", span.dropped_attributes);
  out += R"(,"events":[)";
  for (std::size_t i = 0; i < span.events.size(); ++i) {
    const Event& event = span.events[i];
    if (i > 0) out += ',';
    out += R"({"timeUnixNano":")" + std::to_string(event.time_unix_nano) + '"';
    append_string_field(out, "name", event.name);
    append_attributes(out, event.attributes);
    out += '}';
  }
  out += ']';
  append_count_field(out, "droppedEventsCount", span.dropped_events);
  out += R"(,"links":[)";
  for (std::size_t i = 0; i < span.links.size(); ++i) {
    const Link& link = span.links[i];
    if (i > 0) out += ',';
    out += R"({"traceId":")" + link.context.trace_id.to_hex() + R"(","spanId":")" +
           link.context.span_id.to_hex() + '"';
    if (!link.context.trace_state.empty()) {
      append_string_field(out, "traceState", link.context.trace_state.header());
    }
    append_attributes(out, link.attributes);
    out += R"(,"flags":)" + std::to_string(std::uint32_t{link.context.flags.bits()} | 0x100U |
                                           (link.context.is_remote ? 0x200U : 0U));
    out += '}';
  }
  out += ']';
  append_count_field(out, "droppedLinksCount", span.dropped_links);
  out += R"(,"status":{)";
  if (span.status.code != StatusCode::unset) {
    out += R"("code":)" + std::to_string(static_cast<int>(span.status.code));
    if (!span.status.description.empty())
      append_string_field(out, "message", span.status.description);
  }
  out += "}}";
}

}  // namespace

std::string encode_otlp_json(SpanBatch spans) {
  std::string out = R"({"resourceSpans":[)";
  bool first_resource = true;
  for (const auto& group : detail::group_spans(spans)) {
    if (!first_resource) out += ',';
    first_resource = false;
    out += R"({"resource":{"attributes":[)";
    if (group.resource != nullptr) {
      bool first = true;
      for (const auto& attribute : group.resource->attributes()) {
        if (!first) out += ',';
        first = false;
        append_attribute(out, attribute.key, attribute.value);
      }
    }
    out += R"(]},"scopeSpans":[)";
    bool first_scope = true;
    for (const auto& scope_group : group.scopes) {
      if (!first_scope) out += ',';
      first_scope = false;
      out += R"({"scope":{)";
      if (scope_group.scope != nullptr) {
        out += R"("name":)";
        append_json_string(out, scope_group.scope->name);
        append_string_field(out, "version", scope_group.scope->version);
      }
      out += R"(},"spans":[)";
      bool first_span = true;
      for (const SpanData* span : scope_group.spans) {
        if (!first_span) out += ',';
        first_span = false;
        append_span(out, *span);
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace tracemesh
