// The demo fleet end to end: examples/fleet/fleet.py starts mosquitto, a
// collector and the seven services (C++ on the SDK, Node.js on the
// OpenTelemetry JS SDK, Python by hand) on free loopback ports; the test
// sends alerts to the ui and checks what the collector stored with
// `tracemesh verify` and the spec kept in the repository
// (examples/fleet/alert-trace.yaml), and the service graph. With --break,
// the runtime half must catch the dropped context; the audit half is checked
// on the fleet's source.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

const std::string source_dir = TRACEMESH_SOURCE_DIR;
const std::string spec = source_dir + "/examples/fleet/alert-trace.yaml";

struct Outcome : tracemesh::testing::Finished {
  json report;  // the JSON document in the output, when there is one
};

// Run `argv` to completion (at most 120 s) with its output in `log`.
Outcome run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  Outcome outcome{tracemesh::testing::run_to_completion(argv, log.string(), 120s), {}};
  const std::size_t brace = outcome.output.find('{');
  if (brace != std::string::npos)
    outcome.report = json::parse(outcome.output.substr(brace), nullptr, false);
  return outcome;
}

// The fleet, started by fleet.py; stop() checks that every process stopped
// cleanly (the destructor only stops it).
class Fleet {
 public:
  // `fleet_dir`: where fleet.py and the services' sources are (a patched copy, say).
  Fleet(const std::filesystem::path& directory, const std::string& broken_edge,
        const std::string& fleet_dir = source_dir + "/examples/fleet") {
    ready_file_ = directory / "fleet.json";
    log_ = directory / "fleet.log";
    work_ = directory / "fleet";  // the store and every log: kept when the test fails
    // A grace long enough that a stalled sanitized process does not let a trace
    // settle while its spans are still on their way.
    std::vector<std::string> argv = {
        TRACEMESH_PYTHON, fleet_dir + "/fleet.py", "--build-dir",  FLEET_BUILD_DIR,
        "--tracemesh",    TRACEMESH_BINARY,        "--grace",      "3s",
        "--work-dir",     work_.string(),          "--ready-file", ready_file_.string()};
    if (!broken_edge.empty()) argv.insert(argv.end(), {"--break", broken_edge});
    process_ = std::make_unique<ChildProcess>(argv, log_.string());
    // Sanitized builds start slowly on a busy machine; fleet.py gives each process 30 s.
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    while (!std::filesystem::exists(ready_file_) && process_->running() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    if (std::filesystem::exists(ready_file_)) endpoints_ = json::parse(read_file(ready_file_));
  }

  ~Fleet() {
    if (process_->running()) process_->stop(90s);
  }
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  bool ready() const { return endpoints_.is_object(); }

  // Stop the fleet (SIGTERM to fleet.py, which stops every process) and return
  // what went wrong on the way out: fleet.py's exit status (non-zero when a
  // process exited with an error or needed SIGKILL) and any sanitizer report
  // in a service's log. Empty when everything stopped cleanly.
  std::string stop() {
    const auto status = process_->stop(90s);
    std::string problems;
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
      problems += "fleet.py did not stop cleanly:\n" + log();
    for (const auto& entry : std::filesystem::directory_iterator(work_ / "logs")) {
      const std::string text = read_file(entry.path());
      for (const char* report : {"AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
        if (text.find(report) != std::string::npos)
          problems += entry.path().filename().string() + " reports " + report + ":\n" + text;
      }
    }
    return problems;
  }
  std::string log() const { return read_file(log_); }
  std::string collector() const { return endpoints_["collector"]["http"]; }
  std::string service(const std::string& name) const { return endpoints_["services"][name]; }
  // Where a service's stdout and stderr go.
  std::string service_log(const std::string& name) const {
    return endpoints_["logs"].get<std::string>() + "/" + name + ".log";
  }
  // Every service's log, for a failure message.
  std::string service_logs() const {
    std::string text;
    for (const auto& entry :
         std::filesystem::directory_iterator(endpoints_["logs"].get<std::string>()))
      text += "--- " + entry.path().filename().string() + "\n" + read_file(entry.path());
    return text;
  }

  // POST an alert to the ui; the trace id it answers with ("" on failure).
  std::string send_alert(const std::string& device) const {
    httplib::Client client(service("ui"));
    client.set_read_timeout(30s);
    const json alert = {{"device", device}, {"severity", "critical"}, {"message", "pressure high"}};
    const auto response = client.Post("/api/alerts", {{"Authorization", "Bearer demo-token"}},
                                      alert.dump(), "application/json");
    if (!response || response->status != 201) return {};
    return json::parse(response->body).value("trace_id", "");
  }

  json get(const std::string& path) const {
    httplib::Client client(collector());
    const auto response = client.Get(path);
    return response && response->status == 200 ? json::parse(response->body) : json();
  }

  // The graph edge caller -> callee, or null.
  json edge(const std::string& caller, const std::string& callee) const {
    const json graph = get("/api/graph?lookback=1h");
    for (const json& found : graph["edges"]) {
      if (found["caller"] == caller && found["callee"] == callee) return found;
    }
    return {};
  }

 private:
  std::filesystem::path ready_file_;
  std::filesystem::path log_;
  std::filesystem::path work_;
  std::unique_ptr<ChildProcess> process_;
  json endpoints_;
};

class FleetTest : public ::testing::Test {
 protected:
  Outcome verify(const Fleet& fleet, const std::vector<std::string>& selection) {
    std::vector<std::string> argv = {TRACEMESH_BINARY, "verify", "--collector", fleet.collector(),
                                     "--spec",         spec,     "--format",    "json"};
    argv.insert(argv.end(), selection.begin(), selection.end());
    return run(argv, directory_.path() / ("verify-" + std::to_string(++runs_) + ".log"));
  }

  // The same request judged from the ui's and the webhook-receiver's JSON logs alone.
  Outcome verify_logs(const Fleet& fleet, const std::string& trace_id) {
    const std::vector<std::string> argv = {TRACEMESH_BINARY, "verify",
                                           "--logs",         fleet.service_log("ui"),
                                           "--logs",         fleet.service_log("webhook-receiver"),
                                           "--trace-id",     trace_id,
                                           "--expect",       "ui -> webhook-receiver",
                                           "--format",       "json"};
    return run(argv, directory_.path() / ("verify-" + std::to_string(++runs_) + ".log"));
  }

  TemporaryDirectory directory_;
  int runs_ = 0;
};

TEST_F(FleetTest, AnAlertIsOneConnectedTraceAcrossEveryServiceAndTransport) {
  Fleet fleet(directory_.path(), "");
  ASSERT_TRUE(fleet.ready()) << fleet.log();
  const std::string trace_id = fleet.send_alert("pump-7");
  ASSERT_EQ(trace_id.size(), 32U) << fleet.service_logs();

  const Outcome verified = verify(fleet, {"--trace", trace_id});
  EXPECT_EQ(verified.exit_code, 0) << verified.output << fleet.service_logs();
  ASSERT_TRUE(verified.report.is_object()) << verified.output;
  EXPECT_TRUE(verified.report["passed"].get<bool>());
  ASSERT_EQ(verified.report["traces"].size(), 1U);
  const json& trace = verified.report["traces"][0];
  EXPECT_EQ(trace["trace_id"], trace_id);
  EXPECT_EQ(trace["root_service"], "ui");
  // ui, 3 calls and their 3 servers (+ the agent's inner span), delivery-worker's
  // webhook call, the webhook-receiver's server and its call to auth, auth's
  // server, the publish and the consume.
  EXPECT_EQ(trace["span_count"], 14);
  // Every expectation of the spec held, the service paths among them.
  std::vector<std::string> held;
  for (const json& result : trace["results"]) {
    if (result["passed"].get<bool>()) held.push_back(result["expectation"]);
  }
  for (const char* path : {"ui -> auth", "ui -> agent", "ui -> delivery-worker -> webhook-receiver",
                           "delivery-worker -> (mqtt) -> mqtt-consumer", "no broken hops"}) {
    EXPECT_NE(std::find(held.begin(), held.end(), path), held.end()) << path << "\n"
                                                                     << verified.output;
  }

  // The graph: every edge the alert crossed is fully connected.
  for (const auto& [caller, callee] :
       std::vector<std::pair<std::string, std::string>>{{"ui", "auth"},
                                                        {"ui", "agent"},
                                                        {"ui", "delivery-worker"},
                                                        {"delivery-worker", "webhook-receiver"},
                                                        {"webhook-receiver", "auth"},
                                                        {"delivery-worker", "mqtt-consumer"}}) {
    const json found = fleet.edge(caller, callee);
    ASSERT_TRUE(found.is_object()) << caller << " -> " << callee;
    EXPECT_EQ(found["propagation_health"], 1.0) << found.dump();
    EXPECT_EQ(found["broken"], 0) << found.dump();
  }
  EXPECT_EQ(fleet.edge("delivery-worker", "mqtt-consumer")["protocol"], "mqtt");

  // The logs tell the same: the ui (C++, spdlog's JSON lines) and the
  // webhook-receiver (Python, its own JSON lines) both logged the id, in order.
  const Outcome from_logs = verify_logs(fleet, trace_id);
  EXPECT_EQ(from_logs.exit_code, 0) << from_logs.output << fleet.service_logs();
  ASSERT_TRUE(from_logs.report.is_object()) << from_logs.output;
  EXPECT_EQ(from_logs.report["source"], "logs");
  ASSERT_EQ(from_logs.report["traces"].size(), 1U) << from_logs.output;
  EXPECT_EQ(from_logs.report["traces"][0]["root_service"], "ui");

  // The collector follows both log files (--log-file): the trace carries their lines.
  std::set<std::string> logging;
  for (int i = 0; i < 100 && logging.size() < 2; ++i) {
    logging.clear();
    const json trace_json = fleet.get("/api/traces/" + trace_id);
    if (trace_json.contains("logs")) {
      for (const json& log : trace_json["logs"]) logging.insert(log["service"].get<std::string>());
    }
    if (logging.size() < 2) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(logging, (std::set<std::string>{"ui", "webhook-receiver"}));
  EXPECT_EQ(fleet.stop(), "");
}

TEST_F(FleetTest, TheOpsWorkerStartsAFreshConnectedTracePerTick) {
  Fleet fleet(directory_.path(), "");
  ASSERT_TRUE(fleet.ready()) << fleet.log();
  // Ticks run every 2 s; wait for two to settle (grace 1 s).
  json ticks;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    ticks = fleet.get("/api/traces?root_service=ops-worker&integrity=connected&limit=10")["traces"];
    if (ticks.is_array() && ticks.size() >= 2) break;
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_TRUE(ticks.is_array() && ticks.size() >= 2) << ticks.dump() << fleet.service_logs();
  EXPECT_NE(ticks[0]["trace_id"], ticks[1]["trace_id"]);
  for (const json& tick : ticks) {
    EXPECT_EQ(tick["root_name"], "health tick");
    // The root, and a CLIENT and a SERVER span for each of the six services checked.
    EXPECT_EQ(tick["span_count"], 13) << tick.dump();
  }
  EXPECT_EQ(fleet.stop(), "");
}

TEST_F(FleetTest, ABrokenEdgeIsCaughtByVerifyAndTheGraph) {
  Fleet fleet(directory_.path(), "delivery-worker->webhook-receiver");
  ASSERT_TRUE(fleet.ready()) << fleet.log();
  const std::string trace_id = fleet.send_alert("valve-3");
  ASSERT_EQ(trace_id.size(), 32U) << fleet.service_logs();

  const Outcome verified = verify(fleet, {"--trace", trace_id});
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  ASSERT_TRUE(verified.report.is_object()) << verified.output;
  bool named = false;
  for (const json& result : verified.report["traces"][0]["results"]) {
    const std::string message = result["message"];
    if (result["expectation"] == "no broken hops") {
      EXPECT_FALSE(result["passed"].get<bool>());
      named = message.find("of delivery-worker got no SERVER span") != std::string::npos &&
              message.find("webhook-receiver started trace") != std::string::npos &&
              message.find("likely culprit: delivery-worker did not inject the context") !=
                  std::string::npos;
    }
    if (result["expectation"] == "ui -> delivery-worker -> webhook-receiver") {
      EXPECT_FALSE(result["passed"].get<bool>()) << message;
    }
    if (result["expectation"] == "delivery-worker -> (mqtt) -> mqtt-consumer") {
      EXPECT_TRUE(result["passed"].get<bool>()) << "only the broken edge fails: " << message;
    }
  }
  EXPECT_TRUE(named) << verified.output;

  const json broken = fleet.edge("delivery-worker", "webhook-receiver");
  ASSERT_TRUE(broken.is_object()) << fleet.get("/api/graph?lookback=1h").dump();
  EXPECT_LT(broken["propagation_health"].get<double>(), 1.0) << broken.dump();
  EXPECT_GE(broken["broken"].get<int>(), 1) << broken.dump();
  EXPECT_EQ(fleet.edge("ui", "delivery-worker")["propagation_health"], 1.0);

  // From the logs alone: the ui logged the id, the webhook-receiver logged another.
  const Outcome from_logs = verify_logs(fleet, trace_id);
  EXPECT_EQ(from_logs.exit_code, 1) << from_logs.output;
  ASSERT_TRUE(from_logs.report.is_object()) << from_logs.output;
  const std::string message = from_logs.report["traces"][0]["results"][0]["message"];
  EXPECT_NE(message.find("never webhook-receiver: webhook-receiver logged"), std::string::npos)
      << message;
  EXPECT_NE(message.find("the id was likely not forwarded"), std::string::npos) << message;
  EXPECT_EQ(fleet.stop(), "");
}

TEST(FleetAudit, TheStaticHalfFindsThePythonServicesUntracedCallSite) {
  const TemporaryDirectory directory;
  const Outcome audited =
      run({TRACEMESH_BINARY, "audit", source_dir + "/examples/fleet", "--format", "json"},
          directory.path() / "audit.log");
  ASSERT_EQ(audited.exit_code, 0) << audited.output;  // the fleet's own thresholds hold
  ASSERT_TRUE(audited.report.is_object()) << audited.output;
  std::vector<std::string> listed;
  for (const json& service : audited.report["services"]) {
    listed.push_back(service["name"].get<std::string>() + ":" +
                     service["language"].get<std::string>());
    if (service["name"] == "webhook-receiver") {
      EXPECT_TRUE(service["inbound_middleware"]["present"].get<bool>()) << service.dump();
    }
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"agent:javascript", "auth:cpp", "delivery-worker:cpp",
                                              "mqtt-consumer:cpp", "ops-worker:cpp", "ui:cpp",
                                              "webhook-receiver:python"}));
  // The call to auth that --break webhook-receiver->auth takes is the one untraced site;
  // the span exporter's POST is telemetry.
  std::vector<std::string> untraced;
  for (const json& call : audited.report["outbound_calls"]) {
    if (!call["propagates_trace"].get<bool>())
      untraced.push_back(call["target_kind"].get<std::string>() + " " +
                         call["target_service"].dump());
  }
  EXPECT_EQ(untraced, (std::vector<std::string>{"service \"auth\"", "telemetry null"}))
      << audited.output;
}

// The propagation map (`tracemesh audit --against`) on the running fleet:
// for each broken edge, that edge and no other is broken_in_code, and the
// site it blames is the call site that drops the context — found in the
// source text, so a reformat that moves it fails loudly; with no break,
// every edge is proven.
struct MapCase {
  std::string broken_edge;  // "" for the healthy fleet
  std::string caller;
  std::string callee;
  std::string file;    // relative to examples/fleet
  std::string marker;  // text on the blamed line
};

std::ostream& operator<<(std::ostream& out, const MapCase& mode) {
  return out << (mode.broken_edge.empty() ? "healthy" : mode.broken_edge);
}

// The 1-based line of `file` holding `marker`, or 0.
int line_of(const std::string& file, const std::string& marker) {
  std::ifstream in(source_dir + "/examples/fleet/" + file);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find(marker) != std::string::npos) return number;
  }
  return 0;
}

