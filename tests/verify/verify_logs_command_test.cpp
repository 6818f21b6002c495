// `tracemesh verify --logs` as CI runs it on a fleet that logs its ids and
// emits no spans: the real binary on real log files (noise, compose
// prefixes, several files, standard input), its exit codes and reports.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "collector_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;
using Outcome = tracemesh::testing::Finished;

constexpr const char* forwarded = "7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b";
constexpr const char* forwarded_hex = "7b0c9e215a1c4e2f9a7b0c1d2e3f4a5b";
constexpr const char* dropped = "c2a7e5d0-1111-4c3b-8d9e-0f1a2b3c4d5e";

std::string json_line(const std::string& time, const std::string& id, const std::string& message) {
  return R"({"ts":")" + time + R"(","level":"info","msg":")" + message + R"(","trace_id":")" + id +
         "\"}";
}

// `docker compose logs` of three services: one request forwarded all the
// way, one the ui did not forward while ingest served another, and noise.
std::string compose_logs() {
  return "Attaching to ingest-1, store-1, ui_iot-1\n"
         "ui_iot-1  | " +
         json_line("2026-12-07T19:10:00.100Z", forwarded, "POST /api/readings") +
         "\n"
         "ingest-1  | " +
         json_line("2026-12-07T19:10:00.104Z", forwarded, "ingest reading") +
         "\n"
         "store-1   | " +
         json_line("2026-12-07T19:10:00.109Z", forwarded, "stored") +
         "\n"
         "ui_iot-1  | " +
         json_line("2026-12-07T19:10:01.000Z", dropped, "POST /api/readings") +
         "\n"
         "ingest-1  | " +
         json_line("2026-12-07T19:10:01.020Z", "d4e5f6a7-2222-4c3b-8d9e-0f1a2b3c4d5e",
                   "ingest reading") +
         "\n"
         "ingest-1  | Traceback (most recent call last):\n"
         "ingest-1  |   File \"/app/ingest.py\", line 12, in <module>\n"
         "store-1   | \n"
         "ui_iot-1  | INFO:     Uvicorn running on http://0.0.0.0:8000\n";
}

