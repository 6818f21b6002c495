#include "cli/audit_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit.h"
#include "audit/report/audit_report.h"
#include "cli/audit_setup.h"
#include "cli/token_file.h"
#include "map/collector_hops.h"
#include "map/map_report.h"
#include "model/duration.h"

namespace tracemesh::cli {
namespace {

namespace fs = std::filesystem;

constexpr int exit_done = 0;
constexpr int exit_below_threshold = 1;
constexpr int exit_usage = 2;
constexpr int exit_collector = 3;

struct AuditFlags {
  std::string path;
  std::string format = "md";
  std::string output;
  std::string config;
  std::vector<std::string> fail_under;
  std::string junit;
  unsigned threads = 0;
  // The propagation map.
  std::string against;
  std::string since = "24h";
  std::vector<std::string> service_map;
  std::string wait_settled = "0s";
  std::string query_token_file;
};

// The map's options from the flags: --since, --wait-settled, --service-map,
// the token. An Error naming the flag otherwise.
Expected<std::pair<map::HopsRequest, map::MapOptions>> map_request(const AuditFlags& flags) {
  map::HopsRequest request;
  request.base_url = flags.against;
  const auto since = model::parse_duration(flags.since);
  if (!since)
    return Error{ErrorCode::invalid_input, "--since: " + std::string(since.error().text())};
  request.since =
      std::max(std::chrono::duration_cast<std::chrono::seconds>(*since), std::chrono::seconds(1));
  const auto wait = model::parse_duration(flags.wait_settled);
  if (!wait)
    return Error{ErrorCode::invalid_input, "--wait-settled: " + std::string(wait.error().text())};
  request.wait_settled = std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
  auto token = read_token(flags.query_token_file, "--query-token-file");
  if (!token) return token.error();
  request.token = std::move(*token);
  map::MapOptions options;
  for (const std::string& pair : flags.service_map) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size())
      return Error{ErrorCode::invalid_input,
                   "--service-map must be AUDIT_NAME=RUNTIME_NAME, not '" + pair + "'"};
    options.service_names[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  return std::pair{std::move(request), std::move(options)};
}

// Take edges_proven=PCT out of the --fail-under lists (the map's threshold;
// the rest are the audit's).
Expected<std::optional<double>> take_edges_threshold(std::vector<std::string>& lists) {
  std::optional<double> minimum;
  for (std::string& list : lists) {
    std::string rest;
    std::size_t at = 0;
    while (at <= list.size()) {
      const std::size_t comma = list.find(',', at);
      const std::string item = list.substr(at, comma == std::string::npos ? comma : comma - at);
      if (item.rfind("edges_proven=", 0) == 0) {
        const std::string value = item.substr(13);
        char* end = nullptr;
        const double percent = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || percent < 0 || percent > 100)
          return Error{
              ErrorCode::invalid_input,
              "--fail-under edges_proven must be a percentage from 0 to 100, not '" + value + "'"};
        minimum = percent;
      } else {
        rest += (rest.empty() ? "" : ",") + item;
      }
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    list = rest;
  }
  std::erase(lists, std::string());
  return minimum;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tracemesh audit: %s\n", message.c_str());
  return exit_usage;
}

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  return static_cast<bool>(file.flush());
}

int run_audit_command(const AuditFlags& flags) {
  std::error_code error;
  if (!fs::is_directory(flags.path, error))
    return usage_error(flags.path + ": not a directory to audit");
  auto config = load_audit_config_for(flags.path, flags.config);
  if (!config) return usage_error(std::string(config.error().text()));
  std::vector<std::string> fail_under = flags.fail_under;
  const auto edges_minimum = take_edges_threshold(fail_under);
  if (!edges_minimum) return usage_error(std::string(edges_minimum.error().text()));
  if (*edges_minimum && flags.against.empty())
    return usage_error("--fail-under edges_proven needs --against (the map's coverage)");
  std::optional<std::pair<map::HopsRequest, map::MapOptions>> mapping;
  if (!flags.against.empty()) {
    auto request = map_request(flags);
    if (!request) return usage_error(std::string(request.error().text()));
    mapping = std::move(*request);
  }
  for (const std::string& list : fail_under) {
    const auto thresholds = audit::parse_thresholds(list);
    if (!thresholds) return usage_error(std::string(thresholds.error().text()));
    for (const auto& [key, minimum] : *thresholds) config->fail_under[key] = minimum;
  }
  Progress progress;
  audit::AuditOptions options;
  options.config = std::move(*config);
  options.threads = flags.threads;
  options.progress = [&progress](std::size_t done, std::size_t total) {
    progress.update(done, total);
  };
  const auto result = audit::run_audit(flags.path, options);
  progress.finish();
  if (!result) return usage_error(std::string(result.error().text()));

  std::optional<map::PropagationMap> joined;
  if (mapping) {
    const auto hops = map::fetch_runtime_hops(mapping->first);
    if (!hops) {
      std::fprintf(stderr, "tracemesh audit: --against: %s\n",
                   std::string(hops.error().text()).c_str());
      return hops.error().code == ErrorCode::transport_error ? exit_collector : exit_usage;
    }
    joined = map::build_map(*result, *hops, mapping->second);
  }
  std::string report;
  if (joined) {
    report = flags.format == "json"    ? map::map_json(*joined, flags.path, flags.against)
             : flags.format == "sarif" ? map::map_sarif(*joined, flags.path)
                                       : map::map_markdown(*joined);
  } else {
    report = flags.format == "json"    ? audit::audit_json(*result)
             : flags.format == "sarif" ? audit::audit_sarif(*result)
                                       : audit::audit_markdown(*result);
  }
  if (flags.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
  } else if (!write_file(flags.output, report)) {
    return usage_error("--output: cannot write " + flags.output);
  }
  std::vector<report::TestCase> map_cases;
  if (joined && *edges_minimum) {
    report::TestCase test{
        "tracemesh.audit", "edges_proven", std::nullopt,
        map::coverage_line(*joined) + ", minimum " + std::to_string(**edges_minimum) + "%"};
    if (joined->coverage.percent() < **edges_minimum)
      test.failure = "edges_proven is below its minimum";
    map_cases.push_back(std::move(test));
  }
  if (!flags.junit.empty() &&
      !write_file(flags.junit, audit::audit_junit(*result, std::move(map_cases))))
    return usage_error("--junit: cannot write " + flags.junit);
  for (const audit::Problem& problem : result->problems)
    std::fprintf(stderr, "tracemesh audit: %s: %s\n", problem.path.c_str(),
                 problem.message.c_str());
  const audit::Metrics& metrics = result->metrics;
  if (!flags.output.empty()) {
    std::fprintf(stderr,
                 "tracemesh audit: %zu services, %zu with tracing; %zu outbound call sites, %zu "
                 "traced; report written to %s\n",
                 metrics.services_total, metrics.services_with_tracing, metrics.outbound_call_sites,
                 metrics.outbound_traced, flags.output.c_str());
  }
  for (const audit::ThresholdFailure& failure : result->failures) {
    std::fprintf(stderr, "tracemesh audit: %s is %s, below the minimum of %g%%\n",
                 failure.key.c_str(), audit::share_text(failure.actual).c_str(), failure.minimum);
  }
  bool below = !result->failures.empty();
  if (joined) {
    std::fprintf(stderr, "tracemesh audit: %s\n", map::coverage_line(*joined).c_str());
    if (joined->unsettled_traces > 0)
      std::fprintf(stderr,
                   "tracemesh audit: %llu traces of the window are not settled yet (their broken "
                   "hops are not judged); --wait-settled waits for them\n",
                   static_cast<unsigned long long>(joined->unsettled_traces));
    if (*edges_minimum && joined->coverage.percent() < **edges_minimum) {
      std::fprintf(stderr, "tracemesh audit: edges_proven is %.1f%%, below the minimum of %g%%\n",
                   joined->coverage.percent(), **edges_minimum);
      below = true;
    }
  }
  return below ? exit_below_threshold : exit_done;
}

}  // namespace

