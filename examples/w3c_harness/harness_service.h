// The W3C Trace Context test harness service: what POST /test does.
//
// It runs inside the SERVER span that tracemesh's server middleware made
// current for the request (so a missing or malformed inbound context has
// already become a new trace), and makes every call the body asks for with
// tracemesh's traced client, which adds a CLIENT span and the propagation
// headers of the current context to each. It knows nothing of the HTTP
// server: the host passes in the request headers (read again only to log
// what arrived and how it was understood) and the body, and writes back the
// status, body and log line it returns.
#pragma once

#include <string>
#include <string_view>

#include "tracemesh/carrier.h"
#include "tracemesh/composite_propagator.h"
#include "tracemesh/curl_client.h"

namespace w3c_harness {

struct HarnessResponse {
  int status = 200;
  std::string body;      // JSON
  std::string log_line;  // one line, no newline: method, path, received and sent context
};

class HarnessService {
 public:
  // `propagator` (the tracer's) and `client` must outlive the service.
  HarnessService(const tracemesh::CompositePropagator& propagator,
                 const tracemesh::HttpClient& client)
      : propagator_(propagator), client_(client) {}

  // Handle POST /test under the current context: make the calls `body`
  // lists, then answer. Never throws.
  HarnessResponse handle_test(const tracemesh::CarrierReader& headers, std::string_view body) const;

 private:
  const tracemesh::CompositePropagator& propagator_;
  const tracemesh::HttpClient& client_;
};

}  // namespace w3c_harness
