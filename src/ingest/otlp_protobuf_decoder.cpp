#include "ingest/otlp_protobuf_decoder.h"

#include <google/protobuf/arena.h>

#include <cstring>
#include <string>

#include "ingest/otlp_protobuf_values.h"
#include "model/json_text.h"
#include "otlp_trace.pb.h"

namespace tracemesh::ingest {
namespace {

using namespace otlp_protobuf;  // NOLINT(google-build-using-namespace): the value readers

struct SpanGroup {
  std::string service{unknown_service};
  std::shared_ptr<const std::string> resource_json = model::empty_object();
  std::string scope_name;
};

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits), attributes_(limits.max_depth) {}

  // Return false (with `failure` set) when the request breaks a limit.
  bool decode(const otlp::ExportTraceServiceRequest& request) {
    for (const otlp::ResourceSpans& resource_spans : request.resource_spans()) {
      SpanGroup group;
      std::string resource;
      try {
        attributes_.append_attributes(resource, resource_spans.resource().attributes(), nullptr);
      } catch (const InvalidSpan&) {
        resource = "{}";
      }
      if (resource.size() > max_resource_bytes) {
        failure = "resource attributes over " + std::to_string(max_resource_bytes) + " bytes";
        return false;
      }
      group.resource_json = std::make_shared<const std::string>(std::move(resource));
      for (const otlp::KeyValue& attribute : resource_spans.resource().attributes()) {
        if (attribute.key() == "service.name" && attribute.value().has_string_value()) {
          group.service = attribute.value().string_value();
        }
      }
      for (const otlp::ScopeSpans& scope_spans : resource_spans.scope_spans()) {
        group.scope_name = scope_spans.scope().name();
        for (const otlp::Span& span : scope_spans.spans()) {
          const std::size_t position = batch_.spans.size() + batch_.rejected;
          if (position >= limits_.max_spans) {
            failure = "more than " + std::to_string(limits_.max_spans) + " spans in one request";
            return false;
          }
          try {
            batch_.spans.push_back(read_span(span, group));
          } catch (const InvalidSpan& invalid) {
            batch_.reject("span " + std::to_string(position) + ": " + invalid.reason);
          }
        }
      }
    }
    return true;
  }

  DecodedBatch take() { return std::move(batch_); }

  std::string failure;

 private:
  model::SpanRecord read_span(const otlp::Span& span, const SpanGroup& group) const {
    model::SpanRecord record;
    record.trace_id = read_id<TraceId>(span.trace_id(), "trace_id", false);
    record.span_id = read_id<SpanId>(span.span_id(), "span_id", false);
    record.parent_span_id = read_id<SpanId>(span.parent_span_id(), "parent_span_id", true);
    record.service = group.service;
    record.resource_json = group.resource_json;
    record.scope_name = group.scope_name;
    record.name = span.name();
    if (span.kind() < 0 || span.kind() > 5) throw InvalidSpan{"kind must be 0 to 5"};
    record.kind = static_cast<model::SpanKind>(span.kind());
    record.start_unix_nano = span.start_time_unix_nano();
    record.end_unix_nano = span.end_time_unix_nano();
    if (std::string problem = time_problem(record); !problem.empty()) {
      throw InvalidSpan{std::move(problem)};
    }
    if (span.status().code() < 0 || span.status().code() > 2) {
      throw InvalidSpan{"status.code must be 0, 1 or 2"};
    }
    record.status_code = static_cast<model::StatusCode>(span.status().code());
    record.status_message = span.status().message();
    record.attributes_json.clear();
    attributes_.append_attributes(record.attributes_json, span.attributes(), &record);
    record.events_json = events(span);
    record.links_json = links(span, record.links);
    record.flags = span.flags();
    finish_destination(record);
    return record;
  }

  std::string events(const otlp::Span& span) const {
    std::string json = "[";
    for (const otlp::Span::Event& event : span.events()) {
      if (json.size() > 1) json += ',';
      json += "{\"time_unix_nano\":";
      model::append_json_number(json, static_cast<std::uint64_t>(event.time_unix_nano()));
      json += ",\"name\":";
      model::append_json_string(json, event.name());
      json += ",\"attributes\":";
      attributes_.append_attributes(json, event.attributes(), nullptr);
      json += '}';
    }
    json += ']';
    return json;
  }

  std::string links(const otlp::Span& span, std::vector<model::LinkRef>& refs) const {
    std::string json = "[";
    for (const otlp::Span::Link& link : span.links()) {
      if (json.size() > 1) json += ',';
      const model::LinkRef& ref = refs.emplace_back(
          model::LinkRef{read_id<TraceId>(link.trace_id(), "link trace_id", false),
                         read_id<SpanId>(link.span_id(), "link span_id", false)});
      append_link_head(json, ref, link.flags());
      attributes_.append_attributes(json, link.attributes(), nullptr);
      json += '}';
    }
    json += ']';
    return json;
  }

  const DecodeLimits& limits_;
  AttributeWriter attributes_;
  DecodedBatch batch_;
};

}  // namespace

Expected<DecodedBatch> decode_otlp_protobuf(std::string_view body, const DecodeLimits& limits) {
  if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Error{ErrorCode::invalid_input, "protobuf body too large"};
  }
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<otlp::ExportTraceServiceRequest>(&arena);
  if (!request->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Error{ErrorCode::invalid_input,
                 "malformed protobuf: the body is not an OTLP ExportTraceServiceRequest"};
  }
  Decoder decoder(limits);
  if (!decoder.decode(*request)) return Error{ErrorCode::invalid_input, decoder.failure};
  return decoder.take();
}

}  // namespace tracemesh::ingest
