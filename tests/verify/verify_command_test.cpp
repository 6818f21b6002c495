// `tracemesh verify` as CI runs it: the real binary against a real collector
// (and against OTLP JSON files), with its exit codes, its reports and the
// culprit it names.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "collector_process.h"
#include "otlp_fixture.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;
using tracemesh::verify::testing::otlp_request;
using tracemesh::verify::testing::three_services;

using Outcome = tracemesh::testing::Finished;

class VerifyCommand : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(collector_.ready()) << collector_.log(); }

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

  void send(const std::string& body) {
    const auto response = collector_.post(body, "application/json");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
  }

  TemporaryDirectory directory_;
  Collector collector_{directory_.path()};
  int runs_ = 0;
  const std::string connected_ = random_hex(32);
  const std::string broken_ = random_hex(32);
  const std::string callee_ = random_hex(32);
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(VerifyCommand, PassesAConnectedTraceAndNamesTheCulpritOfABrokenOne) {
  send(otlp_request(three_services(connected_, false, {}, "a")));
  send(otlp_request(three_services(broken_, true, callee_, "b")));
  const std::string path = "bot -> agent-service -> rag-service";

  Outcome run =
      verify({"--collector", collector_.http_url(), "--trace", connected_, "--expect", path,
              "--expect", "span[service=rag-service kind=server] http.response.status_code = 200"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "verify: PASS, 6 expectations held in 1 trace(s)"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "rag-service  POST /search  [server]")) << run.output;

  const std::string junit = (directory_.path() / "junit.xml").string();
  run = verify({"--collector", collector_.http_url(), "--trace", broken_, "--expect", path,
                "--junit", junit});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output,
                       "'bot -> agent-service' holds, but agent-service has no "
                       "direct hop to rag-service"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "rag-service started trace " + callee_)) << run.output;
  EXPECT_TRUE(contains(run.output, "likely culprit: agent-service did not inject the context"))
      << run.output;
  // The caller's unanswered client span is marked in the tree.
  EXPECT_TRUE(contains(run.output, "\xE2\x9C\x97         agent-service  POST  [client]"))
      << run.output;
  const std::string xml = read_file(junit);
  EXPECT_TRUE(contains(xml, "failures=\"2\"")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"bot -&gt; agent-service -&gt; rag-service\"")) << xml;

  run = verify({"--collector", collector_.http_url(), "--trace", broken_, "--expect", path,
                "--format", "json"});
  EXPECT_EQ(run.exit_code, 1);
  const json report = json::parse(run.output, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.output;
  EXPECT_EQ(report["schema"], "tracemesh.verify/v1");
  EXPECT_EQ(report["passed"], false);
  EXPECT_EQ(report["summary"]["failed"], 2);
  const json& results = report["traces"][0]["results"];
  const auto hop = std::find_if(results.begin(), results.end(), [](const json& result) {
    return result["expectation"] == "no broken hops";
  });
  ASSERT_NE(hop, results.end());
  EXPECT_EQ((*hop)["passed"], false);
  EXPECT_EQ((*hop)["spans"], json::array({"b000000000000004"}));
}

