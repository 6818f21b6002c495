// Fuzz Baggage parsing: never crashes; limits hold; what is kept round-trips
// through to_header().
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracemesh/baggage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto strict = tracemesh::Baggage::parse(input);
  auto lenient = tracemesh::Baggage::parse_lenient(input);
  if (strict && !(*strict == lenient.baggage)) std::abort();
  const auto& baggage = lenient.baggage;
  if (baggage.size() > tracemesh::Baggage::max_members) std::abort();
  const auto header = baggage.to_header();
  if (header.size() > tracemesh::Baggage::max_header_size) std::abort();
  auto again = tracemesh::Baggage::parse(header);
  if (!again || !(*again == baggage)) std::abort();
  return 0;
}
