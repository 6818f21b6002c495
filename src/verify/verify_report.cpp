#include "verify/verify_report.h"

#include <algorithm>
#include <unordered_set>

#include "model/duration.h"
#include "model/span_tree.h"
#include "report/json_writer.h"
#include "verify/result_report.h"

namespace tracemesh::verify {
namespace {

constexpr std::size_t max_indent = 32;

void draw_tree(const TraceResult& result, std::string& out) {
  const model::Trace& trace = result.trace;
  std::unordered_set<std::string_view> marked;
  for (const ExpectationResult& item : result.results) {
    if (item.outcome.passed) continue;
    for (const std::string& id : item.outcome.spans) marked.insert(id);
  }
  const model::SpanTree tree = model::span_tree(trace.spans);
  const auto& children = tree.children;
  const auto& heads = tree.heads;
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
    out += printable(span.service) + "  " + printable(span.name) + "  [" +
           model::to_string(span.kind) + "]  " + model::format_duration(span.duration_nanos());
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
  append_unapplied(verification.unapplied, "trace", out);
  std::size_t failed_traces = 0;
  for (const TraceResult& result : verification.traces) failed_traces += result.passed() ? 0U : 1U;
  Tally tally{verification.expectations(), verification.failures(), verification.traces.size(),
              failed_traces};
  out += summary_line(tally, "trace(s)", missing);
  return out;
}

std::string json_report(const Verification& verification, const std::string& missing) {
  report::JsonWriter json;
  json.begin_object()
      .field("schema", "tracemesh.verify/v1")
      .field("passed", verification.passed() && missing.empty())
      .key("summary")
      .begin_object()
      .field("traces", static_cast<std::uint64_t>(verification.traces.size()))
      .field("expectations", static_cast<std::uint64_t>(verification.expectations()))
      .field("failed", static_cast<std::uint64_t>(verification.failures()))
      .end_object();
  json.key("traces").begin_array();
  for (const TraceResult& result : verification.traces) {
    const model::Trace& trace = result.trace;
    const model::SpanRecord* root = trace.root();
    json.begin_object()
        .field("trace_id", trace.trace_id.to_hex())
        .field("passed", result.passed())
        .field("span_count", static_cast<std::uint64_t>(trace.spans.size()))
        .field("duration_nanos", trace.duration_nanos());
    if (root != nullptr) {
      json.field("root_service", root->service).field("root_name", root->name);
    } else {
      json.key("root_service").null().key("root_name").null();
    }
    json.key("results").begin_array();
    for (const ExpectationResult& item : result.results) write_result(json, item);
    json.end_array().end_object();
  }
  json.end_array().key("unapplied").begin_array();
  for (const ExpectationResult& item : verification.unapplied) write_result(json, item);
  json.end_array().key("missing").text_or_null(missing).end_object();
  return json.take();
}

std::vector<report::TestSuite> junit_suites(const Verification& verification,
                                            const std::string& missing) {
  std::vector<report::TestSuite> suites;
  const bool several = verification.traces.size() > 1;
  for (const TraceResult& result : verification.traces) {
    for (const ExpectationResult& item : result.results) {
      report::TestCase test;
      test.classname = "tracemesh.verify." + item.check;
      test.name =
          item.expectation + (several ? " [trace " + result.trace.trace_id.to_hex() + "]" : "");
      if (!item.outcome.passed) test.failure = item.outcome.message;
      test.details = "trace " + result.trace.trace_id.to_hex() + ": " + item.outcome.message;
      suite_named(suites, item.check).cases.push_back(std::move(test));
    }
  }
  add_unapplied_cases(verification.unapplied, suites);
  if (!missing.empty()) {
    suite_named(suites, "arrival")
        .cases.push_back({"tracemesh.verify.arrival", "traces arrive and settle", missing, {}});
  }
  return suites;
}

}  // namespace tracemesh::verify
