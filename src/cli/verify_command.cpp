#include "cli/verify_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/token_file.h"
#include "model/ascii.h"
#include "model/duration.h"
#include "verify/log_files.h"
#include "verify/log_report.h"
#include "verify/trace_files.h"
#include "verify/trace_wait.h"
#include "verify/verify_report.h"

namespace tracemesh::cli {
namespace {

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_not_arrived = 3;

struct VerifyFlags {
  std::string collector;
  std::string jaeger;  // a Jaeger query API instead of a collector
  std::string tempo;   // a Tempo query API instead of a collector
  std::string token_file;
  std::vector<std::string> files;
  std::vector<std::string> logs;
  ingest::LogFieldNames log_fields;
  std::string log_window;
  std::string trace;
  std::string trace_id;
  std::string legacy_id;
  std::string root_service;
  std::string root_operation;
  std::vector<std::string> attributes;
  std::string since;
  std::string spec;
  std::vector<std::string> expect;
  std::string builtin;
  std::string timeout;
  std::string skew_tolerance;
  std::size_t limit = 0;  // 0: the default, 100
  std::string format = "text";
  std::string junit;
};

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  return static_cast<bool>(file.flush());
}

// Exit 2, and when a JUnit report was asked for, leave one saying why: a CI
// report step must not find nothing.
int usage_error(const std::string& message, const std::string& junit = {}) {
  std::fprintf(stderr, "tracemesh verify: %s\n", message.c_str());
  if (!junit.empty()) {
    const report::TestCase failed{"tracemesh.verify", "verify runs", message, message};
    write_file(junit, report::junit_xml("tracemesh verify", {{"verify", {failed}}}));
  }
  return exit_usage;
}

std::optional<std::uint64_t> duration_flag(const std::string& text, const char* flag,
                                           std::string& error) {
  if (text.empty()) return std::nullopt;
  const auto parsed = model::parse_duration(text);
  if (!parsed) {
    error = std::string(flag) + ": " + std::string(parsed.error().text());
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(parsed->count());
}

// The spec file (when given) plus a check of the --expect flags.
Expected<verify::Spec> build_spec(const VerifyFlags& flags) {
  verify::Spec spec;
  if (!flags.spec.empty()) {
    std::ifstream file(flags.spec);
    if (!file) return Error{ErrorCode::io_error, "--spec: cannot read " + flags.spec};
    std::stringstream content;
    content << file.rdbuf();
    auto parsed = verify::parse_spec(content.str(), flags.spec);
    if (!parsed) return parsed.error();
    spec = std::move(*parsed);
  }
  if (!flags.expect.empty()) {
    verify::Check check;
    check.name = "command line";
    for (const std::string& text : flags.expect) {
      verify::SyntaxError error;
      auto expectation = verify::parse_expectation(text, error);
      if (!expectation) {
        return Error{ErrorCode::invalid_input, "--expect '" + text + "': column " +
                                                   std::to_string(error.column) + ": " +
                                                   error.message + "\n  " + text + "\n  " +
                                                   std::string(error.column - 1, ' ') + "^"};
      }
      check.expectations.push_back(std::move(*expectation));
    }
    spec.checks.push_back(std::move(check));
  }
  if (!flags.builtin.empty()) {
    auto builtins = verify::parse_builtin_list(flags.builtin);
    if (!builtins)
      return Error{ErrorCode::invalid_input, "--builtin: " + std::string(builtins.error().text())};
    spec.builtins = std::move(*builtins);
  }
  if (spec.checks.empty() && spec.builtins.empty()) {
    return Error{ErrorCode::invalid_input,
                 "nothing to check: give --expect, --spec, or keep the "
                 "built-in checks (--builtin)"};
  }
  return spec;
}

Expected<verify::TraceSelector> build_selector(const VerifyFlags& flags) {
  verify::TraceSelector selector;
  if (!flags.trace.empty()) {
    if (flags.trace.size() != 32 ||
        flags.trace.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return Error{ErrorCode::invalid_input, "--trace '" + flags.trace + "' is not 32 hex digits"};
    }
    selector.trace_id = flags.trace;
    selector.trace_id = model::ascii_lowercase(selector.trace_id);
  }
  const std::string& legacy_id = flags.legacy_id.empty() ? flags.trace_id : flags.legacy_id;
  if (!legacy_id.empty()) {
    if (!flags.trace.empty() || (!flags.legacy_id.empty() && !flags.trace_id.empty())) {
      return Error{ErrorCode::invalid_input,
                   "--trace, --trace-id and --legacy-id name the same thing: give one"};
    }
    auto mapped = verify::legacy_trace_id(legacy_id);
    if (!mapped)
      return Error{ErrorCode::invalid_input, "--trace-id: " + std::string(mapped.error().text())};
    selector.trace_id = *mapped;
  }
  selector.root_service = flags.root_service;
  selector.root_operation = flags.root_operation;
  for (const std::string& attribute : flags.attributes) {
    const std::size_t equals = attribute.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Error{ErrorCode::invalid_input, "--attribute '" + attribute + "' must be KEY=VALUE"};
    }
    selector.attributes.emplace_back(attribute.substr(0, equals), attribute.substr(equals + 1));
  }
  return selector;
}

// The wall-clock time `nanos` ago, in nanoseconds since the epoch.
std::uint64_t unix_nanos_ago(std::uint64_t nanos) {
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  return now > nanos ? now - nanos : 0;
}

bool on_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

struct Input {
  std::vector<model::Trace> traces;
  std::string missing;                // did not arrive or settle (exit 3)
  std::string unmatched;              // files: the selection matched no trace (exit 1)
  std::vector<std::string> warnings;  // printed on stderr
};

Expected<Input> traces_from_files(const VerifyFlags& flags, const verify::Spec& spec,
                                  const verify::TraceSelector& chosen,
                                  std::uint64_t skew_tolerance) {
  model::IntegrityOptions options;
  options.skew_tolerance_nanos = skew_tolerance;
  auto traces = verify::read_trace_files(flags.files, options);
  if (!traces) return traces.error();
  if (traces->empty()) {
    return Error{ErrorCode::invalid_input, "the files hold no trace: nothing to check"};
  }
  Input input;
  input.traces = verify::selected_traces(std::move(*traces), spec, chosen);
  if (input.traces.empty()) input.unmatched = "no trace in the files matches the selection";
  return input;
}

Expected<Input> traces_from_collector(const VerifyFlags& flags, const verify::Spec& spec,
                                      const verify::TraceSelector& chosen, std::uint64_t timeout,
                                      std::optional<std::uint64_t> since) {
  auto token = read_token(flags.token_file, "--token-file");
  if (!token) return token.error();
  verify::BackendOptions backend;
  std::string url = flags.collector.empty() ? "http://127.0.0.1:16686" : flags.collector;
  if (!flags.jaeger.empty()) {
    backend.backend = verify::Backend::jaeger;
    url = flags.jaeger;
  } else if (!flags.tempo.empty()) {
    backend.backend = verify::Backend::tempo;
    url = flags.tempo;
  }
  backend.integrity.skew_tolerance_nanos = spec.skew_tolerance_nanos.value_or(0);
  auto client = verify::CollectorClient::connect(url, *token, backend);
  if (!client) return client.error();
  std::vector<verify::TraceSelector> selectors;
  if (!chosen.empty() || since) selectors.push_back(chosen);
  for (const verify::Check& check : spec.checks) {
    if (!check.select.empty()) selectors.push_back(check.select);
  }
  if (selectors.empty()) {
    return Error{ErrorCode::invalid_input,
                 "say which traces to check: --trace ID, a selector (--root-service, "
                 "--root-operation, --attribute KEY=VALUE), --since DURATION, or checks with "
                 "'select' in the spec"};
  }
  verify::WaitOptions options;
  options.timeout_nanos = timeout;
  options.limit = flags.limit == 0 ? 100 : flags.limit;
  if (since) options.start_after_unix_nano = unix_nanos_ago(*since);
  const bool terminal = on_terminal();
  if (terminal) {
    options.progress = [](const std::string& status) {
      std::fprintf(stderr, "\r\033[Kwaiting: %s", status.c_str());
      std::fflush(stderr);
    };
  }
  auto fetched = verify::wait_for_traces(*client, selectors, options);
  if (terminal) std::fprintf(stderr, "\r\033[K");
  if (!fetched) return fetched.error();
  return Input{
      std::move(fetched->traces), std::move(fetched->missing), {}, std::move(fetched->warnings)};
}

// `verify --logs`: the service paths of the spec checked against the trace
// ids the logs name; no waiting, nothing but the logs read.
int run_verify_logs(const VerifyFlags& flags) {
  if (!flags.files.empty() || !flags.collector.empty() || !flags.token_file.empty() ||
      !flags.jaeger.empty() || !flags.tempo.empty()) {
    return usage_error(
        "--logs excludes --file, --collector, --jaeger, --tempo and --token-file: check logs or "
        "spans",
        flags.junit);
  }
  if (!flags.builtin.empty() || !flags.timeout.empty() || flags.limit != 0) {
    return usage_error(
        "--builtin, --timeout and --limit are for spans: with --logs only service "
        "paths are checked, and nothing is waited for",
        flags.junit);
  }
  std::string error;
  const auto skew_flag = duration_flag(flags.skew_tolerance, "--skew-tolerance", error);
  const auto since = duration_flag(flags.since, "--since", error);
  const auto window = duration_flag(flags.log_window, "--log-window", error);
  if (!error.empty()) return usage_error(error, flags.junit);
  auto spec = build_spec(flags);
  if (!spec) return usage_error(std::string(spec.error().text()), flags.junit);
  auto chosen = build_selector(flags);
  if (!chosen) return usage_error(std::string(chosen.error().text()), flags.junit);
  if (auto judged = verify::check_spec_for_logs(*spec, *chosen); !judged) {
    return usage_error(std::string(judged.error().text()), flags.junit);
  }
  auto input = verify::read_log_files(flags.logs, flags.log_fields, std::cin);
  if (!input) return usage_error(std::string(input.error().text()), flags.junit);
  if (input->counts.records == 0) {
    return usage_error("the logs hold no usable line (" +
                           verify::log_counts_sentence(input->counts, input->files) +
                           "): nothing to check",
                       flags.junit);
  }
  verify::LogVerifyOptions options;
  options.path.skew_tolerance_nanos = skew_flag.value_or(spec->skew_tolerance_nanos.value_or(0));
  if (window) options.path.window_nanos = *window;
  if (since) options.start_after_unix_nano = unix_nanos_ago(*since);
  const verify::LogVerification verification =
      verify::verify_logs(*spec, input->records, *chosen, options);
  const std::string report = flags.format == "json"
                                 ? verify::json_report(verification, input->counts, input->files)
                                 : verify::text_report(verification, input->counts, input->files);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!flags.junit.empty() &&
      !write_file(flags.junit,
                  report::junit_xml("tracemesh verify", verify::junit_suites(verification)))) {
    return usage_error("--junit: cannot write " + flags.junit);
  }
  return verification.passed() ? exit_passed : exit_failed;
}

