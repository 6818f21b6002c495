// The spans of traces still arriving, kept in memory by the store's writer so
// that settling a trace does not read back from SQLite what the writer itself
// committed seconds earlier (reading back was a quarter of the writer's time
// under load).
//
// Only what integrity analysis reads is kept (ids, kind, times, status, flags,
// service, name, destination, inbound propagation), packed into one buffer
// per trace. A trace is held only when every one of its spans passed through
// this writer: from the commit that stored its first spans until it settles.
// Any other trace (one that began before a restart, or one refused for lack of
// room) is read from the database as before, so the cache changes no verdict.
// Bounded by bytes; not thread-safe (the writer thread owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/span_record.h"

namespace tracemesh::collector {

class ArrivingTraces {
 public:
  explicit ArrivingTraces(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Note `spans` of `trace_id`, just committed at `received`. `first` says
  // they are the trace's first spans (it had none stored before): only then
  // does the trace start being held. Spans of a trace not held are ignored; a
  // held trace that would overflow the budget, or that memory runs out for,
  // is dropped.
  void add(const TraceId& trace_id, std::span<const model::SpanRecord* const> spans, bool first,
           std::uint64_t received) noexcept;

  // Replace `spans` with the held spans of `trace_id` (the fields above; the
  // rest keep their defaults) and set `last_received`; false when not held.
  bool load(const TraceId& trace_id, std::vector<model::SpanRecord>& spans,
            std::uint64_t& last_received) const;

  // Stop holding `trace_id` (settled or deleted); nothing when not held.
  void erase(const TraceId& trace_id) noexcept;

  // Return the memory held, as counted against the budget.
  std::size_t bytes() const noexcept { return bytes_; }
  // Return how many traces are held.
  std::size_t traces() const noexcept { return traces_.size(); }

 private:
  struct Held {
    std::string packed;  // the spans, one after another (arriving_traces.cpp)
    std::uint64_t last_received = 0;
  };
  static constexpr std::size_t per_trace_overhead = 96;  // map node and bookkeeping, roughly
  void append(const TraceId& trace_id, std::span<const model::SpanRecord* const> spans, bool first,
              std::uint64_t received);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::unordered_map<TraceId, Held, model::IdHash> traces_;
};

}  // namespace tracemesh::collector
