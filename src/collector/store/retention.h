// Retention: traces deleted by age (their last span arrived longer ago than
// the limit), and log records of ids without spans by their arrival; then,
// while the database is over its size limit, the oldest first (a trace with
// its log records, or log records), a bounded batch at a time. Writer
// thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "collector/store/arriving_traces.h"
#include "collector/store/sqlite.h"

namespace tracemesh::collector {

class Retention {
 public:
  // `max_age` 0: no age limit; `max_bytes` 0: no size limit.
  Retention(Database& db, ArrivingTraces& arriving, std::chrono::nanoseconds max_age,
            std::uint64_t max_bytes);

  // Apply the limits at `now_unix_nano`; return how many traces were deleted.
  // A database error stops the pass (rolled back): what was deleted stays deleted.
  std::size_t apply(std::uint64_t now_unix_nano);

 private:
  std::size_t delete_traces(Statement& selected);
  // Whether the oldest log record arrived before the oldest trace's last span.
  bool oldest_log_first();
  // Delete the `count` oldest log records; return whether there were any.
  bool delete_oldest_logs(int count);
  std::uint64_t used_bytes();

  Database& db_;
  ArrivingTraces& arriving_;
  std::chrono::nanoseconds max_age_;
  std::uint64_t max_bytes_;
};

}  // namespace tracemesh::collector