TEST_F(VerifyCommand, SelectsTracesByRootAndRunsASpecFile) {
  send(otlp_request(three_services(connected_, false, {}, "a")));
  send(otlp_request(three_services(broken_, true, callee_, "b")));
  const std::string spec = write("fleet.yaml", R"(checks:
  - name: bot reaches rag
    expect:
      - bot -> agent-service -> rag-service
      - trace duration < 1s
)");
  // Both bot traces are found and checked; the broken one fails.
  Outcome run =
      verify({"--collector", collector_.http_url(), "--root-service", "bot", "--spec", spec});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "trace " + connected_)) << run.output;
  EXPECT_TRUE(contains(run.output, "trace " + broken_)) << run.output;
  EXPECT_TRUE(contains(run.output, "(1 of 2 trace(s) failing)")) << run.output;
  // A check's own selection: the callee's lone trace, by an attribute of its span.
  const std::string own = write("own.yaml", R"(builtin: [single_root]
checks:
  - name: the orphaned callee
    select: {root_service: rag-service, attributes: {tracemesh.propagation.format: none}}
    expect:
      - count(span) = 1
      - span[kind=server] http.response.status_code = 200
)");
  run = verify({"--collector", collector_.http_url(), "--spec", own});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "trace " + callee_)) << run.output;
  // Every trace in a time window: the three traces above.
  run = verify({"--collector", collector_.http_url(), "--since", "1000000h", "--builtin",
                "single_root", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(json::parse(run.output, nullptr, false)["summary"]["traces"], 3) << run.output;
}

TEST_F(VerifyCommand, FindsTheTraceALegacyIdStarted) {
  // X-Trace-ID: 3f2504e0-4f89-11d3-9a0c-0305e82c3301 continues as this trace id.
  send(otlp_request(three_services("3f2504e04f8911d39a0c0305e82c3301", false, {}, "a")));
  const Outcome run = verify({"--collector", collector_.http_url(), "--legacy-id",
                              "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "--expect",
                              "bot -> agent-service -> rag-service"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "trace 3f2504e04f8911d39a0c0305e82c3301")) << run.output;
  EXPECT_EQ(verify({"--legacy-id", "x", "--trace", connected_}).exit_code, 2);
}

TEST_F(VerifyCommand, WaitsForTheTraceToSettleNotForItsFirstSpan) {
  const std::string trace = random_hex(32);
  auto services = three_services(trace, false, {}, "c");
  const auto late = services.back();
  services.pop_back();
  std::thread sender([&] {
    send(otlp_request(services));
    std::this_thread::sleep_for(150ms);  // within the collector's 300 ms grace
    send(otlp_request({late}));
  });
  const Outcome run = verify({"--collector", collector_.http_url(), "--trace", trace, "--expect",
                              "bot -> agent-service -> rag-service", "--timeout", "20s"});
  sender.join();
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(VerifyCommand, ExitsThreeWhenATraceDoesNotArriveInTime) {
  const std::string missing = random_hex(32);
  Outcome run =
      verify({"--collector", collector_.http_url(), "--trace", missing, "--timeout", "1s"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_TRUE(
      contains(run.output, "verify: INCOMPLETE, trace " + missing + " has not arrived after"))
      << run.output;
  const std::string junit = (directory_.path() / "late.xml").string();
  run = verify({"--collector", collector_.http_url(), "--root-service", "nobody", "--timeout",
                "500ms", "--junit", junit, "--format", "json"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_TRUE(contains(json::parse(run.output, nullptr, false)["missing"].get<std::string>(),
                       "no trace with root_service=nobody has arrived"))
      << run.output;
  EXPECT_TRUE(contains(read_file(junit), "traces arrive and settle"));
}

TEST_F(VerifyCommand, ExitsTwoOnUsageAndInputErrors) {
  const std::string bad_spec =
      write("bad.yaml", "checks:\n  - name: x\n    expect:\n      - a -> \n");
  Outcome run =
      verify({"--collector", collector_.http_url(), "--trace", connected_, "--spec", bad_spec});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "bad.yaml:4:13: expected a service name after the arrow"))
      << run.output;
  run = verify({"--trace", connected_, "--expect", "span[kind=sever] x = 1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "column 11: unknown span kind 'sever'")) << run.output;
  EXPECT_EQ(verify({"--collector", collector_.http_url()}).exit_code, 2);  // which traces?
  EXPECT_EQ(verify({"--trace", "xyz"}).exit_code, 2);
  EXPECT_EQ(verify({"--collector", "ftp://x", "--trace", connected_}).exit_code, 2);
  EXPECT_EQ(verify({"--file", "/nonexistent.json"}).exit_code, 2);
  EXPECT_EQ(verify({"--timeout", "soon", "--trace", connected_}).exit_code, 2);
  EXPECT_EQ(verify({"--bogus"}).exit_code, 2);
  // Nothing listens here: unreachable after the timeout.
  run = verify({"--collector", "http://127.0.0.1:1", "--trace", connected_, "--timeout", "500ms"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "cannot reach the collector at http://127.0.0.1:1"))
      << run.output;
  run = verify({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "--expect")) << run.output;
}

TEST_F(VerifyCommand, ChecksOtlpJsonFilesWithoutACollector) {
  auto broken = three_services(broken_, true, callee_, "b");
  const std::string connected_file =
      write("connected.json", otlp_request(three_services(connected_, false, {}, "a")));
  const std::string broken_file = write("broken.json", otlp_request(broken));
  const std::string path = "bot -> agent-service -> rag-service";
  Outcome run = verify({"--file", connected_file, "--expect", path});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // Every trace in the files: the path applies to the traces rooted in bot,
  // the callee's lone trace only gets the built-in checks.
  run = verify(
      {"--file", connected_file, "--file", broken_file, "--expect", path, "--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const json report = json::parse(run.output, nullptr, false);
  EXPECT_EQ(report["summary"]["traces"], 3) << run.output;
  EXPECT_EQ(report["summary"]["failed"], 2) << run.output;
  // A path whose first service roots no trace fails rather than passing vacuously.
  run = verify({"--file", connected_file, "--expect", "gateway -> bot"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "no trace has its root in gateway")) << run.output;
  // A selection nothing in the files matches fails; files holding no trace are bad input.
  run = verify({"--file", connected_file, "--trace", random_hex(32)});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "no trace in the files matches the selection")) << run.output;
  run = verify({"--file", write("empty.json", "{}"), "--expect", path});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "the files hold no trace")) << run.output;
  run = verify({"--file", write("corrupt.json", "{\"resourceSpans\": 5"), "--expect", path});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "corrupt.json: ")) << run.output;
  EXPECT_EQ(verify({"--file", connected_file, "--since", "5m"}).exit_code, 2);
}

// The same checks against other backends' query APIs: a Jaeger-shaped and a
// Tempo-shaped one (the collector's own /jaeger and /tempo, whose shapes
// tests/collector checks field by field against Jaeger's and Tempo's).
TEST_F(VerifyCommand, ChecksTracesInJaegerAndTempo) {
  send(otlp_request(three_services(connected_, false, {}, "a")));
  send(otlp_request(three_services(broken_, true, callee_, "b")));
  const std::string path = "bot -> agent-service -> rag-service";
  const std::string jaeger = collector_.http_url() + "/jaeger";
  const std::string tempo = collector_.http_url() + "/tempo";
  for (const auto& [flag, url] : {std::pair{"--jaeger", jaeger}, std::pair{"--tempo", tempo}}) {
    Outcome run = verify({flag, url, "--trace", connected_, "--expect", path, "--expect",
                          "span[service=rag-service kind=server] http.response.status_code = 200",
                          "--timeout", "20s"});
    EXPECT_EQ(run.exit_code, 0) << flag << ": " << run.output;
    EXPECT_TRUE(contains(run.output, "verify: PASS")) << flag << ": " << run.output;
    // The broken trace on its own: the path fails (broken hops across traces
    // need tracemesh's collector, the path check does not).
    run = verify({flag, url, "--trace", broken_, "--expect", path, "--timeout", "20s"});
    EXPECT_EQ(run.exit_code, 1) << flag << ": " << run.output;
    EXPECT_TRUE(contains(run.output, "agent-service has no direct hop to rag-service"))
        << flag << ": " << run.output;
    // Selected by root service, as CI does after a deploy.
    run = verify({flag, url, "--root-service", "bot", "--expect", "bot -> agent-service",
                  "--timeout", "20s", "--format", "json"});
    EXPECT_EQ(run.exit_code, 0) << flag << ": " << run.output;
    const json report = json::parse(run.output, nullptr, false);
    EXPECT_EQ(report["summary"]["traces"], 2) << flag << ": " << run.output;
    // A trace the backend does not hold: exit 3 once the wait is over.
    run = verify({flag, url, "--trace", random_hex(32), "--expect", path, "--timeout", "1s"});
    EXPECT_EQ(run.exit_code, 3) << flag << ": " << run.output;
  }
  // Jaeger searches by service: say so rather than search everything.
  Outcome run = verify({"--jaeger", jaeger, "--attribute", "http.request.method=POST"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--root-service")) << run.output;
  EXPECT_EQ(verify({"--jaeger", jaeger, "--tempo", tempo, "--trace", connected_}).exit_code, 2);
  EXPECT_EQ(verify({"--tempo", "ftp://nowhere", "--trace", connected_}).exit_code, 2);
}

TEST_F(VerifyCommand, ChecksTempoTraceJsonFiles) {
  send(otlp_request(three_services(connected_, false, {}, "a")));
  // What Tempo's API answers, saved to a file: batches (v1) and trace.resourceSpans (v2).
  for (const char* version : {"", "/v2"}) {
    const auto saved =
        collector_.http().Get(std::string("/tempo/api") + version + "/traces/" + connected_);
    ASSERT_TRUE(saved);
    ASSERT_EQ(saved->status, 200);
    const std::string file = write("tempo" + std::to_string(++runs_) + ".json", saved->body);
    const Outcome run = verify({"--file", file, "--expect", "bot -> agent-service -> rag-service"});
    EXPECT_EQ(run.exit_code, 0) << version << ": " << run.output;
  }
}

TEST(VerifyTokens, SendsTheQueryTokenFromItsFile) {
  TemporaryDirectory directory;
  const auto token = directory.path() / "query.token";
  std::ofstream(token) << "s3cret\n";
  Collector collector(directory.path(), {"--query-token-file", token.string()});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const std::string trace = random_hex(32);
  ASSERT_EQ(collector.post(otlp_request(three_services(trace, false, {}, "a")), "application/json")
                ->status,
            200);
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {TRACEMESH_BINARY,     "verify",  "--collector",
                                     collector.http_url(), "--trace", trace};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto log = directory.path() / "verify.log";
    ChildProcess process(argv, log.string());
    const auto status = process.wait_for_exit(60s);
    return std::make_pair(status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, read_file(log));
  };
  auto [code, output] = run({});
  EXPECT_EQ(code, 2) << output;
  EXPECT_TRUE(contains(output, "401")) << output;
  std::tie(code, output) = run({"--token-file", token.string()});
  EXPECT_EQ(code, 0) << output;
}

}  // namespace
