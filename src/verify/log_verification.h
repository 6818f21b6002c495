// Running a spec over log evidence instead of spans (`verify --logs`): each
// trace id the logs name is a trail (model/log_trail.h), and the spec's
// service paths are checked against it (log_path_check.h).
//
// The same rules choose which checks apply to which id as for traces
// (verification.h), with the first service to log an id as its root (any
// service whose first line is within the skew tolerance of the id's first). Only
// service paths can be judged from logs: span assertions, transports and
// selections by operation or attribute need spans, and are refused before
// anything is read (check_spec_for_logs). The built-in integrity checks
// need spans and do not run.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/log_record.h"
#include "model/log_trail.h"
#include "tracemesh/expected.h"
#include "verify/log_path_check.h"
#include "verify/spec.h"
#include "verify/verification.h"

namespace tracemesh::verify {

struct LogTrailResult {
  model::LogTrail trail;
  std::vector<ExpectationResult> results;
  bool passed() const noexcept;
};

struct LogVerification {
  std::vector<LogTrailResult> trails;
  std::vector<ExpectationResult> unapplied;  // checks that applied to no id (failures)
  bool passed() const noexcept;
  std::size_t expectations() const noexcept;
  std::size_t failures() const noexcept;
};

struct LogVerifyOptions {
  LogPathOptions path;
  // Only ids first logged at or after this time (--since); nullopt: all.
  std::optional<std::uint64_t> start_after_unix_nano;
};

// An Error (invalid_input) naming the first part of `spec` or `chosen` that
// logs cannot judge.
Expected<void> check_spec_for_logs(const Spec& spec, const TraceSelector& chosen);

// Check the ids in `records` against `spec`'s service paths. `chosen` is the
// command line's selection (trace_id and root_service are read).
LogVerification verify_logs(const Spec& spec, const std::vector<model::LogRecord>& records,
                            const TraceSelector& chosen, const LogVerifyOptions& options);

}  // namespace tracemesh::verify
