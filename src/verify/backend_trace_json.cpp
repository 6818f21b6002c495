#include "verify/backend_trace_json.h"

#include <cstdint>
#include <map>
#include <optional>

#include "model/base64.h"

namespace tracemesh::verify {
namespace {

using nlohmann::json;

constexpr std::uint64_t nanos_per_micro = 1000;

Error invalid(const std::string& what) {
  return Error{ErrorCode::invalid_input, "not a Jaeger trace: " + what};
}

// A non-negative count of microseconds (`startTime`, `duration`, `timestamp`);
// 0 when absent. Not a float cast blindly: 1e25 does not fit.
std::uint64_t micros(const json& object, const char* key) {
  // Times end up in nanoseconds: what fits after multiplying by 1000.
  constexpr std::uint64_t most = UINT64_MAX / nanos_per_micro / 2;
  if (!object.contains(key)) return 0;
  const json& value = object[key];
  std::uint64_t count = most + 1;
  if (value.is_number_unsigned()) {
    count = value.get<std::uint64_t>();
  } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    count = static_cast<std::uint64_t>(value.get<std::int64_t>());
  } else if (value.is_number_float() && value.get<double>() >= 0 &&
             value.get<double>() <= static_cast<double>(most)) {
    count = static_cast<std::uint64_t>(value.get<double>());
  }
  if (count > most) throw invalid(std::string(key) + " is not a count of microseconds");
  return count;
}

// A Jaeger id (hex, 64-bit trace ids allowed) as OTLP/JSON's hex of `digits`.
std::string padded_id(const json& id, std::size_t digits) {
  std::string hex = id.is_string() ? id.get<std::string>() : std::string();
  if (hex.size() < digits) hex.insert(0, digits - hex.size(), '0');
  return hex;
}

// A Jaeger tag {key, type, value} as an OTLP KeyValue.
json key_value(const json& tag) {
  const std::string key = tag.value("key", "");
  const std::string type = tag.value("type", "string");
  const json& value = tag.contains("value") ? tag["value"] : json();
  json typed;
  if (type == "bool" && value.is_boolean()) {
    typed = {{"boolValue", value}};
  } else if (type == "int64" && value.is_number_integer()) {
    typed = {{"intValue", std::to_string(value.get<std::int64_t>())}};
  } else if (type == "float64" && value.is_number()) {
    typed = {{"doubleValue", value}};
  } else {
    typed = {{"stringValue", value.is_string() ? value.get<std::string>() : value.dump()}};
  }
  return {{"key", key}, {"value", typed}};
}

int otlp_kind(const std::string& kind) {
  static const std::map<std::string, int> kinds = {
      {"internal", 1}, {"server", 2}, {"client", 3}, {"producer", 4}, {"consumer", 5}};
  const auto found = kinds.find(kind);
  return found == kinds.end() ? 0 : found->second;
}

json otlp_span(const json& span, std::string& scope) {
  if (!span.is_object() || !span.contains("spanID") || !span.contains("startTime")) {
    throw invalid("a span without spanID or startTime");
  }
  const std::uint64_t start = micros(span, "startTime");
  const std::uint64_t duration = micros(span, "duration");
  json out = {{"traceId", padded_id(span.value("traceID", json()), 32)},
              {"spanId", padded_id(span["spanID"], 16)},
              {"name", span.value("operationName", "")},
              {"startTimeUnixNano", std::to_string(start * nanos_per_micro)},
              {"endTimeUnixNano", std::to_string((start + duration) * nanos_per_micro)},
              {"attributes", json::array()},
              {"events", json::array()},
              {"links", json::array()}};
  for (const json& reference : span.value("references", json::array())) {
    const std::string type = reference.value("refType", "");
    if (type == "CHILD_OF" && !out.contains("parentSpanId") &&
        padded_id(reference.value("traceID", json()), 32) == out["traceId"]) {
      out["parentSpanId"] = padded_id(reference.value("spanID", json()), 16);
    } else {
      out["links"].push_back({{"traceId", padded_id(reference.value("traceID", json()), 32)},
                              {"spanId", padded_id(reference.value("spanID", json()), 16)}});
    }
  }
  int status = 0;
  bool error_tag = false;
  std::string message;
  for (const json& tag : span.value("tags", json::array())) {
    const std::string key = tag.value("key", "");
    const json value = tag.contains("value") ? tag["value"] : json();
    if (key == "span.kind" && value.is_string()) {
      out["kind"] = otlp_kind(value.get<std::string>());
    } else if (key == "otel.status_code" && value.is_string()) {
      status = value == "ERROR" ? 2 : value == "OK" ? 1 : 0;
    } else if (key == "otel.status_description" && value.is_string()) {
      message = value.get<std::string>();
    } else if (key == "error" && (value == true || value == "true")) {
      error_tag = true;
    } else if ((key == "otel.scope.name" || key == "otel.library.name") && value.is_string()) {
      scope = value.get<std::string>();
    } else if (key != "otel.scope.version" && key != "otel.library.version" &&
               key != "internal.span.format") {
      out["attributes"].push_back(key_value(tag));
    }
  }
  if (status == 0 && error_tag) status = 2;
  if (status != 0 || !message.empty()) out["status"] = {{"code", status}, {"message", message}};
  for (const json& log : span.value("logs", json::array())) {
    json event = {{"timeUnixNano", std::to_string(micros(log, "timestamp") * nanos_per_micro)},
                  {"name", ""},
                  {"attributes", json::array()}};
    for (const json& field : log.value("fields", json::array())) {
      if (field.value("key", "") == "event" && field.contains("value") &&
          field["value"].is_string()) {
        event["name"] = field["value"];
      } else {
        event["attributes"].push_back(key_value(field));
      }
    }
    out["events"].push_back(std::move(event));
  }
  return out;
}

// Tempo writes enums by name (gogo jsonpb): SPAN_KIND_SERVER, STATUS_CODE_ERROR.
// OTLP/JSON wants their numbers; a name not known is left for the decoder to refuse.
void enum_numbers(json& span) {
  static const std::map<std::string, int> kinds = {
      {"SPAN_KIND_UNSPECIFIED", 0}, {"SPAN_KIND_INTERNAL", 1}, {"SPAN_KIND_SERVER", 2},
      {"SPAN_KIND_CLIENT", 3},      {"SPAN_KIND_PRODUCER", 4}, {"SPAN_KIND_CONSUMER", 5}};
  static const std::map<std::string, int> codes = {
      {"STATUS_CODE_UNSET", 0}, {"STATUS_CODE_OK", 1}, {"STATUS_CODE_ERROR", 2}};
  if (span.contains("kind") && span["kind"].is_string()) {
    const auto found = kinds.find(span["kind"].get<std::string>());
    if (found != kinds.end()) span["kind"] = found->second;
  }
  if (span.contains("status") && span["status"].is_object() && span["status"].contains("code") &&
      span["status"]["code"].is_string()) {
    const auto found = codes.find(span["status"]["code"].get<std::string>());
    if (found != codes.end()) span["status"]["code"] = found->second;
  }
}

// Tempo's ids: base64 of the bytes (what Tempo writes) or hex (OTLP/JSON).
void hex_ids(json& object) {
  static constexpr char digits[] = "0123456789abcdef";
  for (const char* field : {"traceId", "spanId", "parentSpanId"}) {
    if (!object.contains(field) || !object[field].is_string()) continue;
    const std::string text = object[field].get<std::string>();
    const bool hex =
        !text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (hex || text.empty()) continue;
    const std::optional<std::string> bytes = model::decode_base64(text);
    if (!bytes) continue;  // left as it is: the decoder says what is wrong
    std::string converted;
    for (const char byte : *bytes) {
      converted += digits[static_cast<unsigned char>(byte) >> 4U];
      converted += digits[static_cast<unsigned char>(byte) & 15U];
    }
    object[field] = converted;
  }
}

}  // namespace

