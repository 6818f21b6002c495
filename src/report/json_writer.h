// A JSON document written as it is built, for reports with tens of
// thousands of entries: no document tree in between. Objects and arrays
// nest; keys come out in the order written; two-space indentation, an
// empty object or array as `{}` / `[]`. Strings are escaped (quote,
// backslash, control characters) and bytes that are not valid UTF-8 are
// replaced by U+FFFD, so the output is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::report {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value; only inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(double number);  // shortest round-trip form; null when not finite
  JsonWriter& null();
  // A string, or null when it is empty.
  JsonWriter& text_or_null(std::string_view text);

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  // The document, ending in a line break; the writer is empty afterwards.
  std::string take();

 private:
  void before_value();
  void close(char bracket);
  void indent();

  struct Level {
    bool empty = true;
  };
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included (see JsonWriter).
void append_json_string(std::string& out, std::string_view text);

}  // namespace tracemesh::report
