// The bearer token check of both listeners and of OTLP/gRPC's metadata.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracemesh::collector {

// Return whether an Authorization value `given` presents `token` ("Bearer
// TOKEN"); true when no token is required. Compares in time independent of
// where the first difference is.
bool bearer_token_matches(std::string_view given, const std::optional<std::string>& token);

}  // namespace tracemesh::collector
