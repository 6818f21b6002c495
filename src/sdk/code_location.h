// The caller's code location on a span (internal, for the integrations):
// OpenTelemetry's code.file.path, code.line.number and code.function.name,
// from a std::source_location the integration's public function took as a
// defaulted parameter. The collector and `tracemesh audit --against` read
// them to name the call site of an edge.
#pragma once

#include <cstdint>
#include <source_location>

#include "tracemesh/span.h"

namespace tracemesh::detail {

inline void set_code_location(Span& span, const std::source_location& where) {
  if (where.line() == 0) return;  // no location known
  span.set_attribute("code.file.path", where.file_name())
      .set_attribute("code.line.number", static_cast<std::int64_t>(where.line()));
  if (*where.function_name() != '\0')
    span.set_attribute("code.function.name", where.function_name());
}

}  // namespace tracemesh::detail
