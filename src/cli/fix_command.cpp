#include "cli/fix_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "cli/audit_setup.h"
#include "fix/fix_report.h"
#include "fix/helper_module.h"
#include "fix/retrofit.h"

namespace tracemesh::cli {
namespace {

constexpr int exit_done = 0;
constexpr int exit_sites_left = 1;
constexpr int exit_usage = 2;

struct FixFlags {
  std::string path;
  std::string output;
  std::string format = "diff";
  std::string config;
  std::vector<std::string> only;
  std::string header;
  bool write = false;
  bool include_external = false;
  bool middleware = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tracemesh fix: %s\n", message.c_str());
  return exit_usage;
}

int run_fix_command(const FixFlags& flags) {
  std::error_code error;
  if (!std::filesystem::is_directory(flags.path, error))
    return usage_error(flags.path + ": not a directory to fix");
  if (!flags.header.empty() && !fix::is_header_name(flags.header))
    return usage_error("--header: '" + flags.header + "' is not an HTTP header name");
  auto config = load_audit_config_for(flags.path, flags.config);
  if (!config) return usage_error(std::string(config.error().text()));
  Progress progress;
  audit::AuditOptions options;
  options.config = std::move(*config);
  options.progress = [&progress](std::size_t done, std::size_t total) {
    progress.update(done, total);
  };
  const auto audited = audit::audit_fleet(flags.path, options);
  progress.finish();
  if (!audited) return usage_error(std::string(audited.error().text()));
  fix::FixOptions fix_options;
  for (const std::string& list : flags.only) {
    std::size_t at = 0;
    while (at <= list.size()) {
      const std::size_t comma = list.find(',', at);
      const std::string name = list.substr(at, comma == std::string::npos ? comma : comma - at);
      if (!name.empty()) fix_options.only.push_back(name);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  const auto& services = (*audited)->result.services.services;
  for (const std::string& name : fix_options.only) {
    if (std::none_of(services.begin(), services.end(),
                     [&](const audit::Service& service) { return service.name == name; }))
      return usage_error("--only: no service named '" + name + "' (the audit's names)");
  }
  fix_options.include_external = flags.include_external;
  fix_options.middleware = flags.middleware;
  fix_options.header = flags.header;
  const fix::Retrofit retrofit = fix::plan_retrofit(**audited, fix_options);
  if (flags.write) {
    if (auto written = fix::write_retrofit(flags.path, retrofit); !written)
      return usage_error(std::string(written.error().text()));
  }
  const std::string report = flags.format == "json"
                                 ? fix::fix_json(retrofit, flags.path, flags.write)
                                 : (flags.write ? std::string() : retrofit.patch());
  if (flags.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
  } else {
    std::ofstream file(flags.output, std::ios::binary | std::ios::trunc);
    file << report;
    if (!file.flush()) return usage_error("-o: cannot write " + flags.output);
  }
  const std::string summary = fix::fix_summary(retrofit, flags.write);
  std::fwrite(summary.data(), 1, summary.size(), stderr);
  return retrofit.skipped.empty() ? exit_done : exit_sites_left;
}

}  // namespace

void add_fix_command(CLI::App& app, std::function<int()>& run) {
  auto flags = std::make_shared<FixFlags>();
  CLI::App* command = app.add_subcommand(
      "fix",
      "Write the patch that makes every untraced call site to an internal service carry\n"
      "the trace, in the repository's own idiom: its traced client factory, its header\n"
      "helper, its trace-id context variable, OpenTelemetry's inject, or one small new\n"
      "helper module (docs/fix.md). The patch applies with `git apply` from PATH.\n"
      "Exit codes: 0 every such site fixed (or none to fix), 1 some sites left as they\n"
      "are (each listed on stderr with the reason), 2 usage or input error.");
  command->add_option("PATH", flags->path, "the repository to fix")->required();
  command->add_option("--output,-o", flags->output, "write the patch (or JSON) here, not stdout");
  command->add_flag("--write", flags->write, "apply the patch to the files in place");
  command->add_option("--only", flags->only,
                      "fix only these services: SERVICE[,SERVICE...] (the audit's names)");
  command->add_flag("--include-external", flags->include_external,
                    "also sites calling external hosts, infrastructure or unknown targets "
                    "(by default the trace is not sent to third parties)");
  command->add_flag("--middleware", flags->middleware,
                    "also register the helper's inbound hook on services with no inbound "
                    "middleware");
  command->add_option("--header", flags->header,
                      "the header a new helper carries (default: the one the fleet's middleware "
                      "reads, else X-Trace-ID)");
  command->add_option("--format", flags->format, "output: diff (the patch) or json")
      ->check(CLI::IsMember({"diff", "json"}))
      ->capture_default_str();
  command->add_option("--config", flags->config,
                      "audit config file (default PATH/.tracemesh.yaml when present)");
  command->callback([flags, &run] { run = [flags] { return run_fix_command(*flags); }; });
}

}  // namespace tracemesh::cli
