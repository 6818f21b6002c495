// The JUnit writer: counts, escaping of hostile text, and a document a real
// XML parser (Python's) accepts with the same text back.
#include "report/junit.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "child_process.h"
#include "collector_process.h"

namespace tracemesh::report {
namespace {

using tracemesh::testing::ChildProcess;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

TEST(XmlEscape, EscapesMarkupAndReplacesWhatXmlCannotHold) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  EXPECT_EQ(xml_escape(std::string("nul\0x", 5)), "nul\xEF\xBF\xBDx");
  EXPECT_EQ(xml_escape("bell\x07"), "bell\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");  // kept
  EXPECT_EQ(xml_escape("bad \xC3"), "bad \xEF\xBF\xBD");                          // truncated
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(JunitXml, CountsTestsAndFailuresPerSuite) {
  const std::string xml =
      junit_xml("run", {{"integrity",
                         {{"c", "single root", std::nullopt, ""},
                          {"c", "no orphans", std::string("1 orphan"), "details"}}},
                        {"paths", {{"c", "a -> b", std::nullopt, "held"}}}});
  EXPECT_NE(xml.find("<testsuites name=\"run\" tests=\"3\" failures=\"1\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"integrity\" tests=\"2\" failures=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"1 orphan\">details</failure>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"a -&gt; b\""), std::string::npos);
  EXPECT_NE(xml.find("<system-out>held</system-out>"), std::string::npos);
}

TEST(JunitXml, HostileTextSurvivesARealXmlParser) {
  const std::string hostile =
      "<img src=x onerror=alert(1)> ]]> \"quoted\" & 'single' \x01\x1f caf\xC3\xA9 \xFF "
      "two\tcolumns\nsecond line";
  const std::string xml = junit_xml("run", {{hostile, {{hostile, hostile, hostile, hostile}}}});
  TemporaryDirectory directory;
  const auto document = directory.path() / "report.xml";
  std::ofstream(document) << xml;
  const std::string script =
      "import sys, xml.etree.ElementTree as ET\n"
      "root = ET.parse(sys.argv[1]).getroot()\n"
      "case = root.find('testsuite/testcase')\n"
      "import json\n"
      "print(json.dumps([case.get('name'), case.find('failure').get('message'),\n"
      "                  case.find('failure').text]))\n";
  ChildProcess python({"/usr/bin/python3", "-c", script, document.string()},
                      (directory.path() / "out.txt").string());
  const auto status = python.wait_for_exit(std::chrono::seconds(30));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << read_file(directory.path() / "out.txt");
  const std::string expected =
      "<img src=x onerror=alert(1)> ]]> \"quoted\" & 'single' \xEF\xBF\xBD\xEF\xBF\xBD "
      "caf\xC3\xA9 \xEF\xBF\xBD two\tcolumns\nsecond line";
  const auto read_back =
      nlohmann::json::parse(read_file(directory.path() / "out.txt"), nullptr, false);
  ASSERT_TRUE(read_back.is_array()) << read_file(directory.path() / "out.txt");
  EXPECT_EQ(read_back, nlohmann::json::array({expected, expected, expected}));
}

}  // namespace
}  // namespace tracemesh::report
