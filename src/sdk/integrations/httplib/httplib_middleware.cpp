#include "tracemesh/httplib_middleware.h"

#include <httplib.h>

#include <memory>

namespace tracemesh {
namespace {

// The request a server thread is handling. cpp-httplib runs a request's
// pre-routing handler, handler, post-routing handler and logger on one
// thread, one request at a time per thread.
thread_local std::unique_ptr<HttpServerSpan> active_request;  // NOLINT

}  // namespace

void instrument(httplib::Server& server, Tracer tracer, HttplibOptions options) {
  auto shared = std::make_shared<const HttplibOptions>(std::move(options));
  server.set_pre_routing_handler(
      [tracer = std::move(tracer), shared](const httplib::Request& request, httplib::Response&) {
        active_request.reset();  // a request whose logger never ran (write failure)
        const std::string route = shared->route ? shared->route(request) : std::string();
        // get_header_value returns a copy: keep it alive while the span is built.
        const std::string host = request.get_header_value("Host");
        const std::string user_agent = request.get_header_value("User-Agent");
        HttpServerRequest described;
        described.method = request.method;
        described.target = request.target;
        described.host = host;
        described.client_address = request.remote_addr;
        described.client_port = request.remote_port;
        described.user_agent = user_agent;
        described.route = route;
        active_request =
            std::make_unique<HttpServerSpan>(tracer, MapReader(request.headers), described);
        return httplib::Server::HandlerResponse::Unhandled;
      });
  server.set_post_routing_handler([shared](const httplib::Request&, httplib::Response& response) {
    if (!active_request || shared->trace_id_header.empty()) return;
    const std::string value = active_request->trace_id_header_value();
    if (!value.empty()) response.set_header(shared->trace_id_header, value);
  });
  server.set_logger([shared](const httplib::Request& request, const httplib::Response& response) {
    if (shared->logger) shared->logger(request, response);
    if (!active_request) return;
    active_request->finish(response.status);
    active_request.reset();
  });
}

}  // namespace tracemesh
