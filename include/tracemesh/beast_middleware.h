// Server middleware for Boost.Beast. Part of tracemesh::beast (header-only
// over the SDK; link Boost's headers).
//
// Beast has no middleware chain: a Beast server reads a request and calls
// its own handler. Wrap that call in handle_traced(): the handler runs in an
// HttpServerSpan (http_server_span.h) that continues the inbound trace (or
// starts one), current while it runs, and the returned response carries the
// trace id header (X-Trace-ID by default).
#pragma once

#include <boost/beast/http.hpp>
#include <exception>
#include <string_view>
#include <utility>

#include "tracemesh/http_server_span.h"

namespace tracemesh {

// Read access to a Beast header container (boost::beast::http::fields).
template <typename Fields>
class BeastFieldsReader final : public CarrierReader {
 public:
  explicit BeastFieldsReader(const Fields& fields) : fields_(fields) {}
  explicit BeastFieldsReader(const Fields&& fields) = delete;

  std::optional<std::string_view> get(std::string_view name) const override {
    const auto found = fields_.find(boost::beast::string_view(name.data(), name.size()));
    if (found == fields_.end()) return std::nullopt;
    return std::string_view(found->value().data(), found->value().size());
  }
  std::size_t get_all(std::string_view name, std::span<std::string_view> values) const override {
    std::size_t count = 0;
    const auto [first, last] =
        fields_.equal_range(boost::beast::string_view(name.data(), name.size()));
    for (auto it = first; it != last; ++it) {
      if (count < values.size())
        values[count] = std::string_view(it->value().data(), it->value().size());
      ++count;
    }
    return count;
  }

 private:
  const Fields& fields_;
};

// Where a request came from, for client.address / network.peer.port.
struct BeastPeer {
  std::string_view address;
  std::int64_t port = 0;
};

// Run `handler(request)` in a SERVER span and return its response (a
// boost::beast::http::response) with the trace id header set. An exception
// from the handler ends the span as a 500 and propagates.
template <typename Body, typename Fields, typename Handler>
auto handle_traced(const Tracer& tracer, const boost::beast::http::request<Body, Fields>& request,
                   Handler&& handler, const HttpServerOptions& options = {},
                   const BeastPeer& peer = {}) {
  const auto view = [](boost::beast::string_view text) {
    return std::string_view(text.data(), text.size());
  };
  HttpServerRequest described;
  described.method = view(request.method_string());
  described.target = view(request.target());
  described.host = view(request[boost::beast::http::field::host]);
  described.user_agent = view(request[boost::beast::http::field::user_agent]);
  described.client_address = peer.address;
  described.client_port = peer.port;
  HttpServerSpan server_span(tracer, BeastFieldsReader<Fields>(request.base()), described);
  try {
    auto response = std::forward<Handler>(handler)(request);
    if (!options.trace_id_header.empty()) {
      const std::string value = server_span.trace_id_header_value();
      if (!value.empty()) response.set(options.trace_id_header, value);
    }
    server_span.finish(static_cast<int>(response.result_int()));
    return response;
  } catch (...) {
    constexpr int internal_server_error = 500;
    server_span.finish(internal_server_error);
    throw;
  }
}

}  // namespace tracemesh
