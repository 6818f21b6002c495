// Where a request goes: a URL (as resolved from the source) classified as
// one of the repository's services (by compose host name, or a loopback
// port a service listens on), internal infrastructure (an image-only
// compose service), external, or unknown.
#pragma once

#include <string>
#include <string_view>

#include "audit/rules/services.h"

namespace tracemesh::audit {

struct Target {
  std::string kind;     // "service", "infrastructure", "external", "unknown", "telemetry"
  std::string service;  // the service or infrastructure name, for those kinds
};

// The host and port of `url` ("http://orders:8001/x" → {"orders", 8001});
// an empty host when `url` has none (a path, an unresolved base).
struct HostPort {
  std::string host;  // lowercase
  int port = 0;      // 0 when not given
  std::string path;  // from the first '/' after the authority, without the query
};
HostPort split_url(std::string_view url);

// "telemetry" for a URL ending in an OTLP/HTTP or Zipkin ingest path
// (/v1/traces, /v1/metrics, /v1/logs, /api/v2/spans) unless its host is one
// of the repository's services (whose own /v1/logs is an API).
// A host that names services of two projects (the audit names them by
// folder: "orders", "shop/orders") is the one in `caller`'s project (the
// service whose root shares the most folders with the caller's).
Target classify_target(std::string_view url, const ServiceMap& services,
                       std::string_view caller = {});

}  // namespace tracemesh::audit
