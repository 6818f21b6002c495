// Fuzz TraceState::parse: never crashes; a parsed state is within its limits
// and its normalized header parses back to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracemesh/trace_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = tracemesh::TraceState::parse(input);
  if (!parsed) return 0;
  if (parsed->size() > tracemesh::TraceState::max_members) std::abort();
  auto again = tracemesh::TraceState::parse(parsed->header());
  if (!again || !(*again == *parsed)) std::abort();
  if (parsed->truncated_header().size() > tracemesh::TraceState::default_propagated_size) {
    std::abort();
  }
  return 0;
}
