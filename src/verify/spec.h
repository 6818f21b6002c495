// What `tracemesh verify` checks: named checks of expectations, which traces
// they apply to, and which built-in checks run. Read from a YAML spec file
// (docs/verify.md) or assembled from command-line flags.
//
//   builtin: [single_root, no_orphans, no_broken_hops, no_clock_skew]  # default: all
//   skew_tolerance: 5ms
//   timeout: 30s
//   checks:
//     - name: an alert is one connected trace
//       select: {root_service: ui, root_operation: POST /api/alerts}
//       expect:
//         - ui -> auth
//         - span[service=auth kind=server] http.response.status_code = 200
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracemesh/expected.h"
#include "verify/builtin_checks.h"
#include "verify/expectation.h"

namespace tracemesh::verify {

// Which traces to check. Every field is optional; all that are set must hold.
struct TraceSelector {
  std::string trace_id;                                         // 32 hex digits
  std::string root_service;                                     // the root span's service
  std::string root_operation;                                   // the root span's name
  std::vector<std::pair<std::string, std::string>> attributes;  // some span has key = value

  bool empty() const noexcept {
    return trace_id.empty() && root_service.empty() && root_operation.empty() && attributes.empty();
  }
};

struct Check {
  std::string name;
  TraceSelector select;  // empty: the traces chosen on the command line
  std::vector<Expectation> expectations;
};

struct Spec {
  std::vector<Builtin> builtins{std::begin(all_builtins), std::end(all_builtins)};
  std::optional<std::uint64_t> skew_tolerance_nanos;
  std::optional<std::uint64_t> timeout_nanos;
  std::vector<Check> checks;
};

// Parse a YAML spec; `source` names it in errors ("FILE:LINE:COLUMN: what
// was expected"). An Error (invalid_input) for every malformed spec.
Expected<Spec> parse_spec(std::string_view yaml, std::string_view source);

// The trace id the SDKs give a legacy id header's value (a UUID, 32 hex
// digits, or any other string: see tracemesh/legacy_propagator.h), as hex;
// for a W3C traceparent, its trace id.
Expected<std::string> legacy_trace_id(std::string_view value);

// Parse a comma-separated list of built-in check names ("all", "none", or
// names as to_string(Builtin) writes them).
Expected<std::vector<Builtin>> parse_builtin_list(std::string_view list);

}  // namespace tracemesh::verify
