#include "verify/builtin_checks.h"

#include <algorithm>

#include "model/duration.h"

namespace tracemesh::verify {
namespace {

std::string culprit_sentence(const model::BrokenHop& hop) {
  if (hop.culprit == model::Culprit::caller_did_not_inject) {
    return "likely culprit: " + hop.caller_service + " did not inject the context";
  }
  if (hop.culprit == model::Culprit::callee_did_not_extract) {
    return "likely culprit: " + hop.callee_service + " received a context and did not extract it";
  }
  return "culprit unknown (the callee does not report what context it received)";
}

}  // namespace

const char* to_string(Builtin check) noexcept {
  switch (check) {
    case Builtin::single_root:
      return "single_root";
    case Builtin::no_orphans:
      return "no_orphans";
    case Builtin::no_broken_hops:
      return "no_broken_hops";
    case Builtin::no_clock_skew:
      return "no_clock_skew";
  }
  return "?";
}

std::optional<Builtin> builtin_named(std::string_view name) noexcept {
  for (const Builtin check : all_builtins) {
    if (name == to_string(check)) return check;
  }
  return std::nullopt;
}

const char* describe(Builtin check) noexcept {
  switch (check) {
    case Builtin::single_root:
      return "single root";
    case Builtin::no_orphans:
      return "no orphans";
    case Builtin::no_broken_hops:
      return "no broken hops";
    case Builtin::no_clock_skew:
      return "no clock skew";
  }
  return "?";
}

std::string span_label(const model::Trace& trace, const SpanId& span_id) {
  const model::SpanRecord* span = trace.find(span_id);
  if (span == nullptr) return "span " + span_id.to_hex();
  return "'" + span->name + "' (span " + span->span_id.to_hex() + ") of " + span->service;
}

std::string broken_hop_sentence(const model::Trace& trace, const model::BrokenHop& hop) {
  const bool messaging = hop.protocol != "http";
  return span_label(trace, hop.caller_span_id) + " got no " + (messaging ? "CONSUMER" : "SERVER") +
         " span in this trace; " + hop.callee_service + " started trace " +
         hop.callee_trace_id.to_hex() + " at '" + hop.callee_span_name + "' (span " +
         hop.callee_span_id.to_hex() + ") instead (" + hop.protocol + "): " + culprit_sentence(hop);
}

Outcome run_builtin(Builtin check, const model::Trace& trace, std::uint64_t skew_tolerance_nanos) {
  Outcome outcome;
  std::vector<std::string> problems;
  switch (check) {
    case Builtin::single_root:
      if (trace.verdict.roots.size() == 1) {
        outcome.message = "one root: " + span_label(trace, trace.verdict.roots.front());
        return outcome;
      }
      if (trace.verdict.roots.empty()) {
        outcome.passed = false;
        outcome.message =
            "no root span: every span names a parent (the root was lost or never "
            "exported)";
        return outcome;
      }
      for (const SpanId& root : trace.verdict.roots) {
        problems.push_back(span_label(trace, root));
        outcome.spans.push_back(root.to_hex());
      }
      outcome.message = std::to_string(trace.verdict.roots.size()) + " roots: ";
      break;
    case Builtin::no_orphans:
      for (const model::Orphan& orphan : trace.verdict.orphans) {
        problems.push_back(span_label(trace, orphan.span_id) + " names parent " +
                           orphan.missing_parent_id.to_hex() + ", which never arrived");
        outcome.spans.push_back(orphan.span_id.to_hex());
      }
      outcome.message = std::to_string(trace.verdict.orphans.size()) + " orphan(s): ";
      break;
    case Builtin::no_broken_hops:
      for (const model::BrokenHop& hop : trace.verdict.broken_hops) {
        problems.push_back(broken_hop_sentence(trace, hop));
        outcome.spans.push_back(hop.caller_span_id.to_hex());
      }
      outcome.message = std::to_string(trace.verdict.broken_hops.size()) + " broken hop(s): ";
      break;
    case Builtin::no_clock_skew: {
      for (const model::ClockSkew& skew : trace.verdict.skew) {
        if (std::max(skew.starts_early_nanos, skew.ends_late_nanos) <= skew_tolerance_nanos) {
          continue;
        }
        std::string sentence = span_label(trace, skew.span_id);
        if (skew.starts_early_nanos > 0) {
          sentence += " starts " + model::format_duration(skew.starts_early_nanos) + " before";
        }
        if (skew.ends_late_nanos > 0) {
          sentence += std::string(skew.starts_early_nanos > 0 ? " and" : "") + " ends " +
                      model::format_duration(skew.ends_late_nanos) + " after";
        }
        sentence += " its parent " + span_label(trace, skew.parent_id);
        problems.push_back(std::move(sentence));
        outcome.spans.push_back(skew.span_id.to_hex());
      }
      outcome.message = std::to_string(problems.size()) + " span(s) skewed beyond " +
                        model::format_duration(skew_tolerance_nanos) + ": ";
      break;
    }
  }
  if (problems.empty()) {
    outcome.message = describe(check);
    return outcome;
  }
  outcome.passed = false;
  for (std::size_t i = 0; i < problems.size() && i < max_listed_spans; ++i) {
    outcome.message += (i > 0 ? "; " : "") + problems[i];
  }
  if (problems.size() > max_listed_spans) {
    outcome.message += "; and " + std::to_string(problems.size() - max_listed_spans) + " more";
  }
  return outcome;
}

}  // namespace tracemesh::verify
