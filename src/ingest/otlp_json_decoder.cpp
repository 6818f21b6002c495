#include "ingest/otlp_json_decoder.h"

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "ingest/json_body.h"
#include "ingest/otlp_json_attributes.h"
#include "ingest/otlp_json_fields.h"
#include "model/json_text.h"

namespace tracemesh::ingest {
namespace {

using namespace otlp_json;  // NOLINT(google-build-using-namespace): the field readers

// The parts of a resource and scope that every span under them shares.
struct SpanGroup {
  std::string service{unknown_service};
  std::shared_ptr<const std::string> resource_json = model::empty_object();
  std::string scope_name;
};

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
        span.links_json = read_links(field.value, span.links);
      } else if (key == "flags") {
        span.flags = read_flags(field.value, "flags");
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

  // A fixed32 field: a number, or a decimal string (as proto3 JSON allows).
  static std::uint32_t read_flags(element value, const char* name) {
    const std::uint64_t flags = read_uint64(value, name);
    if (flags > 0xFFFFFFFFU) throw InvalidSpan{std::string(name) + " must fit in 32 bits"};
    return static_cast<std::uint32_t>(flags);
  }

  std::string read_links(element value, std::vector<model::LinkRef>& refs) {
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
      std::uint32_t flags = 0;
      std::string attributes = "{}";
      for (auto field : fields) {
        if (field.key == "flags") {
          flags = read_flags(field.value, "link flags");
        } else if (is_field(field.key, "traceId", "trace_id")) {
          trace_id = read_id<TraceId>(field.value, "link traceId", false);
        } else if (is_field(field.key, "spanId", "span_id")) {
          span_id = read_id<SpanId>(field.value, "link spanId", false);
        } else if (field.key == "attributes") {
          attributes.clear();
          attributes_.append_attributes(attributes, field.value, nullptr);
        }
      }
      if (json.size() > 1) json += ',';
      append_link_head(json, refs.emplace_back(model::LinkRef{trace_id, span_id}), flags);
      json += attributes + '}';
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
