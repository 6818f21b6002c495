// auth: token checks for the fleet (Boost.Beast + tracemesh's handle_traced).
//
// POST /verify answers 200 when the Authorization header carries one of the
// bearer tokens in AUTH_TOKENS, 401 otherwise; GET /healthz. Every request
// runs in a SERVER span continuing the caller's trace (W3C traceparent, or
// X-Trace-ID with X-Parent-Span-ID from the legacy Python service).
#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "fleet_service.h"
#include "tracemesh/beast_middleware.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view usage = R"(Usage: fleet-auth
Token checks: POST /verify with "Authorization: Bearer TOKEN" answers 200 for a
known token, 401 otherwise; GET /healthz.

Environment:
  LISTEN       HOST:PORT to serve on (default 127.0.0.1:0, any free port)
  AUTH_TOKENS  comma-separated accepted tokens (default demo-token)
  OTEL_*       tracer and OTLP exporter settings
)";

constexpr std::size_t max_body_bytes = 16 * 1024;
constexpr int worker_threads = 2;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::set<std::string, std::less<>> accepted_tokens() {
  std::set<std::string, std::less<>> tokens;
  const std::string list = fleet::env_or("AUTH_TOKENS", "demo-token");
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) tokens.emplace(list.substr(start, comma - start));
    start = comma + 1;
  }
  return tokens;
}

Response answer(const Request& request, const std::set<std::string, std::less<>>& tokens) {
  Response response(http::status::ok, request.version());
  response.set(http::field::content_type, "application/json");
  const std::string_view target(request.target().data(), request.target().size());
  if (request.method() == http::verb::get && target == "/healthz") {
    response.body() = R"({"status":"ok"})";
  } else if (request.method() == http::verb::post && target == "/verify") {
    const auto header = request[http::field::authorization];
    const std::string_view value(header.data(), header.size());
    constexpr std::string_view bearer = "Bearer ";
    const bool known = value.starts_with(bearer) && tokens.contains(value.substr(bearer.size()));
    response.result(known ? http::status::ok : http::status::unauthorized);
    response.body() = known ? R"({"valid":true})" : R"({"valid":false})";
  } else {
    response.result(http::status::not_found);
    response.body() = R"({"error":"not found"})";
  }
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

asio::awaitable<void> session(tcp::socket socket, const tracemesh::Tracer& tracer,
                              const std::set<std::string, std::less<>>& tokens) {
  beast::flat_buffer buffer;
  boost::system::error_code error;
  const tcp::endpoint peer = socket.remote_endpoint(error);
  const std::string peer_address = peer.address().to_string();
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    co_await http::async_read(socket, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, error));
    if (error) break;  // closed, malformed or too large: nothing to answer on this connection
    const Request request = parser.release();
    Response response = tracemesh::handle_traced(
        tracer, request, [&](const Request& traced) { return answer(traced, tokens); }, {},
        {peer_address, peer.port()});
    co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, error));
    if (error || !response.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_both, error);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const tracemesh::Tracer& tracer,
                                  const std::set<std::string, std::less<>>& tokens) {
  boost::system::error_code error;
  for (;;) {
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted) co_return;  // stopping
    if (error) {
      // Out of descriptors, say: log it, give the sessions a moment to close some, go on.
      fleet::log_line("accept failed: " + error.message());
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), tracer, tokens),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (const int code = fleet::handle_arguments(argc, argv, usage); code >= 0) return code;
  const sigset_t stop_signals = fleet::block_stop_signals();
  auto tracer = fleet::make_tracer("auth");
  if (!tracer) {
    fleet::log_line("invalid configuration: " + std::string(tracer.error().text()));
    return 1;
  }
  std::string host;
  std::uint16_t port = 0;
  const std::string listen = fleet::env_or("LISTEN", "127.0.0.1:0");
  if (!fleet::split_host_port(listen, host, port)) {
    fleet::log_line("LISTEN must be HOST:PORT, got '" + listen + "'");
    return 1;
  }
  const auto tokens = accepted_tokens();

  asio::io_context context;
  boost::system::error_code error;
  const auto address = asio::ip::make_address(host, error);
  tcp::acceptor acceptor(context);
  if (!error) acceptor.open(tcp::v4(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind({address, port}, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    fleet::log_line("cannot listen on " + listen + ": " + error.message());
    return 1;
  }
  fleet::log_line("listening on http://" + host + ":" +
                  std::to_string(acceptor.local_endpoint().port()));

  asio::co_spawn(context, accept_loop(acceptor, *tracer, tokens), asio::detached);
  std::vector<std::thread> workers;
  for (int i = 0; i < worker_threads; ++i) workers.emplace_back([&context] { context.run(); });
  const int number = fleet::wait_for_stop_signal(stop_signals);
  context.stop();
  for (std::thread& worker : workers) worker.join();
  tracer->shutdown();
  fleet::log_line("stopped on signal " + std::to_string(number));
  return 0;
}
