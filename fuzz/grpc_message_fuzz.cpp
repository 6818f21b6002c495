// Fuzz gRPC's message framing as the collector reads a request body (prefix,
// compressed flag, gzip/deflate inflation under a limit): never crash, never
// return more than the limit, and an error always says why.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collector/grpc/grpc_message.h"

namespace {

void check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh::collector;
  if (size == 0) return 0;
  // The first byte picks the encoding, the rest is the body.
  static constexpr std::string_view encodings[] = {"", "identity", "gzip", "deflate", "snappy"};
  const std::string_view encoding = encodings[data[0] % 5];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);  // NOLINT
  constexpr std::size_t limit = 64 * 1024;
  const GrpcMessage message = unwrap_grpc_message(body, encoding, limit);
  check(message.bytes.size() <= limit);
  check((message.code == GrpcCode::ok) == message.error.empty());
  if (message.code == GrpcCode::ok) {
    const GrpcMessage again = unwrap_grpc_message(wrap_grpc_message(message.bytes), "", limit);
    check(again.code == GrpcCode::ok && again.bytes == message.bytes);
  }
  return 0;
}
