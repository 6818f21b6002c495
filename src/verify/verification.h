// Running a spec over traces: which checks apply to which trace, the
// built-in checks on every trace, and the verdict.
//
// A check with its own `select` applies to the traces it selects. Otherwise
// it applies to the traces chosen on the command line; when none were chosen
// (every trace in the files, every trace in a time window), a check with a
// service path applies to the traces whose root is in a path's first
// service, and a check without one applies to every trace. A check that
// applies to no trace fails: an empty input must not pass.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/trace.h"
#include "verify/outcome.h"
#include "verify/spec.h"

namespace tracemesh::verify {

inline constexpr const char* builtin_check_name = "integrity";

struct ExpectationResult {
  std::string check;        // the check's name ("integrity" for built-ins)
  std::string expectation;  // as written, or the built-in's description
  Outcome outcome;
};

struct TraceResult {
  model::Trace trace;
  std::vector<ExpectationResult> results;
  bool passed() const noexcept;
};

struct Verification {
  std::vector<TraceResult> traces;
  std::vector<ExpectationResult> unapplied;  // checks that applied to no trace (failures)
  bool passed() const noexcept;
  std::size_t expectations() const noexcept;
  std::size_t failures() const noexcept;
};

// The first services of the check's paths; empty when it has none.
std::vector<std::string> path_starts(const Check& check);

// Whether `selector` selects `trace` (its root's service and name, its id,
// an attribute of any span: compared as text).
bool selects(const TraceSelector& selector, const model::Trace& trace);

// The traces of `traces` worth checking: those `chosen` selects (all when
// it is empty) and those a check's own `select` selects; in their order.
std::vector<model::Trace> selected_traces(std::vector<model::Trace> traces, const Spec& spec,
                                          const TraceSelector& chosen);

// Check `traces` against `spec`. `chosen` is the command line's selection
// (empty when every trace of the input is checked).
Verification verify_traces(const Spec& spec, std::vector<model::Trace> traces,
                           const TraceSelector& chosen, std::uint64_t skew_tolerance_nanos);

}  // namespace tracemesh::verify
