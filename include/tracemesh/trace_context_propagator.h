// W3C Trace Context (Level 1 and 2): the `traceparent` and `tracestate` headers.
//
// traceparent is "version-traceid-parentid-flags" in lowercase hex. Version
// 00 must be exactly 55 characters; a higher version (not "ff") is parsed by
// its first four fields and may carry more after a '-', as the spec asks.
// Optional whitespace around the value is ignored. Two traceparent headers
// are rejected. tracestate is read only when traceparent was valid, and a
// malformed tracestate is dropped without invalidating traceparent.
#pragma once

#include <string_view>

#include "tracemesh/propagator.h"
#include "tracemesh/span_context.h"

namespace tracemesh {

inline constexpr std::string_view traceparent_header = "traceparent";
inline constexpr std::string_view tracestate_header = "tracestate";

// Parse one traceparent value (surrounding optional whitespace ignored) into a
// remote SpanContext with an empty tracestate.
Expected<SpanContext> parse_traceparent(std::string_view value) noexcept;

// Write the version-00 traceparent of `context` into `out` (55 characters).
void format_traceparent(const SpanContext& context, char* out) noexcept;

class TraceContextPropagator final : public Propagator {
 public:
  std::string_view name() const noexcept override { return "tracecontext"; }

 protected:
  Expected<Context> do_extract(const CarrierReader& carrier, const Context& context) const override;
  void do_inject(const Context& context, CarrierWriter& carrier) const override;
};

}  // namespace tracemesh
