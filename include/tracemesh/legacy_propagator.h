// Legacy single-id headers: X-Trace-ID, X-Request-ID, X-Langfuse-Trace-ID, ...
//
// Many fleets pass one trace id header, often holding a UUID or another
// non-hex string, sometimes with a parent span header beside it. This
// propagator maps such an id onto a W3C trace id deterministically, so every
// SDK that sees the same string computes the same trace id:
//   - 32 hex digits (either case): those 128 bits;
//   - a UUID (8-4-4-4-12 hex digits, either case): its 128 bits;
//   - anything else (1 to 256 visible ASCII characters): the first 16 bytes
//     of SHA-256 over the string's bytes.
// The original string is kept in SpanContext::legacy_trace_id and injected
// unchanged downstream. A parent header holding 16 hex digits becomes the
// parent span id; any other value is mapped to the first 8 bytes of its
// SHA-256. Without a parent header the extracted context has a trace id and
// no span id: spans continue the trace as local roots. Legacy headers carry
// no sampling decision: an extracted context is marked sampled.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tracemesh/propagator.h"
#include "tracemesh/span_context.h"

namespace tracemesh {

inline constexpr std::string_view default_legacy_trace_header = "X-Trace-ID";
inline constexpr std::size_t max_legacy_id_size = 256;

// Map a legacy trace id string to a trace id (see the file comment).
Expected<TraceId> parse_legacy_trace_id(std::string_view value) noexcept;
// Map a legacy parent span id string to a span id (see the file comment).
Expected<SpanId> parse_legacy_span_id(std::string_view value) noexcept;

struct LegacyHeaderNames {
  std::string trace_header = std::string(default_legacy_trace_header);
  std::string parent_header;  // empty: no parent span header is read or written
};

class LegacyPropagator final : public Propagator {
 public:
  explicit LegacyPropagator(LegacyHeaderNames names = {}) : names_(std::move(names)) {}

  std::string_view name() const noexcept override { return "xtraceid"; }
  const LegacyHeaderNames& header_names() const noexcept { return names_; }

 protected:
  Expected<Context> do_extract(const CarrierReader& carrier, const Context& context) const override;
  void do_inject(const Context& context, CarrierWriter& carrier) const override;

 private:
  LegacyHeaderNames names_;
};

}  // namespace tracemesh
