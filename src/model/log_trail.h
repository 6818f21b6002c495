// The log evidence of one trace id: every line that named it, in time order,
// and for each service when it first and last logged the id. `verify --logs`
// checks service paths against it; a service appears in a trail only by its
// own lines, so a hop is proven by the callee's log, never by the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/log_record.h"

namespace tracemesh::model {

struct ServiceSighting {
  std::string service;
  std::uint64_t first_unix_nano = 0;
  std::uint64_t last_unix_nano = 0;
  std::size_t lines = 0;
};

struct LogTrail {
  TraceId trace_id;
  std::string logged_id;                  // the id as its first line wrote it
  std::vector<LogRecord> records;         // in time order (ties: in reading order)
  std::vector<ServiceSighting> services;  // by first sighting

  // The service that logged the id first (empty for an empty trail).
  const std::string& first_service() const noexcept;
  std::uint64_t first_unix_nano() const noexcept;
  // The sighting of `service`, or nullptr.
  const ServiceSighting* sighting(const std::string& service) const noexcept;
};

// Group the records that name a trace id into trails, ordered by their first
// line's time; records without an id are left out.
std::vector<LogTrail> log_trails(const std::vector<LogRecord>& records);

}  // namespace tracemesh::model
