#include "verify/span_attributes.h"

namespace tracemesh::verify {

nlohmann::json span_attributes(const model::SpanRecord& span) {
  nlohmann::json attributes = nlohmann::json::parse(span.attributes_json, nullptr, false);
  return attributes.is_object() ? attributes : nlohmann::json::object();
}

}  // namespace tracemesh::verify
