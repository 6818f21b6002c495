#include "collector/http/request_counters.h"

#include <array>
#include <vector>

#include "collector/grpc/otlp_grpc_service.h"
#include "collector/http/metrics_text.h"

namespace tracemesh::collector {
namespace {

// Every route, with {name} for a segment of any value.
constexpr std::array routes = {
    "/v1/traces",
    "/v1/logs",
    "/v1/metrics",
    "/api/v2/spans",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/traces",
    "/api/traces/{id}",
    "/api/logs",
    "/api/services",
    "/api/services/{service}/operations",
    "/api/graph",
    "/api/hops",
    "/api/map",
    "/jaeger/api/services",
    "/jaeger/api/services/{service}/operations",
    "/jaeger/api/operations",
    "/jaeger/api/traces",
    "/jaeger/api/traces/{id}",
    "/jaeger/api/dependencies",
    "/tempo/api/echo",
    "/tempo/api/traces/{id}",
    "/tempo/api/v2/traces/{id}",
    "/tempo/api/search",
    "/tempo/api/search/tags",
    "/tempo/api/v2/search/tags",
    "/tempo/api/search/tag/{tag}/values",
    "/tempo/api/v2/search/tag/{tag}/values",
};

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

}  // namespace

std::string endpoint_of(std::string_view path) {
  const std::vector<std::string_view> parts = segments(path);
  for (const char* route : routes) {
    const std::vector<std::string_view> pattern = segments(route);
    if (pattern.size() != parts.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < parts.size() && matches; ++i) {
      matches = pattern[i].front() == '{' || pattern[i] == parts[i];
    }
    if (matches) return route;
  }
  if (path == "/" || ends_with(path, ".html") || ends_with(path, ".js") ||
      ends_with(path, ".css") || ends_with(path, ".svg")) {
    return "ui";
  }
  return "other";
}

const char* grpc_code_name(GrpcCode code) noexcept {
  switch (code) {
    case GrpcCode::ok:
      return "OK";
    case GrpcCode::invalid_argument:
      return "INVALID_ARGUMENT";
    case GrpcCode::resource_exhausted:
      return "RESOURCE_EXHAUSTED";
    case GrpcCode::unimplemented:
      return "UNIMPLEMENTED";
    case GrpcCode::internal:
      return "INTERNAL";
    case GrpcCode::unavailable:
      return "UNAVAILABLE";
    case GrpcCode::unauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

void RequestCounters::count_http(std::string_view listener, std::string_view path, int status) {
  std::string endpoint = endpoint_of(path);
  const std::lock_guard lock(mutex_);
  ++http_[{std::string(listener), std::move(endpoint), status}];
}

void RequestCounters::count_grpc(std::string_view method, GrpcCode code) {
  const bool known = method == otlp_grpc_trace_export || method == otlp_grpc_logs_export ||
                     method == otlp_grpc_metrics_export;
  const std::lock_guard lock(mutex_);
  ++grpc_[{known ? std::string(method) : std::string("other"), grpc_code_name(code)}];
}

void RequestCounters::append_metrics(std::string& out) const {
  const std::lock_guard lock(mutex_);
  out +=
      "# HELP tracemesh_http_requests_total HTTP requests answered, by listener, endpoint and "
      "status code.\n# TYPE tracemesh_http_requests_total counter\n";
  for (const auto& [key, count] : http_) {
    const auto& [listener, endpoint, code] = key;
    out += "tracemesh_http_requests_total{listener=\"" + prometheus_label(listener) +
           "\",endpoint=\"" + prometheus_label(endpoint) + "\",code=\"" + std::to_string(code) +
           "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP tracemesh_grpc_requests_total OTLP/gRPC calls answered, by method and status.\n"
      "# TYPE tracemesh_grpc_requests_total counter\n";
  for (const auto& [key, count] : grpc_) {
    out += "tracemesh_grpc_requests_total{method=\"" + prometheus_label(key.first) + "\",code=\"" +
           key.second + "\"} " + std::to_string(count) + "\n";
  }
}

}  // namespace tracemesh::collector
