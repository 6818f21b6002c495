// The entity that produces spans: service.name and other resource attributes.
//
// Built by the configuration step from options and the environment
// (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) and shared by every span.
#pragma once

#include <string_view>

#include "tracemesh/attribute.h"
#include "tracemesh/expected.h"

namespace tracemesh {

class Resource {
 public:
  Resource() = default;
  explicit Resource(Attributes attributes) : attributes_(std::move(attributes)) {}

  const Attributes& attributes() const noexcept { return attributes_; }
  // Return service.name ("" when unset).
  std::string_view service_name() const noexcept;

 private:
  Attributes attributes_;
};

// Parse an OTEL_RESOURCE_ATTRIBUTES value: "key=value,key2=value2" with
// percent-encoded values. Malformed members are an error naming the member.
Expected<Attributes> parse_resource_attributes(std::string_view text);

}  // namespace tracemesh
