// A JSON document written as it is built, for reports with tens of
// thousands of entries and for the collector's API answers: no document
// tree in between. Objects and arrays nest; keys come out in the order
// written; two-space indentation (or none: compact), an empty object or
// array as `{}` / `[]`. Strings are escaped as the model's
// JSON text escapes them (invalid UTF-8 bytes become U+FFFD, one each).
// The caller nests correctly: a key only in an object, each value in an
// object after its key, every container closed before take() (debug
// builds assert it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::report {

class JsonWriter {
 public:
  enum class Layout {
    indented,  // two spaces per level, a line per member; take() ends with a line break
    compact,   // no white space at all (HTTP answers)
  };
  explicit JsonWriter(Layout layout = Layout::indented) : layout_(layout) {}

  // Open and close an object or an array (as a value: after a key in an object).
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value; only inside an object.
  JsonWriter& key(std::string_view name);

  // A value: in an array, or after a key.
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  // The shortest form that reads back as `number`, with ".0" when it is
  // whole (80.0; 1e+300); null when it is not finite.
  JsonWriter& value(double number);
  JsonWriter& null();
  // A string, or null when it is empty.
  JsonWriter& text_or_null(std::string_view text);
  // A value already written as JSON text (one complete value, not checked),
  // such as a span the model wrote once for every answer that holds it.
  JsonWriter& raw(std::string_view json);

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  // The document (indented: ending in a line break); the writer is empty afterwards.
  std::string take();

 private:
  void separate();
  void before_value();
  void open(char bracket);
  void close(char bracket);
  void indent();

  struct Level {
    bool object = false;
    bool empty = true;
  };
  Layout layout_;
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace tracemesh::report
