// Several propagation formats in a configured order, as OTEL_PROPAGATORS names them.
//
// Extraction takes the span context from the first format, in order, that
// yields one (and reports which); formats that carry no span context
// (baggage) always contribute. Injection writes every format.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tracemesh/legacy_propagator.h"
#include "tracemesh/propagator.h"

namespace tracemesh {

// What CompositePropagator::extract_with_report found.
struct Extraction {
  Context context;          // the input context updated with what was found
  std::string_view format;  // the format that supplied the span context; empty when none did
  // When no format supplied a span context: the first format's reason that
  // was not missing_header, else missing_header.
  std::optional<Error> error;
};

class CompositePropagator final : public Propagator {
 public:
  explicit CompositePropagator(std::vector<std::shared_ptr<const Propagator>> propagators);

  std::string_view name() const noexcept override { return "composite"; }

  // Extract as extract() does, also saying which format supplied the span
  // context. Never throws (a throwing carrier gives ErrorCode::carrier_failed).
  Extraction extract_with_report(const CarrierReader& carrier,
                                 const Context& context) const noexcept;
  const std::vector<std::shared_ptr<const Propagator>>& propagators() const noexcept {
    return propagators_;
  }

 protected:
  Expected<Context> do_extract(const CarrierReader& carrier, const Context& context) const override;
  void do_inject(const Context& context, CarrierWriter& carrier) const override;

 private:
  Extraction extract_from_each(const CarrierReader& carrier, const Context& context) const;
  std::vector<std::shared_ptr<const Propagator>> propagators_;
};

// Build the propagator that an OTEL_PROPAGATORS value names: a comma-separated
// list of tracecontext, baggage, b3, b3multi, xtraceid, or "none". Names are
// case-insensitive, whitespace is ignored, duplicates are kept once. An
// unknown name is an error (never silently ignored).
Expected<std::shared_ptr<const CompositePropagator>> make_propagator(
    std::string_view otel_propagators, const LegacyHeaderNames& legacy_names = {});

}  // namespace tracemesh
