#include "verify/result_report.h"

namespace tracemesh::verify {

std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += "\\u00";
      out += hex[next >> 4];
      out += hex[next & 15];
      ++i;
    } else if (byte >= 0x20 && byte != 0x7f) {
      out += text[i];
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte == '\r') {
      out += "\\r";
    } else {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    }
  }
  return out;
}

void append_result_lines(const std::vector<ExpectationResult>& results, std::string& out) {
  std::string current;
  for (const ExpectationResult& item : results) {
    if (item.check != current) {
      current = item.check;
      out += "  " + printable(current) + "\n";
    }
    out += "    " + std::string(item.outcome.passed ? pass_mark : fail_mark) + " " +
           printable(item.expectation);
    if (!item.outcome.passed) out += "\n        " + printable(item.outcome.message);
    out += '\n';
  }
}

void write_result(report::JsonWriter& json, const ExpectationResult& item) {
  json.begin_object()
      .field("check", item.check)
      .field("expectation", item.expectation)
      .field("passed", item.outcome.passed)
      .field("message", item.outcome.message)
      .key("spans")
      .begin_array();
  for (const std::string& span : item.outcome.spans) json.value(span);
  json.end_array().end_object();
}

void append_unapplied(const std::vector<ExpectationResult>& unapplied, std::string_view subject,
                      std::string& out) {
  if (unapplied.empty()) return;
  out += "checks that applied to no " + std::string(subject) + "\n";
  for (const ExpectationResult& item : unapplied) {
    out += "    " + std::string(fail_mark) + " " + printable(item.check) + ": " +
           printable(item.outcome.message) + "\n";
  }
  out += '\n';
}

std::string summary_line(const Tally& tally, std::string_view subjects,
                         const std::string& missing) {
  const std::string expectations = std::to_string(tally.expectations);
  const std::string failures = std::to_string(tally.failures);
  if (!missing.empty()) {
    std::string out = "verify: INCOMPLETE, " + missing;
    if (tally.failures > 0) {
      out += " (and " + failures + " of " + expectations +
             " expectations failed on the traces that did)";
    }
    return out + '\n';
  }
  if (tally.failures == 0) {
    return "verify: PASS, " + expectations + " expectations held in " +
           std::to_string(tally.subjects) + " " + std::string(subjects) + "\n";
  }
  return "verify: FAIL, " + failures + " of " + expectations + " expectations failed (" +
         std::to_string(tally.failed_subjects) + " of " + std::to_string(tally.subjects) + " " +
         std::string(subjects) + " failing)\n";
}

report::TestSuite& suite_named(std::vector<report::TestSuite>& suites, const std::string& name) {
  for (auto& suite : suites) {
    if (suite.name == name) return suite;
  }
  return suites.emplace_back(report::TestSuite{name, {}});
}

void add_unapplied_cases(const std::vector<ExpectationResult>& unapplied,
                         std::vector<report::TestSuite>& suites) {
  for (const ExpectationResult& item : unapplied) {
    suite_named(suites, item.check)
        .cases.push_back(
            {"tracemesh.verify." + item.check, item.expectation, item.outcome.message, {}});
  }
}

}  // namespace tracemesh::verify
