// Fuzz one of the collector's OTLP log decoders (which one: TRACEMESH_DECODER,
// set by fuzz/CMakeLists.txt): never crash; every record kept names a trace
// and a service and holds a JSON object of attributes; a malformed body and a
// rejected record each come with a reason.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/otlp_logs_json_decoder.h"
#include "ingest/otlp_logs_protobuf_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);  // NOLINT
  tracemesh::ingest::DecodeLimits limits;
  limits.max_spans = 1000;
  const auto decoded = tracemesh::ingest::TRACEMESH_DECODER(body, limits);
  if (!decoded) {
    if (decoded.error().message.empty()) std::abort();
    return 0;
  }
  for (const auto& record : decoded->records) {
    if (!record.has_trace_id() || record.service.empty() || record.logged_id.empty()) std::abort();
    if (record.attributes.empty() || record.attributes.front() != '{') std::abort();
  }
  if (decoded->rejected > 0 && decoded->rejection_message.empty()) std::abort();
  return 0;
}
