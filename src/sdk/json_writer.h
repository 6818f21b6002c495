// Minimal JSON output helpers for the JSON-lines exporter (internal).
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::detail {

// Append `text` as a JSON string literal (quoted, escaped). Bytes >= 0x80 pass
// through unchanged, so valid UTF-8 stays valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

// Append a finite double in shortest round-trip form, or a quoted "NaN"/"Infinity".
void append_json_number(std::string& out, double value);

}  // namespace tracemesh::detail