int run_verify(const VerifyFlags& flags) {
  if (!flags.logs.empty()) return run_verify_logs(flags);
  if (!flags.log_fields.trace.empty() || !flags.log_fields.service.empty() ||
      !flags.log_fields.time.empty() || !flags.log_window.empty()) {
    return usage_error(
        "--log-trace-field, --log-service-field, --log-time-field and "
        "--log-window are for --logs",
        flags.junit);
  }
  const int sources =
      static_cast<int>(!flags.files.empty()) + static_cast<int>(!flags.collector.empty()) +
      static_cast<int>(!flags.jaeger.empty()) + static_cast<int>(!flags.tempo.empty());
  if (sources > 1) {
    return usage_error(
        "--file, --collector, --jaeger and --tempo exclude each other: check one source of spans");
  }
  if (!flags.files.empty() && !flags.since.empty()) {
    return usage_error("--since selects traces in a collector; files are checked whole");
  }
  if (!flags.files.empty() && !flags.token_file.empty()) {
    return usage_error("--token-file is for --collector, --jaeger and --tempo");
  }
  std::string error;
  const auto timeout = duration_flag(flags.timeout, "--timeout", error);
  const auto skew_flag = duration_flag(flags.skew_tolerance, "--skew-tolerance", error);
  const auto since = duration_flag(flags.since, "--since", error);
  if (!error.empty()) return usage_error(error, flags.junit);
  auto spec = build_spec(flags);
  if (!spec) return usage_error(std::string(spec.error().text()), flags.junit);
  auto chosen = build_selector(flags);
  if (!chosen) return usage_error(std::string(chosen.error().text()), flags.junit);
  const std::uint64_t skew_tolerance = skew_flag.value_or(spec->skew_tolerance_nanos.value_or(0));
  const std::uint64_t wait = timeout.value_or(spec->timeout_nanos.value_or(30'000'000'000));

  auto input = flags.files.empty() ? traces_from_collector(flags, *spec, *chosen, wait, since)
                                   : traces_from_files(flags, *spec, *chosen, skew_tolerance);
  if (!input) return usage_error(std::string(input.error().text()), flags.junit);
  for (const std::string& warning : input->warnings) {
    std::fprintf(stderr, "tracemesh verify: warning: %s\n", warning.c_str());
  }
  verify::Verification verification =
      verify::verify_traces(*spec, std::move(input->traces), *chosen, skew_tolerance);
  if (!input->unmatched.empty()) {
    const verify::Outcome outcome{false, input->unmatched, {}};
    verification.unapplied.push_back({"selection", "a trace matches the selection", outcome});
  }
  const std::string& missing = input->missing;

  const std::string report = flags.format == "json" ? verify::json_report(verification, missing)
                                                    : verify::text_report(verification, missing);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!flags.junit.empty() &&
      !write_file(flags.junit, report::junit_xml("tracemesh verify",
                                                 verify::junit_suites(verification, missing)))) {
    return usage_error("--junit: cannot write " + flags.junit);
  }
  if (!missing.empty()) return exit_not_arrived;
  return verification.passed() ? exit_passed : exit_failed;
}

}  // namespace

