// Fuzz the legacy id mapping: never crashes; a mapped id is non-zero and the
// mapping is deterministic; the original string survives inject.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/legacy_propagator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto trace_id = tracemesh::parse_legacy_trace_id(input);
  auto span_id = tracemesh::parse_legacy_span_id(input);
  if (span_id && !span_id->is_valid()) std::abort();
  if (!trace_id) return 0;
  if (!trace_id->is_valid()) std::abort();
  auto again = tracemesh::parse_legacy_trace_id(input);
  if (!again || *again != *trace_id) std::abort();

  std::vector<std::pair<std::string, std::string>> inbound{{"X-Trace-ID", std::string(input)}};
  tracemesh::SequenceReader reader(inbound);
  const tracemesh::LegacyPropagator propagator;
  auto context = propagator.extract(reader, tracemesh::Context());
  if (!context) std::abort();
  std::vector<std::pair<std::string, std::string>> outbound;
  tracemesh::SequenceWriter writer(outbound);
  propagator.inject(*context, writer);
  tracemesh::SequenceReader outbound_reader(outbound);
  auto downstream = propagator.extract(outbound_reader, tracemesh::Context());
  if (!downstream || downstream->span_context().trace_id != *trace_id) std::abort();
  return 0;
}
