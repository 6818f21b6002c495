#include "verify/verification.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "model/ascii.h"
#include "verify/assertion_check.h"
#include "verify/attribute_aliases.h"
#include "verify/path_check.h"
#include "verify/span_attributes.h"

namespace tracemesh::verify {
namespace {

std::string attribute_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool applies(const Check& check, const model::Trace& trace, const TraceSelector& chosen) {
  if (!check.select.empty()) return selects(check.select, trace);
  if (!chosen.empty()) return selects(chosen, trace);
  const std::vector<std::string> starts = path_starts(check);
  if (starts.empty()) return true;
  const model::SpanRecord* root = trace.root();
  return root != nullptr && std::find(starts.begin(), starts.end(), root->service) != starts.end();
}

std::string unapplied_reason(const Check& check, const TraceSelector& chosen) {
  if (!check.select.empty() || !chosen.empty()) return "no trace matches the check's selection";
  std::string starts;
  for (const std::string& start : path_starts(check)) {
    starts += (starts.empty() ? "" : " or ") + start;
  }
  return "no trace has its root in " + starts;
}

Outcome run_expectation(const Expectation& expectation, const model::Trace& trace) {
  if (const auto* path = std::get_if<ServicePath>(&expectation.body)) {
    return check_path(*path, trace);
  }
  return check_assertion(std::get<Assertion>(expectation.body), trace);
}

}  // namespace

std::vector<std::string> path_starts(const Check& check) {
  std::vector<std::string> starts;
  for (const Expectation& expectation : check.expectations) {
    if (const auto* path = std::get_if<ServicePath>(&expectation.body)) {
      starts.push_back(path->services.front());
    }
  }
  return starts;
}

bool TraceResult::passed() const noexcept {
  return std::all_of(results.begin(), results.end(),
                     [](const ExpectationResult& result) { return result.outcome.passed; });
}

bool Verification::passed() const noexcept {
  return failures() == 0;
}

std::size_t Verification::expectations() const noexcept {
  std::size_t count = unapplied.size();
  for (const TraceResult& trace : traces) count += trace.results.size();
  return count;
}

std::size_t Verification::failures() const noexcept {
  std::size_t count = unapplied.size();
  for (const TraceResult& trace : traces) {
    count += static_cast<std::size_t>(
        std::count_if(trace.results.begin(), trace.results.end(),
                      [](const ExpectationResult& result) { return !result.outcome.passed; }));
  }
  return count;
}

bool selects(const TraceSelector& selector, const model::Trace& trace) {
  if (!selector.trace_id.empty() &&
      !model::ascii_iequals(selector.trace_id, trace.trace_id.to_hex()))
    return false;
  if (!selector.root_service.empty() || !selector.root_operation.empty()) {
    const model::SpanRecord* root = trace.root();
    if (root == nullptr) return false;
    if (!selector.root_service.empty() && root->service != selector.root_service) return false;
    if (!selector.root_operation.empty() && root->name != selector.root_operation) return false;
  }
  if (selector.attributes.empty()) return true;
  // Each span's attributes read once, whatever the number of wanted ones.
  std::vector<nlohmann::json> attributes;
  attributes.reserve(trace.spans.size());
  for (const model::SpanRecord& span : trace.spans) attributes.push_back(span_attributes(span));
  for (const auto& wanted : selector.attributes) {
    const auto is_wanted = [&](const nlohmann::json& value) {
      return attribute_text(value) == wanted.second;
    };
    const bool found =
        std::any_of(attributes.begin(), attributes.end(), [&](const nlohmann::json& held) {
          auto attribute = held.find(wanted.first);
          for (const std::string_view alias : aliases_of(wanted.first)) {
            if (attribute == held.end()) attribute = held.find(alias);
          }
          if (attribute == held.end()) return false;
          // An array attribute (a string[] header) matches when one element does,
          // as the collector's search matches it.
          return attribute->is_array()
                     ? std::any_of(attribute->begin(), attribute->end(), is_wanted)
                     : is_wanted(*attribute);
        });
    if (!found) return false;
  }
  return true;
}

std::vector<model::Trace> selected_traces(std::vector<model::Trace> traces, const Spec& spec,
                                          const TraceSelector& chosen) {
  std::vector<model::Trace> kept;
  for (model::Trace& trace : traces) {
    bool keep = chosen.empty() || selects(chosen, trace);
    for (const Check& check : spec.checks) {
      keep = keep || (!check.select.empty() && selects(check.select, trace));
    }
    if (keep) kept.push_back(std::move(trace));
  }
  return kept;
}

Verification verify_traces(const Spec& spec, std::vector<model::Trace> traces,
                           const TraceSelector& chosen, std::uint64_t skew_tolerance_nanos) {
  Verification verification;
  std::vector<bool> applied(spec.checks.size(), false);
  for (model::Trace& trace : traces) {
    TraceResult result;
    for (const Builtin check : spec.builtins) {
      result.results.push_back(
          {builtin_check_name, describe(check), run_builtin(check, trace, skew_tolerance_nanos)});
    }
    for (std::size_t c = 0; c < spec.checks.size(); ++c) {
      const Check& check = spec.checks[c];
      if (!applies(check, trace, chosen)) continue;
      applied[c] = true;
      for (const Expectation& expectation : check.expectations) {
        result.results.push_back(
            {check.name, expectation.text, run_expectation(expectation, trace)});
      }
    }
    result.trace = std::move(trace);
    verification.traces.push_back(std::move(result));
  }
  for (std::size_t c = 0; c < spec.checks.size(); ++c) {
    if (applied[c]) continue;
    Outcome outcome;
    outcome.passed = false;
    outcome.message = unapplied_reason(spec.checks[c], chosen);
    verification.unapplied.push_back({spec.checks[c].name, "applies to a trace", outcome});
  }
  return verification;
}

}  // namespace tracemesh::verify
