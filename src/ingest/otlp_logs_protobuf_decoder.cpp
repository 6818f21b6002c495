#include "ingest/otlp_logs_protobuf_decoder.h"

#include <google/protobuf/arena.h>

#include <cstring>
#include <limits>
#include <string>

#include "ingest/otlp_protobuf_values.h"
#include "model/json_text.h"
#include "otlp_trace.pb.h"

namespace tracemesh::ingest {
namespace {

using namespace otlp_protobuf;  // NOLINT(google-build-using-namespace): the value readers

std::string service_of(const otlp::Resource& resource) {
  for (const otlp::KeyValue& attribute : resource.attributes()) {
    if (attribute.key() == "service.name" && attribute.value().has_string_value()) {
      return attribute.value().string_value();
    }
  }
  return std::string(unknown_service);
}

template <typename Id>
Id lenient_id(const std::string& bytes) {
  Id id;
  if (bytes.size() == id.bytes.size()) std::memcpy(id.bytes.data(), bytes.data(), bytes.size());
  return id;  // all zero: none
}

class LogDecoder {
 public:
  explicit LogDecoder(const DecodeLimits& limits)
      : limits_(limits), attributes_(limits.max_depth) {}

  // Return false (with `failure` set) when the request breaks a limit.
  bool decode(const otlp::ExportLogsServiceRequest& request) {
    std::size_t position = 0;
    for (const otlp::ResourceLogs& resource_logs : request.resource_logs()) {
      const std::string service = service_of(resource_logs.resource());
      for (const otlp::ScopeLogs& scope_logs : resource_logs.scope_logs()) {
        for (const otlp::LogRecord& record : scope_logs.log_records()) {
          if (position >= limits_.max_spans) {
            failure =
                "more than " + std::to_string(limits_.max_spans) + " log records in one request";
            return false;
          }
          try {
            logs_.keep(read_record(record, service));
          } catch (const InvalidSpan& invalid) {
            logs_.reject("log record " + std::to_string(position) + ": " + invalid.reason);
          }
          ++position;
        }
      }
    }
    return true;
  }

  DecodedLogs take() { return std::move(logs_); }

  std::string failure;

 private:
  model::LogRecord read_record(const otlp::LogRecord& record, const std::string& service) const {
    model::LogRecord log;
    log.service = service;
    // An id of the wrong size or all zero means "not associated" (logs.proto).
    log.trace_id = lenient_id<TraceId>(record.trace_id());
    log.span_id = lenient_id<SpanId>(record.span_id());
    if (log.has_trace_id()) log.logged_id = log.trace_id.to_hex();
    // The time the event happened, else when it was observed; 0: when it arrives.
    log.time_unix_nano =
        record.time_unix_nano() != 0 ? record.time_unix_nano() : record.observed_time_unix_nano();
    if (log.time_unix_nano > max_unix_nano) throw InvalidSpan{"time_unix_nano out of range"};
    log.severity = record.severity_text().empty()
                       ? std::string(severity_name(record.severity_number()))
                       : record.severity_text();
    if (record.body().has_string_value()) {
      log.body = record.body().string_value();
    } else if (record.has_body()) {
      attributes_.append_value(log.body, record.body(), 0);
    }
    log.attributes.clear();
    attributes_.append_attributes(log.attributes, record.attributes(), nullptr);
    for (const otlp::KeyValue& attribute : record.attributes()) {
      if (attribute.value().has_string_value()) {
        note_log_attribute(log, attribute.key(), attribute.value().string_value());
      }
    }
    return log;
  }

  const DecodeLimits& limits_;
  AttributeWriter attributes_;
  DecodedLogs logs_;
};

}  // namespace

Expected<DecodedLogs> decode_otlp_logs_protobuf(std::string_view body, const DecodeLimits& limits) {
  if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Error{ErrorCode::invalid_input, "protobuf body too large"};
  }
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<otlp::ExportLogsServiceRequest>(&arena);
  if (!request->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Error{ErrorCode::invalid_input,
                 "malformed protobuf: the body is not an OTLP ExportLogsServiceRequest"};
  }
  LogDecoder decoder(limits);
  if (!decoder.decode(*request)) return Error{ErrorCode::invalid_input, decoder.failure};
  return decoder.take();
}

}  // namespace tracemesh::ingest
