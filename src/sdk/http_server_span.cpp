#include "tracemesh/http_server_span.h"

#include "tracemesh/composite_propagator.h"

namespace tracemesh {
namespace {

constexpr int first_server_error = 500;

struct HostParts {
  std::string_view address;
  std::int64_t port = 0;
};

// Split a Host header ("example.com:8080", "[::1]:80", "example.com").
HostParts split_host(std::string_view host) {
  HostParts parts{host, 0};
  const auto colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(']', colon) != std::string_view::npos) {
    parts.address = host;
  } else {
    parts.address = host.substr(0, colon);
    std::int64_t port = 0;
    for (const char c : host.substr(colon + 1)) {
      if (c < '0' || c > '9' || port > 65535) return {host, 0};
      port = port * 10 + (c - '0');
    }
    parts.port = port;
  }
  if (parts.address.size() > 2 && parts.address.front() == '[' && parts.address.back() == ']') {
    parts.address = parts.address.substr(1, parts.address.size() - 2);
  }
  return parts;
}

std::string span_name(const HttpServerRequest& request) {
  std::string name(request.method);
  const std::string_view path =
      !request.route.empty() ? request.route : request.target.substr(0, request.target.find('?'));
  if (!path.empty()) name.append(" ").append(path);
  return name;
}

}  // namespace

HttpServerSpan::HttpServerSpan(const Tracer& tracer, const CarrierReader& headers,
                               const HttpServerRequest& request) {
  const Extraction extraction = tracer.propagator().extract_with_report(headers, current_context());
  SpanOptions options;
  options.kind = SpanKind::server;
  options.parent = extraction.context;
  span_ = tracer.start_span(span_name(request), options);

  const auto query_start = request.target.find('?');
  span_.set_attribute("http.request.method", request.method)
      .set_attribute("url.path", request.target.substr(0, query_start))
      .set_attribute("url.scheme", request.scheme)
      .set_attribute("tracemesh.propagation.format",
                     extraction.format.empty() ? std::string_view("none") : extraction.format);
  if (query_start != std::string_view::npos) {
    span_.set_attribute("url.query", request.target.substr(query_start + 1));
  }
  if (!request.route.empty()) span_.set_attribute("http.route", request.route);
  if (!request.host.empty()) {
    const HostParts host = split_host(request.host);
    span_.set_attribute("server.address", host.address);
    if (host.port != 0) span_.set_attribute("server.port", host.port);
  }
  if (!request.client_address.empty()) {
    span_.set_attribute("client.address", request.client_address);
  }
  if (request.client_port != 0) span_.set_attribute("network.peer.port", request.client_port);
  if (!request.user_agent.empty()) span_.set_attribute("user_agent.original", request.user_agent);
  if (extraction.error && extraction.error->code != ErrorCode::missing_header) {
    span_.set_attribute("tracemesh.propagation.error", to_string(extraction.error->code));
  }

  context_ = extraction.context.with_span_context(span_.context());
  scope_.emplace(context_);
}

HttpServerSpan::~HttpServerSpan() {
  finish(status_code_);
}

std::string HttpServerSpan::trace_id_header_value() const {
  const SpanContext& context = context_.span_context();
  if (context.legacy_trace_id) return *context.legacy_trace_id;
  return context.trace_id.is_valid() ? context.trace_id.to_hex() : std::string();
}

void HttpServerSpan::finish(int status_code) noexcept {
  if (!scope_) return;
  try {
    status_code_ = status_code;
    if (status_code > 0) span_.set_attribute("http.response.status_code", status_code);
    if (status_code >= first_server_error) {
      span_.set_attribute("error.type", std::to_string(status_code));
      span_.set_status(StatusCode::error);
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): attributes are best effort; the span still ends
  }
  span_.end();
  scope_.reset();
}

}  // namespace tracemesh
