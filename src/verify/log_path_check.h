// Service paths (`ui -> ingest -> store`) checked against the log evidence of
// one trace id, for fleets that log their ids and emit no spans.
//
// Logs cannot tell a direct hop from an indirect one, so `A -> B` and
// `A ~> B` both hold when B logged the id at or after A first did (within
// the skew tolerance); a path holds when its services logged the id in its
// order. When one does not, the message says where the id stopped and what
// the next service did instead around that time: ids of its own (it started
// new ones: the id was likely not forwarded), lines without an id (called,
// but the id was not read or not logged), or nothing (the call likely never
// arrived). A line proves one hop: a service repeated in a path needs a
// later line of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/log_trail.h"
#include "model/span_record.h"
#include "verify/expectation.h"
#include "verify/outcome.h"

namespace tracemesh::verify {

// Every record's time and id, per service: what a service did around a hop.
class ServiceActivity {
 public:
  // `records` must outlive the index.
  explicit ServiceActivity(const std::vector<model::LogRecord>& records);

  struct Window {
    std::size_t other_ids = 0;          // distinct other ids that began at the service (its own)
    std::size_t without_id = 0;         // lines naming no id
    std::vector<std::string> examples;  // a few of the other ids, as logged
  };
  // What `service` logged from `from` to `to` (inclusive) besides `trace_id`.
  Window between(const std::string& service, std::uint64_t from, std::uint64_t to,
                 const TraceId& trace_id) const;
  bool logs(const std::string& service) const { return lines_.contains(service); }
  // Every service that logged a line, sorted.
  std::vector<std::string> services() const;

 private:
  struct Line {
    std::uint64_t time_unix_nano = 0;
    TraceId trace_id;
    const std::string* logged_id = nullptr;
  };
  std::unordered_map<std::string, std::vector<Line>> lines_;        // per service, in time order
  std::unordered_map<TraceId, std::string, model::IdHash> origin_;  // who logged each id first
};

struct LogPathOptions {
  std::uint64_t skew_tolerance_nanos = 0;
  std::uint64_t window_nanos = 200'000'000;  // how long after the caller's line to look
};

Outcome check_log_path(const ServicePath& path, const model::LogTrail& trail,
                       const ServiceActivity& activity, const LogPathOptions& options);

}  // namespace tracemesh::verify
