// W3C Baggage: the `baggage` header.
//
// Extraction keeps every well-formed member and skips malformed ones, so one
// bad entry from a peer does not erase the rest; it fails only when the
// header is absent or nothing in it is usable. Several baggage headers are
// read as one list.
#pragma once

#include <string_view>

#include "tracemesh/propagator.h"

namespace tracemesh {

inline constexpr std::string_view baggage_header = "baggage";

class BaggagePropagator final : public Propagator {
 public:
  std::string_view name() const noexcept override { return "baggage"; }
  bool carries_span_context() const noexcept override { return false; }

 protected:
  Expected<Context> do_extract(const CarrierReader& carrier, const Context& context) const override;
  void do_inject(const Context& context, CarrierWriter& carrier) const override;
};

}  // namespace tracemesh
