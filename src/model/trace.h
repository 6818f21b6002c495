// A trace as the tools read it: its spans in start order and the integrity
// verdict judged on them — by the collector's settling, or by verify from
// trace files, with the same analysis (trace_integrity.h). The collector's
// query API writes it (trace_json.h); verify reads that JSON back into it
// (verify/api_trace.h) or builds it from decoded spans, and checks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/log_record.h"
#include "model/span_record.h"
#include "model/trace_integrity.h"
#include "tracemesh/ids.h"

namespace tracemesh::model {

struct Trace {
  TraceId trace_id;
  std::vector<SpanRecord> spans;  // in start order
  TraceVerdict verdict;
  std::vector<LogRecord> logs;  // the log records naming the trace, in time order (collector)

  bool settled() const noexcept { return verdict.state == TraceState::settled; }

  // Return the span with `span_id`, or nullptr. Builds an index on first use
  // (and again when spans were added): not for concurrent first calls.
  const SpanRecord* find(const SpanId& span_id) const;
  // Return the first root of the verdict that arrived, or nullptr.
  const SpanRecord* root() const;
  // From the earliest start to the latest end (or start).
  std::uint64_t duration_nanos() const noexcept;

 private:
  mutable std::unordered_map<SpanId, std::size_t, IdHash> index_;
};

}  // namespace tracemesh::model
