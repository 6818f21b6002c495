#include "json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tracemesh::report {
namespace {

TEST(JsonWriter, WritesNestedObjectsAndArraysIndentedWithKeysInTheOrderWritten) {
  JsonWriter out;
  out.begin_object().field("schema", "x/v1").field("count", 3).field("ok", true);
  out.key("items").begin_array();
  out.begin_object().field("line", 7).key("file").text_or_null("").end_object();
  out.value("two");
  out.end_array();
  out.key("empty").begin_array().end_array();
  out.key("nothing").begin_object().end_object();
  out.end_object();
  EXPECT_EQ(out.take(),
            "{\n"
            "  \"schema\": \"x/v1\",\n"
            "  \"count\": 3,\n"
            "  \"ok\": true,\n"
            "  \"items\": [\n"
            "    {\n"
            "      \"line\": 7,\n"
            "      \"file\": null\n"
            "    },\n"
            "    \"two\"\n"
            "  ],\n"
            "  \"empty\": [],\n"
            "  \"nothing\": {}\n"
            "}\n");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\t\r\b\f\x01\x1f\x7f\0", 14));  // NUL included
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\\u0000\"");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesEveryInvalidByte) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"a\xFFz", "a\xEF\xBF\xBDz"},                                              // never valid
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                                  // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                  // a surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
      {"end\xE2\x82", "end\xEF\xBF\xBD\xEF\xBF\xBD"},                            // cut short
  };
  for (const auto& [input, expected] : cases) {
    std::string out;
    append_json_string(out, input);
    EXPECT_EQ(out, "\"" + expected + "\"") << input;
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), expected);
  }
}

TEST(JsonWriter, NumbersRoundTripAndNonFiniteOnesAreNull) {
  JsonWriter out;
  out.begin_array()
      .value(80.0)
      .value(66.66666666666667)
      .value(0.1)
      .value(1e300)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .value(std::int64_t{-42})
      .value(std::uint64_t{18446744073709551615U})
      .end_array();
  const nlohmann::json parsed = nlohmann::json::parse(out.take());
  EXPECT_EQ(parsed[0].dump(), "80.0");
  EXPECT_DOUBLE_EQ(parsed[1].get<double>(), 66.66666666666667);
  EXPECT_EQ(parsed[2].get<double>(), 0.1);
  EXPECT_EQ(parsed[3].get<double>(), 1e300);
  EXPECT_TRUE(parsed[4].is_null());
  EXPECT_TRUE(parsed[5].is_null());
  EXPECT_EQ(parsed[6].get<std::int64_t>(), -42);
  EXPECT_EQ(parsed[7].get<std::uint64_t>(), 18446744073709551615U);
}

TEST(JsonWriter, TakeLeavesAnEmptyWriter) {
  JsonWriter out;
  out.begin_array().value(1).end_array();
  EXPECT_EQ(out.take(), "[\n  1\n]\n");
  out.begin_object().end_object();
  EXPECT_EQ(out.take(), "{}\n");
}

}  // namespace
}  // namespace tracemesh::report
