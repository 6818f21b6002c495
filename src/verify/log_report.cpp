#include "verify/log_report.h"

#include <algorithm>

#include "model/duration.h"
#include "model/timestamp.h"
#include "report/json_writer.h"
#include "verify/result_report.h"

namespace tracemesh::verify {
namespace {

// Services drawn per id in the text report; the rest are counted.
constexpr std::size_t max_drawn_services = 50;

std::string count(std::size_t value, const char* one, const char* many) {
  return std::to_string(value) + " " + (value == 1 ? one : many);
}

void draw_services(const model::LogTrail& trail, std::string& out) {
  std::size_t width = 0;
  for (const model::ServiceSighting& sighting : trail.services) {
    width = std::max(width, printable(sighting.service).size());
  }
  const std::uint64_t start = trail.first_unix_nano();
  std::size_t drawn = 0;
  for (const model::ServiceSighting& sighting : trail.services) {
    if (drawn++ == max_drawn_services) {
      out += "    ... " + std::to_string(trail.services.size() - max_drawn_services) +
             " more services (--format json lists them all)\n";
      break;
    }
    std::string when = drawn == 1 ? model::format_timestamp(sighting.first_unix_nano)
                                  : "+" + model::format_duration(sighting.first_unix_nano - start);
    when.resize(std::max<std::size_t>(when.size(), 24), ' ');
    std::string name = printable(sighting.service);
    name.resize(std::max(width, name.size()), ' ');
    out += "    ";
    out += when;
    out += "  ";
    out += name;
    out += "  " + count(sighting.lines, "line", "lines") + "\n";
  }
}

std::string id_heading(const model::LogTrail& trail) {
  const std::string hex = trail.trace_id.to_hex();
  std::string heading = "id " + hex;
  if (trail.logged_id != hex) heading += "  (logged as " + printable(trail.logged_id) + ")";
  return heading;
}

}  // namespace

std::string log_counts_sentence(const ingest::LogLineCounts& counts, std::size_t files) {
  std::string out = count(files, "input", "inputs") + ", " + count(counts.lines, "line", "lines") +
                    ": " + count(counts.records, "record", "records") + " (" +
                    std::to_string(counts.with_trace_id) + " naming a trace id)";
  std::vector<std::string> skipped;
  if (counts.not_json > 0) skipped.push_back(std::to_string(counts.not_json) + " not JSON");
  if (counts.no_time > 0) {
    skipped.push_back(std::to_string(counts.no_time) + " without a time (--log-time-field)");
  }
  if (counts.no_service > 0) {
    skipped.push_back(std::to_string(counts.no_service) +
                      " without a service (--log-service-field, or FILE:SERVICE)");
  }
  if (counts.too_long > 0) skipped.push_back(std::to_string(counts.too_long) + " too long");
  for (std::size_t i = 0; i < skipped.size(); ++i)
    out += (i == 0 ? "; skipped: " : ", ") + skipped[i];
  return out;
}

std::string text_report(const LogVerification& verification, const ingest::LogLineCounts& counts,
                        std::size_t files) {
  std::string out;
  std::size_t failed = 0;
  for (const LogTrailResult& result : verification.trails) {
    const model::LogTrail& trail = result.trail;
    failed += result.passed() ? 0U : 1U;
    out += id_heading(trail) + "  " + count(trail.services.size(), "service", "services") + "  " +
           count(trail.records.size(), "line", "lines") + "  " +
           (result.passed() ? "PASS" : "FAIL") + "\n";
    draw_services(trail, out);
    append_result_lines(result.results, out);
    out += '\n';
  }
  append_unapplied(verification.unapplied, "id in the logs", out);
  out += "logs: " + log_counts_sentence(counts, files) + "\n";
  const Tally tally{verification.expectations(), verification.failures(),
                    verification.trails.size(), failed};
  out += summary_line(tally, "id(s)", {});
  return out;
}

std::string json_report(const LogVerification& verification, const ingest::LogLineCounts& counts,
                        std::size_t files) {
  report::JsonWriter json;
  json.begin_object()
      .field("schema", "tracemesh.verify/v1")
      .field("source", "logs")
      .field("passed", verification.passed())
      .key("summary")
      .begin_object()
      .field("traces", static_cast<std::uint64_t>(verification.trails.size()))
      .field("expectations", static_cast<std::uint64_t>(verification.expectations()))
      .field("failed", static_cast<std::uint64_t>(verification.failures()))
      .end_object();
  json.key("logs")
      .begin_object()
      .field("inputs", static_cast<std::uint64_t>(files))
      .field("lines", static_cast<std::uint64_t>(counts.lines))
      .field("records", static_cast<std::uint64_t>(counts.records))
      .field("with_trace_id", static_cast<std::uint64_t>(counts.with_trace_id))
      .field("blank", static_cast<std::uint64_t>(counts.blank))
      .field("not_json", static_cast<std::uint64_t>(counts.not_json))
      .field("no_time", static_cast<std::uint64_t>(counts.no_time))
      .field("no_service", static_cast<std::uint64_t>(counts.no_service))
      .field("too_long", static_cast<std::uint64_t>(counts.too_long))
      .end_object();
  json.key("traces").begin_array();
  for (const LogTrailResult& result : verification.trails) {
    const model::LogTrail& trail = result.trail;
    json.begin_object()
        .field("trace_id", trail.trace_id.to_hex())
        .field("logged_as", trail.logged_id)
        .field("passed", result.passed())
        .field("line_count", static_cast<std::uint64_t>(trail.records.size()))
        .field("root_service", trail.first_service());
    json.key("services").begin_array();
    for (const model::ServiceSighting& sighting : trail.services) {
      json.begin_object()
          .field("service", sighting.service)
          .field("first_unix_nano", sighting.first_unix_nano)
          .field("last_unix_nano", sighting.last_unix_nano)
          .field("lines", static_cast<std::uint64_t>(sighting.lines))
          .end_object();
    }
    json.end_array().key("results").begin_array();
    for (const ExpectationResult& item : result.results) write_result(json, item);
    json.end_array().end_object();
  }
  json.end_array().key("unapplied").begin_array();
  for (const ExpectationResult& item : verification.unapplied) write_result(json, item);
  json.end_array().key("missing").null().end_object();
  return json.take();
}

std::vector<report::TestSuite> junit_suites(const LogVerification& verification) {
  std::vector<report::TestSuite> suites;
  const bool several = verification.trails.size() > 1;
  for (const LogTrailResult& result : verification.trails) {
    const std::string id = result.trail.trace_id.to_hex();
    for (const ExpectationResult& item : result.results) {
      report::TestCase test;
      test.classname = "tracemesh.verify." + item.check;
      test.name = item.expectation + (several ? " [id " + id + "]" : "");
      if (!item.outcome.passed) test.failure = item.outcome.message;
      test.details =
          "id " + id + " (logged as " + result.trail.logged_id + "): " + item.outcome.message;
      suite_named(suites, item.check).cases.push_back(std::move(test));
    }
  }
  add_unapplied_cases(verification.unapplied, suites);
  return suites;
}

}  // namespace tracemesh::verify
