// Integrity of one trace, judged from its spans alone: roots, orphans, clock
// skew, unfinished spans, and whether more spans may still arrive. Broken
// hops need other traces too and are found by broken_hops.h, which fills in
// TraceVerdict::broken_hops.
//
// A parent that has not arrived is an orphan only once the trace is settled
// (no span arrived for the grace period): spans of one trace reach the
// collector from different services, in any order, seconds apart.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/span_record.h"

namespace tracemesh::model {

struct IntegrityOptions {
  std::uint64_t grace_nanos = 10'000'000'000;       // quiet time after which a trace is settled
  std::uint64_t skew_tolerance_nanos = 0;           // allowed child-outside-parent overhang
  std::uint64_t call_tolerance_nanos = 50'000'000;  // callee clock vs caller clock (broken hops)
  std::uint64_t messaging_delay_nanos =
      60'000'000'000;  // a consumer may start this long after publish
};

enum class TraceState : std::uint8_t { arriving, settled };

// A span whose parent never arrived.
struct Orphan {
  SpanId span_id;
  SpanId missing_parent_id;
  std::string service;
};

// A child that starts before its parent or ends after it, beyond the tolerance.
struct ClockSkew {
  SpanId span_id;
  SpanId parent_id;
  std::string service;
  std::string parent_service;
  std::uint64_t starts_early_nanos = 0;  // by how much it starts before the parent
  std::uint64_t ends_late_nanos = 0;     // by how much it ends after the parent
};

// Who most likely lost the context on a broken hop.
enum class Culprit : std::uint8_t {
  unknown,
  caller_did_not_inject,   // the callee received no (or a malformed) context
  callee_did_not_extract,  // the callee received a context and started a new trace anyway
};

// A CLIENT/PRODUCER span with no SERVER/CONSUMER child, whose callee started
// a new trace (its root) at the same time instead. The same shape holds a
// restarted hop: a callee root that links the call's span (as at a trust
// boundary, or a batch consumer): a new trace on purpose, not a failure.
struct BrokenHop {
  SpanId caller_span_id;
  std::string caller_service;
  std::string caller_span_name;
  TraceId callee_trace_id;
  SpanId callee_span_id;
  std::string callee_service;
  std::string callee_span_name;
  std::string protocol;  // "http", or the messaging system
  std::uint64_t call_start_unix_nano = 0;
  Culprit culprit = Culprit::unknown;
};

struct TraceVerdict {
  TraceState state = TraceState::arriving;
  std::size_t span_count = 0;
  std::vector<SpanId> roots;
  std::vector<Orphan> orphans;      // only when settled
  std::size_t missing_parents = 0;  // spans waiting for a parent while arriving
  std::vector<ClockSkew> skew;
  std::vector<SpanId> unfinished;         // no end time, or an end before the start
  std::vector<BrokenHop> broken_hops;     // from broken_hops.h
  std::vector<BrokenHop> restarted_hops;  // callee roots linking the call (culprit unknown)
  // Calls no callee answered whose context was sent unsampled: no span was expected.
  std::vector<SpanId> unsampled_calls;

  // Return the one-word state the UI and search use: "arriving", "broken_hop",
  // "multiple_roots", "orphans", "connected" (first that applies).
  const char* integrity() const noexcept;
};

// Judge the spans of one trace. `last_received_unix_nano` is when its latest
// span arrived; `now_unix_nano` is the current time.
TraceVerdict analyze_trace(std::span<const SpanRecord> spans, std::uint64_t last_received_unix_nano,
                           std::uint64_t now_unix_nano, const IntegrityOptions& options);

const char* to_string(TraceState state) noexcept;
const char* to_string(Culprit culprit) noexcept;
// The culprit that to_string() names `name`, or nullopt.
std::optional<Culprit> culprit_named(std::string_view name) noexcept;

}  // namespace tracemesh::model
