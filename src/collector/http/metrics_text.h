// GET /metrics: the collector's own counters in the Prometheus text format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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

// `value` as a Prometheus label value: backslash, quote and newline escaped.
std::string prometheus_label(std::string_view value);

}  // namespace tracemesh::collector
