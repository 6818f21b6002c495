// The W3C Trace Context test harness service: what POST /test does.
//
// For each incoming request it extracts the caller's context with the
// tracer's propagator, starts a SERVER span under it (a new trace when the
// context is missing or malformed), and for every call the body asks for
// starts a CLIENT child span and injects that span's context into the
// outbound headers. It knows nothing of the HTTP server: the host passes in
// the request headers as a CarrierReader and the body, and writes back the
// status, body and log line it returns. Outbound calls go through the
// injected HttpClient.
#pragma once

#include <string>
#include <string_view>

#include "http_client.h"
#include "tracemesh/carrier.h"
#include "tracemesh/tracer.h"

namespace w3c_harness {

struct HarnessResponse {
  int status = 200;
  std::string body;      // JSON
  std::string log_line;  // one line, no newline: method, path, received and sent context
};

class HarnessService {
 public:
  // `client` must outlive the service.
  HarnessService(tracemesh::Tracer tracer, const HttpClient& client)
      : tracer_(std::move(tracer)), client_(client) {}

  // Handle POST /test: make the calls `body` lists, then answer. Never throws.
  HarnessResponse handle_test(const tracemesh::CarrierReader& headers, std::string_view body) const;

 private:
  tracemesh::Tracer tracer_;
  const HttpClient& client_;
};

}  // namespace w3c_harness