Expected<std::string> jaeger_trace_to_otlp_json(const json& trace) {
  if (!trace.is_object() || !trace.contains("spans") || !trace["spans"].is_array()) {
    return invalid("no spans array");
  }
  const json processes = trace.value("processes", json::object());
  // processID → its ResourceSpans; scope name → its ScopeSpans within.
  std::map<std::string, json> resources;
  std::map<std::string, std::map<std::string, json>> scopes;
  try {
    for (const json& span : trace["spans"]) {
      std::string scope;
      json converted = otlp_span(span, scope);
      if (!converted.contains("traceId") || converted["traceId"] == std::string(32, '0')) {
        converted["traceId"] = padded_id(trace.value("traceID", json()), 32);
      }
      const std::string process_id = span.value("processID", "");
      if (!resources.contains(process_id)) {
        const json process = processes.value(process_id, json::object());
        json attributes = json::array(
            {{{"key", "service.name"},
              {"value", {{"stringValue", process.value("serviceName", "unknown_service")}}}}});
        for (const json& tag : process.value("tags", json::array())) {
          attributes.push_back(key_value(tag));
        }
        resources[process_id] = {{"resource", {{"attributes", attributes}}}};
      }
      json& scope_spans = scopes[process_id][scope];
      if (scope_spans.is_null()) {
        scope_spans = {{"scope", {{"name", scope}}}, {"spans", json::array()}};
      }
      scope_spans["spans"].push_back(std::move(converted));
    }
  } catch (const Error& error) {
    return error;
  } catch (const json::exception& error) {
    return invalid(error.what());
  }
  json request = {{"resourceSpans", json::array()}};
  for (auto& [process_id, resource] : resources) {
    resource["scopeSpans"] = json::array();
    for (auto& [name, scope_spans] : scopes[process_id]) {
      resource["scopeSpans"].push_back(std::move(scope_spans));
    }
    request["resourceSpans"].push_back(std::move(resource));
  }
  return request.dump();
}

