// Parsing Python with tree-sitter (Debian's runtime, the grammar from npm)
// into PythonModule facts. parse_python is thread-safe: each file gets its
// own parser, and files up to 1.28 MiB are parsed in the calling thread's
// ParseArena (parse_arena.h), dropped whole once the facts are out.
#pragma once

#include <string_view>

#include "audit/python/module.h"
#include "tracemesh/expected.h"

namespace tracemesh::audit {

// Limits that keep one odd file from stalling or exhausting an audit.
inline constexpr std::size_t max_python_file_bytes = std::size_t{8} << 20;
inline constexpr std::size_t max_strings_per_function = 256;
inline constexpr std::size_t max_names_per_function = 1024;
inline constexpr std::size_t max_expression_text = 2048;  // source text kept per expression

// Parse `source` (the file at `path`, relative to the root) into facts. An
// Error (invalid_input) when the file is too large or not text; syntax
// errors are tolerated (tree-sitter recovers) and flagged on the module.
Expected<PythonModule> parse_python(std::string_view path, std::string_view source);

}  // namespace tracemesh::audit
