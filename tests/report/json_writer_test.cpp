#include "report/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

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

// One string as the writer puts it in an array: `"text"` without the brackets.
std::string written(const std::string& text) {
  JsonWriter out;
  out.begin_array().value(text).end_array();
  const std::string document = out.take();
  return document.substr(4, document.size() - 7);  // "[\n  " ... "\n]\n"
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(written(std::string("a\"b\\c\n\t\r\b\f\x01\x1f\x7f\0", 14)),  // NUL included
            "\"a\\\"b\\\\c\\n\\t\\r\\u0008\\u000c\\u0001\\u001f\\u007f\\u0000\"");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesEachInvalidByte) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"a\xFFz", "a\xEF\xBF\xBDz"},                                              // never valid
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                                  // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                  // a surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // above U+10FFFF
      {"end\xE2\x82", "end\xEF\xBF\xBD\xEF\xBF\xBD"},  // cut short: one per byte
  };
  for (const auto& [input, expected] : cases) {
    const std::string out = written(input);
    EXPECT_EQ(out, "\"" + expected + "\"") << input;
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), expected);
  }
}

TEST(JsonWriter, WritesTheShortestNumberThatReadsBackAndNullForNonFiniteOnes) {
  JsonWriter out;
  out.begin_array()
      .value(80.0)
      .value(66.66666666666667)
      .value(0.1)
      .value(1e300)
      .value(1e5)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(-std::numeric_limits<double>::infinity())
      .value(std::int64_t{-42})
      .value(std::uint64_t{18446744073709551615U})
      .end_array();
  EXPECT_EQ(out.take(),
            "[\n  80.0,\n  66.66666666666667,\n  0.1,\n  1e+300,\n  1e+05,\n  null,\n  null,\n"
            "  -42,\n  18446744073709551615\n]\n");
}

TEST(JsonWriter, TakeLeavesAnEmptyWriter) {
  JsonWriter out;
  out.begin_array().value(1).end_array();
  EXPECT_EQ(out.take(), "[\n  1\n]\n");
  out.begin_object().end_object();
  EXPECT_EQ(out.take(), "{}\n");
}

TEST(JsonWriter, CompactLayoutHasNoWhiteSpaceAndRawValuesGoInAsWritten) {
  JsonWriter out(JsonWriter::Layout::compact);
  out.begin_object()
      .field("trace_id", "4bf9")
      .key("spans")
      .begin_array()
      .raw(R"({"span_id":"a1"})")
      .raw("[]")
      .end_array()
      .key("empty")
      .begin_object()
      .end_object()
      .field("ok", true)
      .field("p50_ms", 80.0)
      .key("children")
      .begin_array()
      .begin_object()
      .key("children")
      .begin_array()
      .end_array()
      .end_object()
      .end_array()
      .end_object();
  const std::string document = out.take();
  EXPECT_EQ(document, R"({"trace_id":"4bf9","spans":[{"span_id":"a1"},[]],"empty":{},"ok":true,)"
                      R"("p50_ms":80.0,"children":[{"children":[]}]})");
  EXPECT_EQ(nlohmann::json::parse(document)["spans"][0]["span_id"], "a1");
}

}  // namespace
}  // namespace tracemesh::report