class VerifyLogs : public ::testing::Test {
 protected:
  Outcome verify(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {TRACEMESH_BINARY, "verify"});
    const auto log = directory_.path() / ("verify-" + std::to_string(++runs_) + ".log");
    return tracemesh::testing::run_to_completion(arguments, log.string(), 60s);
  }

  std::string write(const std::string& name, const std::string& content) {
    const auto path = directory_.path() / name;
    std::ofstream(path) << content;
    return path.string();
  }

  TemporaryDirectory directory_;
  int runs_ = 0;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(VerifyLogs, PassesAForwardedIdAndSaysWhereADroppedOneStopped) {
  const std::string logs = write("compose.log", compose_logs());
  Outcome run =
      verify({"--logs", logs, "--trace-id", forwarded, "--expect", "ui_iot -> ingest -> store"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, std::string("id ") + forwarded_hex + "  (logged as " +
                                       forwarded + ")  3 services  3 lines  PASS"))
      << run.output;
  EXPECT_TRUE(contains(run.output,
                       "logs: 1 input, 10 lines: 5 records (5 naming a trace id); "
                       "skipped: 4 not JSON"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "verify: PASS, 1 expectations held in 1 id(s)")) << run.output;

  const std::string junit = (directory_.path() / "junit.xml").string();
  run = verify({"--logs", logs, "--trace-id", dropped, "--expect", "ui_iot -> ingest -> store",
                "--junit", junit});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output,
                       "the id reached ui_iot (2026-12-07T19:10:01.000Z), never "
                       "ingest: ingest logged 1 other id within 200.0ms after "
                       "ui_iot's line (d4e5f6a7-2222-4c3b-8d9e-0f1a2b3c4d5e): the id "
                       "was likely not forwarded"))
      << run.output;
  const std::string xml = read_file(junit);
  EXPECT_TRUE(contains(xml, "<failure")) << xml;
  EXPECT_TRUE(contains(xml, "likely not forwarded")) << xml;

  // Without a selection: every id ui_iot logged first.
  run = verify({"--logs", logs, "--expect", "ui_iot -> ingest", "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const json report = json::parse(run.output.substr(0, run.output.rfind('}') + 1));
  EXPECT_EQ(report["schema"], "tracemesh.verify/v1");
  EXPECT_EQ(report["source"], "logs");
  EXPECT_EQ(report["passed"], false);
  EXPECT_EQ(report["summary"]["traces"], 2);
  EXPECT_EQ(report["summary"]["failed"], 1);
  EXPECT_EQ(report["logs"]["not_json"], 4);
  EXPECT_EQ(report["logs"]["blank"], 1);
  EXPECT_EQ(report["traces"][0]["trace_id"], forwarded_hex);
  EXPECT_EQ(report["traces"][0]["root_service"], "ui_iot");
  EXPECT_EQ(report["traces"][0]["services"][1]["service"], "ingest");
  EXPECT_EQ(report["traces"][1]["passed"], false);
}

TEST_F(VerifyLogs, ReadsSeveralFilesStandardInputAndNamesServicesPerFile) {
  // One file per service, as `docker logs` or a log shipper leaves them; the
  // ui's lines name their service, the others' do not.
  const std::string ui =
      write("ui.log", R"({"timestamp":1796670600100,"service":"ui","request_id":"r-1"})"
                      "\n");
  const std::string api =
      write("api.log", R"({"time":"2026-12-07T19:10:00.130Z","x_trace_id":"r-1"})"
                       "\n");
  const std::string db =
      write("db.log", R"({"@timestamp":"2026-12-07T19:10:00.140Z","trace.id":"r-1"})"
                      "\n");
  Outcome run = verify({"--logs", ui, "--logs", api + ":api", "--logs", db + ":db", "--trace-id",
                        "r-1", "--expect", "ui -> api -> db"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "logs: 3 inputs, 3 lines: 3 records")) << run.output;

  // The same from standard input.
  run = verify({"--logs", ui, "--logs", "-:api", "--trace-id", "r-1", "--expect", "ui -> api"});
  EXPECT_EQ(run.exit_code, 1) << run.output;  // standard input is empty here: api logged nothing
  const std::string command = std::string(TRACEMESH_BINARY) + " verify --logs '" + ui +
                              "' --logs -:api --trace-id r-1 --expect 'ui -> api' < '" + api + "'";
  run = tracemesh::testing::run_to_completion({"/bin/sh", "-c", command},
                                              (directory_.path() / "stdin.log").string(), 60s);
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(VerifyLogs, TakesATraceparentAsTheTraceId) {
  // Lines that log the W3C header, and an id given the same way.
  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string logs = write(
      "w3c.log", R"({"ts":"2026-12-07T19:10:00Z","service":"a","traceparent":")" + traceparent +
                     "\"}\n"
                     R"({"ts":"2026-12-07T19:10:00.1Z","service":"b","trace_id":")" +
                     "4bf92f3577b34da6a3ce929d0e0e4736\"}\n");
  const Outcome run = verify({"--logs", logs, "--trace-id", traceparent, "--expect", "a -> b"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(VerifyLogs, TakesTheFieldNamesItIsGiven) {
  const std::string logs = write(
      "custom.log", R"({"when":"2026-12-07T19:10:00Z","component":"edge","ctx":{"rid":"q-7"}})"
                    "\n"
                    R"({"when":"2026-12-07T19:10:00.2Z","component":"core","ctx":{"rid":"q-7"}})"
                    "\n");
  Outcome run = verify({"--logs", logs, "--expect", "edge -> core"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "the logs hold no usable line")) << run.output;
  EXPECT_TRUE(contains(run.output, "2 without a time (--log-time-field)")) << run.output;
  run = verify({"--logs", logs, "--log-time-field", "when", "--log-service-field", "component",
                "--log-trace-field", "ctx.rid", "--expect", "edge -> core"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(VerifyLogs, ExitsTwoOnUsageAndInputErrors) {
  const std::string logs = write("compose.log", compose_logs());
  struct Row {
    const char* name;
    std::vector<std::string> arguments;
    const char* message;
  };
  const Row rows[] = {
      {"missing_file", {"--logs", "/nonexistent/app.log", "--expect", "a -> b"}, "cannot read"},
      {"span_assertion",
       {"--logs", logs, "--expect", "span[service=a] duration < 1s"},
       "service paths"},
      {"no_expectation", {"--logs", logs}, "need spans"},
      {"with_collector",
       {"--logs", logs, "--collector", "http://127.0.0.1:1", "--expect", "a -> b"},
       "excludes"},
      {"log_flag_without_logs",
       {"--file", logs, "--log-window", "1s", "--expect", "a -> b"},
       "are for --logs"},
      {"bad_window",
       {"--logs", logs, "--log-window", "soon", "--expect", "a -> b"},
       "--log-window"},
      {"bad_trace_id",
       {"--logs", logs, "--trace-id", "bad id", "--expect", "a -> b"},
       "--trace-id"},
      {"builtin_with_logs",
       {"--logs", logs, "--builtin", "all", "--expect", "a -> b"},
       "are for spans"},
      {"timeout_with_logs",
       {"--logs", logs, "--timeout", "5s", "--expect", "a -> b"},
       "are for spans"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const Outcome run = verify(row.arguments);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_TRUE(contains(run.output, row.message)) << run.output;
  }
  // A selection nothing matches fails (exit 1), it does not pass.
  const Outcome run =
      verify({"--logs", logs, "--trace-id", "never-logged", "--expect", "ui_iot -> ingest"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "no log line names trace")) << run.output;
}

}  // namespace
