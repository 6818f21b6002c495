// The OpenTelemetry semantic-convention renames that spans in the wild still
// carry both ways (Python's instrumentations sent http.status_code for
// years): an assertion or selector naming one name reads the other when the
// span has only that one. Current names on the left, older on the right.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace tracemesh::verify {

// Each pair: {current name, older name}.
std::span<const std::pair<std::string_view, std::string_view>> attribute_aliases() noexcept;

// The names `key` also goes by (none for a name with no alias).
std::span<const std::string_view> aliases_of(std::string_view key) noexcept;

}  // namespace tracemesh::verify
