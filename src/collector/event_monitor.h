// What the collector's event log (event_log.h) says on its own, once a second:
// the store failing, not ready or ready again (with the reason), overload
// (the export requests refused with a retry delay since the last look, in
// one line), retention deleting traces, and --log-file paths that cannot be
// followed.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "collector/event_log.h"
#include "collector/http/ingest_counters.h"
#include "collector/store/span_store.h"

namespace tracemesh::collector {

class EventMonitor {
 public:
  // Start watching; `store`, `counters` and `log` outlive the monitor.
  EventMonitor(const SpanStore& store, const IngestCounters& counters, EventLog& log);
  ~EventMonitor();  // stops watching
  EventMonitor(const EventMonitor&) = delete;
  EventMonitor& operator=(const EventMonitor&) = delete;

 private:
  void run();

  const SpanStore& store_;
  const IngestCounters& counters_;
  EventLog& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace tracemesh::collector
