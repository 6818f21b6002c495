#include "collector/http/otlp_trace_encoding.h"

#include <map>
#include <nlohmann/json.hpp>

#include "otlp_trace.pb.h"
#include "report/json_writer.h"

namespace tracemesh::collector {
namespace {

using nlohmann::json;

template <std::size_t N>
std::string id_bytes(const detail::IdBytes<N>& id) {
  return {reinterpret_cast<const char*>(id.bytes.data()), N};
}

// Our plain JSON attribute value → OTLP AnyValue. Integers stay integers,
// arrays and objects become arrayValue and kvlistValue.
void set_value(otlp::AnyValue& out, const json& value) {
  if (value.is_string()) {
    out.set_string_value(value.get<std::string>());
  } else if (value.is_boolean()) {
    out.set_bool_value(value.get<bool>());
  } else if (value.is_number_integer() && !value.is_number_unsigned()) {
    out.set_int_value(value.get<std::int64_t>());
  } else if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number <= static_cast<std::uint64_t>(INT64_MAX)) {
      out.set_int_value(static_cast<std::int64_t>(number));
    } else {
      out.set_double_value(static_cast<double>(number));
    }
  } else if (value.is_number()) {
    out.set_double_value(value.get<double>());
  } else if (value.is_array()) {
    otlp::ArrayValue* array = out.mutable_array_value();
    for (const json& element : value) set_value(*array->add_values(), element);
  } else if (value.is_object()) {
    otlp::KeyValueList* list = out.mutable_kvlist_value();
    for (const auto& [key, element] : value.items()) {
      otlp::KeyValue* pair = list->add_values();
      pair->set_key(key);
      set_value(*pair->mutable_value(), element);
    }
  }
  // null: an empty AnyValue
}

template <typename KeyValues>
void set_attributes(KeyValues& out, const json& attributes) {
  if (!attributes.is_object()) return;
  for (const auto& [key, value] : attributes.items()) {
    otlp::KeyValue* pair = out.Add();
    pair->set_key(key);
    set_value(*pair->mutable_value(), value);
  }
}

void set_span(otlp::Span& out, const model::SpanRecord& span) {
  out.set_trace_id(id_bytes(span.trace_id));
  out.set_span_id(id_bytes(span.span_id));
  if (!span.is_root()) out.set_parent_span_id(id_bytes(span.parent_span_id));
  out.set_flags(span.flags);
  out.set_name(span.name);
  out.set_kind(static_cast<otlp::Span::SpanKind>(span.kind));
  out.set_start_time_unix_nano(span.start_unix_nano);
  out.set_end_time_unix_nano(span.end_unix_nano);
  set_attributes(*out.mutable_attributes(), json::parse(span.attributes_json, nullptr, false));
  const json events = json::parse(span.events_json, nullptr, false);
  if (events.is_array()) {
    for (const json& event : events) {
      otlp::Span::Event* added = out.add_events();
      added->set_time_unix_nano(event.value("time_unix_nano", std::uint64_t{0}));
      added->set_name(event.value("name", ""));
      set_attributes(*added->mutable_attributes(), event.value("attributes", json::object()));
    }
  }
  // The links' ids are span.links, in the order of links_json (which adds flags and attributes).
  const json links = json::parse(span.links_json, nullptr, false);
  if (links.is_array()) {
    for (std::size_t i = 0; i < links.size() && i < span.links.size(); ++i) {
      const json& link = links[i];
      otlp::Span::Link* added = out.add_links();
      added->set_trace_id(id_bytes(span.links[i].trace_id));
      added->set_span_id(id_bytes(span.links[i].span_id));
      added->set_flags(link.value("flags", std::uint32_t{0}));
      set_attributes(*added->mutable_attributes(), link.value("attributes", json::object()));
    }
  }
  if (span.status_code != model::StatusCode::unset || !span.status_message.empty()) {
    out.mutable_status()->set_code(static_cast<otlp::Status::StatusCode>(span.status_code));
    out.mutable_status()->set_message(span.status_message);
  }
}

otlp::ExportTraceServiceRequest to_request(const std::vector<model::SpanRecord>& spans) {
  otlp::ExportTraceServiceRequest request;
  // (service, resource) → its ResourceSpans; (that, scope) → its ScopeSpans.
  std::map<std::pair<std::string, std::string>, otlp::ResourceSpans*> resources;
  std::map<std::pair<otlp::ResourceSpans*, std::string>, otlp::ScopeSpans*> scopes;
  for (const model::SpanRecord& span : spans) {
    const std::string resource_json = span.resource_json ? *span.resource_json : "{}";
    otlp::ResourceSpans*& resource = resources[{span.service, resource_json}];
    if (resource == nullptr) {
      resource = request.add_resource_spans();
      json attributes = json::parse(resource_json, nullptr, false);
      if (!attributes.is_object()) attributes = json::object();
      // The service the span was stored under, also when the resource did not name it.
      if (!attributes.contains("service.name")) attributes["service.name"] = span.service;
      set_attributes(*resource->mutable_resource()->mutable_attributes(), attributes);
    }
    otlp::ScopeSpans*& scope = scopes[{resource, span.scope_name}];
    if (scope == nullptr) {
      scope = resource->add_scope_spans();
      if (!span.scope_name.empty()) scope->mutable_scope()->set_name(span.scope_name);
    }
    set_span(*scope->add_spans(), span);
  }
  return request;
}

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += digits[byte >> 4U];
    out += digits[byte & 15U];
  }
  return out;
}

