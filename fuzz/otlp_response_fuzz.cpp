// Fuzz the OTLP export response decoders (protobuf and JSON partial success):
// never crash, never throw, and any message returned is a piece of the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracemesh/otlp_exporter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto protobuf = tracemesh::otlp_encoding(tracemesh::OtlpProtocol::http_protobuf);
  static const auto json = tracemesh::otlp_encoding(tracemesh::OtlpProtocol::http_json);
  const std::string_view body(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto from_protobuf = protobuf->rejected(body);
  const auto from_json = json->rejected(body);
  // A message can only come from the body itself.
  if (from_protobuf.second.size() > size || from_json.second.size() > size) std::abort();
  return 0;
}
