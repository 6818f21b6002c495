// Appending JSON text by hand, for the places that build JSON on the hot
// path (decoding spans into SpanRecord, writing the query API's span JSON)
// where a DOM per value would cost more than the work itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tracemesh::model {

// Append `text` as a JSON string (quoted, escaped). Bytes that are not valid
// UTF-8 are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

// Append a JSON number for `value`; NaN and infinities become the strings
// "NaN", "Infinity", "-Infinity" (as the proto3 JSON mapping writes them).
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);

}  // namespace tracemesh::model
