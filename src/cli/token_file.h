// Bearer tokens kept in files (--ingest-token-file, --query-token-file,
// --token-file): never on the command line, where `ps` shows them.
#pragma once

#include <optional>
#include <string>

#include "tracemesh/expected.h"

namespace tracemesh::cli {

// The token in `path` (trailing newlines and spaces removed); nullopt when
// `path` is empty. An Error naming `flag` when the file is unreadable or empty.
Expected<std::optional<std::string>> read_token(const std::string& path, const char* flag);

}  // namespace tracemesh::cli
