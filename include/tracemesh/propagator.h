// The propagator interface: one wire format for carrying a Context.
//
// A propagator reads its headers from a CarrierReader into a Context and
// writes a Context into a CarrierWriter. It never throws and never blocks: a
// malformed header is reported as an Error value (with a stable code saying
// why) and contributes nothing to the context. Formats implement the
// protected do_extract/do_inject; the public calls add the no-throw guarantee.
//
// Formats: trace_context_propagator.h (W3C traceparent/tracestate),
// baggage_propagator.h (W3C baggage), b3_propagator.h (B3 single and
// multi-header), legacy_propagator.h (X-Trace-ID style id headers) and
// composite_propagator.h (several formats in a configured order).
#pragma once

#include <string_view>

#include "tracemesh/carrier.h"
#include "tracemesh/context.h"
#include "tracemesh/expected.h"

namespace tracemesh {

class Propagator {
 public:
  virtual ~Propagator() = default;

  // Return the format's name as OTEL_PROPAGATORS spells it ("tracecontext", "b3", ...).
  virtual std::string_view name() const noexcept = 0;

  // Return `context` updated with what this format's headers carry, or the
  // reason nothing could be taken (missing_header when they are absent).
  // Never throws: an exception from the carrier or the allocator is
  // reported as ErrorCode::carrier_failed.
  Expected<Context> extract(const CarrierReader& carrier, const Context& context) const noexcept;

  // Write `context` in this format. Writes nothing when the context has
  // nothing this format can express (e.g. no valid span for traceparent).
  // Never throws: an exception from the carrier or the allocator stops the
  // write and is swallowed (the request goes out without these headers).
  void inject(const Context& context, CarrierWriter& carrier) const noexcept;

  // Return whether this format carries a span identity (false for baggage).
  virtual bool carries_span_context() const noexcept { return true; }

 protected:
  // The format itself; may throw (extract() and inject() catch).
  virtual Expected<Context> do_extract(const CarrierReader& carrier,
                                       const Context& context) const = 0;
  virtual void do_inject(const Context& context, CarrierWriter& carrier) const = 0;
};

}  // namespace tracemesh
