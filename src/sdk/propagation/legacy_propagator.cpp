#include "tracemesh/legacy_propagator.h"

#include <algorithm>
#include <cstring>

#include "sdk/hex.h"
#include "sdk/list_members.h"
#include "sdk/propagation/sha256.h"

namespace tracemesh {
namespace {

bool is_visible_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

bool is_hex(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return detail::hex_value(c) >= 0; });
}

// 8-4-4-4-12 hex digits, either case.
bool is_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : detail::hex_value(text[i]) < 0) return false;
  }
  return true;
}

// Validate a legacy id string: 1..256 visible ASCII characters.
Expected<std::string_view> check_legacy_text(std::string_view value) noexcept {
  value = detail::trim_ows(value);
  if (value.empty()) return ErrorCode::bad_length;
  if (value.size() > max_legacy_id_size) return ErrorCode::too_long;
  if (!is_visible_ascii(value)) return ErrorCode::bad_character;
  return value;
}

}  // namespace

Expected<TraceId> parse_legacy_trace_id(std::string_view value) noexcept {
  auto text = check_legacy_text(value);
  if (!text) return text.error();
  TraceId id;
  if (text->size() == 32 && is_hex(*text)) {
    detail::decode_hex(*text, id.bytes.data());
    if (!id.is_valid()) return ErrorCode::zero_trace_id;
    return id;
  }
  if (is_uuid(*text)) {
    char digits[32];
    std::size_t n = 0;
    for (char c : *text) {
      if (c != '-') digits[n++] = c;
    }
    detail::decode_hex(std::string_view(digits, 32), id.bytes.data());
    if (!id.is_valid()) return ErrorCode::zero_trace_id;
    return id;
  }
  const auto digest = detail::sha256(*text);
  std::memcpy(id.bytes.data(), digest.data(), id.bytes.size());
  if (!id.is_valid()) id.bytes.back() = 1;  // a digest prefix of zeros: keep the id valid
  return id;
}

Expected<SpanId> parse_legacy_span_id(std::string_view value) noexcept {
  auto text = check_legacy_text(value);
  if (!text) return text.error();
  SpanId id;
  if (text->size() == 16 && is_hex(*text)) {
    detail::decode_hex(*text, id.bytes.data());
    if (!id.is_valid()) return ErrorCode::zero_span_id;
    return id;
  }
  const auto digest = detail::sha256(*text);
  std::memcpy(id.bytes.data(), digest.data(), id.bytes.size());
  if (!id.is_valid()) id.bytes.back() = 1;
  return id;
}

Expected<Context> LegacyPropagator::do_extract(const CarrierReader& carrier,
                                               const Context& context) const {
  const auto value = carrier.get(names_.trace_header);
  if (!value) return ErrorCode::missing_header;
  auto trace_id = parse_legacy_trace_id(*value);
  if (!trace_id) return trace_id.error();

  SpanContext span_context;
  span_context.trace_id = *trace_id;
  span_context.flags = TraceFlags(TraceFlags::sampled_bit);
  span_context.is_remote = true;
  const auto original = detail::trim_ows(*value);
  if (!(original.size() == 32 && detail::is_lower_hex(original))) {
    span_context.legacy_trace_id = std::make_shared<const std::string>(original);
  }
  if (!names_.parent_header.empty()) {
    if (const auto parent = carrier.get(names_.parent_header)) {
      // An unusable parent id still lets the trace continue, as a local root.
      if (auto span_id = parse_legacy_span_id(*parent)) span_context.span_id = *span_id;
    }
  }
  return context.with_span_context(std::move(span_context));
}

void LegacyPropagator::do_inject(const Context& context, CarrierWriter& carrier) const {
  const SpanContext& span_context = context.span_context();
  if (!span_context.has_trace()) return;
  if (span_context.legacy_trace_id) {
    carrier.set(names_.trace_header, *span_context.legacy_trace_id);
  } else {
    char hex[32];
    span_context.trace_id.to_hex(hex);
    carrier.set(names_.trace_header, std::string_view(hex, 32));
  }
  if (!names_.parent_header.empty() && span_context.span_id.is_valid()) {
    char hex[16];
    span_context.span_id.to_hex(hex);
    carrier.set(names_.parent_header, std::string_view(hex, 16));
  }
}

}  // namespace tracemesh
