#include "tracemesh/propagator.h"

namespace tracemesh {

Expected<Context> Propagator::extract(const CarrierReader& carrier,
                                      const Context& context) const noexcept {
  try {
    return do_extract(carrier, context);
  } catch (...) {
    return ErrorCode::carrier_failed;
  }
}

void Propagator::inject(const Context& context, CarrierWriter& carrier) const noexcept {
  try {
    do_inject(context, carrier);
  } catch (...) {  // NOLINT(bugprone-empty-catch): documented: the request goes out without them
  }
}

}  // namespace tracemesh
