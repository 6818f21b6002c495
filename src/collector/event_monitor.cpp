#include "collector/event_monitor.h"

#include <chrono>
#include <string>

namespace tracemesh::collector {

EventMonitor::EventMonitor(const SpanStore& store, const IngestCounters& counters, EventLog& log)
    : store_(store), counters_(counters), log_(log), thread_([this] { run(); }) {}

EventMonitor::~EventMonitor() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void EventMonitor::run() {
  StoreHealth last_health;
  std::uint64_t throttled = counters_.requests_throttled;
  std::uint64_t expired = store_.stats().traces_expired;
  std::uint64_t file_errors = counters_.log_file_errors;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
    const StoreHealth health = store_.health();
    if (health.needs_restart && !last_health.needs_restart) {
      log_.write("error", "store failed: restart the collector", {{"reason", health.problem}});
    } else if (!health.ready && (last_health.ready || health.problem != last_health.problem)) {
      log_.write("warn", "store not ready", {{"reason", health.problem}});
    } else if (health.ready && !last_health.ready) {
      log_.write("info", "store ready again");
    }
    last_health = health;
    const std::uint64_t now_throttled = counters_.requests_throttled;
    if (now_throttled > throttled) {
      log_.write("warn", "overload: export requests refused with a retry delay",
                 {{"refused", std::to_string(now_throttled - throttled)},
                  {"queued_spans", std::to_string(store_.stats().queued_spans)}});
    }
    throttled = now_throttled;
    const std::uint64_t now_expired = store_.stats().traces_expired;
    if (now_expired > expired) {
      log_.write("info", "retention deleted traces",
                 {{"traces", std::to_string(now_expired - expired)}});
    }
    expired = now_expired;
    const std::uint64_t now_file_errors = counters_.log_file_errors;
    if (now_file_errors > file_errors) {
      log_.write("warn", "a --log-file cannot be followed",
                 {{"errors", std::to_string(now_file_errors - file_errors)}});
    }
    file_errors = now_file_errors;
  }
}

}  // namespace tracemesh::collector
