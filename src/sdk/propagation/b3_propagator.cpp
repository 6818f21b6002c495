#include "tracemesh/b3_propagator.h"

#include <array>

#include "sdk/hex.h"
#include "sdk/list_members.h"

namespace tracemesh {
namespace {

// Parse a 16- or 32-digit lowercase hex trace id (64-bit ids are left-padded).
Expected<TraceId> parse_b3_trace_id(std::string_view text) noexcept {
  if (text.size() != 16 && text.size() != 32) return ErrorCode::bad_length;
  TraceId id;
  if (!detail::decode_lower_hex(text, id.bytes.data() + (32 - text.size()) / 2)) {
    return ErrorCode::bad_character;
  }
  if (!id.is_valid()) return ErrorCode::zero_trace_id;
  return id;
}

Expected<SpanId> parse_b3_span_id(std::string_view text) noexcept {
  if (text.size() != 16) return ErrorCode::bad_length;
  SpanId id;
  if (!detail::decode_lower_hex(text, id.bytes.data())) return ErrorCode::bad_character;
  if (!id.is_valid()) return ErrorCode::zero_span_id;
  return id;
}

// Sampling state of the single header: "1", "0" or "d" (debug, implies sampled).
Expected<bool> parse_sampling_state(std::string_view text) noexcept {
  if (text == "1" || text == "d") return true;
  if (text == "0") return false;
  return ErrorCode::bad_flags;
}

// Split "a-b-c-d" into at most four fields; false when there are more.
bool split_fields(std::string_view text, std::array<std::string_view, 4>& fields,
                  std::size_t& count) noexcept {
  count = 0;
  while (true) {
    if (count == fields.size()) return false;
    const auto dash = text.find('-');
    fields[count++] = text.substr(0, dash);
    if (dash == std::string_view::npos) return true;
    text.remove_prefix(dash + 1);
  }
}

SpanContext make_context(TraceId trace_id, SpanId span_id, bool sampled) noexcept {
  SpanContext context;
  context.trace_id = trace_id;
  context.span_id = span_id;
  context.flags = TraceFlags(sampled ? TraceFlags::sampled_bit : 0);
  context.is_remote = true;
  return context;
}

}  // namespace

Expected<SpanContext> parse_b3_single(std::string_view value) noexcept {
  value = detail::trim_ows(value);
  if (value.empty()) return ErrorCode::bad_length;
  if (value.size() == 1) {
    if (!parse_sampling_state(value)) return ErrorCode::bad_flags;
    return ErrorCode::no_ids;
  }
  std::array<std::string_view, 4> fields;
  std::size_t count = 0;
  if (!split_fields(value, fields, count) || count < 2) return ErrorCode::bad_delimiter;
  auto trace_id = parse_b3_trace_id(fields[0]);
  if (!trace_id) return trace_id.error();
  auto span_id = parse_b3_span_id(fields[1]);
  if (!span_id) return span_id.error();
  bool sampled = false;  // a deferred decision: the receiver decides (not sampled here)
  if (count >= 3) {
    auto state = parse_sampling_state(fields[2]);
    if (!state) return state.error();
    sampled = *state;
  }
  if (count == 4) {
    auto parent = parse_b3_span_id(fields[3]);
    if (!parent) return parent.error();
  }
  return make_context(*trace_id, *span_id, sampled);
}

Expected<SpanContext> parse_b3_multi(const CarrierReader& carrier) {
  const auto trace_text = carrier.get(b3_trace_id_header);
  const auto span_text = carrier.get(b3_span_id_header);
  if (!trace_text || !span_text) return ErrorCode::missing_header;
  auto trace_id = parse_b3_trace_id(detail::trim_ows(*trace_text));
  if (!trace_id) return trace_id.error();
  auto span_id = parse_b3_span_id(detail::trim_ows(*span_text));
  if (!span_id) return span_id.error();
  if (const auto parent = carrier.get(b3_parent_span_id_header)) {
    auto parent_id = parse_b3_span_id(detail::trim_ows(*parent));
    if (!parent_id) return parent_id.error();
  }
  bool sampled = false;
  if (const auto flags = carrier.get(b3_flags_header)) {
    const auto text = detail::trim_ows(*flags);
    if (text != "1" && text != "0") return ErrorCode::bad_flags;
    sampled = text == "1";  // debug implies sampled
  }
  if (const auto state = carrier.get(b3_sampled_header)) {
    const auto text = detail::trim_ows(*state);
    if (text == "1" || text == "true") {
      sampled = true;
    } else if (text != "0" && text != "false") {
      return ErrorCode::bad_flags;
    }
  }
  return make_context(*trace_id, *span_id, sampled);
}

std::string_view B3Propagator::name() const noexcept {
  return encoding_ == Encoding::single_header ? "b3" : "b3multi";
}

Expected<Context> B3Propagator::do_extract(const CarrierReader& carrier,
                                           const Context& context) const {
  Expected<SpanContext> single = ErrorCode::missing_header;
  if (const auto value = carrier.get(b3_single_header)) {
    single = parse_b3_single(*value);
    if (single) return context.with_span_context(std::move(*single));
  }
  auto multi = parse_b3_multi(carrier);
  if (multi) return context.with_span_context(std::move(*multi));
  // Report the single header's reason when it was present.
  return single.error().code != ErrorCode::missing_header ? single.error() : multi.error();
}

void B3Propagator::do_inject(const Context& context, CarrierWriter& carrier) const {
  const SpanContext& span_context = context.span_context();
  if (!span_context.is_valid()) return;
  char trace_id[32];
  char span_id[16];
  span_context.trace_id.to_hex(trace_id);
  span_context.span_id.to_hex(span_id);
  const char sampled = span_context.flags.sampled() ? '1' : '0';
  if (encoding_ == Encoding::single_header) {
    char value[32 + 1 + 16 + 2];
    std::copy(trace_id, trace_id + 32, value);
    value[32] = '-';
    std::copy(span_id, span_id + 16, value + 33);
    value[49] = '-';
    value[50] = sampled;
    carrier.set(b3_single_header, std::string_view(value, sizeof(value)));
    return;
  }
  carrier.set(b3_trace_id_header, std::string_view(trace_id, 32));
  carrier.set(b3_span_id_header, std::string_view(span_id, 16));
  carrier.set(b3_sampled_header, std::string_view(&sampled, 1));
}

}  // namespace tracemesh
