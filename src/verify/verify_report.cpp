#include "verify/verify_report.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "model/duration.h"

namespace tracemesh::verify {
namespace {

constexpr const char* pass_mark = "\xE2\x9C\x93";  // ✓
constexpr const char* fail_mark = "\xE2\x9C\x97";  // ✗
constexpr std::size_t max_indent = 32;

void draw_tree(const TraceResult& result, std::string& out) {
  const model::Trace& trace = result.trace;
  std::unordered_set<std::string_view> marked;
  for (const ExpectationResult& item : result.results) {
    if (item.outcome.passed) continue;
    for (const std::string& id : item.outcome.spans) marked.insert(id);
  }
  std::unordered_map<SpanId, std::size_t, model::IdHash> index_of;
  for (std::size_t i = 0; i < trace.spans.size(); ++i) index_of.emplace(trace.spans[i].span_id, i);
  std::vector<std::vector<std::size_t>> children(trace.spans.size());
  std::vector<std::size_t> heads;
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    const auto parent = index_of.find(trace.spans[i].parent_span_id);
    if (parent == index_of.end() || parent->second == i) {
      heads.push_back(i);
    } else {
      children[parent->second].push_back(i);
    }
  }
  // Depth-first, without recursion; a parent cycle is drawn once.
  std::vector<std::pair<std::size_t, std::size_t>> stack;  // span, depth
  for (auto it = heads.rbegin(); it != heads.rend(); ++it) stack.emplace_back(*it, 0);
  std::vector<bool> drawn(trace.spans.size(), false);
  std::size_t lines = 0;
  while (!stack.empty() && lines < max_drawn_spans) {
    const auto [index, depth] = stack.back();
    stack.pop_back();
    if (drawn[index]) continue;
    drawn[index] = true;
    const model::SpanRecord& span = trace.spans[index];
    out += marked.contains(span.span_id.to_hex()) ? std::string(fail_mark) + " " : "  ";
    out += std::string(2 + 2 * std::min(depth, max_indent), ' ');
    out += span.service + "  " + span.name + "  [" + model::to_string(span.kind) + "]  " +
           model::format_duration(span.duration_nanos());
    if (span.status_code == model::StatusCode::error) out += "  status=error";
    if (depth == 0 && !span.is_root()) {
      out += "  (parent " + span.parent_span_id.to_hex() + " missing)";
    }
    out += '\n';
    ++lines;
    const auto& kids = children[index];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  if (lines < trace.spans.size()) {
    out += "    ... " + std::to_string(trace.spans.size() - lines) +
           " more spans (--format json lists them all)\n";
  }
}

void append_result_lines(const std::vector<ExpectationResult>& results, std::string& out) {
  std::string current;
  for (const ExpectationResult& item : results) {
    if (item.check != current) {
      current = item.check;
      out += "  " + current + "\n";
    }
    out +=
        "    " + std::string(item.outcome.passed ? pass_mark : fail_mark) + " " + item.expectation;
    if (!item.outcome.passed) out += "\n        " + item.outcome.message;
    out += '\n';
  }
}

nlohmann::ordered_json result_json(const ExpectationResult& item) {
  return {{"check", item.check},
          {"expectation", item.expectation},
          {"passed", item.outcome.passed},
          {"message", item.outcome.message},
          {"spans", item.outcome.spans}};
}

}  // namespace

std::string text_report(const Verification& verification, const std::string& missing) {
  std::string out;
  for (const TraceResult& result : verification.traces) {
    const model::Trace& trace = result.trace;
    out += "trace " + trace.trace_id.to_hex() + "  " + std::to_string(trace.spans.size()) +
           " spans  " + model::format_duration(trace.duration_nanos()) + "  " +
           (result.passed() ? "PASS" : "FAIL") + "\n";
    draw_tree(result, out);
    append_result_lines(result.results, out);
    out += '\n';
  }
  if (!verification.unapplied.empty()) {
    out += "checks that applied to no trace\n";
    for (const ExpectationResult& item : verification.unapplied) {
      out +=
          "    " + std::string(fail_mark) + " " + item.check + ": " + item.outcome.message + "\n";
    }
    out += '\n';
  }
  std::size_t failed_traces = 0;
  for (const TraceResult& result : verification.traces) failed_traces += result.passed() ? 0U : 1U;
  if (!missing.empty()) {
    out += "verify: INCOMPLETE, " + missing;
    if (!verification.passed()) {
      out += " (and " + std::to_string(verification.failures()) + " of " +
             std::to_string(verification.expectations()) +
             " expectations failed on the traces that did)";
    }
    out += '\n';
  } else if (verification.passed()) {
    out += "verify: PASS, " + std::to_string(verification.expectations()) +
           " expectations held in " + std::to_string(verification.traces.size()) + " trace(s)\n";
  } else {
    out += "verify: FAIL, " + std::to_string(verification.failures()) + " of " +
           std::to_string(verification.expectations()) + " expectations failed (" +
           std::to_string(failed_traces) + " of " + std::to_string(verification.traces.size()) +
           " trace(s) failing)\n";
  }
  return out;
}

std::string json_report(const Verification& verification, const std::string& missing) {
  nlohmann::ordered_json traces = nlohmann::ordered_json::array();
  for (const TraceResult& result : verification.traces) {
    const model::Trace& trace = result.trace;
    const model::SpanRecord* root = trace.root();
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const ExpectationResult& item : result.results) results.push_back(result_json(item));
    traces.push_back(
        {{"trace_id", trace.trace_id.to_hex()},
         {"passed", result.passed()},
         {"span_count", trace.spans.size()},
         {"duration_nanos", trace.duration_nanos()},
         {"root_service", root ? nlohmann::ordered_json(root->service) : nlohmann::ordered_json()},
         {"root_name", root ? nlohmann::ordered_json(root->name) : nlohmann::ordered_json()},
         {"results", std::move(results)}});
  }
  nlohmann::ordered_json unapplied = nlohmann::ordered_json::array();
  for (const ExpectationResult& item : verification.unapplied)
    unapplied.push_back(result_json(item));
  nlohmann::ordered_json report = {
      {"schema", "tracemesh.verify/v1"},
      {"passed", verification.passed() && missing.empty()},
      {"summary",
       {{"traces", verification.traces.size()},
        {"expectations", verification.expectations()},
        {"failed", verification.failures()}}},
      {"traces", std::move(traces)},
      {"unapplied", std::move(unapplied)},
      {"missing", missing.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(missing)}};
  return report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<report::TestSuite> junit_suites(const Verification& verification,
                                            const std::string& missing) {
  std::vector<report::TestSuite> suites;
  const auto suite_for = [&](const std::string& name) -> report::TestSuite& {
    for (auto& suite : suites) {
      if (suite.name == name) return suite;
    }
    return suites.emplace_back(report::TestSuite{name, {}});
  };
  const bool several = verification.traces.size() > 1;
  for (const TraceResult& result : verification.traces) {
    for (const ExpectationResult& item : result.results) {
      report::TestCase test;
      test.classname = "tracemesh.verify." + item.check;
      test.name =
          item.expectation + (several ? " [trace " + result.trace.trace_id.to_hex() + "]" : "");
      if (!item.outcome.passed) test.failure = item.outcome.message;
      test.details = "trace " + result.trace.trace_id.to_hex() + ": " + item.outcome.message;
      suite_for(item.check).cases.push_back(std::move(test));
    }
  }
  for (const ExpectationResult& item : verification.unapplied) {
    suite_for(item.check)
        .cases.push_back(
            {"tracemesh.verify." + item.check, item.expectation, item.outcome.message, {}});
  }
  if (!missing.empty()) {
    suite_for("arrival").cases.push_back(
        {"tracemesh.verify.arrival", "traces arrive and settle", missing, {}});
  }
  return suites;
}

}  // namespace tracemesh::verify
