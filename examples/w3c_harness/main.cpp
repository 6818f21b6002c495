// tracemesh-w3c-harness: the W3C Trace Context test harness service.
//
// Wires the pieces together: command line (command_line.h), tracer from the
// environment, the /test service (harness_service.h) on a cpp-httplib
// server bound to loopback and traced by tracemesh's middleware, tracemesh's
// traced client for outbound calls (loopback_client.h), and a clean stop on
// SIGINT/SIGTERM so the tracer can flush.
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <httplib.h>

#include "command_line.h"
#include "harness_service.h"
#include "log_text.h"
#include "loopback_client.h"
#include "tracemesh/carrier.h"
#include "tracemesh/curl_client.h"
#include "tracemesh/environment.h"
#include "tracemesh/httplib_middleware.h"
#include "tracemesh/tracer.h"

namespace {

using namespace std::chrono_literals;

constexpr std::string_view program = "tracemesh-w3c-harness";
constexpr std::size_t max_body_size = 1 << 20;
constexpr auto outbound_timeout = 5s;

// Write one line to stderr; lines from concurrent requests never interleave.
void log_line(std::string_view line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

tracemesh::Expected<tracemesh::Tracer> make_tracer() {
  const tracemesh::Environment& environment = tracemesh::process_environment();
  tracemesh::TracerOptions options;
  if (!environment.get("OTEL_SERVICE_NAME")) options.service_name = std::string(program);
  if (!environment.get("OTEL_PROPAGATORS")) options.propagators = "tracecontext";
  return tracemesh::Tracer::create(options);
}

// Whether the /test route already logged the request this thread is serving;
// cpp-httplib calls the logger on the same thread right after the route.
thread_local bool logged_by_route = false;

void add_routes(httplib::Server& server, const tracemesh::Tracer& tracer,
                const w3c_harness::HarnessService& service) {
  server.Post("/test", [&service](const httplib::Request& request, httplib::Response& response) {
    tracemesh::MapReader<httplib::Headers> headers(request.headers);
    w3c_harness::HarnessResponse result = service.handle_test(headers, request.body);
    // Logged before the response goes out, so a caller that has its answer finds the line.
    log_line(result.log_line);
    logged_by_route = true;
    response.status = result.status;
    response.set_content(result.body, "application/json");
  });
  // Every request runs in a SERVER span, current in the route. The logger
  // covers everything the route did not answer: other paths, oversized bodies, ...
  tracemesh::HttplibOptions tracing;
  tracing.logger = [](const httplib::Request& request, const httplib::Response& response) {
    if (std::exchange(logged_by_route, false)) return;
    log_line(w3c_harness::loggable(request.method) + " " + w3c_harness::loggable(request.path) +
             " status=" + std::to_string(response.status));
  };
  tracemesh::instrument(server, tracer, std::move(tracing));
  server.set_payload_max_length(max_body_size);
  // cpp-httplib sets SO_REUSEPORT by default, which lets a second process bind a
  // port that another one already listens on and silently share its traffic.
  // SO_REUSEADDR alone still allows a quick restart but fails on a taken port.
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

// Bind exactly `address` (port 0: any free port); return the bound port or 0.
int bind_exactly(httplib::Server& server, const w3c_harness::HostPort& address) {
  if (address.port == 0) return std::max(server.bind_to_any_port(address.host), 0);
  return server.bind_to_port(address.host, address.port) ? address.port : 0;
}

// Serve until SIGINT or SIGTERM (which every thread blocks; see main) and
// return the signal, or 0 when the server stopped by itself.
int serve_until_signal(httplib::Server& server, const sigset_t& stop_signals) {
  std::atomic<bool> serving{true};
  std::atomic<int> received{0};
  std::thread watcher([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (serving) received = signal_number;
    // stop() is a no-op until listen_after_bind has started: repeat until it returns.
    while (serving) {
      server.stop();
      std::this_thread::sleep_for(10ms);
    }
  });
  server.listen_after_bind();
  serving = false;
  kill(getpid(), SIGTERM);  // wake the watcher when no signal came; pending otherwise
  watcher.join();
  return received;
}

}  // namespace

int main(int argc, char** argv) {
  auto command_line = w3c_harness::parse_command_line(
      std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0)));
  if (!command_line) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program.data(),
                 std::string(command_line.error().text()).c_str(), program.data());
    return 2;
  }
  if (command_line->help) {
    std::fputs(w3c_harness::usage().c_str(), stdout);
    return 0;
  }

  // Block the stop signals before any thread exists so that all inherit the
  // mask and only the watcher in serve_until_signal receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto tracer = make_tracer();
  if (!tracer) {
    std::fprintf(stderr, "%s: invalid configuration: %s\n", program.data(),
                 std::string(tracer.error().text()).c_str());
    return 1;
  }
  const tracemesh::HttpClient client(*tracer,
                                     w3c_harness::loopback_client_options(outbound_timeout));
  const w3c_harness::HarnessService service(tracer->propagator(), client);
  httplib::Server server;
  add_routes(server, *tracer, service);

  const w3c_harness::HostPort& address = command_line->listen;
  int port = bind_exactly(server, address);
  if (port == 0) {
    std::fprintf(stderr, "%s: cannot listen on %s:%u\n", program.data(), address.host.c_str(),
                 static_cast<unsigned>(address.port));
    return 1;
  }
  log_line("listening on http://" + address.host + ":" + std::to_string(port));

  int signal_number = serve_until_signal(server, stop_signals);
  tracer->shutdown();
  if (signal_number == 0) {
    std::fprintf(stderr, "%s: server stopped unexpectedly\n", program.data());
    return 1;
  }
  log_line("stopped on signal " + std::to_string(signal_number));
  return 0;
}
