// OTLP/JSON spans for the map tests: attributes, a span dated 2023 (the
// tests ask for a window that holds it), and a request of one service's spans.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tracemesh::map::testing {

using nlohmann::json;

// An attribute of a string or an integer value.
inline json attribute(const std::string& key, const json& value) {
  return {{"key", key},
          {"value", value.is_number() ? json{{"intValue", value}} : json{{"stringValue", value}}}};
}

inline json span(const std::string& trace, const std::string& id, const std::string& parent,
                 const std::string& name, int kind, json attributes) {
  json value = {{"traceId", trace},
                {"spanId", id},
                {"name", name},
                {"kind", kind},
                {"startTimeUnixNano", "1700000000000000000"},
                {"endTimeUnixNano", "1700000001000000000"},
                {"attributes", std::move(attributes)}};
  if (!parent.empty()) value["parentSpanId"] = parent;
  return value;
}

inline std::string otlp(const std::string& service, const std::vector<json>& spans) {
  return json{{"resourceSpans",
               {{{"resource", {{"attributes", {attribute("service.name", service)}}}},
                 {"scopeSpans", {{{"scope", {{"name", "test"}}}, {"spans", spans}}}}}}}}
      .dump();
}

}  // namespace tracemesh::map::testing
