// Fuzz parse_b3_multi: the input is split on '\n' into the X-B3-* header values.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "split_headers.h"
#include "tracemesh/b3_propagator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::array<std::string_view, 5> names = {
      tracemesh::b3_trace_id_header, tracemesh::b3_span_id_header,
      tracemesh::b3_parent_span_id_header, tracemesh::b3_sampled_header,
      tracemesh::b3_flags_header};
  const auto headers = split_headers(input, names);
  tracemesh::SequenceReader reader(headers);
  auto parsed = tracemesh::parse_b3_multi(reader);
  if (parsed && !parsed->is_valid()) std::abort();
  return 0;
}
