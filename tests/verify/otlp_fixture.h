// Test support: OTLP/JSON requests for verify's tests, one service per
// resource, with the attributes the checks read.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tracemesh::verify::testing {

struct OtlpSpan {
  std::string trace_id;
  std::string span_id;
  std::string parent_id;  // empty for a root
  std::string name;
  int kind = 1;  // OTLP numbering: 2 server, 3 client, 4 producer, 5 consumer
  std::uint64_t start_ms = 0;
  std::uint64_t end_ms = 0;
  nlohmann::json attributes = nlohmann::json::array();  // OTLP KeyValue list
};

inline nlohmann::json string_attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}
inline nlohmann::json int_attribute(const std::string& key, std::int64_t value) {
  return {{"key", key}, {"value", {{"intValue", std::to_string(value)}}}};
}

// One ExportTraceServiceRequest with a resource per service.
inline std::string otlp_request(
    const std::vector<std::pair<std::string, std::vector<OtlpSpan>>>& services,
    std::uint64_t base_unix_nano = 1'700'000'000'000'000'000) {
  nlohmann::json resource_spans = nlohmann::json::array();
  for (const auto& [service, spans] : services) {
    nlohmann::json list = nlohmann::json::array();
    for (const OtlpSpan& span : spans) {
      nlohmann::json value = {
          {"traceId", span.trace_id},
          {"spanId", span.span_id},
          {"name", span.name},
          {"kind", span.kind},
          {"startTimeUnixNano", std::to_string(base_unix_nano + span.start_ms * 1'000'000)},
          {"endTimeUnixNano", std::to_string(base_unix_nano + span.end_ms * 1'000'000)},
          {"attributes", span.attributes}};
      if (!span.parent_id.empty()) value["parentSpanId"] = span.parent_id;
      list.push_back(std::move(value));
    }
    nlohmann::json resource = {
        {"resource",
         {{"attributes", nlohmann::json::array({string_attribute("service.name", service)})}}},
        {"scopeSpans", nlohmann::json::array({{{"scope", {{"name", "test"}}}, {"spans", list}}})}};
    resource_spans.push_back(std::move(resource));
  }
  return nlohmann::json{{"resourceSpans", resource_spans}}.dump();
}

// bot -> agent-service -> rag-service. With `broken`, agent-service's call
// carries no context: rag-service starts trace `callee_trace` and says it
// received none (tracemesh.propagation.format = none).
inline std::vector<std::pair<std::string, std::vector<OtlpSpan>>> three_services(
    const std::string& trace_id, bool broken, const std::string& callee_trace = {},
    const std::string& prefix = "a") {
  const auto id = [&](const char* suffix) { return prefix + std::string(suffix); };
  const nlohmann::json call_rag = nlohmann::json::array(
      {string_attribute("http.request.method", "POST"),
       string_attribute("url.full", "http://127.0.0.1:9100/search"),
       string_attribute("server.address", "127.0.0.1"), int_attribute("server.port", 9100)});
  nlohmann::json rag_attributes = nlohmann::json::array(
      {string_attribute("http.request.method", "POST"), string_attribute("url.path", "/search"),
       int_attribute("server.port", 9100), int_attribute("http.response.status_code", 200)});
  if (broken) rag_attributes.push_back(string_attribute("tracemesh.propagation.format", "none"));
  return {{"bot",
           {{trace_id, id("000000000000001"), "", "POST /ask", 2, 0, 100,
             nlohmann::json::array({string_attribute("http.request.method", "POST")})},
            {trace_id, id("000000000000002"), id("000000000000001"), "POST", 3, 5, 90,
             nlohmann::json::array({string_attribute("http.request.method", "POST"),
                                    string_attribute("url.full", "http://127.0.0.1:9000/run"),
                                    int_attribute("server.port", 9000)})}}},
          {"agent-service",
           {{trace_id, id("000000000000003"), id("000000000000002"), "POST /run", 2, 6, 89,
             nlohmann::json::array({string_attribute("http.request.method", "POST"),
                                    string_attribute("url.path", "/run"),
                                    int_attribute("http.response.status_code", 200)})},
            {trace_id, id("000000000000004"), id("000000000000003"), "POST", 3, 10, 80, call_rag}}},
          {"rag-service",
           {{broken ? callee_trace : trace_id, id("000000000000005"),
             broken ? "" : id("000000000000004"), "POST /search", 2, 11, 79, rag_attributes}}}};
}

}  // namespace tracemesh::verify::testing
