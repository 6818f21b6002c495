// GET /metrics: the collector's own counters in the Prometheus text format.
#pragma once

#include <string>

#include "ingest_counters.h"
#include "span_store.h"

namespace tracemesh::collector {

// Return the exposition of `counters` and `stats`.
std::string metrics_text(const IngestCounters& counters, const StoreStats& stats);

}  // namespace tracemesh::collector