std::vector<MapCase> map_cases() {
  std::vector<MapCase> cases = {
      {"", "", "", "", ""},
      {"ui->auth", "ui", "auth", "ui/main.cpp", ".post(auth_url_"},
      {"ui->agent", "ui", "agent", "ui/main.cpp", ".post(agent_url_"},
      {"ui->delivery-worker", "ui", "delivery-worker", "ui/main.cpp", ".post(delivery_url_"},
      {"delivery-worker->webhook-receiver", "delivery-worker", "webhook-receiver",
       "delivery-worker/main.cpp", ".post(webhook_url_"},
      {"delivery-worker->mqtt-consumer", "delivery-worker", "mqtt-consumer",
       "delivery-worker/main.cpp", "publish_traced("},
      {"webhook-receiver->auth", "webhook-receiver", "auth", "webhook-receiver/app.py",
       "auth_client.post(url, headers={\"Authorization\""},
  };
  for (const char* callee :
       {"ui", "auth", "agent", "delivery-worker", "webhook-receiver", "mqtt-consumer"}) {
    cases.push_back({std::string("ops-worker->") + callee, "ops-worker", callee,
                     "ops-worker/main.cpp", ".get(url)"});
  }
  return cases;
}

class FleetMap : public ::testing::TestWithParam<MapCase> {
 protected:
  TemporaryDirectory directory_;
};

