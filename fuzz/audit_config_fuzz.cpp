// Fuzz the audit's config reader and --fail-under parser: never crash; what
// is accepted holds only known metrics with percentages in 0..100.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/config.h"

namespace {

void check(const std::map<std::string, double>& thresholds) {
  for (const auto& [key, value] : thresholds) {
    bool known = false;
    for (const std::string_view name : tracemesh::audit::threshold_keys)
      known = known || key == name;
    if (!known || !(value >= 0 && value <= 100)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (const auto config = tracemesh::audit::parse_audit_config(text, "fuzz.yaml")) {
    check(config->fail_under);
    for (const auto& service : config->services) {
      if (service.root.rfind("..", 0) == 0) std::abort();
    }
  }
  if (const auto thresholds = tracemesh::audit::parse_thresholds(text)) check(*thresholds);
  return 0;
}
