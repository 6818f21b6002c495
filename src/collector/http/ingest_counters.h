// Counters of the ingest path (OTLP/HTTP, Zipkin, tailed log files), read by GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>

namespace tracemesh::collector {

struct IngestCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> spans_received{0};  // valid spans decoded
  std::atomic<std::uint64_t> spans_rejected{0};  // invalid spans (partial success)
  std::atomic<std::uint64_t> requests_malformed{0};
  std::atomic<std::uint64_t> requests_too_large{0};
  std::atomic<std::uint64_t> requests_throttled{0};  // answered 429/503
  std::atomic<std::uint64_t> requests_unauthorized{0};
  std::atomic<std::uint64_t> metrics_requests_dropped{0};  // POST /v1/metrics, answered 200
  std::atomic<std::uint64_t> log_records_received{
      0};  // naming a trace: stored (new, not duplicates)
  std::atomic<std::uint64_t> log_records_unlinked{0};  // valid, naming no trace: not kept
  std::atomic<std::uint64_t> log_records_rejected{0};  // invalid (partial success)
  // --log-file: complete lines read, those skipped (not JSON, no time...), rotations seen.
  std::atomic<std::uint64_t> log_file_lines{0};
  std::atomic<std::uint64_t> log_file_lines_skipped{0};
  std::atomic<std::uint64_t> log_file_rotations{0};
  std::atomic<std::uint64_t> log_file_errors{0};  // not a regular file, cannot be opened
};

}  // namespace tracemesh::collector
