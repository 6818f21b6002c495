// The traced HTTP client over libcurl, and propagation for existing curl code.
// Part of tracemesh::curl.
//
// HttpClient reads the *current* context (current_context.h) each time a
// request is sent, never when the client is built, so one client shared by
// every request handler and worker sends each request's own trace. Every
// request runs in a CLIENT span, child of the current span (or the root of a
// new trace when there is none), and carries every format of the tracer's
// propagator. Redirects are followed by the client itself, one CLIENT span
// per hop, so every hop carries the headers (and its own parent span id).
//
// Span attributes follow OpenTelemetry's HTTP client conventions:
// http.request.method, url.full, server.address, server.port,
// http.response.status_code, http.request.resend_count (redirect hops) and,
// on failure, error.type (the status code for >= 400, else the curl error);
// and, from the call's CodeLocation (code_location.h), where in the caller's code the
// request was sent: code.file.path, code.line.number, code.function.name
// (OpenTelemetry's code attributes). `tracemesh audit --against` joins a
// broken edge to that file:line.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/code_location.h"
#include "tracemesh/expected.h"
#include "tracemesh/tracer.h"

namespace tracemesh {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;  // of the final response
  std::string body;
  std::string url;    // the final URL after redirects
  int redirects = 0;  // redirect hops followed
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30000};  // per hop, connect included
  std::chrono::milliseconds connect_timeout{5000};
  int max_redirects = 10;                             // 0 returns the 3xx response itself
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // larger bodies fail the request
  // Called for every hop after the client has set its own options and just
  // before the transfer: the place for TLS, proxy, resolver or socket
  // options (CURLOPT_CAINFO, CURLOPT_NOPROXY, CURLOPT_OPENSOCKETFUNCTION...).
  // It must not change the URL, method, body, headers or callbacks. Any
  // pointer it passes to curl must stay valid until the client is destroyed.
  std::function<void(CURL*)> configure_handle;
};

class HttpClient {
 public:
  // Use `tracer` for spans and its propagator for headers.
  explicit HttpClient(Tracer tracer, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Send `request` under the current context; thread-safe. Return the final
  // response (any status), or an Error with ErrorCode::transport_error when
  // no response arrived (connection, timeout, too many redirects, body too large).
  // `where` is the caller's call site, recorded on the CLIENT span; leave it
  // defaulted (a wrapper that sends on behalf of its callers may pass its own
  // caller's location through).
  Expected<HttpResponse> send(const HttpRequest& request,
                              CodeLocation where = CodeLocation::current()) const;
  Expected<HttpResponse> get(std::string url, HttpHeaders headers = {},
                             CodeLocation where = CodeLocation::current()) const;
  Expected<HttpResponse> post(std::string url, std::string body, std::string content_type,
                              HttpHeaders headers = {},
                              CodeLocation where = CodeLocation::current()) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// For code that keeps its own curl handles: return `headers` with a
// "name: value" line appended for every propagation header of `context`
// (lines for those names already in the list are dropped). Takes ownership of
// `headers` (which may be null) and returns the list to pass to
// CURLOPT_HTTPHEADER; on allocation failure returns the original list
// unchanged. libcurl resends CURLOPT_HTTPHEADER on redirects it follows.
curl_slist* inject_headers(curl_slist* headers, const Propagator& propagator,
                           const Context& context) noexcept;
// Same, for the current context.
curl_slist* inject_headers(curl_slist* headers, const Propagator& propagator) noexcept;

}  // namespace tracemesh
