#include "tracemesh/attribute.h"

namespace tracemesh {

const AttributeValue* find_attribute(const Attributes& attributes, std::string_view key) noexcept {
  for (const auto& attribute : attributes) {
    if (attribute.key == key) return &attribute.value;
  }
  return nullptr;
}

void set_attribute(Attributes& attributes, std::string_view key, AttributeValue value) {
  for (auto& attribute : attributes) {
    if (attribute.key == key) {
      attribute.value = std::move(value);
      return;
    }
  }
  attributes.push_back(Attribute{std::string(key), std::move(value)});
}

}  // namespace tracemesh
