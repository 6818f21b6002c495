// Minimal JSON output helpers for the JSON-lines exporter (internal).
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::detail {

// Append `text` as a JSON string literal (quoted, escaped). Well-formed UTF-8
// passes through; bytes that are not part of a well-formed sequence become U+FFFD.
void append_json_string(std::string& out, std::string_view text);

// Append a finite double in shortest round-trip form, or a quoted "NaN"/"Infinity".
void append_json_number(std::string& out, double value);

}  // namespace tracemesh::detail
