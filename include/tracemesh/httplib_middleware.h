// Server middleware for cpp-httplib. Part of tracemesh::httplib.
//
// instrument() hooks a server so that every request it handles — every
// route, 404s and handler exceptions included — runs in an HttpServerSpan
// (http_server_span.h): the inbound context is extracted (or a new trace
// started), the span is current while the handler runs, and the response
// carries the trace id header (X-Trace-ID by default) so `curl -v` shows it.
//
// It uses the server's pre-routing handler, post-routing handler and
// logger; set your own through HttplibOptions rather than on the server
// afterwards (which would replace the middleware's). The span ends after the
// response is written, so the logger runs with the request's span current.
#pragma once

#include <functional>

#include "tracemesh/http_server_span.h"
#include "tracemesh/tracer.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tracemesh {

struct HttplibOptions : HttpServerOptions {
  // Called for every request after the response is written, with the span current.
  std::function<void(const httplib::Request&, const httplib::Response&)> logger;
  // Return the span name's route part for a request ("" to use the path).
  std::function<std::string(const httplib::Request&)> route;
};

// Trace every request `server` handles with `tracer`.
void instrument(httplib::Server& server, Tracer tracer, HttplibOptions options = {});

}  // namespace tracemesh
