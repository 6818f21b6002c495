// GET /metrics: the collector's own counters in the Prometheus text format.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "collector/http/ingest_counters.h"
#include "collector/store/span_store.h"

namespace tracemesh::collector {

// Return the exposition of `counters`, `stats` and the number of traces in
// each integrity state.
std::string metrics_text(
    const IngestCounters& counters, const StoreStats& stats,
    const std::vector<std::pair<std::string, std::int64_t>>& traces_by_integrity);

}  // namespace tracemesh::collector
