// One HTTP/2 connection of the gRPC server (grpc_server.h): its nghttp2
// session, the calls read from it handed to the call pool, and their answers
// (a message then grpc-status trailers, or Trailers-Only for a refusal)
// written back as the pool finishes them.
#pragma once

#include <atomic>
#include <cstddef>

#include "collector/grpc/grpc_call_pool.h"
#include "collector/grpc/grpc_server.h"

namespace tracemesh::collector {

// The request bodies the server holds at once, over every connection: a
// body that would pass the limit is dropped and its call refused with
// RESOURCE_EXHAUSTED and a retry delay.
class GrpcBodyBudget {
 public:
  explicit GrpcBodyBudget(std::size_t limit) : limit_(limit) {}
  // Take `bytes` of the budget; false (and nothing taken) when they do not fit.
  bool reserve(std::size_t bytes);
  void release(std::size_t bytes);

 private:
  std::size_t limit_;
  std::atomic<std::size_t> held_{0};
};

// What a connection uses of its server; all of it outlives the connection
// and the calls it hands to the pool.
struct GrpcConnectionContext {
  const GrpcServerLimits& limits;
  const GrpcServer::Handler& handler;
  GrpcCallPool& pool;
  GrpcBodyBudget& budget;
  const std::atomic<bool>& stopping;
};

// Serve the connection on `fd` (connected, HTTP/2 expected with prior
// knowledge) until the peer leaves, it idles, or the server stops; every call
// read from it has been answered (or its peer is gone) when this returns.
void serve_grpc_connection(int fd, const GrpcConnectionContext& context);

}  // namespace tracemesh::collector
