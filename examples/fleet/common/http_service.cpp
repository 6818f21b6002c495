#include "http_service.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "fleet_service.h"
#include "tracemesh/httplib_middleware.h"

namespace fleet {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t max_body_bytes = 64 * 1024;

}  // namespace

void instrument(httplib::Server& server, const tracemesh::Tracer& tracer) {
  tracemesh::HttplibOptions options;
  options.logger = [](const httplib::Request& request, const httplib::Response& response) {
    log_line(request.method + " " + request.path + " " + std::to_string(response.status));
  };
  tracemesh::instrument(server, tracer, std::move(options));
  server.set_payload_max_length(max_body_bytes);
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    reply(response, 200, {{"status", "ok"}});
  });
  // No SO_REUSEPORT (cpp-httplib's default): a taken port must fail, not be shared.
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

void reply(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

bool succeeded(std::string_view callee, const tracemesh::Expected<tracemesh::HttpResponse>& answer,
               long expected, httplib::Response& response) {
  if (answer && answer->status == expected) return true;
  constexpr std::size_t quoted_bytes = 200;
  const std::string what = answer ? "answered " + std::to_string(answer->status) + ": " +
                                        answer->body.substr(0, quoted_bytes)
                                  : std::string(answer.error().text());
  log_line(std::string(callee) + " failed: " + what);
  reply(response, 502, {{"error", std::string(callee) + " failed: " + what}});
  return false;
}

int serve(httplib::Server& server, const tracemesh::Tracer& tracer, const sigset_t& stop_signals) {
  const std::string listen = env_or("LISTEN", "127.0.0.1:0");
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(listen, host, port)) {
    log_line("LISTEN must be HOST:PORT, got '" + listen + "'");
    return 1;
  }
  const int bound = port == 0 ? server.bind_to_any_port(host)
                              : (server.bind_to_port(host, port) ? int{port} : -1);
  if (bound <= 0) {
    log_line("cannot listen on " + listen);
    return 1;
  }
  log_line("listening on http://" + host + ":" + std::to_string(bound));

  std::atomic<bool> serving{true};
  std::atomic<int> received{0};
  std::thread watcher([&] {
    const int number = wait_for_stop_signal(stop_signals);
    if (serving) received = number;
    while (serving) {  // stop() is a no-op until listen_after_bind has started
      server.stop();
      std::this_thread::sleep_for(10ms);
    }
  });
  server.listen_after_bind();
  serving = false;
  kill(getpid(), SIGTERM);  // wakes the watcher when no signal came; pending otherwise
  watcher.join();
  tracer.shutdown();
  if (received == 0) {
    log_line("server stopped unexpectedly");
    return 1;
  }
  log_line("stopped on signal " + std::to_string(received));
  return 0;
}

}  // namespace fleet
