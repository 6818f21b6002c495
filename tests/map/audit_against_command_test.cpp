// `tracemesh audit --against` as CI runs it: the real binary, the fixture
// fleet and a real collector — the map in each format, the edges_proven
// threshold and every exit code (2 for usage and refused requests, 3 for a
// collector that cannot be reached).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "collector_process.h"
#include "map/otlp_spans.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::map::testing::attribute;
using tracemesh::map::testing::span;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

const std::string fixture = std::string(TRACEMESH_SOURCE_DIR) + "/tests/fixtures/fleet-fastapi";
const std::string since = "2000000000s";  // the spans below are dated 2023

// gateway's POST to billing (gateway/app/main.py:35, no trace header), and
// billing's new trace: a broken hop, the caller to blame.
std::vector<std::string> broken_checkout() {
  const std::string trace = random_hex(32);
  const std::string root = random_hex(16);
  const std::string call = random_hex(16);
  return {
      tracemesh::map::testing::otlp("gateway",
                                    {span(trace, root, "", "POST /checkout", 2, json::array()),
                                     span(trace, call, root, "POST", 3,
                                          {attribute("http.request.method", "POST"),
                                           attribute("url.full", "http://billing:8002/charge")})}),
      tracemesh::map::testing::otlp("billing",
                                    {span(random_hex(32), random_hex(16), "", "POST /charge", 2,
                                          {attribute("url.path", "/charge"),
                                           attribute("tracemesh.propagation.format", "none")})}),
  };
}

class AuditAgainst : public ::testing::Test {
 protected:
  tracemesh::testing::Finished audit(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {TRACEMESH_BINARY, "audit", fixture});
    const auto log = directory_.path() / ("audit-" + std::to_string(++runs_) + ".log");
    return tracemesh::testing::run_to_completion(arguments, log.string(), 120s);
  }
  std::string path(const std::string& name) const { return (directory_.path() / name).string(); }

  void feed(Collector& collector) {
    for (const std::string& body : broken_checkout()) {
      const auto response = collector.post(body, "application/json");
      ASSERT_TRUE(response && response->status == 200) << collector.log();
    }
  }

  TemporaryDirectory directory_;
  int runs_ = 0;
};

