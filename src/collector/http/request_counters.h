// Requests the collector answered, by endpoint and status, for GET /metrics:
//   tracemesh_http_requests_total{listener,endpoint,code}   both HTTP listeners
//   tracemesh_grpc_requests_total{method,code}              OTLP/gRPC
// Endpoints are route templates (/api/traces/{id}), never raw paths, so the
// label set stays small whatever clients ask for; anything unknown is "other".
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "collector/grpc/grpc_message.h"

namespace tracemesh::collector {

// The route template `path` (no query string) falls under: "/api/traces/{id}",
// "ui" for the web UI's files, "other" for anything else.
std::string endpoint_of(std::string_view path);

// The name of a gRPC status code ("OK", "RESOURCE_EXHAUSTED", ...).
const char* grpc_code_name(GrpcCode code) noexcept;

class RequestCounters {
 public:
  // Count one request to `path` on `listener` ("otlp" or "query") answered `status`.
  void count_http(std::string_view listener, std::string_view path, int status);
  // Count one gRPC call of `method` (its path) answered `code`.
  void count_grpc(std::string_view method, GrpcCode code);
  // Append both metrics in the Prometheus text format.
  void append_metrics(std::string& out) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> http_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> grpc_;
};

}  // namespace tracemesh::collector
