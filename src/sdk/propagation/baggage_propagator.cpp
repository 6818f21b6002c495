#include "tracemesh/baggage_propagator.h"

#include <array>
#include <string>

namespace tracemesh {
namespace {
constexpr std::size_t max_baggage_headers = 64;
}

Expected<Context> BaggagePropagator::do_extract(const CarrierReader& carrier,
                                                const Context& context) const {
  std::array<std::string_view, max_baggage_headers> values;
  const std::size_t count = carrier.get_all(baggage_header, values);
  if (count == 0) return ErrorCode::missing_header;
  std::string joined;
  for (std::size_t i = 0; i < std::min(count, values.size()); ++i) {
    if (i > 0) joined += ',';
    joined += values[i];
  }
  auto parsed = Baggage::parse_lenient(joined);
  if (parsed.baggage.empty()) {
    return parsed.dropped > 0 ? Expected<Context>(ErrorCode::bad_character)
                              : Expected<Context>(ErrorCode::missing_header);
  }
  return context.with_baggage(std::move(parsed.baggage));
}

void BaggagePropagator::do_inject(const Context& context, CarrierWriter& carrier) const {
  if (context.baggage().empty()) return;
  carrier.set(baggage_header, context.baggage().to_header());
}

}  // namespace tracemesh
