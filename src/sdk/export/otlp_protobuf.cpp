// OTLP protobuf encoding of spans. Field numbers are those of
// opentelemetry/proto/{common,resource,trace}/v1/*.proto and
// collector/trace/v1/trace_service.proto.
#include <string_view>
#include <type_traits>

#include "sdk/export/protobuf_writer.h"
#include "sdk/export/span_groups.h"
#include "tracemesh/span_encoding.h"

namespace tracemesh {
namespace {

using detail::ProtobufWriter;

// AnyValue
constexpr std::uint32_t any_string = 1;
constexpr std::uint32_t any_bool = 2;
constexpr std::uint32_t any_int = 3;
constexpr std::uint32_t any_double = 4;
constexpr std::uint32_t any_array = 5;
constexpr std::uint32_t array_values = 1;  // ArrayValue.values
// KeyValue
constexpr std::uint32_t key_value_key = 1;
constexpr std::uint32_t key_value_value = 2;

template <typename T>
void write_scalar(ProtobufWriter& any, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    any.varint_field(any_bool, value ? 1 : 0);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    any.varint_field(any_int, static_cast<std::uint64_t>(value));
  } else if constexpr (std::is_same_v<T, double>) {
    any.double_field(any_double, value);
  } else {
    any.bytes_field(any_string, value);
  }
}

ProtobufWriter any_value(const AttributeValue& value) {
  ProtobufWriter any;
  std::visit(
      [&any](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<bool>> ||
                      std::is_same_v<T, std::vector<std::int64_t>> ||
                      std::is_same_v<T, std::vector<double>> ||
                      std::is_same_v<T, std::vector<std::string>>) {
          ProtobufWriter array;
          for (const auto& element : v) {
            ProtobufWriter element_value;
            write_scalar<typename T::value_type>(element_value, element);
            array.message_field(array_values, element_value);
          }
          any.message_field(any_array, array);
        } else {
          write_scalar(any, v);
        }
      },
      value.variant());
  return any;
}

void write_attribute(ProtobufWriter& message, std::uint32_t field, std::string_view key,
                     const AttributeValue& value) {
  ProtobufWriter key_value;
  key_value.bytes_field(key_value_key, key);
  key_value.message_field(key_value_value, any_value(value));
  message.message_field(field, key_value);
}

void write_attributes(ProtobufWriter& message, std::uint32_t field, const Attributes& attributes) {
  for (const auto& attribute : attributes) {
    write_attribute(message, field, attribute.key, attribute.value);
  }
}

std::string_view id_bytes(const auto& id) {
  return {reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()};  // NOLINT
}

ProtobufWriter encode_span(const SpanData& span) {
  ProtobufWriter out;
  out.bytes_field(1, id_bytes(span.context.trace_id));
  out.bytes_field(2, id_bytes(span.context.span_id));
  out.bytes_field_nonempty(3, span.context.trace_state.header());
  if (span.parent_span_id.is_valid()) out.bytes_field(4, id_bytes(span.parent_span_id));
  out.bytes_field(5, span.name);
  out.varint_field(6, detail::otlp_span_kind(span.kind));
  out.fixed64_field(7, span.start_unix_nano);
  out.fixed64_field(8, span.end_unix_nano);
  write_attributes(out, 9, span.attributes);
  if (span.context.legacy_trace_id) {
    write_attribute(out, 9, legacy_trace_id_attribute, *span.context.legacy_trace_id);
  }
  out.varint_field_nonzero(10, span.dropped_attributes);
  for (const Event& event : span.events) {
    ProtobufWriter message;
    message.fixed64_field(1, event.time_unix_nano);
    message.bytes_field(2, event.name);
    write_attributes(message, 3, event.attributes);
    out.message_field(11, message);
  }
  out.varint_field_nonzero(12, span.dropped_events);
  for (const Link& link : span.links) {
    ProtobufWriter message;
    message.bytes_field(1, id_bytes(link.context.trace_id));
    message.bytes_field(2, id_bytes(link.context.span_id));
    message.bytes_field_nonempty(3, link.context.trace_state.header());
    write_attributes(message, 4, link.attributes);
    message.fixed32_field(6, std::uint32_t{link.context.flags.bits()} | 0x100U |
                                 (link.context.is_remote ? 0x200U : 0U));
    out.message_field(13, message);
  }
  out.varint_field_nonzero(14, span.dropped_links);
  if (span.status.code != StatusCode::unset) {
    ProtobufWriter status;
    status.bytes_field_nonempty(2, span.status.description);
    status.varint_field(3, static_cast<std::uint64_t>(span.status.code));
    out.message_field(15, status);
  }
  out.fixed32_field(16, detail::otlp_span_flags(span));
  return out;
}

}  // namespace

std::string encode_otlp_protobuf(SpanBatch spans) {
  ProtobufWriter request;
  for (const auto& group : detail::group_spans(spans)) {
    ProtobufWriter resource_spans;
    if (group.resource != nullptr) {
      ProtobufWriter resource;
      write_attributes(resource, 1, group.resource->attributes());
      resource_spans.message_field(1, resource);
    }
    for (const auto& scope_group : group.scopes) {
      ProtobufWriter scope_spans;
      if (scope_group.scope != nullptr) {
        ProtobufWriter scope;
        scope.bytes_field_nonempty(1, scope_group.scope->name);
        scope.bytes_field_nonempty(2, scope_group.scope->version);
        scope_spans.message_field(1, scope);
      }
      for (const SpanData* span : scope_group.spans) {
        scope_spans.message_field(2, encode_span(*span));
      }
      resource_spans.message_field(2, scope_spans);
    }
    request.message_field(1, resource_spans);
  }
  return request.take();
}

}  // namespace tracemesh
