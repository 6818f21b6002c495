#include "ingest/otlp_json_decoder.h"

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "ingest/json_body.h"
#include "model/json_text.h"

namespace tracemesh::ingest {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Whether `key` is the field whose lowerCamelCase JSON name is `camel` and
// proto name is `snake`.
bool is_field(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// A request-level structural error: the whole body is rejected.
struct MalformedRequest {
  std::string message;
};

array array_field(element value, std::string_view where) {
  array result;
  if (value.get_array().get(result) != simdjson::SUCCESS) {
    throw MalformedRequest{std::string(where) + " must be an array"};
  }
  return result;
}

object object_field(element value, std::string_view where) {
  object result;
  if (value.get_object().get(result) != simdjson::SUCCESS) {
    throw MalformedRequest{std::string(where) + " must be an object"};
  }
  return result;
}

// A span-level problem: the span is rejected, the request goes on.
struct InvalidSpan {
  std::string reason;
};

// Read an unsigned 64-bit integer written as a number or as a decimal string.
std::uint64_t read_uint64(element value, std::string_view field) {
  std::uint64_t result = 0;
  if (value.get_uint64().get(result) == simdjson::SUCCESS) return result;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return result;
  }
  throw InvalidSpan{std::string(field) + " must be an unsigned 64-bit integer (number or string)"};
}

std::int64_t read_int64(element value, std::string_view field) {
  std::int64_t result = 0;
  if (value.get_int64().get(result) == simdjson::SUCCESS) return result;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return result;
  }
  throw InvalidSpan{std::string(field) + " must be a 64-bit integer (number or string)"};
}

// Enums are integers in OTLP/JSON; a name is an error the sender should hear about.
std::int64_t read_enum(element value, std::string_view field) {
  std::int64_t result = 0;
  if (value.get_int64().get(result) == simdjson::SUCCESS) return result;
  throw InvalidSpan{std::string(field) +
                    " must be an integer (OTLP/JSON encodes enums as integers)"};
}

std::string_view read_string(element value, std::string_view field) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw InvalidSpan{std::string(field) + " must be a string"};
  }
  return text;
}

template <typename Id>
Id read_id(element value, std::string_view field, bool allow_empty) {
  const std::string_view hex = read_string(value, field);
  if (hex.empty() && allow_empty) return Id{};
  const auto id = parse_hex_id<Id>(hex);
  if (!id) {
    throw InvalidSpan{std::string(field) + " must be " + std::to_string(Id::hex_size) +
                      " hex digits, not all zero"};
  }
  return *id;
}

class AttributeWriter {
 public:
  explicit AttributeWriter(std::size_t max_depth) : max_depth_(max_depth) {}

