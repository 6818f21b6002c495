#include "tracemesh/span_context.h"

namespace tracemesh {

std::string SpanContext::legacy_id() const {
  return legacy_trace_id ? *legacy_trace_id : trace_id.to_hex();
}

}  // namespace tracemesh
