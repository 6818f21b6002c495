// A span's attributes as JSON values, for the checks that compare them
// (numbers as numbers, arrays element by element). The model keeps them as
// JSON text (model/span_record.h); verify reads them only where it looks.
#pragma once

#include <nlohmann/json.hpp>

#include "model/span_record.h"

namespace tracemesh::verify {

// The attributes object of `span`; an empty object when there is none (or
// the text is not a JSON object, which the decoders never write).
nlohmann::json span_attributes(const model::SpanRecord& span);

}  // namespace tracemesh::verify
