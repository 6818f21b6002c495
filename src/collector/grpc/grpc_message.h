// gRPC's length-prefixed message framing (the body of a gRPC request or
// response over HTTP/2): a 1-byte compressed flag, a 4-byte big-endian length,
// then the message, compressed with the call's `grpc-encoding` when flagged.
// A unary call carries exactly one message. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tracemesh::collector {

// The gRPC status codes the collector answers with (grpc/doc/statuscodes.md).
enum class GrpcCode : int {
  ok = 0,
  invalid_argument = 3,
  resource_exhausted = 8,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  unauthenticated = 16,
};

// The one message of a request body, or why there is none (`code` not ok).
struct GrpcMessage {
  GrpcCode code = GrpcCode::ok;
  std::string bytes;  // the message, inflated (when code is ok)
  std::string error;  // why not (otherwise)
};

// The message encodings a request may use: identity, gzip and deflate.
bool supported_grpc_encoding(std::string_view encoding);

// Return the one message of a unary request `body` sent with `encoding`
// (the grpc-encoding header; empty: identity), inflated when flagged
// compressed. A message larger than `max_bytes` once inflated is refused with
// RESOURCE_EXHAUSTED; a truncated frame, a second message, a compressed flag
// without an encoding or corrupt compressed data with INVALID_ARGUMENT; an
// unknown encoding with UNIMPLEMENTED.
GrpcMessage unwrap_grpc_message(std::string_view body, std::string_view encoding,
                                std::size_t max_bytes);

// Frame `message` as one uncompressed gRPC message.
std::string wrap_grpc_message(std::string_view message);

}  // namespace tracemesh::collector
