#include "model/trace_integrity.h"

#include <unordered_map>

namespace tracemesh::model {
namespace {

bool is_unfinished(const SpanRecord& span) {
  return span.end_unix_nano == 0 || span.end_unix_nano < span.start_unix_nano;
}

// Return the skew of `child` against `parent`, or nothing when within tolerance.
bool measure_skew(const SpanRecord& child, const SpanRecord& parent, std::uint64_t tolerance,
                  ClockSkew& skew) {
  if (child.start_unix_nano + tolerance < parent.start_unix_nano) {
    skew.starts_early_nanos = parent.start_unix_nano - child.start_unix_nano;
  }
  // A parent that never ended says nothing about its children's ends, and a
  // message outlives its publish: a consumer runs after the producer's span
  // ended, and only starting before it is skew.
  if (child.kind != SpanKind::consumer && !is_unfinished(parent) && !is_unfinished(child) &&
      child.end_unix_nano > parent.end_unix_nano + tolerance) {
    skew.ends_late_nanos = child.end_unix_nano - parent.end_unix_nano;
  }
  return skew.starts_early_nanos > 0 || skew.ends_late_nanos > 0;
}

}  // namespace

const char* TraceVerdict::integrity() const noexcept {
  if (state == TraceState::arriving) return "arriving";
  if (!broken_hops.empty()) return "broken_hop";
  if (roots.size() > 1) return "multiple_roots";
  if (!orphans.empty() || roots.empty()) return "orphans";
  return "connected";
}

TraceVerdict analyze_trace(std::span<const SpanRecord> spans, std::uint64_t last_received_unix_nano,
                           std::uint64_t now_unix_nano, const IntegrityOptions& options) {
  TraceVerdict verdict;
  verdict.span_count = spans.size();
  verdict.state = now_unix_nano >= last_received_unix_nano + options.grace_nanos
                      ? TraceState::settled
                      : TraceState::arriving;
  std::unordered_map<SpanId, const SpanRecord*, IdHash> by_id;
  by_id.reserve(spans.size());
  for (const SpanRecord& span : spans) by_id.emplace(span.span_id, &span);

  for (const SpanRecord& span : spans) {
    if (is_unfinished(span)) verdict.unfinished.push_back(span.span_id);
    if (span.is_root()) {
      verdict.roots.push_back(span.span_id);
      continue;
    }
    const auto parent = by_id.find(span.parent_span_id);
    if (parent == by_id.end()) {
      if (verdict.state == TraceState::settled) {
        verdict.orphans.push_back({span.span_id, span.parent_span_id, span.service});
      } else {
        ++verdict.missing_parents;
      }
      continue;
    }
    ClockSkew skew{span.span_id, span.parent_span_id, span.service, parent->second->service};
    if (measure_skew(span, *parent->second, options.skew_tolerance_nanos, skew)) {
      verdict.skew.push_back(std::move(skew));
    }
  }
  return verdict;
}

const char* to_string(TraceState state) noexcept {
  return state == TraceState::settled ? "settled" : "arriving";
}

const char* to_string(Culprit culprit) noexcept {
  switch (culprit) {
    case Culprit::caller_did_not_inject:
      return "caller_did_not_inject";
    case Culprit::callee_did_not_extract:
      return "callee_did_not_extract";
    case Culprit::unknown:
      break;
  }
  return "unknown";
}

std::optional<Culprit> culprit_named(std::string_view name) noexcept {
  for (const Culprit culprit :
       {Culprit::unknown, Culprit::caller_did_not_inject, Culprit::callee_did_not_extract}) {
    if (name == to_string(culprit)) return culprit;
  }
  return std::nullopt;
}

}  // namespace tracemesh::model
