#include "tracemesh/composite_propagator.h"

#include <algorithm>
#include <string>

#include "sdk/list_members.h"
#include "tracemesh/b3_propagator.h"
#include "tracemesh/baggage_propagator.h"
#include "tracemesh/trace_context_propagator.h"

namespace tracemesh {

CompositePropagator::CompositePropagator(std::vector<std::shared_ptr<const Propagator>> propagators)
    : propagators_(std::move(propagators)) {}

namespace {

// Add to `found` what another format carried for the same trace: the legacy
// id string (so it is re-sent unchanged on every later hop), and when `found`
// has no span id (a legacy header without parent) the other format's span id,
// flags and tracestate.
SpanContext merge_same_trace(SpanContext found, const SpanContext& other) {
  if (!found.legacy_trace_id && other.legacy_trace_id) {
    found.legacy_trace_id = other.legacy_trace_id;
  }
  if (!found.span_id.is_valid() && other.span_id.is_valid()) {
    found.span_id = other.span_id;
    found.flags = other.flags;
    found.trace_state = other.trace_state;
  }
  return found;
}

}  // namespace

Extraction CompositePropagator::extract_with_report(const CarrierReader& carrier,
                                                    const Context& context) const noexcept {
  try {
    return extract_from_each(carrier, context);
  } catch (...) {
    return Extraction{context, {}, Error{ErrorCode::carrier_failed, {}}};
  }
}

Extraction CompositePropagator::extract_from_each(const CarrierReader& carrier,
                                                  const Context& context) const {
  Extraction result{context, {}, std::nullopt};
  bool found = false;
  for (const auto& propagator : propagators_) {
    const bool span_format = propagator->carries_span_context();
    auto extracted = propagator->extract(carrier, result.context);
    if (extracted && found && span_format) {
      // The first format won; a later one only enriches the same trace.
      const SpanContext& other = extracted->span_context();
      if (other.trace_id == result.context.span_context().trace_id) {
        result.context = result.context.with_span_context(
            merge_same_trace(result.context.span_context(), other));
      }
      continue;
    }
    if (extracted) {
      result.context = std::move(*extracted);
      if (span_format) {
        result.format = propagator->name();
        found = true;
      }
      continue;
    }
    const bool missing = extracted.error().code == ErrorCode::missing_header;
    if (span_format && !found && !missing &&
        (!result.error || result.error->code == ErrorCode::missing_header)) {
      result.error = extracted.error();
    }
  }
  if (found) {
    result.error.reset();
  } else if (!result.error) {
    result.error = Error{ErrorCode::missing_header, {}};
  }
  return result;
}

Expected<Context> CompositePropagator::do_extract(const CarrierReader& carrier,
                                                  const Context& context) const {
  auto result = extract_with_report(carrier, context);
  const bool baggage_found = !(result.context.baggage() == context.baggage());
  if (!result.format.empty() || baggage_found) return std::move(result.context);
  return std::move(*result.error);
}

void CompositePropagator::do_inject(const Context& context, CarrierWriter& carrier) const {
  for (const auto& propagator : propagators_) propagator->inject(context, carrier);
}

namespace {

std::shared_ptr<const Propagator> make_named(std::string_view name,
                                             const LegacyHeaderNames& legacy_names) {
  if (name == "tracecontext") return std::make_shared<TraceContextPropagator>();
  if (name == "baggage") return std::make_shared<BaggagePropagator>();
  if (name == "b3") return std::make_shared<B3Propagator>(B3Propagator::Encoding::single_header);
  if (name == "b3multi") {
    return std::make_shared<B3Propagator>(B3Propagator::Encoding::multi_header);
  }
  if (name == "xtraceid") return std::make_shared<LegacyPropagator>(legacy_names);
  return nullptr;
}

}  // namespace

Expected<std::shared_ptr<const CompositePropagator>> make_propagator(
    std::string_view otel_propagators, const LegacyHeaderNames& legacy_names) {
  std::vector<std::string> names;
  detail::ListMembers list(otel_propagators);
  std::string_view member;
  while (list.next(member)) {
    if (member.empty()) continue;
    auto name = detail::ascii_lowercase(member);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  const bool none = std::find(names.begin(), names.end(), "none") != names.end();
  if (none && names.size() > 1) {
    return Error{ErrorCode::invalid_config,
                 "'none' cannot be combined with other propagators in '" +
                     std::string(otel_propagators) + "'"};
  }
  std::vector<std::shared_ptr<const Propagator>> propagators;
  for (const auto& name : none ? std::vector<std::string>{} : names) {
    auto propagator = make_named(name, legacy_names);
    if (!propagator) {
      return Error{ErrorCode::unknown_name,
                   "unknown propagator '" + name +
                       "' (known: tracecontext, baggage, b3, b3multi, xtraceid, none)"};
    }
    propagators.push_back(std::move(propagator));
  }
  return std::make_shared<const CompositePropagator>(std::move(propagators));
}

}  // namespace tracemesh
