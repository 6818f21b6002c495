// Appending JSON text by hand, for the places that build JSON on the hot
// path (decoding spans into SpanRecord, writing the query API's span JSON)
// where a DOM per value would cost more than the work itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tracemesh::model {

// Return the length of the well-formed UTF-8 sequence at the start of
// `text` (2 to 4 bytes), or 0 when there is none (ASCII included).
std::size_t utf8_sequence_length(std::string_view text);

// Append `text` as a JSON string (quoted, escaped). Bytes that are not valid
// UTF-8 are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

// Append a JSON number for `value`; NaN and infinities become the strings
// "NaN", "Infinity", "-Infinity" (as the proto3 JSON mapping writes them).
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);

// Append `"name":` (a name needing no escapes: the tools' own field names).
inline void append_json_key(std::string& out, std::string_view name) {
  out += '"';
  out += name;
  out += "\":";
}

// Append `"name":"value"` (value escaped) and `"name":number`.
inline void append_json_field(std::string& out, std::string_view name, std::string_view value) {
  append_json_key(out, name);
  append_json_string(out, value);
}
template <typename Number>
void append_json_number_field(std::string& out, std::string_view name, Number value) {
  append_json_key(out, name);
  append_json_number(out, value);
}

// Append a JSON array, `write(item)` appending each element.
template <typename Items, typename Write>
void append_json_array(std::string& out, const Items& items, Write write) {
  out += '[';
  bool comma = false;
  for (const auto& item : items) {
    if (comma) out += ',';
    comma = true;
    write(item);
  }
  out += ']';
}

}  // namespace tracemesh::model
