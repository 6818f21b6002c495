// Fuzz the collector's otlp json decoder: never crash, and every span it
// keeps has valid ids; a rejected span is counted with a reason.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "otlp_json_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);  // NOLINT
  tracemesh::collector::DecodeLimits limits;
  limits.max_spans = 1000;
  const auto decoded = tracemesh::collector::decode_otlp_json(body, limits);
  if (!decoded) {
    if (decoded.error().message.empty()) std::abort();
    return 0;
  }
  for (const auto& span : decoded->spans) {
    if (!span.trace_id.is_valid() || !span.span_id.is_valid()) std::abort();
  }
  if (decoded->rejected > 0 && decoded->rejection_message.empty()) std::abort();
  return 0;
}
