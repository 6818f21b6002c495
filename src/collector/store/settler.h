// Settling: a trace quiet for the grace period is judged once (integrity,
// and the calls whose callee started a new trace: broken hops, matched
// against other traces' inbound roots in the store), and marked settled.
// Writer thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "collector/store/arriving_traces.h"
#include "collector/store/sqlite.h"
#include "model/span_record.h"
#include "model/trace_integrity.h"

namespace tracemesh::collector {

class Settler {
 public:
  // Traces taken per pass at most.
  static constexpr std::size_t batch = 1000;

  struct Pass {
    std::size_t settled = 0;
    std::size_t from_memory = 0;  // read from `arriving` rather than the database
    bool backlog = false;         // traces still due: come back soon
  };

  // Over `db` (schema migrated), reading held traces from `arriving`.
  Settler(Database& db, ArrivingTraces& arriving, const model::IntegrityOptions& options);

  // Judge and mark settled the traces quiet for the grace period at
  // `now_unix_nano`, within a bounded time slice. nullopt when nothing was
  // looked at: the clock is still inside the first grace period, or a
  // database error rolled the pass back (the backlog stands as it was).
  std::optional<Pass> settle(std::uint64_t now_unix_nano);

 private:
  void find_broken_hops(Statement& http_candidates, Statement& consumer_candidates,
                        const std::vector<model::SpanRecord>& spans,
                        model::TraceVerdict& verdict) const;

  Database& db_;
  ArrivingTraces& arriving_;
  const model::IntegrityOptions& options_;
  Statement select_;  // select_spans_sql
};

}  // namespace tracemesh::collector
