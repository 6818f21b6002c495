// Broken hops: a call (CLIENT or PRODUCER span) that no SERVER/CONSUMER span
// in its trace answers, while the callee service started a new trace (a
// root span) at that moment for that destination. The caller's trace and the
// callee's are the two halves of one request that lost its context.
//
// The store finds the candidate roots (spans of other traces in the call's
// time window); these functions decide which of them is the callee and who
// most likely dropped the context.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/span_record.h"
#include "model/trace_integrity.h"

namespace tracemesh::model {

// Return the calls in `trace` that no inbound span of the trace answers.
std::vector<const SpanRecord*> unanswered_calls(std::span<const SpanRecord> trace);

// The window in which the callee's root must start: the call's own span,
// widened by `tolerance`; for messaging, up to `messaging_delay` after the
// publish ended (consumers run later).
struct CallWindow {
  std::uint64_t earliest = 0;
  std::uint64_t latest = 0;
};
CallWindow call_window(const SpanRecord& call, std::uint64_t tolerance,
                       std::uint64_t messaging_delay);

// Whether `root` (an inbound root span of another trace) is where `call`
// arrived: same messaging destination for a PRODUCER; for an HTTP CLIENT,
// the same path and, when both record them, the same port and address.
bool is_callee_of(const SpanRecord& call, const SpanRecord& root);

// Return who most likely lost the context, from what the callee reports of
// its inbound context (InboundPropagation).
Culprit likely_culprit(const SpanRecord& callee_root);

BrokenHop make_broken_hop(const SpanRecord& call, const SpanRecord& callee_root);

// Judge one unanswered `call` against `candidates` (inbound roots of other
// traces, in start order): a candidate that links the call restarted it
// (verdict.restarted_hops; one root may restart many calls); else the first
// callee that starts in the call's window and that no earlier call claimed
// broke it (verdict.broken_hops, its root added to `claimed`); else, when
// the call's context was sent unsampled, it is in verdict.unsampled_calls.
void judge_unanswered_call(const SpanRecord& call, std::span<const SpanRecord* const> candidates,
                           const IntegrityOptions& options, std::vector<SpanId>& claimed,
                           TraceVerdict& verdict);

// Add to `verdict` the unanswered calls of `trace` whose callee is among
// `roots` (root spans of any traces, in start order), as
// judge_unanswered_call() says.
// The store does the same with candidates it selects in SQL; this is for
// spans held in memory (OTLP files checked by `tracemesh verify`).
void add_broken_hops(std::span<const SpanRecord> trace, std::span<const SpanRecord* const> roots,
                     const IntegrityOptions& options, TraceVerdict& verdict);

}  // namespace tracemesh::model
