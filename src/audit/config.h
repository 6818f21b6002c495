// The audit's config file, `.tracemesh.yaml` at the audited repository's
// root or given with --config:
//
//   headers: [X-Tenant-Trace]          # more trace header names (any case)
//   trusted_wrappers: [make_client, shared.http.traced_get]
//   services:                          # services discovery cannot see
//     - {name: public-api, root: api}
//   exclude: [legacy/, tools/]         # path prefixes never audited
//   fail_under: {cross_service_traced: 90}   # thresholds; --fail-under wins
//
// Unknown keys are errors (a typo must not silently disable a rule).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "audit/rules/services.h"
#include "tracemesh/expected.h"

namespace tracemesh::audit {

struct AuditConfig {
  std::vector<std::string> headers;
  std::vector<std::string> trusted_wrappers;
  std::vector<ConfiguredService> services;
  std::vector<std::string> exclude;
  std::map<std::string, double> fail_under;  // metric key → minimum percentage
};

// Parse config text (named `source` in errors, which point at FILE:LINE:COLUMN).
Expected<AuditConfig> parse_audit_config(std::string_view text, std::string_view source);

// Read and parse the file at `path`.
Expected<AuditConfig> load_audit_config(const std::filesystem::path& path);

// The metrics --fail-under and fail_under take, as percentages of their whole.
inline constexpr std::string_view threshold_keys[] = {
    "services_with_tracing", "outbound_traced", "cross_service_traced", "routes_integration_tested",
    "route_modules_with_integration_tests"};

// Parse "KEY=PCT,KEY=PCT" (PCT in 0..100, an optional '%').
Expected<std::map<std::string, double>> parse_thresholds(std::string_view text);

}  // namespace tracemesh::audit
