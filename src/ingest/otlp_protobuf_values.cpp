#include "ingest/otlp_protobuf_values.h"

#include "ingest/decoded_batch.h"
#include "model/base64.h"
#include "model/json_text.h"

namespace tracemesh::ingest::otlp_protobuf {

void append_base64(std::string& out, const std::string& bytes) {
  out += '"';
  model::append_base64(out, bytes);
  out += '"';
}

void AttributeWriter::append_value(std::string& out, const otlp::AnyValue& value,
                                   std::size_t depth) const {
  if (depth > max_depth_) throw InvalidSpan{"attribute values nested too deep"};
  switch (value.value_case()) {
    case otlp::AnyValue::kStringValue:
      model::append_json_string(out, value.string_value());
      break;
    case otlp::AnyValue::kBoolValue:
      out += value.bool_value() ? "true" : "false";
      break;
    case otlp::AnyValue::kIntValue:
      model::append_json_number(out, static_cast<std::int64_t>(value.int_value()));
      break;
    case otlp::AnyValue::kDoubleValue:
      model::append_json_number(out, value.double_value());
      break;
    case otlp::AnyValue::kBytesValue:
      append_base64(out, value.bytes_value());
      break;
    case otlp::AnyValue::kArrayValue: {
      out += '[';
      bool first = true;
      for (const otlp::AnyValue& item : value.array_value().values()) {
        if (!first) out += ',';
        first = false;
        append_value(out, item, depth + 1);
      }
      out += ']';
      break;
    }
    case otlp::AnyValue::kKvlistValue:
      append_attributes(out, value.kvlist_value().values(), nullptr, depth + 1);
      break;
    case otlp::AnyValue::VALUE_NOT_SET:
      out += "null";
      break;
  }
}

void AttributeWriter::append_attributes(
    std::string& out, const google::protobuf::RepeatedPtrField<otlp::KeyValue>& attributes,
    model::SpanRecord* span, std::size_t depth) const {
  if (depth > max_depth_) throw InvalidSpan{"attribute values nested too deep"};
  out += '{';
  bool first = true;
  for (const otlp::KeyValue& attribute : attributes) {
    if (!first) out += ',';
    first = false;
    model::append_json_string(out, attribute.key());
    out += ':';
    append_value(out, attribute.value(), depth + 1);
    if (span == nullptr) continue;
    if (attribute.value().has_string_value()) {
      note_attribute(*span, attribute.key(), attribute.value().string_value());
    } else if (attribute.value().has_int_value()) {
      note_attribute(*span, attribute.key(),
                     static_cast<std::int64_t>(attribute.value().int_value()));
    }
  }
  out += '}';
}

}  // namespace tracemesh::ingest::otlp_protobuf
