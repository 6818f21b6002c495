// What `tracemesh verify --logs` prints: for each trace id checked, the
// services that logged it in the order they first did, then each check's
// result; what became of the input's lines; the same as JSON (schema
// tracemesh.verify/v1, "source": "logs") and JUnit suites for CI.
#pragma once

#include <string>
#include <vector>

#include "ingest/json_log_lines.h"
#include "report/junit.h"
#include "verify/log_verification.h"

namespace tracemesh::verify {

// "2 files, 1234 lines: 1100 records (900 naming a trace id); skipped: 54
// not JSON, 3 without a time".
std::string log_counts_sentence(const ingest::LogLineCounts& counts, std::size_t files);

std::string text_report(const LogVerification& verification, const ingest::LogLineCounts& counts,
                        std::size_t files);

std::string json_report(const LogVerification& verification, const ingest::LogLineCounts& counts,
                        std::size_t files);

std::vector<report::TestSuite> junit_suites(const LogVerification& verification);

}  // namespace tracemesh::verify