std::optional<std::string> tempo_trace_to_otlp_json(std::string_view document) {
  // Cheap test first: most files are plain OTLP/JSON.
  if (document.find("\"batches\"") == std::string_view::npos &&
      document.find("\"trace\"") == std::string_view::npos) {
    return std::nullopt;
  }
  json parsed = json::parse(document, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  json* holder = &parsed;
  if (parsed.contains("trace") && parsed["trace"].is_object()) holder = &parsed["trace"];
  json resource_spans;
  for (const char* key : {"batches", "resourceSpans"}) {
    if (holder->contains(key) && (*holder)[key].is_array()) resource_spans = (*holder)[key];
  }
  if (resource_spans.is_null() || (holder == &parsed && !parsed.contains("batches"))) {
    return std::nullopt;
  }
  for (json& resource : resource_spans) {
    if (!resource.is_object()) continue;
    // Older Tempo (and OTLP before 0.19) say instrumentationLibrarySpans.
    for (const char* scopes_key : {"scopeSpans", "instrumentationLibrarySpans"}) {
      if (!resource.contains(scopes_key) || !resource[scopes_key].is_array()) continue;
      for (json& scope : resource[scopes_key]) {
        if (!scope.is_object() || !scope.contains("spans") || !scope["spans"].is_array()) continue;
        for (json& span : scope["spans"]) {
          if (!span.is_object()) continue;
          hex_ids(span);
          enum_numbers(span);
          if (span.contains("links") && span["links"].is_array()) {
            for (json& link : span["links"]) {
              if (link.is_object()) hex_ids(link);
            }
          }
        }
      }
      if (std::string(scopes_key) == "instrumentationLibrarySpans") {
        resource["scopeSpans"] = std::move(resource[scopes_key]);
        resource.erase(scopes_key);
      }
    }
  }
  return json({{"resourceSpans", std::move(resource_spans)}}).dump();
}

}  // namespace tracemesh::verify
