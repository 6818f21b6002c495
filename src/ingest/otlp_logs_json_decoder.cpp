#include "ingest/otlp_logs_json_decoder.h"

#include <string>

#include "ingest/json_body.h"
#include "ingest/otlp_json_attributes.h"
#include "ingest/otlp_json_fields.h"

namespace tracemesh::ingest {
namespace {

using namespace otlp_json;  // NOLINT(google-build-using-namespace): the field readers

class LogDecoder {
 public:
  explicit LogDecoder(const DecodeLimits& limits)
      : limits_(limits), attributes_(limits.max_depth) {}

  void resource_logs(element value) {
    for (element resource_logs : array_field(value, "resourceLogs")) {
      std::string service(unknown_service);
      for (auto field : object_field(resource_logs, "a resourceLogs entry")) {
        if (field.key != "resource") continue;
        element attributes;
        if (field.value["attributes"].get(attributes) == simdjson::SUCCESS) {
          if (std::string named = read_service(attributes); !named.empty()) {
            service = std::move(named);
          }
        }
      }
      for (auto field : object_field(resource_logs, "a resourceLogs entry")) {
        if (is_field(field.key, "scopeLogs", "scope_logs")) scope_logs(field.value, service);
      }
    }
  }

  DecodedLogs take() { return std::move(logs_); }

 private:
  void scope_logs(element value, const std::string& service) {
    for (element scope_logs : array_field(value, "scopeLogs")) {
      for (auto field : object_field(scope_logs, "a scopeLogs entry")) {
        if (!is_field(field.key, "logRecords", "log_records")) continue;
        for (element record : array_field(field.value, "logRecords")) {
          if (position_ >= limits_.max_spans) {
            throw MalformedRequest{"more than " + std::to_string(limits_.max_spans) +
                                   " log records in one request"};
          }
          try {
            logs_.keep(read_record(record, service));
          } catch (const InvalidSpan& invalid) {
            logs_.reject("log record " + std::to_string(position_) + ": " + invalid.reason);
          }
          ++position_;
        }
      }
    }
  }

  model::LogRecord read_record(element value, const std::string& service) {
    object fields;
    if (value.get_object().get(fields) != simdjson::SUCCESS) {
      throw InvalidSpan{"a log record must be an object"};
    }
    model::LogRecord log;
    log.service = service;
    std::uint64_t observed = 0;
    std::int64_t severity_number = 0;
    TraceId trace_id;  // the traceId field wins over an id in the attributes
    for (auto field : fields) {
      const std::string_view key = field.key;
      // An id that is not hex of the right size, or all zero, means "not
      // associated" (logs.proto); a value that is not a string is malformed.
      if (is_field(key, "traceId", "trace_id")) {
        trace_id = parse_hex_id<TraceId>(read_string(field.value, "traceId")).value_or(TraceId{});
      } else if (is_field(key, "spanId", "span_id")) {
        log.span_id = parse_hex_id<SpanId>(read_string(field.value, "spanId")).value_or(SpanId{});
      } else if (is_field(key, "timeUnixNano", "time_unix_nano")) {
        log.time_unix_nano = read_uint64(field.value, "timeUnixNano");
      } else if (is_field(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
        observed = read_uint64(field.value, "observedTimeUnixNano");
      } else if (is_field(key, "severityNumber", "severity_number")) {
        severity_number = read_enum(field.value, "severityNumber");
      } else if (is_field(key, "severityText", "severity_text")) {
        log.severity = read_string(field.value, "severityText");
      } else if (key == "body") {
        read_body(field.value, log);
      } else if (key == "attributes") {
        log.attributes.clear();
        attributes_.append_attributes(log.attributes, field.value, nullptr);
        note_legacy_ids(field.value, log);
      }
    }
    if (trace_id.is_valid()) {
      log.trace_id = trace_id;
      log.logged_id = trace_id.to_hex();
    }
    if (log.time_unix_nano == 0) log.time_unix_nano = observed;
    if (log.time_unix_nano > max_unix_nano) throw InvalidSpan{"timeUnixNano out of range"};
    if (log.severity.empty()) {
      log.severity = std::string(severity_name(static_cast<int>(severity_number)));
    }
    return log;
  }

  void read_body(element value, model::LogRecord& log) const {
    element text;
    std::string_view body;
    if ((value["stringValue"].get(text) == simdjson::SUCCESS ||
         value["string_value"].get(text) == simdjson::SUCCESS) &&
        text.get_string().get(body) == simdjson::SUCCESS) {
      log.body = body;
      return;
    }
    attributes_.append_value(log.body, value, 0);
  }

  // Attributes holding a trace id by hand (x_trace_id, request_id...).
  static void note_legacy_ids(element list, model::LogRecord& log) {
    array entries;
    if (list.get_array().get(entries) != simdjson::SUCCESS) return;
    for (element entry : entries) {
      element key;
      element value;
      element text;
      std::string_view name;
      std::string_view id;
      if (entry["key"].get(key) == simdjson::SUCCESS &&
          key.get_string().get(name) == simdjson::SUCCESS &&
          entry["value"].get(value) == simdjson::SUCCESS &&
          (value["stringValue"].get(text) == simdjson::SUCCESS ||
           value["string_value"].get(text) == simdjson::SUCCESS) &&
          text.get_string().get(id) == simdjson::SUCCESS) {
        note_log_attribute(log, name, id);
      }
    }
  }

  const DecodeLimits& limits_;
  AttributeWriter attributes_;
  DecodedLogs logs_;
  std::size_t position_ = 0;
};

}  // namespace

Expected<DecodedLogs> decode_otlp_logs_json(std::string_view body, const DecodeLimits& limits) {
  JsonBody json;
  const auto parsed = json.parse(body);
  if (!parsed) return parsed.error();
  try {
    LogDecoder decoder(limits);
    for (auto field : object_field(*parsed, "the request body")) {
      if (is_field(field.key, "resourceLogs", "resource_logs")) decoder.resource_logs(field.value);
    }
    return decoder.take();
  } catch (const MalformedRequest& malformed) {
    return Error{ErrorCode::invalid_input, malformed.message};
  }
}

}  // namespace tracemesh::ingest
