#include "ingest/zipkin_json_decoder.h"

#include <simdjson.h>

#include <optional>
#include <string>

#include "ingest/json_body.h"
#include "model/fnv1a.h"
#include "model/json_text.h"

namespace tracemesh::ingest {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct InvalidSpan {
  std::string reason;
};

std::string_view string_field(object fields, std::string_view name) {
  std::string_view text;
  element value;
  if (fields[name].get(value) != simdjson::SUCCESS || value.is_null()) return {};
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw InvalidSpan{std::string(name) + " must be a string"};
  }
  return text;
}

std::uint64_t micros_field(object fields, std::string_view name) {
  element value;
  if (fields[name].get(value) != simdjson::SUCCESS || value.is_null()) return 0;
  std::uint64_t micros = 0;
  if (value.get_uint64().get(micros) != simdjson::SUCCESS) {
    throw InvalidSpan{std::string(name) + " must be a non-negative integer (microseconds)"};
  }
  if (micros > UINT64_MAX / 1000) throw InvalidSpan{std::string(name) + " is out of range"};
  return micros * 1000;
}

TraceId trace_id(std::string_view hex) {
  if (hex.size() != 16 && hex.size() != 32)
    throw InvalidSpan{"traceId must be 16 or 32 hex digits"};
  const std::string widened =
      (hex.size() == 16 ? std::string(16, '0') : std::string()) + std::string(hex);
  const auto id = parse_hex_id<TraceId>(widened);
  if (!id) throw InvalidSpan{"traceId must be hex digits, not all zero"};
  return *id;
}

SpanId span_id(std::string_view hex, const char* field) {
  const auto id = parse_hex_id<SpanId>(hex);
  if (!id) throw InvalidSpan{std::string(field) + " must be 16 hex digits, not all zero"};
  return *id;
}

// Return an id for the server half of a shared span, derived from the client's.
SpanId shared_server_id(const SpanId& client) {
  std::uint64_t hash =
      model::fnv1a(std::string_view(reinterpret_cast<const char*>(client.bytes.data()),  // NOLINT
                                    client.bytes.size()));
  hash ^= 0x7365727665720000ULL;  // "server"
  return SpanId::from_uint64(hash == 0 ? 1 : hash);
}

model::SpanKind kind_of(std::string_view kind) {
  if (kind.empty()) return model::SpanKind::internal;
  if (kind == "SERVER") return model::SpanKind::server;
  if (kind == "CLIENT") return model::SpanKind::client;
  if (kind == "PRODUCER") return model::SpanKind::producer;
  if (kind == "CONSUMER") return model::SpanKind::consumer;
  throw InvalidSpan{"kind must be CLIENT, SERVER, PRODUCER or CONSUMER"};
}

// Where the call went: the remote endpoint of an outbound span, the local
// endpoint of an inbound one (whose remote endpoint is the caller).
void read_destination_endpoint(object fields, model::SpanRecord& span) {
  const bool inbound =
      span.kind == model::SpanKind::server || span.kind == model::SpanKind::consumer;
  object endpoint;
  if (fields[inbound ? "localEndpoint" : "remoteEndpoint"].get_object().get(endpoint) !=
      simdjson::SUCCESS) {
    return;
  }
  std::string_view address = string_field(endpoint, "ipv4");
  if (address.empty()) address = string_field(endpoint, "ipv6");
  if (address.empty() && !inbound) address = string_field(endpoint, "serviceName");
  if (!address.empty()) span.destination.address = address;
  std::uint64_t port = 0;
  if (endpoint["port"].get_uint64().get(port) == simdjson::SUCCESS && port <= 65535) {
    span.destination.port = static_cast<std::int64_t>(port);
  }
}

void read_tags(object fields, model::SpanRecord& span) {
  span.attributes_json = "{";
  element tags_value;
  if (fields["tags"].get(tags_value) == simdjson::SUCCESS && !tags_value.is_null()) {
    object tags;
    if (tags_value.get_object().get(tags) != simdjson::SUCCESS)
      throw InvalidSpan{"tags must be an object"};
    for (auto tag : tags) {
      std::string_view value;
      if (tag.value.get_string().get(value) != simdjson::SUCCESS) {
        throw InvalidSpan{"tag values must be strings"};
      }
      if (span.attributes_json.size() > 1) span.attributes_json += ',';
      model::append_json_string(span.attributes_json, tag.key);
      span.attributes_json += ':';
      model::append_json_string(span.attributes_json, value);
      note_attribute(span, tag.key, value);
      if (tag.key == "http.path") span.destination.path = value;
      if (tag.key == "error") {
        span.status_code = model::StatusCode::error;
        span.status_message = value;
      }
    }
  }
  span.attributes_json += '}';
}

