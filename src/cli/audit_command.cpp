#include "cli/audit_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "audit/audit.h"
#include "audit/report/audit_report.h"

namespace tracemesh::cli {
namespace {

namespace fs = std::filesystem;

constexpr int exit_done = 0;
constexpr int exit_below_threshold = 1;
constexpr int exit_usage = 2;

struct AuditFlags {
  std::string path;
  std::string format = "md";
  std::string output;
  std::string config;
  std::vector<std::string> fail_under;
  std::string junit;
  unsigned threads = 0;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tracemesh audit: %s\n", message.c_str());
  return exit_usage;
}

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  return static_cast<bool>(file.flush());
}

// A progress bar on stderr, only when it is a terminal.
class Progress {
 public:
  Progress() : enabled_(isatty(STDERR_FILENO) == 1) {}
  void update(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    constexpr std::size_t width = 30;
    const std::size_t filled = done * width / total;
    std::fprintf(stderr, "\rParsing %zu/%zu Python files [%s%s] %3zu%%", done, total,
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 done * 100 / total);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

// The config file: --config, else PATH/.tracemesh.yaml when there is one.
Expected<audit::AuditConfig> load_config(const AuditFlags& flags) {
  if (!flags.config.empty()) return audit::load_audit_config(flags.config);
  const fs::path implicit = fs::path(flags.path) / ".tracemesh.yaml";
  std::error_code error;
  if (fs::exists(implicit, error)) return audit::load_audit_config(implicit);
  return audit::AuditConfig{};
}

int run_audit_command(const AuditFlags& flags) {
  std::error_code error;
  if (!fs::is_directory(flags.path, error))
    return usage_error(flags.path + ": not a directory to audit");
  auto config = load_config(flags);
  if (!config) return usage_error(std::string(config.error().text()));
  for (const std::string& list : flags.fail_under) {
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

  const std::string report = flags.format == "json"    ? audit::audit_json(*result)
                             : flags.format == "sarif" ? audit::audit_sarif(*result)
                                                       : audit::audit_markdown(*result);
  if (flags.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
  } else if (!write_file(flags.output, report)) {
    return usage_error("--output: cannot write " + flags.output);
  }
  if (!flags.junit.empty() && !write_file(flags.junit, audit::audit_junit(*result)))
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
  return result->failures.empty() ? exit_done : exit_below_threshold;
}

}  // namespace

void add_audit_command(CLI::App& app, std::function<int()>& run) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* command = app.add_subcommand(
      "audit",
      "Audit a service repository's tracing coverage statically (Python): middleware per\n"
      "service, outbound calls with and without the trace, routes and their integration\n"
      "tests, MQTT messages, cross-service edges and metrics.\n"
      "Exit codes: 0 done, 1 below a --fail-under threshold, 2 usage or input error.");
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
                      "routes_integration_tested, route_modules_with_integration_tests");
  command->add_option("--junit", flags->junit,
                      "also write the thresholds as a JUnit XML report to this file");
  command
      ->add_option("--threads", flags->threads,
                   "parser threads (default: one per core); 1 also runs the rules on one thread")
      ->check(CLI::Range(0, 256));
  command->callback([flags, &run] { run = [flags] { return run_audit_command(*flags); }; });
}

}  // namespace tracemesh::cli
