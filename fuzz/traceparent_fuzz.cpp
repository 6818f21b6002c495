// Fuzz parse_traceparent: never crashes; a parsed context re-formats to a
// version-00 header that parses back to the same ids.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracemesh/trace_context_propagator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = tracemesh::parse_traceparent(input);
  if (!parsed) return 0;
  if (!parsed->is_valid()) std::abort();
  char formatted[55];
  tracemesh::format_traceparent(*parsed, formatted);
  auto again = tracemesh::parse_traceparent(std::string_view(formatted, sizeof(formatted)));
  if (!again || again->trace_id != parsed->trace_id || again->span_id != parsed->span_id) {
    std::abort();
  }
  return 0;
}