void write_value(report::JsonWriter& out, const otlp::AnyValue& value);

// A KeyValue list under `name` ("attributes"; a KeyValueList's is "values").
void write_attributes(report::JsonWriter& out,
                      const google::protobuf::RepeatedPtrField<otlp::KeyValue>& attributes,
                      std::string_view name = "attributes") {
  out.key(name).begin_array();
  for (const otlp::KeyValue& pair : attributes) {
    out.begin_object().field("key", pair.key()).key("value");
    write_value(out, pair.value());
    out.end_object();
  }
  out.end_array();
}

void write_value(report::JsonWriter& out, const otlp::AnyValue& value) {
  out.begin_object();
  switch (value.value_case()) {
    case otlp::AnyValue::kStringValue:
      out.field("stringValue", value.string_value());
      break;
    case otlp::AnyValue::kBoolValue:
      out.field("boolValue", value.bool_value());
      break;
    case otlp::AnyValue::kIntValue:  // int64 in OTLP/JSON: a string
      out.field("intValue", std::to_string(value.int_value()));
      break;
    case otlp::AnyValue::kDoubleValue:
      out.field("doubleValue", value.double_value());
      break;
    case otlp::AnyValue::kArrayValue:
      out.key("arrayValue").begin_object().key("values").begin_array();
      for (const otlp::AnyValue& element : value.array_value().values()) write_value(out, element);
      out.end_array().end_object();
      break;
    case otlp::AnyValue::kKvlistValue:
      out.key("kvlistValue").begin_object();
      write_attributes(out, value.kvlist_value().values(), "values");
      out.end_object();
      break;
    default:
      break;
  }
  out.end_object();
}

void write_span(report::JsonWriter& out, const otlp::Span& span) {
  out.begin_object().field("traceId", hex(span.trace_id())).field("spanId", hex(span.span_id()));
  if (!span.parent_span_id().empty()) out.field("parentSpanId", hex(span.parent_span_id()));
  out.field("flags", static_cast<std::uint64_t>(span.flags()))
      .field("name", span.name())
      .field("kind", static_cast<int>(span.kind()))
      .field("startTimeUnixNano", std::to_string(span.start_time_unix_nano()))
      .field("endTimeUnixNano", std::to_string(span.end_time_unix_nano()));
  write_attributes(out, span.attributes());
  out.key("events").begin_array();
  for (const otlp::Span::Event& event : span.events()) {
    out.begin_object()
        .field("timeUnixNano", std::to_string(event.time_unix_nano()))
        .field("name", event.name());
    write_attributes(out, event.attributes());
    out.end_object();
  }
  out.end_array().key("links").begin_array();
  for (const otlp::Span::Link& link : span.links()) {
    out.begin_object()
        .field("traceId", hex(link.trace_id()))
        .field("spanId", hex(link.span_id()))
        .field("flags", static_cast<std::uint64_t>(link.flags()));
    write_attributes(out, link.attributes());
    out.end_object();
  }
  out.end_array().key("status").begin_object();
  if (!span.status().message().empty()) out.field("message", span.status().message());
  if (span.status().code() != 0) out.field("code", static_cast<int>(span.status().code()));
  out.end_object().end_object();
}

}  // namespace

std::string otlp_trace_protobuf(const std::vector<model::SpanRecord>& spans) {
  return to_request(spans).SerializeAsString();
}

std::string otlp_trace_json(const std::vector<model::SpanRecord>& spans, std::string_view top_key) {
  const otlp::ExportTraceServiceRequest request = to_request(spans);
  report::JsonWriter out(report::JsonWriter::Layout::compact);
  out.begin_object().key(top_key).begin_array();
  for (const otlp::ResourceSpans& resource : request.resource_spans()) {
    out.begin_object().key("resource").begin_object();
    write_attributes(out, resource.resource().attributes());
    out.end_object().key("scopeSpans").begin_array();
    for (const otlp::ScopeSpans& scope : resource.scope_spans()) {
      out.begin_object().key("scope").begin_object();
      if (!scope.scope().name().empty()) out.field("name", scope.scope().name());
      out.end_object().key("spans").begin_array();
      for (const otlp::Span& span : scope.spans()) write_span(out, span);
      out.end_array().end_object();
    }
    out.end_array().end_object();
  }
  out.end_array().end_object();
  return out.take();
}

}  // namespace tracemesh::collector