TEST_P(FleetMap, NamesTheBrokenEdgeAndItsCallSiteAndProvesTheRest) {
  const MapCase& mode = GetParam();
  int expected_line = 0;
  if (!mode.broken_edge.empty()) {
    expected_line = line_of(mode.file, mode.marker);
    ASSERT_GT(expected_line, 0) << mode.marker << " not found in " << mode.file;
  }
  Fleet fleet(directory_.path(), mode.broken_edge);
  ASSERT_TRUE(fleet.ready()) << fleet.log();
  ASSERT_EQ(fleet.send_alert("pump-7").size(), 32U) << fleet.service_logs();
  // Health ticks run every 2 s: wait until a check of every service has reached
  // the collector (each is its own trace, exported on its own: one arriving
  // says nothing of the others, which under a slow sanitizer build may lag).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  const auto all_checked = [&fleet] {
    for (const char* callee :
         {"auth", "ui", "agent", "delivery-worker", "webhook-receiver", "mqtt-consumer"}) {
      if (fleet.edge("ops-worker", callee).is_null()) return false;
    }
    return true;
  };
  while (!all_checked() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(250ms);

  const std::filesystem::path report = directory_.path() / "map.json";
  Outcome mapped = run(
      {TRACEMESH_BINARY, "audit", source_dir + "/examples/fleet", "--against", fleet.collector(),
       "--since", "10m", "--wait-settled", "30s", "--format", "json", "--output", report.string()},
      directory_.path() / "map.log");
  ASSERT_EQ(mapped.exit_code, 0) << mapped.output;
  mapped.report = json::parse(read_file(report), nullptr, false);
  ASSERT_TRUE(mapped.report.is_object()) << mapped.output;
  EXPECT_EQ(mapped.report["schema"], "tracemesh.map/v1");
  EXPECT_EQ(mapped.report["unsettled_traces"], 0);
  std::size_t broken = 0;
  std::size_t edges = 0;
  for (const json& edge : mapped.report["edges"]) {
    ++edges;
    const bool is_broken_edge =
        !mode.broken_edge.empty() && edge["caller"] == mode.caller && edge["callee"] == mode.callee;
    if (!is_broken_edge) {
      EXPECT_EQ(edge["state"], "proven") << edge.dump(2);
      continue;
    }
    ++broken;
    EXPECT_EQ(edge["state"], "broken_in_code") << edge.dump(2);
    std::vector<std::string> blamed;
    for (const json& site : edge["sites"]) {
      if (site["blamed"].get<bool>())
        blamed.push_back(site["file"].get<std::string>() + ":" +
                         std::to_string(site["line"].get<int>()));
    }
    EXPECT_EQ(blamed, std::vector<std::string>{mode.file + ":" + std::to_string(expected_line)})
        << edge.dump(2);
  }
  // The alert's six edges and ops-worker's six health checks.
  EXPECT_EQ(edges, 12U) << mapped.output;
  EXPECT_EQ(broken, mode.broken_edge.empty() ? 0U : 1U) << mapped.output;
  EXPECT_EQ(fleet.stop(), "");
}

