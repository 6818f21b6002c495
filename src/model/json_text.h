// Appending JSON text by hand, for the places that build JSON on the hot
// path (decoding spans into SpanRecord, writing the query API's span JSON)
// where a DOM per value would cost more than the work itself. Strings and
// numbers are written by the SDK's JSON layer (sdk/json_text.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sdk/json_text.h"

namespace tracemesh::model {

// The escaping and number text of the SDK's JSON layer (sdk/json_text.h),
// the same for the tools as for the exporters.
using detail::append_json_number;
using detail::append_json_string;

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
