#include "report/junit.h"

#include <algorithm>
#include <cstdint>

#include "sdk/utf8.h"

namespace tracemesh::report {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the UTF-8 sequence at `at` that XML can hold, or 0 (U+FFFE and
// U+FFFF are well-formed UTF-8 but not XML characters).
std::size_t xml_utf8_length(std::string_view text, std::size_t at) {
  const std::size_t length = detail::utf8_sequence_size(text.substr(at));
  if (length == 3 && text.substr(at, 2) == "\xEF\xBF" &&
      (static_cast<unsigned char>(text[at + 2]) & 0xFE) == 0xBE) {
    return 0;
  }
  return length;
}

std::size_t count_failures(const TestSuite& suite) {
  return static_cast<std::size_t>(std::count_if(suite.cases.begin(), suite.cases.end(),
                                                [](const TestCase& c) { return c.failure; }));
}

}  // namespace

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = xml_utf8_length(text, i);
      if (length == 0) {
        out += replacement;
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += attribute ? "&#13;" : "\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += replacement;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

std::string junit_xml(std::string_view name, const std::vector<TestSuite>& suites) {
  std::size_t tests = 0;
  std::size_t failures = 0;
  for (const TestSuite& suite : suites) {
    tests += suite.cases.size();
    failures += count_failures(suite);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + xml_escape(name, true) + "\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\">\n";
  for (const TestSuite& suite : suites) {
    out += "  <testsuite name=\"" + xml_escape(suite.name, true) + "\" tests=\"" +
           std::to_string(suite.cases.size()) + "\" failures=\"" +
           std::to_string(count_failures(suite)) + "\" errors=\"0\" skipped=\"0\">\n";
    for (const TestCase& test : suite.cases) {
      out += "    <testcase classname=\"" + xml_escape(test.classname, true) + "\" name=\"" +
             xml_escape(test.name, true) + "\"";
      if (!test.failure && test.details.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (test.failure) {
        out += "      <failure message=\"" + xml_escape(*test.failure, true) + "\">" +
               xml_escape(test.details) + "</failure>\n";
      } else {
        out += "      <system-out>" + xml_escape(test.details) + "</system-out>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace tracemesh::report
