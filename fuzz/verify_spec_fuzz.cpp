// Fuzz the YAML spec reader: never crash; every error names the source.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verify/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto spec = tracemesh::verify::parse_spec(text, "fuzz.yaml");
  if (!spec && spec.error().text().rfind("fuzz.yaml", 0) != 0) std::abort();
  return 0;
}
