// A code location recorded at runtime (an absolute path on the machine that
// built the service: "/build/fleet/ui/main.cpp", or a relative one under
// -ffile-prefix-map) found in the audited repository.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tracemesh::map {

// The file under `root` that `recorded` names, relative to `root` with '/'
// separators: the longest trailing part of `recorded` that is a regular
// file under `root` (at least two components, unless `recorded` has only
// one) and has at least `line` lines. nullopt when none is.
std::optional<std::string> repository_file(const std::filesystem::path& root,
                                           std::string_view recorded, int line);

}  // namespace tracemesh::map
