#include "fleet_service.h"

#include <pthread.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <utility>

#include "tracemesh/composite_propagator.h"
#include "tracemesh/otlp_exporter.h"

namespace fleet {
namespace {

using namespace std::chrono_literals;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

tracemesh::HttpClientOptions client_options() {
  tracemesh::HttpClientOptions options;
  options.timeout = 5s;
  options.connect_timeout = 2s;
  return options;
}

}  // namespace

void log_line(std::string_view line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
}

std::string env_or(const char* name, std::string_view fallback) {
  const char* value =
      std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads start
  if (value == nullptr || *value == '\0') return std::string(fallback);
  return value;
}

tracemesh::Expected<tracemesh::Tracer> make_tracer(std::string_view name) {
  tracemesh::TracerOptions options;
  options.service_name = env_or("OTEL_SERVICE_NAME", name);
  options.propagators = env_or("OTEL_PROPAGATORS", "tracecontext,baggage,xtraceid");
  options.legacy_parent_header = env_or("TRACEMESH_LEGACY_PARENT_HEADER", "X-Parent-Span-ID");
  options.exporter_factory = tracemesh::exporter_factory();
  return tracemesh::Tracer::create(options);
}

bool is_broken_edge(std::string_view caller, std::string_view callee) {
  // Read once, by the first caller (services call this first while starting).
  static const std::string edge = env_or("FLEET_BREAK", "");
  const std::size_t arrow = edge.find("->");
  if (arrow == std::string::npos) return false;
  const std::string_view text(edge);
  return trimmed(text.substr(0, arrow)) == caller && trimmed(text.substr(arrow + 2)) == callee;
}

tracemesh::Tracer without_propagation(const tracemesh::Tracer& tracer) {
  tracemesh::TracerConfig config = tracer.config();
  config.propagator = std::make_shared<const tracemesh::CompositePropagator>(
      std::vector<std::shared_ptr<const tracemesh::Propagator>>{});
  return tracemesh::Tracer(std::move(config), "fleet-dropped-context");
}

Clients::Clients(std::string caller, const tracemesh::Tracer& tracer)
    : caller_(std::move(caller)),
      traced_(tracer, client_options()),
      dropping_(without_propagation(tracer), client_options()) {}

const tracemesh::HttpClient& Clients::to(std::string_view callee) const {
  return is_broken_edge(caller_, callee) ? dropping_ : traced_;
}

int handle_arguments(int argc, char** argv, std::string_view usage) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "%s: unexpected argument '%s'; configure it through the environment\n%.*s",
                 argv[0], argv[1], static_cast<int>(usage.size()), usage.data());
    return 2;
  }
  return -1;
}

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

int wait_for_stop_signal(const sigset_t& signals) {
  int number = 0;
  sigwait(&signals, &number);
  return number;
}

bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view digits = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size()) return false;
  host = std::string(text.substr(0, colon));
  return true;
}

}  // namespace fleet
