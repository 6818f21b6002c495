// Base64 (RFC 4648): bytes fields in OTLP/JSON, gRPC's binary metadata (-bin
// headers), the ids in Tempo's trace JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracemesh::model {

// Append the base64 of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

// The bytes `text` encodes in base64, standard or URL-safe alphabet, padded or
// not; nullopt when it holds another character.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace tracemesh::model
