#include "ingest/otlp_json_attributes.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "ingest/decoded_batch.h"
#include "model/json_text.h"

namespace tracemesh::ingest::otlp_json {

void AttributeWriter::append_value(std::string& out, element value, std::size_t depth) const {
  if (depth > max_depth_) throw InvalidSpan{"attribute values nested too deep"};
  object any;
  if (value.get_object().get(any) != simdjson::SUCCESS) {
    throw InvalidSpan{"an attribute value must be an AnyValue object"};
  }
  for (auto field : any) {
    const std::string_view key = field.key;
    if (is_field(key, "stringValue", "string_value")) {
      model::append_json_string(out, read_string(field.value, "stringValue"));
    } else if (is_field(key, "boolValue", "bool_value")) {
      bool flag = false;
      if (field.value.get_bool().get(flag) != simdjson::SUCCESS) {
        throw InvalidSpan{"boolValue must be true or false"};
      }
      out += flag ? "true" : "false";
    } else if (is_field(key, "intValue", "int_value")) {
      model::append_json_number(out, read_int64(field.value, "intValue"));
    } else if (is_field(key, "doubleValue", "double_value")) {
      model::append_json_number(out, read_double(field.value));
    } else if (is_field(key, "bytesValue", "bytes_value")) {
      model::append_json_string(out, read_string(field.value, "bytesValue"));
    } else if (is_field(key, "arrayValue", "array_value")) {
      append_array(out, field.value, depth);
    } else if (is_field(key, "kvlistValue", "kvlist_value")) {
      append_kvlist(out, field.value, depth);
    } else {
      continue;  // unknown field
    }
    return;
  }
  out += "null";  // an empty AnyValue
}

void AttributeWriter::append_attributes(std::string& out, element list,
                                        model::SpanRecord* span) const {
  array entries;
  if (list.get_array().get(entries) != simdjson::SUCCESS) {
    throw InvalidSpan{"attributes must be an array of {key, value}"};
  }
  out += '{';
  bool first = true;
  for (element entry : entries) {
    object key_value;
    if (entry.get_object().get(key_value) != simdjson::SUCCESS) {
      throw InvalidSpan{"an attribute must be an object {key, value}"};
    }
    std::string_view key;
    element value;
    bool has_value = false;
    for (auto field : key_value) {
      if (field.key == "key") {
        key = read_string(field.value, "key");
      } else if (field.key == "value") {
        value = field.value;
        has_value = true;
      }
    }
    if (!first) out += ',';
    first = false;
    model::append_json_string(out, key);
    out += ':';
    if (has_value) {
      append_value(out, value, 1);
    } else {
      out += "null";
    }
    if (span != nullptr && has_value) note(*span, key, value);
  }
  out += '}';
}

double AttributeWriter::read_double(element value) {
  double result = 0;
  if (value.get_double().get(result) == simdjson::SUCCESS) return result;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  throw InvalidSpan{"doubleValue must be a number"};
}

void AttributeWriter::append_array(std::string& out, element value, std::size_t depth) const {
  out += '[';
  bool first = true;
  bool found = false;
  for (auto field : object_or_reject(value, "arrayValue")) {
    if (field.key != "values" || found) continue;  // a repeated key: the first wins
    found = true;
    array values;
    if (field.value.get_array().get(values) != simdjson::SUCCESS) {
      throw InvalidSpan{"arrayValue.values must be an array"};
    }
    for (element item : values) {
      if (!first) out += ',';
      first = false;
      append_value(out, item, depth + 1);
    }
  }
  out += ']';
}

void AttributeWriter::append_kvlist(std::string& out, element value, std::size_t depth) const {
  if (depth + 1 > max_depth_) throw InvalidSpan{"attribute values nested too deep"};
  bool found = false;
  for (auto field : object_or_reject(value, "kvlistValue")) {
    if (field.key != "values" || found) continue;  // a repeated key: the first wins
    append_attributes(out, field.value, nullptr);
    found = true;
  }
  if (!found) out += "{}";
}

object AttributeWriter::object_or_reject(element value, std::string_view field) {
  object result;
  if (value.get_object().get(result) != simdjson::SUCCESS) {
    throw InvalidSpan{std::string(field) + " must be an object"};
  }
  return result;
}

void AttributeWriter::note(model::SpanRecord& span, std::string_view key, element value) {
  object any;
  if (value.get_object().get(any) != simdjson::SUCCESS) return;
  for (auto field : any) {
    std::string_view text;
    if (is_field(field.key, "stringValue", "string_value") &&
        field.value.get_string().get(text) == simdjson::SUCCESS) {
      note_attribute(span, key, text);
    } else if (is_field(field.key, "intValue", "int_value")) {
      std::int64_t number = 0;
      if (field.value.get_int64().get(number) == simdjson::SUCCESS ||
          (field.value.get_string().get(text) == simdjson::SUCCESS &&
           std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc())) {
        note_attribute(span, key, number);
      }
    }
  }
}

std::string read_service(element resource_attributes) {
  array entries;
  if (resource_attributes.get_array().get(entries) != simdjson::SUCCESS) return {};
  for (element entry : entries) {
    element key;
    element value;
    element text;
    std::string_view name;
    std::string_view service;
    if (entry["key"].get(key) == simdjson::SUCCESS &&
        key.get_string().get(name) == simdjson::SUCCESS && name == "service.name" &&
        entry["value"].get(value) == simdjson::SUCCESS &&
        (value["stringValue"].get(text) == simdjson::SUCCESS ||
         value["string_value"].get(text) == simdjson::SUCCESS) &&
        text.get_string().get(service) == simdjson::SUCCESS) {
      return std::string(service);
    }
  }
  return {};
}

}  // namespace tracemesh::ingest::otlp_json
