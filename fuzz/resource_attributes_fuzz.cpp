// Fuzz parse_resource_attributes (OTEL_RESOURCE_ATTRIBUTES): never crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracemesh/resource.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = tracemesh::parse_resource_attributes(input);
  if (parsed) {
    for (const auto& attribute : *parsed) {
      if (attribute.key.empty()) std::abort();
    }
  }
  return 0;
}