TEST_F(AuditAgainst, PrintsTheMapAndFailsUnderTheEdgesThreshold) {
  Collector collector(directory_.path());
  ASSERT_TRUE(collector.ready()) << collector.log();
  feed(collector);
  const auto run =
      audit({"--against", collector.http_url(), "--since", since, "--wait-settled", "20s",
             "--fail-under", "outbound_traced=10,edges_proven=50", "--junit", path("junit.xml")});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("# Propagation map"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("| gateway → billing | http | POST /charge | 0 connected, 1 broken | "
                            "**gateway/app/main.py:35** (untraced)"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("edges proven 0/"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("edges_proven is 0.0%, below the minimum of 50%"), std::string::npos)
      << run.output;
  // CI's JUnit view agrees with the exit code: edges_proven is a failing case.
  const std::string junit = read_file(path("junit.xml"));
  EXPECT_NE(junit.find("name=\"edges_proven\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("edges_proven is below its minimum"), std::string::npos) << junit;
  EXPECT_NE(junit.find("name=\"outbound_traced\""), std::string::npos) << junit;

  const auto met = audit({"--against", collector.http_url(), "--since", since, "--fail-under",
                          "edges_proven=0", "--format", "sarif", "-o", path("map.sarif")});
  EXPECT_EQ(met.exit_code, 0) << met.output;
  const json sarif = json::parse(read_file(path("map.sarif")));
  EXPECT_EQ(sarif["version"], "2.1.0");
  ASSERT_EQ(sarif["runs"][0]["results"].size(), 1U) << sarif.dump(2);
  EXPECT_EQ(sarif["runs"][0]["results"][0]["ruleId"], "TM004");
}

// `tracemesh collect --repo PATH` audits the repository at start and joins
// it in process: GET /api/map is the same map, for the UI's graph page.
TEST_F(AuditAgainst, TheCollectorJoinsARepositoryGivenAtStart) {
  Collector collector(directory_.path(), {"--repo", fixture});
  ASSERT_TRUE(collector.ready()) << collector.log();
  feed(collector);
  json map;
  for (int i = 0; i < 200; ++i) {  // until the broken hop is judged
    map = collector.get_json("/api/map?start=0&end=1800000000000000000");
    if (map.contains("states") && map["states"]["broken_in_code"] == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(map["schema"], "tracemesh.map/v1") << map.dump();
  EXPECT_EQ(map["root"], fixture);
  bool found = false;
  for (const json& edge : map["edges"]) {
    if (edge["caller"] != "gateway" || edge["callee"] != "billing") continue;
    found = true;
    EXPECT_EQ(edge["state"], "broken_in_code") << edge.dump(2);
    EXPECT_EQ(edge["sites"][0]["file"], "gateway/app/main.py");
    EXPECT_EQ(edge["sites"][0]["blamed"], true);
  }
  EXPECT_TRUE(found) << map.dump(2);
  EXPECT_EQ(collector.get_json("/api/map?start=9&end=1")["error"], "start must not be after end");

  std::filesystem::create_directories(directory_.path() / "plain");
  Collector plain(directory_.path() / "plain");
  ASSERT_TRUE(plain.ready()) << plain.log();
  const auto missing = plain.http().Get("/api/map");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("--repo PATH"), std::string::npos);
}

TEST_F(AuditAgainst, ACollectorWithABadRepositoryDoesNotStart) {
  const auto run = tracemesh::testing::run_to_completion(
      {TRACEMESH_BINARY, "collect", "--otlp-listen", "127.0.0.1:0", "--otlp-grpc-listen", "off", "--http-listen", "127.0.0.1:0",
       "--data", path("data"), "--repo", path("nowhere")},
      path("collect.log"), 30s);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--repo: "), std::string::npos) << run.output;
}

TEST_F(AuditAgainst, SendsTheQueryTokenAndNamesARefusal) {
  std::ofstream(path("token")) << "s3cret\n";
  Collector collector(directory_.path(), {"--query-token-file", path("token")});
  ASSERT_TRUE(collector.ready()) << collector.log();
  const auto refused = audit({"--against", collector.http_url(), "--format", "json"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("the collector answered 401"), std::string::npos) << refused.output;
  const auto allowed = audit({"--against", collector.http_url(), "--query-token-file",
                              path("token"), "--format", "json", "-o", path("map.json")});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_EQ(json::parse(read_file(path("map.json")))["schema"], "tracemesh.map/v1");
}

TEST_F(AuditAgainst, ACollectorThatCannotBeReachedIsExitThree) {
  // The discard port: nothing listens on it here.
  const auto run = audit({"--against", "http://127.0.0.1:9", "--format", "json"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("cannot reach the collector at http://127.0.0.1:9"), std::string::npos)
      << run.output;
}

TEST_F(AuditAgainst, BadOptionsAreUsageErrors) {
  const auto expect_usage = [this](std::vector<std::string> arguments, const std::string& says) {
    const auto run = audit(std::move(arguments));
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(says), std::string::npos) << run.output;
  };
  expect_usage({"--fail-under", "edges_proven=90"}, "--fail-under edges_proven needs --against");
  expect_usage({"--against", "127.0.0.1:16686"}, "must be http://HOST:PORT");
  expect_usage({"--against", "http://127.0.0.1:9", "--since", "soon"}, "--since");
  expect_usage({"--against", "http://127.0.0.1:9", "--service-map", "gateway"},
               "--service-map must be AUDIT_NAME=RUNTIME_NAME");
  expect_usage({"--against", "http://127.0.0.1:9", "--fail-under", "edges_proven=101"},
               "edges_proven must be a percentage from 0 to 100");
}

}  // namespace
