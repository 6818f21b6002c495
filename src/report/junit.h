// JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub test
// reporters) read: <testsuites> of <testsuite> of <testcase>, a <failure>
// in each failed case. Shared by the tools (verify; audit thresholds).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::report {

struct TestCase {
  std::string classname;
  std::string name;
  std::optional<std::string> failure;  // the failure message; nullopt: passed
  std::string details;                 // text inside <failure> (or <system-out> when passed)
};

struct TestSuite {
  std::string name;
  std::vector<TestCase> cases;
};

// Return the XML document for `suites` under <testsuites name="...">.
std::string junit_xml(std::string_view name, const std::vector<TestSuite>& suites);

// Escape `text` for XML text (and, with `attribute`, for attribute values,
// where tabs and line breaks are written as character references so parsers
// keep them); characters XML 1.0 cannot hold (most control characters,
// malformed UTF-8 bytes) become U+FFFD.
std::string xml_escape(std::string_view text, bool attribute = false);

}  // namespace tracemesh::report
