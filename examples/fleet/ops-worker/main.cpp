// ops-worker: a background loop that health-checks every service of the
// fleet each tick with the traced client. No request starts its work, so
// each tick runs in a fresh trace (run_in_new_trace): one root span per tick,
// one CLIENT span per check below it, never one endless trace.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "fleet_service.h"
#include "tracemesh/curl_client.h"
#include "tracemesh/root_span.h"

namespace {

using namespace std::chrono_literals;

constexpr std::string_view usage = R"(Usage: fleet-ops-worker
Health-checks every service each tick, one trace per tick.

Environment:
  HEALTH_TARGETS  comma-separated NAME=URL pairs to GET each tick,
                  e.g. ui=http://127.0.0.1:8080/healthz
  OPS_INTERVAL_MS milliseconds between ticks (default 2000)
  FLEET_BREAK     an edge to drop the trace context on, e.g. ops-worker->ui
  OTEL_*          tracer and OTLP exporter settings
)";

using Targets = std::vector<std::pair<std::string, std::string>>;

// Parse HEALTH_TARGETS; an entry without '=' is an error.
bool parse_targets(const std::string& text, Targets& targets) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string entry = text.substr(start, comma - start);
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) return false;
    targets.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
    start = comma + 1;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (const int code = fleet::handle_arguments(argc, argv, usage); code >= 0) return code;
  const sigset_t stop_signals = fleet::block_stop_signals();
  auto tracer = fleet::make_tracer("ops-worker");
  if (!tracer) {
    fleet::log_line("invalid configuration: " + std::string(tracer.error().text()));
    return 1;
  }
  Targets targets;
  if (!parse_targets(fleet::env_or("HEALTH_TARGETS", ""), targets)) {
    fleet::log_line("HEALTH_TARGETS must be NAME=URL[,NAME=URL...]");
    return 1;
  }
  const std::string interval_text = fleet::env_or("OPS_INTERVAL_MS", "2000");
  const long interval_ms = std::strtol(interval_text.c_str(), nullptr, 10);
  if (interval_ms <= 0) {
    fleet::log_line("OPS_INTERVAL_MS must be a positive number, got '" + interval_text + "'");
    return 1;
  }
  const fleet::Clients clients("ops-worker", *tracer);
  fleet::log_line("checking " + std::to_string(targets.size()) + " services every " +
                  interval_text + " ms");

  const timespec interval{interval_ms / 1000, (interval_ms % 1000) * 1000000};
  for (;;) {
    tracemesh::run_in_new_trace(*tracer, "health tick", [&](tracemesh::Span& tick) {
      int healthy = 0;
      for (const auto& [name, url] : targets) {
        auto response = clients.to(name).get(url);
        if (response && response->status == 200) {
          ++healthy;
        } else {
          fleet::log_line(name + " unhealthy: " +
                          (response ? "status " + std::to_string(response->status)
                                    : std::string(response.error().text())));
        }
      }
      tick.set_attribute("fleet.services.healthy", std::int64_t{healthy});
      tick.set_attribute("fleet.services.checked", static_cast<std::int64_t>(targets.size()));
    });
    const int number = sigtimedwait(&stop_signals, nullptr, &interval);
    if (number > 0) {
      tracer->shutdown();
      fleet::log_line("stopped on signal " + std::to_string(number));
      return 0;
    }
  }
}