  // Append an AnyValue as a plain JSON value.
  void append_value(std::string& out, element value, std::size_t depth) const {
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

  // Append a KeyValue list as a JSON object, noting destination facts in `span`.
  void append_attributes(std::string& out, element list, model::SpanRecord* span) const {
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

 private:
  static double read_double(element value) {
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

  void append_array(std::string& out, element value, std::size_t depth) const {
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

  void append_kvlist(std::string& out, element value, std::size_t depth) const {
    if (depth + 1 > max_depth_) throw InvalidSpan{"attribute values nested too deep"};
    bool found = false;
    for (auto field : object_or_reject(value, "kvlistValue")) {
      if (field.key != "values" || found) continue;  // a repeated key: the first wins
      append_attributes(out, field.value, nullptr);
      found = true;
    }
    if (!found) out += "{}";
  }

  static object object_or_reject(element value, std::string_view field) {
    object result;
    if (value.get_object().get(result) != simdjson::SUCCESS) {
      throw InvalidSpan{std::string(field) + " must be an object"};
    }
    return result;
  }

  // Record the destination facts of a string or integer attribute.
  static void note(model::SpanRecord& span, std::string_view key, element value) {
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

  std::size_t max_depth_;
};

// The parts of a resource and scope that every span under them shares.
struct SpanGroup {
  std::string service{unknown_service};
  std::shared_ptr<const std::string> resource_json = model::empty_object();
  std::string scope_name;
};

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

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits), attributes_(limits.max_depth) {}

  void resource_spans(element value) {
    for (element resource_spans : array_field(value, "resourceSpans")) {
      SpanGroup group;
      element scope_spans_list;
      bool has_scope_spans = false;
      for (auto field : object_field(resource_spans, "a resourceSpans entry")) {
        if (field.key == "resource") {
          read_resource(field.value, group);
        } else if (is_field(field.key, "scopeSpans", "scope_spans")) {
          scope_spans_list = field.value;
          has_scope_spans = true;
        }
      }
      if (has_scope_spans) scope_spans(scope_spans_list, group);
    }
  }

  DecodedBatch take() { return std::move(batch_); }

 private:
  void read_resource(element value, SpanGroup& group) {
    for (auto field : object_field(value, "resource")) {
      if (field.key != "attributes") continue;
      std::string json;
      try {
        attributes_.append_attributes(json, field.value, nullptr);
      } catch (const InvalidSpan& invalid) {
        throw MalformedRequest{"resource attributes: " + invalid.reason};
      }
      if (json.size() > max_resource_bytes) {
        throw MalformedRequest{"resource attributes over " + std::to_string(max_resource_bytes) +
                               " bytes"};
      }
      group.resource_json = std::make_shared<const std::string>(std::move(json));
      if (std::string service = read_service(field.value); !service.empty()) {
        group.service = std::move(service);
      }
    }
  }

  void scope_spans(element value, SpanGroup& group) {
    for (element scope_spans : array_field(value, "scopeSpans")) {
      group.scope_name.clear();
      element spans_list;
      bool has_spans = false;
      for (auto field : object_field(scope_spans, "a scopeSpans entry")) {
        if (field.key == "scope") {
          element name;
          std::string_view text;
          if (field.value["name"].get(name) == simdjson::SUCCESS &&
              name.get_string().get(text) == simdjson::SUCCESS) {
            group.scope_name = text;
          }
        } else if (field.key == "spans") {
          spans_list = field.value;
          has_spans = true;
        }
      }
      if (!has_spans) continue;
      for (element span : array_field(spans_list, "spans")) {
        if (batch_.spans.size() + batch_.rejected >= limits_.max_spans) {
          throw MalformedRequest{"more than " + std::to_string(limits_.max_spans) +
                                 " spans in one request"};
        }
        const std::size_t position = batch_.spans.size() + batch_.rejected;
        try {
          batch_.spans.push_back(read_span(span, group));
        } catch (const InvalidSpan& invalid) {
          batch_.reject("span " + std::to_string(position) + ": " + invalid.reason);
        }
      }
    }
  }

  model::SpanRecord read_span(element value, const SpanGroup& group) {
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
      throw InvalidSpan{"a span must be an object"};
    }
    model::SpanRecord span;
    span.service = group.service;
    span.resource_json = group.resource_json;
    span.scope_name = group.scope_name;
    bool has_trace_id = false;
    bool has_span_id = false;
    for (auto field : fields) {
      const std::string_view key = field.key;
      if (is_field(key, "traceId", "trace_id")) {
        span.trace_id = read_id<TraceId>(field.value, "traceId", false);
        has_trace_id = true;
      } else if (is_field(key, "spanId", "span_id")) {
        span.span_id = read_id<SpanId>(field.value, "spanId", false);
        has_span_id = true;
      } else if (is_field(key, "parentSpanId", "parent_span_id")) {
        span.parent_span_id = read_id<SpanId>(field.value, "parentSpanId", true);
      } else if (key == "name") {
        span.name = read_string(field.value, "name");
      } else if (key == "kind") {
        const std::int64_t kind = read_enum(field.value, "kind");
        if (kind < 0 || kind > 5) throw InvalidSpan{"kind must be 0 to 5"};
        span.kind = static_cast<model::SpanKind>(kind);
      } else if (is_field(key, "startTimeUnixNano", "start_time_unix_nano")) {
        span.start_unix_nano = read_uint64(field.value, "startTimeUnixNano");
      } else if (is_field(key, "endTimeUnixNano", "end_time_unix_nano")) {
        span.end_unix_nano = read_uint64(field.value, "endTimeUnixNano");
      } else if (key == "attributes") {
        span.attributes_json.clear();
        attributes_.append_attributes(span.attributes_json, field.value, &span);
      } else if (key == "events") {
        span.events_json = read_events(field.value);
      } else if (key == "links") {
        span.links_json = read_links(field.value);
      } else if (key == "status") {
        read_status(field.value, span);
      }
    }
    if (!has_trace_id) throw InvalidSpan{"traceId is missing"};
    if (!has_span_id) throw InvalidSpan{"spanId is missing"};
    if (std::string problem = time_problem(span); !problem.empty()) {
      throw InvalidSpan{std::move(problem)};
    }
    finish_destination(span);
    return span;
  }

  void read_status(element value, model::SpanRecord& span) {
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
      throw InvalidSpan{"status must be an object"};
    }
    for (auto field : fields) {
      if (field.key == "code") {
        const std::int64_t code = read_enum(field.value, "status.code");
        if (code < 0 || code > 2) throw InvalidSpan{"status.code must be 0, 1 or 2"};
        span.status_code = static_cast<model::StatusCode>(code);
      } else if (field.key == "message") {
        span.status_message = read_string(field.value, "status.message");
      }
    }
  }

  std::string read_events(element value) {
    array events;
    if (value.get_array().get(events) != simdjson::SUCCESS)
      throw InvalidSpan{"events must be an array"};
    std::string json = "[";
    for (element event : events) {
      object fields;
      if (event.get_object().get(fields) != simdjson::SUCCESS) {
        throw InvalidSpan{"an event must be an object"};
      }
      std::uint64_t time = 0;
      std::string_view name;
      std::string attributes = "{}";
      for (auto field : fields) {
        if (is_field(field.key, "timeUnixNano", "time_unix_nano")) {
          time = read_uint64(field.value, "event timeUnixNano");
        } else if (field.key == "name") {
          name = read_string(field.value, "event name");
        } else if (field.key == "attributes") {
          attributes.clear();
          attributes_.append_attributes(attributes, field.value, nullptr);
        }
      }
      if (json.size() > 1) json += ',';
      json += "{\"time_unix_nano\":";
      model::append_json_number(json, time);
      json += ",\"name\":";
      model::append_json_string(json, name);
      json += ",\"attributes\":";
      json += attributes;
      json += '}';
    }
    json += ']';
    return json;
  }

  std::string read_links(element value) {
    array links;
    if (value.get_array().get(links) != simdjson::SUCCESS)
      throw InvalidSpan{"links must be an array"};
    std::string json = "[";
    for (element link : links) {
      object fields;
      if (link.get_object().get(fields) != simdjson::SUCCESS) {
        throw InvalidSpan{"a link must be an object"};
      }
      TraceId trace_id;
      SpanId span_id;
      std::string attributes = "{}";
      for (auto field : fields) {
        if (is_field(field.key, "traceId", "trace_id")) {
          trace_id = read_id<TraceId>(field.value, "link traceId", false);
        } else if (is_field(field.key, "spanId", "span_id")) {
          span_id = read_id<SpanId>(field.value, "link spanId", false);
        } else if (field.key == "attributes") {
          attributes.clear();
          attributes_.append_attributes(attributes, field.value, nullptr);
        }
      }
      if (json.size() > 1) json += ',';
      json += "{\"trace_id\":\"" + trace_id.to_hex() + "\",\"span_id\":\"" + span_id.to_hex() +
              "\",\"attributes\":" + attributes + '}';
    }
    json += ']';
    return json;
  }

  const DecodeLimits& limits_;
  AttributeWriter attributes_;
  DecodedBatch batch_;
};

}  // namespace

Expected<DecodedBatch> decode_otlp_json(std::string_view body, const DecodeLimits& limits) {
  JsonBody json;
  const auto parsed = json.parse(body);
  if (!parsed) return parsed.error();
  const element root = *parsed;
  try {
    Decoder decoder(limits);
    for (auto field : object_field(root, "the request body")) {
      if (is_field(field.key, "resourceSpans", "resource_spans"))
        decoder.resource_spans(field.value);
    }
    return decoder.take();
  } catch (const MalformedRequest& malformed) {
    return Error{ErrorCode::invalid_input, malformed.message};
  }
}

}  // namespace tracemesh::ingest
