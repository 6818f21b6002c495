// What every verify report shares, whatever was checked (traces from spans,
// or trace ids in logs): the check results as lines, the checks that applied
// to nothing, the closing verdict, the results as JSON and JUnit cases.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "report/json_writer.h"
#include "report/junit.h"
#include "verify/verification.h"

namespace tracemesh::verify {

inline constexpr const char* pass_mark = "\xE2\x9C\x93";  // ✓
inline constexpr const char* fail_mark = "\xE2\x9C\x97";  // ✗

// `text` safe for a terminal: control characters (from span names, log
// lines, or a spec's text) shown as \n, \t, \r, \xNN or, for the C1 controls
// U+0080 to U+009F (CSI among them), \u00NN, so that they neither break the
// report's layout nor reach the terminal as escape sequences.
std::string printable(std::string_view text);

// Each result under its check's name, a mark, and why it failed.
void append_result_lines(const std::vector<ExpectationResult>& results, std::string& out);

// "checks that applied to no <subject>" and each of them; nothing when none.
void append_unapplied(const std::vector<ExpectationResult>& unapplied, std::string_view subject,
                      std::string& out);

struct Tally {
  std::size_t expectations = 0;
  std::size_t failures = 0;
  std::size_t subjects = 0;  // traces, or ids
  std::size_t failed_subjects = 0;
};

// "verify: PASS, 6 expectations held in 1 trace(s)\n", FAIL or INCOMPLETE
// (`missing` says what did not arrive; empty when nothing).
std::string summary_line(const Tally& tally, std::string_view subjects, const std::string& missing);

void write_result(report::JsonWriter& json, const ExpectationResult& item);

// The suite called `name` in `suites`, added when missing.
report::TestSuite& suite_named(std::vector<report::TestSuite>& suites, const std::string& name);

// A failing case per check that applied to nothing.
void add_unapplied_cases(const std::vector<ExpectationResult>& unapplied,
                         std::vector<report::TestSuite>& suites);

}  // namespace tracemesh::verify
