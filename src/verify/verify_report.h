// What `tracemesh verify` prints: each trace drawn as an indented tree with
// a mark on every span a failed check implicates, then each check's result;
// the same as JSON (schema tracemesh.verify/v1); and JUnit suites for CI.
#pragma once

#include <string>
#include <vector>

#include "report/junit.h"
#include "verify/verification.h"

namespace tracemesh::verify {

// Spans drawn per trace in the text report; the rest are counted.
inline constexpr std::size_t max_drawn_spans = 200;

// `missing` says what did not arrive or settle in time (empty when nothing).
std::string text_report(const Verification& verification, const std::string& missing);

std::string json_report(const Verification& verification, const std::string& missing);

std::vector<report::TestSuite> junit_suites(const Verification& verification,
                                            const std::string& missing);

}  // namespace tracemesh::verify
