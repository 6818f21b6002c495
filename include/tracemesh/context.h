// The immutable propagation context: the current span's identity and baggage.
//
// A Context is a value: copying it copies two ids and bumps at most three
// reference counts, so it can be captured into callbacks freely. "Changing"
// a Context returns a new one. See current_context.h for the per-thread
// current context and scopes.
#pragma once

#include <utility>

#include "tracemesh/baggage.h"
#include "tracemesh/span_context.h"

namespace tracemesh {

class Context {
 public:
  Context() = default;
  explicit Context(SpanContext span_context, Baggage baggage = {})
      : span_context_(std::move(span_context)), baggage_(std::move(baggage)) {}

  // Return the identity of the active span (invalid when there is none).
  const SpanContext& span_context() const noexcept { return span_context_; }
  const Baggage& baggage() const noexcept { return baggage_; }

  // Return a copy with the active span's identity replaced.
  Context with_span_context(SpanContext span_context) const {
    return Context(std::move(span_context), baggage_);
  }
  // Return a copy with the baggage replaced.
  Context with_baggage(Baggage baggage) const { return Context(span_context_, std::move(baggage)); }

  friend bool operator==(const Context&, const Context&) = default;

 private:
  SpanContext span_context_;
  Baggage baggage_;
};

}  // namespace tracemesh
