// Fuzz verify's readers of other backends' trace JSON (network and file
// input): Jaeger's trace object and Tempo's batches. Never crash; what they
// turn out is OTLP/JSON the decoder reads, or refuses with an error.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ingest/otlp_json_decoder.h"
#include "verify/backend_trace_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh;
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (const auto tempo = verify::tempo_trace_to_otlp_json(text)) {
    // Valid JSON in, valid JSON out.
    if (!nlohmann::json::accept(*tempo)) std::abort();
    (void)ingest::decode_otlp_json(*tempo, {});
  }
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return 0;
  const auto jaeger = verify::jaeger_trace_to_otlp_json(parsed);
  if (jaeger) {
    if (!nlohmann::json::accept(*jaeger)) std::abort();
    (void)ingest::decode_otlp_json(*jaeger, {});
  }
  return 0;
}
