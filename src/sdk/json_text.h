// JSON text, written by hand: the one layer for escaping strings, checking
// UTF-8 and writing numbers. The SDK's exporters use it (the SDK depends on
// nothing), and so do the tools, through model/json_text.h and the report
// JSON writer: one escaping everywhere a span's text is written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tracemesh::detail {

// Append `text` as a JSON string literal (quoted, escaped). `"`, `\`, \n, \r
// and \t get their short escapes; other control characters and DEL become
// \u00XX. Well-formed UTF-8 passes through; each byte that is not part of a
// well-formed sequence (utf8.h) becomes U+FFFD, so the output is always
// valid JSON.
void append_json_string(std::string& out, std::string_view text);

// Append a finite double in shortest round-trip form ("80", "0.1"), or the
// strings "NaN", "Infinity", "-Infinity" (as the proto3 JSON mapping writes them).
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);

}  // namespace tracemesh::detail