void read_annotations(object fields, model::SpanRecord& span) {
  element value;
  if (fields["annotations"].get(value) != simdjson::SUCCESS || value.is_null()) return;
  array annotations;
  if (value.get_array().get(annotations) != simdjson::SUCCESS) {
    throw InvalidSpan{"annotations must be an array"};
  }
  span.events_json = "[";
  for (element annotation : annotations) {
    object annotation_fields;
    if (annotation.get_object().get(annotation_fields) != simdjson::SUCCESS) {
      throw InvalidSpan{"an annotation must be an object"};
    }
    if (span.events_json.size() > 1) span.events_json += ',';
    span.events_json += "{\"time_unix_nano\":";
    model::append_json_number(span.events_json, micros_field(annotation_fields, "timestamp"));
    span.events_json += ",\"name\":";
    model::append_json_string(span.events_json, string_field(annotation_fields, "value"));
    span.events_json += ",\"attributes\":{}}";
  }
  span.events_json += ']';
}

model::SpanRecord read_span(element value) {
  object fields;
  if (value.get_object().get(fields) != simdjson::SUCCESS)
    throw InvalidSpan{"a span must be an object"};
  model::SpanRecord span;
  span.trace_id = trace_id(string_field(fields, "traceId"));
  span.span_id = span_id(string_field(fields, "id"), "id");
  if (const std::string_view parent = string_field(fields, "parentId"); !parent.empty()) {
    span.parent_span_id = span_id(parent, "parentId");
  }
  span.name = string_field(fields, "name");
  span.kind = kind_of(string_field(fields, "kind"));
  span.start_unix_nano = micros_field(fields, "timestamp");
  const std::uint64_t duration = micros_field(fields, "duration");
  if (span.start_unix_nano != 0) {
    // A sum past 2^64 stays at the top, for time_problem to reject.
    span.end_unix_nano =
        duration > UINT64_MAX - span.start_unix_nano ? UINT64_MAX : span.start_unix_nano + duration;
  }
  if (std::string problem = time_problem(span); !problem.empty()) {
    throw InvalidSpan{std::move(problem)};
  }
  bool shared = false;
  if (fields["shared"].get_bool().get(shared) == simdjson::SUCCESS && shared &&
      span.kind == model::SpanKind::server) {
    span.parent_span_id = span.span_id;
    span.span_id = shared_server_id(span.span_id);
  }
  object local;
  span.service = std::string(unknown_service);
  if (fields["localEndpoint"].get_object().get(local) == simdjson::SUCCESS) {
    if (const std::string_view service = string_field(local, "serviceName"); !service.empty()) {
      span.service = service;
    }
  }
  std::string resource = "{\"service.name\":";
  model::append_json_string(resource, span.service);
  resource += '}';
  span.resource_json = std::make_shared<const std::string>(std::move(resource));
  span.scope_name = "zipkin";
  read_destination_endpoint(fields, span);
  read_tags(fields, span);
  read_annotations(fields, span);
  finish_destination(span);
  return span;
}

}  // namespace

Expected<DecodedBatch> decode_zipkin_json(std::string_view body, const DecodeLimits& limits) {
  JsonBody json;
  const auto parsed = json.parse(body);
  if (!parsed) return parsed.error();
  const element root = *parsed;
  array spans;
  if (root.get_array().get(spans) != simdjson::SUCCESS) {
    return Error{ErrorCode::invalid_input, "a Zipkin v2 request body is a JSON array of spans"};
  }
  if (spans.size() > limits.max_spans) {
    return Error{ErrorCode::invalid_input,
                 "more than " + std::to_string(limits.max_spans) + " spans in one request"};
  }
  DecodedBatch batch;
  std::size_t position = 0;
  for (element span : spans) {
    try {
      batch.spans.push_back(read_span(span));
    } catch (const InvalidSpan& invalid) {
      batch.reject("span " + std::to_string(position) + ": " + invalid.reason);
    }
    ++position;
  }
  return batch;
}

}  // namespace tracemesh::ingest
