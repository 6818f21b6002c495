// The one JSON text layer (sdk/json_text.h): what the exporters and the
// tools write for every string and number. Each row is decoded back with
// nlohmann::json, an independent parser, as well as compared as text.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "sdk/json_text.h"

namespace tracemesh::detail {
namespace {

std::string as_json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonText, EscapesWhatJsonNeedsAndControlCharactersAsUnicodeEscapes) {
  struct Row {
    std::string text;
    std::string json;
    std::string decoded;  // what a JSON parser reads back
  };
  const Row rows[] = {
      {"plain", "\"plain\"", "plain"},
      {"a\"b\\c", "\"a\\\"b\\\\c\"", "a\"b\\c"},
      {"\n\r\t", "\"\\n\\r\\t\"", "\n\r\t"},
      {"\b\f", "\"\\u0008\\u000c\"", "\b\f"},
      {std::string("\0\x01\x1f", 3), "\"\\u0000\\u0001\\u001f\"", std::string("\0\x01\x1f", 3)},
      {"\x7f", "\"\\u007f\"", "\x7f"},
      {"caf\xC3\xA9 \xF0\x9F\x9A\x80", "\"caf\xC3\xA9 \xF0\x9F\x9A\x80\"",
       "caf\xC3\xA9 \xF0\x9F\x9A\x80"},
      // Not UTF-8: a lone continuation byte, a truncated sequence, an overlong
      // form, a surrogate: each byte outside a well-formed sequence is U+FFFD.
      {"a\x80z", "\"a\xEF\xBF\xBDz\"", "a\xEF\xBF\xBDz"},
      {"\xE2\x82", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"",
       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.json);
    const std::string json = as_json_string(row.text);
    EXPECT_EQ(json, row.json);
    EXPECT_EQ(nlohmann::json::parse(json).get<std::string>(), row.decoded);
  }
}

TEST(JsonText, WritesNumbersInShortestRoundTripForm) {
  std::string out;
  append_json_number(out, 80.0);
  out += ',';
  append_json_number(out, 0.1);
  out += ',';
  append_json_number(out, std::numeric_limits<std::int64_t>::min());
  out += ',';
  append_json_number(out, std::numeric_limits<std::uint64_t>::max());
  out += ',';
  append_json_number(out, std::numeric_limits<double>::quiet_NaN());
  out += ',';
  append_json_number(out, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(out, "80,0.1,-9223372036854775808,18446744073709551615,\"NaN\",\"-Infinity\"");
  const auto parsed = nlohmann::json::parse("[" + out + "]");
  EXPECT_EQ(parsed[3].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace tracemesh::detail