// `tracemesh fix --write` on a copy of the fleet heals the broken Python call
// site: with the same --break, the restarted fleet's edge webhook-receiver ->
// auth goes from broken to connected, and the audit finds no untraced site.
TEST(FleetFix, FixWriteHealsTheBrokenPythonCallSite) {
  const TemporaryDirectory directory;
  const std::filesystem::path copy = directory.path() / "fleet-source";
  std::filesystem::copy(source_dir + "/examples/fleet", copy,
                        std::filesystem::copy_options::recursive);
  const std::string broken_edge = "webhook-receiver->auth";
  // The fleet of the copy, with that edge broken, started in `run_folder`:
  // an alert sent, the graph's edge webhook-receiver -> auth once it counts
  // a call as `key`.
  const auto edge_after_an_alert = [&](const char* run_folder, const char* key) {
    std::filesystem::create_directories(directory.path() / run_folder);
    Fleet fleet(directory.path() / run_folder, broken_edge, copy.string());
    EXPECT_TRUE(fleet.ready()) << fleet.log();
    if (!fleet.ready()) return json();
    EXPECT_EQ(fleet.send_alert("pump-7").size(), 32U) << fleet.service_logs();
    const auto count = [&](const json& edge) { return edge.is_object() ? edge.value(key, 0) : 0; };
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (count(fleet.edge("webhook-receiver", "auth")) == 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(250ms);
    json edge = fleet.edge("webhook-receiver", "auth");
    EXPECT_EQ(fleet.stop(), "");
    return edge;
  };
  const json broken = edge_after_an_alert("broken", "broken");
  ASSERT_TRUE(broken.is_object());
  EXPECT_GE(broken.value("broken", 0), 1) << broken.dump();

  const Outcome fixed = run({TRACEMESH_BINARY, "fix", copy.string(), "--write", "--format", "json"},
                            directory.path() / "fix.log");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  ASSERT_TRUE(fixed.report.is_object()) << fixed.output;
  ASSERT_EQ(fixed.report["fixed"].size(), 1U) << fixed.output;
  EXPECT_EQ(fixed.report["fixed"][0]["file"], "webhook-receiver/app.py");
  EXPECT_EQ(fixed.report["fixed"][0]["idiom"], "header helper trace_headers");
  EXPECT_EQ(fixed.report["fixed"][0]["line"],
            line_of("webhook-receiver/app.py", "auth_client.post(url, headers={\"Authorization\""));

  const json healed = edge_after_an_alert("healed", "connected");
  ASSERT_TRUE(healed.is_object());
  EXPECT_GE(healed.value("connected", 0), 1) << healed.dump();
  EXPECT_EQ(healed.value("broken", 0), 0) << healed.dump();
  EXPECT_EQ(healed["propagation_health"], 1.0) << healed.dump();
  const Outcome audited = run({TRACEMESH_BINARY, "audit", copy.string(), "--format", "json"},
                              directory.path() / "audit.log");
  ASSERT_TRUE(audited.report.is_object()) << audited.output;
  for (const json& call : audited.report["outbound_calls"]) {
    if (call["target_kind"] == "service") {
      EXPECT_TRUE(call["propagates_trace"].get<bool>()) << call.dump();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryBreakMode, FleetMap, ::testing::ValuesIn(map_cases()),
                         [](const ::testing::TestParamInfo<MapCase>& param_info) {
                           std::string name = param_info.param.broken_edge.empty()
                                                  ? std::string("healthy")
                                                  : param_info.param.broken_edge;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
