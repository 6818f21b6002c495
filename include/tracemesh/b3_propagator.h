// B3 propagation (Zipkin): the single `b3` header and the X-B3-* headers.
//
// Single: "{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]" or a lone
// sampling state ("0", "1", "d"). Multi: X-B3-TraceId, X-B3-SpanId,
// X-B3-ParentSpanId, X-B3-Sampled ("1"/"0"; "true"/"false" from old
// clients), X-B3-Flags ("1" = debug). Trace ids are 16 or 32 lowercase hex
// digits; a 64-bit id is left-padded with zeros. "d" (debug) means sampled.
// Both propagators extract either form (single first), as the B3 spec
// recommends; they differ in what they inject.
#pragma once

#include <string_view>

#include "tracemesh/propagator.h"
#include "tracemesh/span_context.h"

namespace tracemesh {

inline constexpr std::string_view b3_single_header = "b3";
inline constexpr std::string_view b3_trace_id_header = "X-B3-TraceId";
inline constexpr std::string_view b3_span_id_header = "X-B3-SpanId";
inline constexpr std::string_view b3_parent_span_id_header = "X-B3-ParentSpanId";
inline constexpr std::string_view b3_sampled_header = "X-B3-Sampled";
inline constexpr std::string_view b3_flags_header = "X-B3-Flags";

// Parse a single `b3` header value. A lone sampling state yields no_ids.
Expected<SpanContext> parse_b3_single(std::string_view value) noexcept;

// Parse the X-B3-* headers of `carrier` (throws only what the carrier throws).
Expected<SpanContext> parse_b3_multi(const CarrierReader& carrier);

class B3Propagator final : public Propagator {
 public:
  enum class Encoding { single_header, multi_header };
  explicit B3Propagator(Encoding encoding = Encoding::single_header) : encoding_(encoding) {}

  // "b3" for the single header, "b3multi" for the X-B3-* headers.
  std::string_view name() const noexcept override;

 protected:
  Expected<Context> do_extract(const CarrierReader& carrier, const Context& context) const override;
  void do_inject(const Context& context, CarrierWriter& carrier) const override;

 private:
  Encoding encoding_;
};

}  // namespace tracemesh
