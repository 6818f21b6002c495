// The caller's code location on a span (internal, for the integrations):
// OpenTelemetry's code.file.path, code.line.number and code.function.name,
// from the CodeLocation the integration's public function took as a
// defaulted parameter. The collector and `tracemesh audit --against` read
// them to name the call site of an edge.
#pragma once

#include <cstdint>

#include "tracemesh/code_location.h"
#include "tracemesh/span.h"

namespace tracemesh::detail {

inline void set_code_location(Span& span, CodeLocation where) {
  if (where.line == 0 || where.file == nullptr || *where.file == '\0') return;  // not known
  span.set_attribute("code.file.path", where.file)
      .set_attribute("code.line.number", static_cast<std::int64_t>(where.line));
  if (where.function != nullptr && *where.function != '\0')
    span.set_attribute("code.function.name", where.function);
}

}  // namespace tracemesh::detail
