// Counters of the ingest path, read by GET /metrics.
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
};

}  // namespace tracemesh::collector
