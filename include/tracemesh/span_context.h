// The identity of a span as it crosses process boundaries.
//
// A SpanContext is what propagators extract and inject: trace id, span id,
// trace flags, tracestate, whether it came from another process, and, for
// fleets that pass a single non-hex id header (X-Trace-ID: a UUID or any
// string), that original string so it can be re-sent unchanged downstream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tracemesh/ids.h"
#include "tracemesh/trace_state.h"

namespace tracemesh {

// W3C trace-flags: bit 0 is "sampled", bit 1 (Level 2) is "random trace id".
class TraceFlags {
 public:
  static constexpr std::uint8_t sampled_bit = 0x01;
  static constexpr std::uint8_t random_bit = 0x02;

  constexpr TraceFlags() = default;
  constexpr explicit TraceFlags(std::uint8_t bits) : bits_(bits) {}

  constexpr bool sampled() const noexcept { return (bits_ & sampled_bit) != 0; }
  constexpr bool random() const noexcept { return (bits_ & random_bit) != 0; }
  constexpr std::uint8_t bits() const noexcept { return bits_; }
  constexpr TraceFlags with_sampled(bool on) const noexcept {
    return TraceFlags(static_cast<std::uint8_t>(on ? bits_ | sampled_bit : bits_ & ~sampled_bit));
  }
  friend constexpr bool operator==(TraceFlags, TraceFlags) = default;

 private:
  std::uint8_t bits_ = 0;
};

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;  // zero when only a trace id was received (legacy header without parent)
  TraceFlags flags;
  bool is_remote = false;
  TraceState trace_state;
  // The trace id exactly as a legacy id header carried it, when that differs
  // from trace_id's lowercase hex (a UUID, uppercase hex, any string); else null.
  std::shared_ptr<const std::string> legacy_trace_id;

  // Return whether both ids are non-zero (a context a child span can attach to).
  bool is_valid() const noexcept { return trace_id.is_valid() && span_id.is_valid(); }
  // Return whether there is at least a trace to continue.
  bool has_trace() const noexcept { return trace_id.is_valid(); }
  // Return the id to send in a legacy header: the original string when one was received.
  std::string legacy_id() const;

  friend bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
    return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags &&
           a.is_remote == b.is_remote && a.trace_state == b.trace_state &&
           std::string_view(a.legacy_trace_id ? *a.legacy_trace_id : "") ==
               std::string_view(b.legacy_trace_id ? *b.legacy_trace_id : "");
  }
};

}  // namespace tracemesh
