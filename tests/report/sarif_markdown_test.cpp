// The SARIF and Markdown writers: SARIF's required structure (version,
// driver, rules with indexes, results with %SRCROOT%-relative locations,
// regions only for real lines), and Markdown cells that cannot break a table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/markdown.h"
#include "report/sarif.h"

namespace tracemesh::report {
namespace {

using nlohmann::json;

TEST(Sarif, WritesOneRunWithRulesAndLocatedResults) {
  const std::string text = sarif_json(
      {"tool", "1.2.3", {}, "/src/my repo/"},
      {{"R1", "First", "the first rule", "error"}, {"R2", "Second", "the second", "note"}},
      {{"R2", "at a line", {{"src/a.py", 7}}},
       {"R1", "on a file \"quoted\"", {{"src/b.py", 0}}},
       {"R9", "unknown rule", {}}});
  const json log = json::parse(text);
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(log["runs"].size(), 1U);
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "tool");
  EXPECT_EQ(run["tool"]["driver"]["version"], "1.2.3");
  EXPECT_FALSE(run["tool"]["driver"].contains("informationUri"));
  EXPECT_EQ(run["tool"]["driver"]["rules"][1]["defaultConfiguration"]["level"], "note");
  const json& results = run["results"];
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[0]["ruleIndex"], 1);
  EXPECT_EQ(results[0]["level"], "note");
  const json& located = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(located["artifactLocation"]["uri"], "src/a.py");
  EXPECT_EQ(located["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(located["region"]["startLine"], 7);
  EXPECT_FALSE(results[1]["locations"][0]["physicalLocation"].contains("region"));
  EXPECT_EQ(results[1]["message"]["text"], "on a file \"quoted\"");
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///src/my%20repo/");
  EXPECT_FALSE(results[2].contains("ruleIndex"));
}

TEST(Sarif, PathsArePercentEncoded) {
  EXPECT_EQ(uri_path("a b/\xC3\xBC#1.py"), "a%20b/%C3%BC%231.py");
  EXPECT_EQ(uri_path("src/app-1/main_2.py"), "src/app-1/main_2.py");
}

TEST(Markdown, CellsCannotBreakTheTable) {
  EXPECT_EQ(markdown_cell("a|b\nc\td"), "a\\|b c d");
  EXPECT_EQ(markdown_table({"A", "B"}, {{"1", "x|y"}, {"2", ""}}),
            "| A | B |\n|---|---|\n| 1 | x\\|y |\n| 2 |  |\n");
}

}  // namespace
}  // namespace tracemesh::report