void add_audit_command(CLI::App& app, std::function<int()>& run) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* command = app.add_subcommand(
      "audit",
      "Audit a service repository's tracing coverage statically (Python): middleware per\n"
      "service, outbound calls with and without the trace, routes and their integration\n"
      "tests, MQTT messages, cross-service edges and metrics. With --against, the\n"
      "propagation map instead: every edge of the code joined with what a collector saw,\n"
      "each proven, broken_in_code (with the call sites), broken_at_callee, untested or\n"
      "unknown_to_code (docs/map.md).\n"
      "Exit codes: 0 done, 1 below a --fail-under threshold, 2 usage or input error,\n"
      "3 the collector could not be reached.");
  command->add_option("PATH", flags->path, "the repository to audit")->required();
  command->add_option("--format", flags->format, "report format: md, json or sarif")
      ->check(CLI::IsMember({"md", "json", "sarif"}))
      ->capture_default_str();
  command->add_option("--output,-o", flags->output, "write the report here instead of stdout");
  command->add_option("--config", flags->config,
                      "config file (default PATH/.tracemesh.yaml when present; docs/audit.md)");
  command->add_option("--fail-under", flags->fail_under,
                      "exit 1 when a metric is below a percentage: KEY=PCT[,KEY=PCT...] with KEY "
                      "one of services_with_tracing, outbound_traced, cross_service_traced, "
                      "routes_integration_tested, route_modules_with_integration_tests, and "
                      "edges_proven (with --against)");
  command->add_option("--junit", flags->junit,
                      "also write the thresholds as a JUnit XML report to this file");
  command
      ->add_option("--threads", flags->threads,
                   "parser threads (default: one per core); 1 also runs the rules on one thread")
      ->check(CLI::Range(0, 256));
  command->add_option("--against", flags->against,
                      "join the code's edges with a collector's: its query listener, "
                      "http://HOST:PORT (the propagation map, docs/map.md)");
  command->add_option("--since", flags->since, "with --against: the window, up to now")
      ->capture_default_str();
  command->add_option("--service-map", flags->service_map,
                      "with --against: AUDIT_NAME=RUNTIME_NAME when a service reports another "
                      "service.name than the audit gives it (repeatable)");
  command
      ->add_option("--wait-settled", flags->wait_settled,
                   "with --against: wait up to this long for the window's traces to settle")
      ->capture_default_str();
  command->add_option("--query-token-file", flags->query_token_file,
                      "with --against: file holding the collector's query bearer token");
  command->callback([flags, &run] { run = [flags] { return run_audit_command(*flags); }; });
}

}  // namespace tracemesh::cli
