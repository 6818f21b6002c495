// A gRPC server for unary calls over cleartext HTTP/2 (h2c with prior
// knowledge, as gRPC clients connect to http:// endpoints), on libnghttp2.
// It is transport only: it reads each call's path, metadata and body and
// writes back the reply a handler returns, with the status in trailers
// (grpc/doc/PROTOCOL-HTTP2.md). Framing and decoding of the message are the
// handler's (grpc_message.h).
//
// One thread per connection reads and writes it; the calls are handled on a
// pool of threads (grpc_call_pool.h) as their bodies complete, so a
// connection's calls are answered concurrently. Limits are explicit
// (GrpcServerLimits).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collector/grpc/grpc_message.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

struct GrpcServerLimits {
  // A call's body as sent (RESOURCE_EXHAUSTED above).
  std::size_t max_body_bytes = std::size_t{16} << 20U;
  // Connections open at once; more are closed at once.
  std::size_t max_connections = 256;
  // A call's headers (INVALID_ARGUMENT above).
  std::size_t max_metadata_bytes = std::size_t{16} << 10U;
  // Calls at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
  std::uint32_t max_concurrent_streams = 32;
  // Calls handled at once, over all connections.
  std::size_t handler_threads = 16;
  // Request bodies held at once, over all connections (calls past it are
  // refused with RESOURCE_EXHAUSTED and a retry delay).
  std::size_t max_buffered_bytes = std::size_t{256} << 20U;
};

// One call, complete, as the handler sees it.
struct GrpcCall {
  std::string_view path;           // "/package.Service/Method"
  std::string_view encoding;       // grpc-encoding ("" when absent)
  std::string_view authorization;  // the authorization metadata ("" when absent)
  std::string_view body;           // the framed message(s), as sent
  bool too_large = false;          // the body passed max_body_bytes (and was not kept)
};

// What the handler answers.
struct GrpcReply {
  GrpcCode code = GrpcCode::ok;
  std::string message;  // the response message, serialized (sent when code is ok)
  std::string error;    // grpc-message (when code is not ok)
  std::optional<int> retry_after_seconds;  // a google.rpc.RetryInfo in grpc-status-details-bin
};

class GrpcServer {
 public:
  using Handler = std::function<GrpcReply(const GrpcCall&)>;

  // Listen on host:port (0: any free port); serve() then accepts connections.
  static Expected<std::unique_ptr<GrpcServer>> bind(const std::string& host, int port,
                                                    GrpcServerLimits limits, Handler handler);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  int port() const noexcept;
  // Accept and serve until stop(); returns once every connection is closed.
  void serve();
  // Stop accepting, close every connection; idempotent, callable from any thread.
  void stop();

  struct State;

 private:
  explicit GrpcServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Return `reply` as grpc-status-details-bin would carry it: a google.rpc.Status
// (code, message, and a RetryInfo detail when it has a retry delay),
// serialized; empty when there is no retry delay to tell.
std::string grpc_status_details(const GrpcReply& reply);

// Percent-encode `text` for grpc-message (bytes outside 0x20-0x7E, and '%').
std::string percent_encode_grpc_message(std::string_view text);

}  // namespace tracemesh::collector
