// The audit's reports: JSON (schema tracemesh.audit/v1), Markdown laid out
// like a hand audit, SARIF 2.1.0 for code-scanning UIs, and JUnit XML for
// the --fail-under thresholds. Paths are relative to the audited root, lines
// 1-based.
#pragma once

#include <string>

#include "audit/audit.h"

namespace tracemesh::audit {

std::string audit_json(const AuditResult& result);
std::string audit_markdown(const AuditResult& result);
std::string audit_sarif(const AuditResult& result);
// JUnit XML with one test case per --fail-under threshold (suite "thresholds").
std::string audit_junit(const AuditResult& result);

// "4/6 (66.7%)"
std::string share_text(const Share& share);

}  // namespace tracemesh::audit
