#include "tracemesh/trace_context_propagator.h"

#include <array>
#include <span>
#include <string>
#include <vector>

#include "sdk/hex.h"
#include "sdk/list_members.h"

namespace tracemesh {
namespace {

constexpr std::size_t traceparent_size = 55;  // "00-" 32 "-" 16 "-" 2
constexpr std::size_t max_tracestate_headers = 32;

TraceState parse_joined(std::span<const std::string_view> values) {
  std::string joined;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) joined += ',';
    joined += values[i];
  }
  auto parsed = TraceState::parse(joined);
  return parsed ? std::move(*parsed) : TraceState{};
}

// A malformed tracestate is dropped; the traceparent stays valid.
TraceState extract_trace_state(const CarrierReader& carrier) {
  std::array<std::string_view, 4> few;  // several tracestate headers are rare
  const std::size_t count = carrier.get_all(tracestate_header, few);
  if (count == 0) return {};
  if (count == 1) {
    auto parsed = TraceState::parse(few[0]);
    return parsed ? std::move(*parsed) : TraceState{};
  }
  if (count <= few.size()) return parse_joined(std::span(few.data(), count));
  if (count > max_tracestate_headers) return {};  // more headers than members allowed
  std::vector<std::string_view> all(count);
  carrier.get_all(tracestate_header, all);
  return parse_joined(all);
}

}  // namespace

Expected<SpanContext> parse_traceparent(std::string_view value) noexcept {
  value = detail::trim_ows(value);
  if (value.size() < traceparent_size) return ErrorCode::bad_length;
  if (!detail::is_lower_hex(value.substr(0, 2))) return ErrorCode::bad_version;
  if (value.substr(0, 2) == "ff") return ErrorCode::bad_version;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return ErrorCode::bad_delimiter;
  const bool version_00 = value.substr(0, 2) == "00";
  if (version_00 && value.size() != traceparent_size) return ErrorCode::bad_length;
  // A future version may append fields, each after a '-'.
  if (!version_00 && value.size() > traceparent_size && value[traceparent_size] != '-') {
    return ErrorCode::bad_delimiter;
  }

  SpanContext context;
  const bool ids_ok =
      detail::decode_lower_hex16(value.data() + 3, context.trace_id.bytes.data()) &&
      detail::decode_lower_hex16(value.data() + 19, context.trace_id.bytes.data() + 8) &&
      detail::decode_lower_hex16(value.data() + 36, context.span_id.bytes.data());
  if (!ids_ok) return ErrorCode::bad_character;
  std::uint8_t flags = 0;
  if (!detail::decode_lower_hex(value.substr(53, 2), &flags)) return ErrorCode::bad_flags;
  if (!context.trace_id.is_valid()) return ErrorCode::zero_trace_id;
  if (!context.span_id.is_valid()) return ErrorCode::zero_span_id;
  context.flags = TraceFlags(flags);
  context.is_remote = true;
  return context;
}

void format_traceparent(const SpanContext& context, char* out) noexcept {
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  context.trace_id.to_hex(out + 3);
  out[35] = '-';
  context.span_id.to_hex(out + 36);
  out[52] = '-';
  // Only the flags this version defines are sent; unknown bits are zeroed.
  const auto flags = static_cast<std::uint8_t>(context.flags.bits() &
                                               (TraceFlags::sampled_bit | TraceFlags::random_bit));
  detail::encode_hex(&flags, 1, out + 53);
}

Expected<Context> TraceContextPropagator::do_extract(const CarrierReader& carrier,
                                                     const Context& context) const {
  std::array<std::string_view, 2> values;
  const std::size_t count = carrier.get_all(traceparent_header, values);
  if (count == 0) return ErrorCode::missing_header;
  if (count > 1) return ErrorCode::duplicate_header;
  auto span_context = parse_traceparent(values[0]);
  if (!span_context) return span_context.error();
  span_context->trace_state = extract_trace_state(carrier);
  return context.with_span_context(std::move(*span_context));
}

void TraceContextPropagator::do_inject(const Context& context, CarrierWriter& carrier) const {
  const SpanContext& span_context = context.span_context();
  if (!span_context.is_valid()) return;
  char traceparent[traceparent_size];
  format_traceparent(span_context, traceparent);
  carrier.set(traceparent_header, std::string_view(traceparent, traceparent_size));
  const TraceState& state = span_context.trace_state;
  if (state.empty()) return;
  if (state.header().size() <= TraceState::default_propagated_size) {
    carrier.set(tracestate_header, state.header());
  } else {
    carrier.set(tracestate_header, state.truncated_header());
  }
}

}  // namespace tracemesh
