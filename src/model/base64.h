// Base64 (RFC 4648, standard alphabet, padded): bytes fields in OTLP/JSON and
// gRPC's binary metadata (-bin headers).
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::model {

// Append the base64 of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

}  // namespace tracemesh::model
