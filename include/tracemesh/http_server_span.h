// The server side of an HTTP hop, independent of any HTTP library: what the
// cpp-httplib and Boost.Beast middlewares (httplib_middleware.h,
// beast_middleware.h) share, and what a service on another server library
// can use directly.
//
// HttpServerSpan extracts the inbound context with the tracer's propagator
// (starting a new trace when it is missing or malformed), starts a SERVER
// span with OpenTelemetry's HTTP server attributes, and makes it current
// until finish() or destruction. Besides the semantic-convention attributes
// it records how the context arrived, which the collector uses to judge
// propagation health: tracemesh.propagation.format (the format that supplied
// the context, or "none") and, for a malformed inbound header,
// tracemesh.propagation.error (the ErrorCode name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tracemesh/carrier.h"
#include "tracemesh/current_context.h"
#include "tracemesh/tracer.h"

namespace tracemesh {

// The parts of an inbound request the span describes.
struct HttpServerRequest {
  std::string_view method;
  std::string_view target;  // path and query as received ("/a/b?c=d")
  std::string_view scheme = "http";
  std::string_view host;  // the Host header
  std::string_view client_address;
  std::int64_t client_port = 0;
  std::string_view user_agent;
  std::string_view route;  // the matched route template when the server knows it
};

struct HttpServerOptions {
  // Response header that echoes the trace id ("" to disable). A legacy id
  // received in a non-hex form (a UUID, any string) is echoed as received.
  std::string trace_id_header = "X-Trace-ID";
};

class HttpServerSpan {
 public:
  // Extract from `headers`, start the SERVER span and make it current.
  HttpServerSpan(const Tracer& tracer, const CarrierReader& headers,
                 const HttpServerRequest& request);
  // Ends the span (as finish() with the status recorded so far) when not finished.
  ~HttpServerSpan();
  HttpServerSpan(const HttpServerSpan&) = delete;
  HttpServerSpan& operator=(const HttpServerSpan&) = delete;

  Span& span() noexcept { return span_; }
  const Context& context() const noexcept { return context_; }
  // Return the value for the trace id response header.
  std::string trace_id_header_value() const;

  // Record the response status (5xx marks the span as an error) and end it.
  void finish(int status_code) noexcept;

 private:
  Span span_;
  Context context_;
  int status_code_ = 0;
  std::optional<Scope> scope_;
};

}  // namespace tracemesh