void add_verify_command(CLI::App& app, std::function<int()>& run) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Check traces against expectations (paths, span assertions, integrity), for CI.\n"
      "Exit codes: 0 all held, 1 an expectation failed, 2 usage or input error,\n"
      "3 a trace did not arrive or settle in time.");
  command->add_option("--collector", flags->collector,
                      "collector query API, http://HOST:PORT (default http://127.0.0.1:16686)");
  command->add_option(
      "--jaeger", flags->jaeger,
      "a Jaeger query API instead of a collector, http://HOST:16686 (docs/verify.md)");
  command->add_option(
      "--tempo", flags->tempo,
      "a Tempo query API instead of a collector, http://HOST:3200 (docs/verify.md)");
  command->add_option("--token-file", flags->token_file,
                      "file holding the query API's bearer token");
  command
      ->add_option("--file", flags->files,
                   "OTLP JSON file (or Tempo's trace JSON) to check instead of a collector "
                   "(repeatable)")
      ->check(CLI::ExistingFile);
  command->add_option("--logs", flags->logs,
                      "JSON-lines log file to check instead of spans (repeatable): a path, - for "
                      "standard input, or PATH:SERVICE for lines naming no service; "
                      "`docker compose logs` output is read as is");
  command->add_option("--log-trace-field", flags->log_fields.trace,
                      "the log field holding the trace id (default: trace_id, traceId, trace.id, "
                      "x_trace_id, request_id, ... see docs/verify.md)");
  command->add_option("--log-service-field", flags->log_fields.service,
                      "the log field naming the service (default: service, service.name, app, or "
                      "the compose prefix)");
  command->add_option("--log-time-field", flags->log_fields.time,
                      "the log field holding the time (default: ts, timestamp, time, @timestamp; "
                      "RFC 3339 or epoch numbers)");
  command->add_option("--log-window", flags->log_window,
                      "when a hop is missing, look this long after the caller's line for what "
                      "the callee did instead (default 200ms)");
  command->add_option("--trace", flags->trace, "the trace id to check (32 hex digits)");
  command->add_option("--trace-id", flags->trace_id,
                      "the trace id as it was sent or logged: 32 hex digits, a UUID or any "
                      "legacy id string (same as --legacy-id)");
  command->add_option("--legacy-id", flags->legacy_id,
                      "the trace a legacy id header (X-Trace-ID, X-Request-ID...) started: a "
                      "UUID, 32 hex digits or any string, mapped as the SDKs map it");
  command->add_option("--root-service", flags->root_service,
                      "check traces whose root is in this service");
  command->add_option("--root-operation", flags->root_operation,
                      "check traces whose root span has this name");
  command->add_option("--attribute", flags->attributes,
                      "check traces with a span holding KEY=VALUE (repeatable), e.g. "
                      "http.request.header.x-trace-id=abc");
  command->add_option("--since", flags->since,
                      "check every trace that started within this long (e.g. 15m)");
  command
      ->add_option("--limit", flags->limit, "at most this many traces per selection (default 100)")
      ->check(CLI::Range(1, 1000));
  command->add_option("--spec", flags->spec, "YAML spec of named checks (docs/verify.md)");
  command->add_option("--expect", flags->expect,
                      "an expectation, e.g. 'ui -> auth' or "
                      "'span[service=auth kind=server] http.response.status_code = 200' "
                      "(repeatable)");
  command->add_option("--builtin", flags->builtin,
                      "built-in checks: all (default), none, or a list of single_root, "
                      "no_orphans, no_broken_hops, no_clock_skew");
  command->add_option("--timeout", flags->timeout,
                      "wait this long for traces to arrive and settle (default 30s)");
  command->add_option("--skew-tolerance", flags->skew_tolerance,
                      "clock skew that passes no_clock_skew, and with --logs how far a callee's "
                      "clock may run behind its caller's (default 0ms)");
  command->add_option("--format", flags->format, "report format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--junit", flags->junit, "also write a JUnit XML report to this file");
  command->callback([flags, &run] { run = [flags] { return run_verify(*flags); }; });
}

}  // namespace tracemesh::cli
