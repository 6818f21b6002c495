// The audit's reports: JSON (schema tracemesh.audit/v1), Markdown laid out
// like a hand audit, SARIF 2.1.0 for code-scanning UIs, and JUnit XML for
// the --fail-under thresholds. Paths are relative to the audited root, lines
// 1-based.
#pragma once

#include <string>
#include <vector>

#include "audit/audit.h"
#include "report/junit.h"

namespace tracemesh::audit {

std::string audit_json(const AuditResult& result);
std::string audit_markdown(const AuditResult& result);
std::string audit_sarif(const AuditResult& result);
// JUnit XML with one test case per --fail-under threshold (suite "thresholds"),
// then `more` (the propagation map's edges_proven).
std::string audit_junit(const AuditResult& result, std::vector<report::TestCase> more = {});

// "4/6 (66.7%)"
std::string share_text(const Share& share);

}  // namespace tracemesh::audit
