#include "verify/log_verification.h"

#include <algorithm>

#include "model/ascii.h"

namespace tracemesh::verify {
namespace {

// Whether `service` logged the id first: its first line is within the skew
// tolerance of the trail's first (clocks apart, or lines of the same instant
// read in another order, must not take the root from it).
bool begins_at(const model::LogTrail& trail, const std::string& service, std::uint64_t tolerance) {
  const model::ServiceSighting* sighting = trail.sighting(service);
  return sighting != nullptr && sighting->first_unix_nano <= trail.first_unix_nano() + tolerance;
}

bool selects_trail(const TraceSelector& selector, const model::LogTrail& trail,
                   std::uint64_t tolerance) {
  if (!selector.trace_id.empty() &&
      !model::ascii_iequals(selector.trace_id, trail.trace_id.to_hex())) {
    return false;
  }
  return selector.root_service.empty() || begins_at(trail, selector.root_service, tolerance);
}

bool applies(const Check& check, const model::LogTrail& trail, const TraceSelector& chosen,
             std::uint64_t tolerance) {
  if (!check.select.empty()) return selects_trail(check.select, trail, tolerance);
  if (!chosen.empty()) return selects_trail(chosen, trail, tolerance);
  const std::vector<std::string> starts = path_starts(check);
  return std::any_of(starts.begin(), starts.end(),
                     [&](const std::string& start) { return begins_at(trail, start, tolerance); });
}

Expected<void> check_selector(const TraceSelector& selector, const std::string& where) {
  if (!selector.root_operation.empty()) {
    return Error{ErrorCode::invalid_input,
                 where +
                     "selects by root operation: logs have no operations (select by "
                     "trace id or root service)"};
  }
  if (!selector.attributes.empty()) {
    return Error{ErrorCode::invalid_input,
                 where +
                     "selects by attribute: logs have no span attributes (select by "
                     "trace id or root service)"};
  }
  return {};
}

std::string unapplied_to_logs(const Check& check, const TraceSelector& chosen, bool since) {
  const std::string window = since ? " (first logged within --since)" : "";
  if (!chosen.trace_id.empty() && check.select.empty()) {
    return "no log line names trace " + chosen.trace_id + window;
  }
  if (!check.select.empty() || !chosen.empty()) {
    return "no id in the logs matches the selection" + window;
  }
  std::string starts;
  for (const std::string& start : path_starts(check)) {
    starts += (starts.empty() ? "" : " or ") + start;
  }
  return "no id in the logs was first logged by " + starts + window;
}

template <typename Results>
std::size_t count_failed(const Results& results) {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(),
                    [](const ExpectationResult& result) { return !result.outcome.passed; }));
}

}  // namespace

bool LogTrailResult::passed() const noexcept {
  return count_failed(results) == 0;
}

bool LogVerification::passed() const noexcept {
  return failures() == 0;
}

std::size_t LogVerification::expectations() const noexcept {
  std::size_t count = unapplied.size();
  for (const LogTrailResult& trail : trails) count += trail.results.size();
  return count;
}

std::size_t LogVerification::failures() const noexcept {
  std::size_t count = unapplied.size();
  for (const LogTrailResult& trail : trails) count += count_failed(trail.results);
  return count;
}

Expected<void> check_spec_for_logs(const Spec& spec, const TraceSelector& chosen) {
  if (auto checked = check_selector(chosen, "the command line "); !checked) return checked;
  bool any_path = false;
  for (const Check& check : spec.checks) {
    if (auto checked = check_selector(check.select, "check '" + check.name + "' "); !checked) {
      return checked;
    }
    for (const Expectation& expectation : check.expectations) {
      const auto* path = std::get_if<ServicePath>(&expectation.body);
      if (path == nullptr) {
        return Error{ErrorCode::invalid_input,
                     "'" + expectation.text +
                         "': logs can only check service paths (a -> b -> c); span "
                         "assertions need spans"};
      }
      for (const ServicePath::Hop& hop : path->hops) {
        if (!hop.transport.empty()) {
          return Error{ErrorCode::invalid_input,
                       "'" + expectation.text + "': logs cannot tell how the id travelled; drop (" +
                           hop.transport + ")"};
        }
      }
      any_path = true;
    }
  }
  if (!any_path) {
    return Error{ErrorCode::invalid_input,
                 "nothing to check in the logs: give a service path (--expect 'a -> b -> c'); "
                 "the built-in integrity checks need spans"};
  }
  return {};
}

LogVerification verify_logs(const Spec& spec, const std::vector<model::LogRecord>& records,
                            const TraceSelector& chosen, const LogVerifyOptions& options) {
  const ServiceActivity activity(records);
  LogVerification verification;
  std::vector<bool> applied(spec.checks.size(), false);
  for (model::LogTrail& trail : model::log_trails(records)) {
    if (options.start_after_unix_nano && trail.first_unix_nano() < *options.start_after_unix_nano) {
      continue;
    }
    LogTrailResult result;
    for (std::size_t c = 0; c < spec.checks.size(); ++c) {
      const Check& check = spec.checks[c];
      if (!applies(check, trail, chosen, options.path.skew_tolerance_nanos)) continue;
      applied[c] = true;
      for (const Expectation& expectation : check.expectations) {
        const auto& path = std::get<ServicePath>(expectation.body);
        result.results.push_back(
            {check.name, expectation.text, check_log_path(path, trail, activity, options.path)});
      }
    }
    if (result.results.empty()) continue;
    result.trail = std::move(trail);
    verification.trails.push_back(std::move(result));
  }
  for (std::size_t c = 0; c < spec.checks.size(); ++c) {
    if (applied[c]) continue;
    Outcome outcome;
    outcome.passed = false;
    outcome.message =
        unapplied_to_logs(spec.checks[c], chosen, options.start_after_unix_nano.has_value());
    verification.unapplied.push_back(
        {spec.checks[c].name, "applies to an id in the logs", outcome});
  }
  return verification;
}

}  // namespace tracemesh::verify
