// Fuzz one of the collector's ingest decoders (which one: TRACEMESH_DECODER,
// set by fuzz/CMakeLists.txt): never crash; every span kept has valid ids; a
// malformed body and a rejected span each come with a reason.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/otlp_json_decoder.h"
#include "ingest/otlp_protobuf_decoder.h"
#include "ingest/zipkin_json_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);  // NOLINT
  tracemesh::ingest::DecodeLimits limits;
  limits.max_spans = 1000;
  const auto decoded = tracemesh::ingest::TRACEMESH_DECODER(body, limits);
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
