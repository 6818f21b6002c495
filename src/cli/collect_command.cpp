#include "cli/collect_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "audit/audit.h"
#include "cli/flag_sources.h"
#include "cli/token_file.h"
#include "collector/collector.h"
#include "map/map_report.h"
#include "model/duration.h"
#include "report/json_writer.h"

namespace tracemesh::cli {
namespace {

struct CollectFlags {
  std::string otlp_listen = "127.0.0.1:4318";
  std::string otlp_grpc_listen = "127.0.0.1:4317";  // "off": none
  std::string http_listen = "127.0.0.1:16686";
  std::string data = "tracemesh-data";
  std::string ingest_token_file;
  std::string query_token_file;
  std::string grace = "10s";
  std::string skew_tolerance = "0ms";
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::size_t max_queued_spans = 200'000;
  std::size_t max_grpc_connections = 256;
  std::string retention = "168h";
  std::uint64_t max_data_bytes = 0;
  std::size_t settle_cache_bytes = 256U << 20U;
  std::string format = "text";
  std::string log_format = "text";     // the event log on stderr (event_log.h)
  std::string config;                  // a YAML file of the flags (flag_sources.h)
  std::string repo;                    // audited at start; GET /api/map joins it with the hops
  std::vector<std::string> log_files;  // PATH[:SERVICE], followed as they grow
};

// Audit `repo` once (its .tracemesh.yaml when present) and return the
// function that joins an /api/hops answer with it.
Expected<std::function<Expected<std::string>(const std::string&)>> repository_map(
    const std::string& repo) {
  std::error_code error;
  if (!std::filesystem::is_directory(repo, error))
    return Error{ErrorCode::invalid_input, "--repo: " + repo + " is not a directory"};
  audit::AuditOptions options;
  const auto config_path = std::filesystem::path(repo) / ".tracemesh.yaml";
  if (std::filesystem::exists(config_path, error)) {
    auto config = audit::load_audit_config(config_path);
    if (!config)
      return Error{ErrorCode::invalid_input, "--repo: " + std::string(config.error().text())};
    options.config = std::move(*config);
  }
  auto audited = audit::run_audit(repo, options);
  if (!audited)
    return Error{ErrorCode::invalid_input, "--repo: " + std::string(audited.error().text())};
  auto result = std::make_shared<const audit::AuditResult>(std::move(*audited));
  return std::function<Expected<std::string>(const std::string&)>(
      [result, repo](const std::string& hops_json) -> Expected<std::string> {
        const auto hops = map::parse_runtime_hops(hops_json);
        if (!hops) return hops.error();
        return map::map_json(map::build_map(*result, *hops, {}), repo, "in process");
      });
}

Expected<collector::Listen> parse_listen(const std::string& text, const char* flag) {
  const std::size_t colon = text.rfind(':');
  const Error invalid{ErrorCode::invalid_input, std::string(flag) + " '" + text +
                                                    "' must be HOST:PORT (port 0: any free port)"};
  if (colon == std::string::npos || colon == 0) return invalid;
  collector::Listen listen;
  listen.host = text.substr(0, colon);
  try {
    std::size_t used = 0;
    const int port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port < 0 || port > 65535) return invalid;
    listen.port = port;
  } catch (const std::exception&) {
    return invalid;
  }
  return listen;
}

Expected<collector::CollectorOptions> to_options(const CollectFlags& flags) {
  collector::CollectorOptions options;
  auto otlp = parse_listen(flags.otlp_listen, "--otlp-listen");
  if (!otlp) return otlp.error();
  auto http = parse_listen(flags.http_listen, "--http-listen");
  if (!http) return http.error();
  if (flags.otlp_grpc_listen != "off") {
    auto grpc = parse_listen(flags.otlp_grpc_listen, "--otlp-grpc-listen");
    if (!grpc) return grpc.error();
    options.grpc = *grpc;
  }
  auto grace = model::parse_duration(flags.grace);
  if (!grace)
    return Error{ErrorCode::invalid_input, "--grace: " + std::string(grace.error().text())};
  auto skew = model::parse_duration(flags.skew_tolerance);
  if (!skew) {
    return Error{ErrorCode::invalid_input, "--skew-tolerance: " + std::string(skew.error().text())};
  }
  auto retention = model::parse_duration(flags.retention);
  if (!retention) {
    return Error{ErrorCode::invalid_input, "--retention: " + std::string(retention.error().text())};
  }
  auto ingest_token = read_token(flags.ingest_token_file, "--ingest-token-file");
  if (!ingest_token) return ingest_token.error();
  auto query_token = read_token(flags.query_token_file, "--query-token-file");
  if (!query_token) return query_token.error();
  options.otlp = *otlp;
  options.http = *http;
  options.data_directory = flags.data;
  options.version = TRACEMESH_VERSION;
  options.log = std::make_shared<collector::EventLog>(flags.log_format == "json"
                                                          ? collector::EventLog::Format::json
                                                          : collector::EventLog::Format::text);
  options.max_body_bytes = flags.max_body_bytes;
  options.store.max_queued_spans = flags.max_queued_spans;
  options.max_grpc_connections = flags.max_grpc_connections;
  options.store.max_age = *retention;
  options.store.max_bytes = flags.max_data_bytes;
  options.store.arriving_cache_bytes = flags.settle_cache_bytes;
  options.store.integrity.grace_nanos = static_cast<std::uint64_t>(grace->count());
  options.store.integrity.skew_tolerance_nanos = static_cast<std::uint64_t>(skew->count());
  options.ingest_token = *ingest_token;
  options.query_token = *query_token;
  for (const std::string& argument : flags.log_files) {
    options.log_files.push_back(collector::parse_log_file_argument(argument));
  }
  if (!flags.repo.empty()) {
    auto joined = repository_map(flags.repo);
    if (!joined) return joined.error();
    options.map_report = std::move(*joined);
  }
  return options;
}

void print_listening(const collector::Collector& collector,
                     const collector::CollectorOptions& options, const std::string& format) {
  const std::string otlp =
      "http://" + options.otlp.host + ":" + std::to_string(collector.otlp_port());
  const std::string http =
      "http://" + options.http.host + ":" + std::to_string(collector.http_port());
  // gRPC exporters take the endpoint as a URL without a path.
  const std::string grpc =
      options.grpc ? "http://" + options.grpc->host + ":" + std::to_string(collector.grpc_port())
                   : std::string();
  if (format == "json") {
    report::JsonWriter line(report::JsonWriter::Layout::compact);
    line.begin_object().field("otlp", otlp + "/v1/traces").field("otlp_logs", otlp + "/v1/logs");
    if (options.grpc) line.field("otlp_grpc", grpc);
    line.field("http", http).field("data", options.data_directory.string()).end_object();
    std::printf("%s\n", line.take().c_str());
  } else {
    const std::string grpc_part = options.grpc ? " and OTLP/gRPC on " + grpc : std::string();
    std::printf(
        "tracemesh collect: OTLP on %s/v1/traces (logs: /v1/logs)%s, query API on %s, data in "
        "%s\n",
        otlp.c_str(), grpc_part.c_str(), http.c_str(), options.data_directory.c_str());
  }
  std::fflush(stdout);
}

int collect(const CollectFlags& flags) {
  auto options = to_options(flags);
  if (!options) {
    std::fprintf(stderr, "tracemesh collect: %s\n", std::string(options.error().text()).c_str());
    return 2;
  }
  // Block the stop signals before any thread exists, so only the watcher takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto collector = collector::Collector::start(*options);
  if (!collector) {
    std::fprintf(stderr, "tracemesh collect: %s\n", std::string(collector.error().text()).c_str());
    return 1;
  }
  print_listening(**collector, *options, flags.format);
  std::atomic<bool> serving{true};
  std::thread watcher([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (serving) {
      options->log->write("info", "stopping",
                          {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
      (*collector)->stop();
    }
  });
  (*collector)->wait();
  serving = false;
  const bool failed = (*collector)->failed();
  if (failed) kill(getpid(), SIGTERM);  // wake the watcher: no signal is coming
  watcher.join();
  collector->reset();  // commits what is queued and closes the store
  if (failed) {
    options->log->write("error", "a listener stopped unexpectedly; stopped");
    return 1;
  }
  options->log->write("info", "stopped", {{"data", options->data_directory.string()}});
  return 0;
}

}  // namespace

void add_collect_command(CLI::App& app, std::function<int()>& run) {
  auto flags = std::make_shared<CollectFlags>();
  CLI::App* command = app.add_subcommand(
      "collect", "Receive spans (OTLP/HTTP), store them and judge every trace's integrity.");
  command->add_option("--otlp-listen", flags->otlp_listen, "OTLP/HTTP listener HOST:PORT")
      ->capture_default_str();
  command
      ->add_option("--otlp-grpc-listen", flags->otlp_grpc_listen,
                   "OTLP/gRPC listener HOST:PORT, or off")
      ->capture_default_str();
  command
      ->add_option("--http-listen", flags->http_listen,
                   "query API, metrics and web UI listener HOST:PORT")
      ->capture_default_str();
  command->add_option("--data", flags->data, "data directory (created when missing)")
      ->capture_default_str();
  command->add_option("--ingest-token-file", flags->ingest_token_file,
                      "file holding the bearer token OTLP senders must present");
  command->add_option("--query-token-file", flags->query_token_file,
                      "file holding the bearer token query clients must present");
  command
      ->add_option("--grace", flags->grace,
                   "quiet time after which a trace is settled and judged (e.g. 10s)")
      ->capture_default_str();
  command
      ->add_option("--skew-tolerance", flags->skew_tolerance,
                   "child-outside-parent time not reported as clock skew (e.g. 5ms)")
      ->capture_default_str();
  command
      ->add_option("--max-body-bytes", flags->max_body_bytes,
                   "largest OTLP request body accepted (413 above)")
      ->capture_default_str();
  command
      ->add_option("--max-grpc-connections", flags->max_grpc_connections,
                   "OTLP/gRPC connections open at once (a thread each; more are closed at once)")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  command
      ->add_option("--max-queued-spans", flags->max_queued_spans,
                   "spans waiting for the store before requests get 429")
      ->capture_default_str();
  command
      ->add_option("--retention", flags->retention,
                   "delete traces whose last span arrived longer ago (0s: keep forever)")
      ->capture_default_str();
  command
      ->add_option("--max-data-bytes", flags->max_data_bytes,
                   "delete the oldest traces while the store holds more (0: no limit)")
      ->capture_default_str();
  command
      ->add_option("--settle-cache-bytes", flags->settle_cache_bytes,
                   "memory for arriving traces' spans, so settling need not read them back")
      ->capture_default_str();
  command->add_option("--repo", flags->repo,
                      "a repository to audit at start: GET /api/map (and the UI's graph page) "
                      "then joins its code edges with the stored calls (docs/map.md)");
  command->add_option("--log-file", flags->log_files,
                      "a JSON-lines log file to follow (repeatable): its lines that name a trace "
                      "id become the trace's log records; PATH:SERVICE names the service of lines "
                      "that name none (docs/collector.md)");
  command->add_option("--format", flags->format, "startup line format (standard output)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command
      ->add_option("--log-format", flags->log_format,
                   "event log format (standard error): start, stop, store errors, overload, "
                   "retention")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command
      ->add_option("--config", flags->config,
                   "a YAML file of these flags without the -- (otlp-listen: 0.0.0.0:4318); "
                   "flags and TRACEMESH_* environment variables win over it")
      ->check(CLI::ExistingFile);
  // Every flag also from the environment: --otlp-listen from TRACEMESH_OTLP_LISTEN.
  add_environment_names(*command, "TRACEMESH_");
  command->callback([flags, command, &run] {
    if (!flags->config.empty()) apply_config_file(*command, flags->config);
    run = [flags] { return collect(*flags); };
  });
}

}  // namespace tracemesh::cli
