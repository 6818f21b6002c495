// Fuzz parse_b3_single: never crashes; a parsed context is valid and survives inject+extract.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/b3_propagator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = tracemesh::parse_b3_single(input);
  if (!parsed) return 0;
  if (!parsed->is_valid()) std::abort();
  std::vector<std::pair<std::string, std::string>> headers;
  tracemesh::SequenceWriter writer(headers);
  const tracemesh::B3Propagator propagator;
  propagator.inject(tracemesh::Context(*parsed), writer);
  tracemesh::SequenceReader reader(headers);
  auto again = propagator.extract(reader, tracemesh::Context());
  if (!again || again->span_context().trace_id != parsed->trace_id) std::abort();
  return 0;
}
