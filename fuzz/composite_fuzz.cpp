// Fuzz the composite propagator over every format at once: the input is split
// on '\n' into header values for each header the formats read.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "split_headers.h"
#include "tracemesh/composite_propagator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto propagator =
      *tracemesh::make_propagator("tracecontext,baggage,b3,b3multi,xtraceid");
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::array<std::string_view, 8> names = {"traceparent", "tracestate",  "baggage",
                                                     "b3",          "X-Trace-ID",  "X-B3-TraceId",
                                                     "X-B3-SpanId", "X-B3-Sampled"};
  const auto headers = split_headers(input, names);
  tracemesh::SequenceReader reader(headers);
  const auto result = propagator->extract_with_report(reader, tracemesh::Context());
  if (result.format.empty() == !result.error.has_value()) std::abort();
  std::vector<std::pair<std::string, std::string>> outbound;
  tracemesh::SequenceWriter writer(outbound);
  propagator->inject(result.context, writer);
  return 0;
}
