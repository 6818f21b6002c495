// `tracemesh audit` as a user and CI run it: the real binary on the fixture
// fleet, each report format (JSON checked against the documented shape,
// SARIF's structure, Markdown's sections), thresholds and exit codes, the
// config file, and bad input (a path that is no directory, a broken config,
// a file that cannot be parsed).
#include <gtest/gtest.h>
#include <sys/wait.h>

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
using tracemesh::testing::ChildProcess;
using tracemesh::testing::read_file;
using tracemesh::testing::TemporaryDirectory;

namespace fs = std::filesystem;

const std::string fixture = std::string(TRACEMESH_SOURCE_DIR) + "/tests/fixtures/fleet-fastapi";

using Outcome = tracemesh::testing::Finished;

class AuditCommand : public ::testing::Test {
 protected:
  Outcome audit(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {TRACEMESH_BINARY, "audit"});
    const auto log = directory_.path() / ("audit-" + std::to_string(++runs_) + ".log");
    return tracemesh::testing::run_to_completion(arguments, log.string(), 120s);
  }

  std::string path(const std::string& name) const { return (directory_.path() / name).string(); }

  TemporaryDirectory directory_;
  int runs_ = 0;
};

TEST_F(AuditCommand, JsonReportHasTheDocumentedShape) {
  const auto run = audit({fixture, "--format", "json", "--output", path("audit.json")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("report written to"), std::string::npos);
  EXPECT_EQ(run.output.find('\r'), std::string::npos);  // no progress bar off a terminal
  const json report = json::parse(read_file(path("audit.json")));
  EXPECT_EQ(report["schema"], "tracemesh.audit/v1");
  // Keys in the documented order (docs/audit.md), not alphabetical.
  const auto ordered = nlohmann::ordered_json::parse(read_file(path("audit.json")));
  std::vector<std::string> top_keys;
  for (const auto& [key, value] : ordered.items()) top_keys.push_back(key);
  EXPECT_EQ(top_keys, (std::vector<std::string>{"schema", "root", "python_files", "python_bytes",
                                                "services", "shared_libraries", "outside_services",
                                                "outbound_calls", "routes", "messaging", "edges",
                                                "metrics", "thresholds", "problems"}));
  EXPECT_EQ(report["outside_services"], json::array({"tools/scripts/cleanup.py"}));
  ASSERT_EQ(report["services"].size(), 5U);
  const json& orders = report["services"][4];
  EXPECT_EQ(orders["name"], "orders");
  EXPECT_EQ(orders["root"], "services/orders");
  EXPECT_EQ(orders["framework"], "fastapi");
  EXPECT_EQ(orders["has_http_server"], true);
  EXPECT_EQ(orders["inbound_middleware"]["present"], false);
  EXPECT_EQ(orders["inbound_middleware"]["file"], "services/orders/orders/tracing.py");
  EXPECT_EQ(orders["inbound_middleware"]["line"], 13);
  EXPECT_EQ(orders["inbound_middleware"]["kind"], "add_middleware");

  const std::vector<std::string> call_keys = {"service",
                                              "file",
                                              "line",
                                              "construction_line",
                                              "function",
                                              "library",
                                              "method",
                                              "target",
                                              "target_kind",
                                              "target_service",
                                              "cross_service",
                                              "propagates_trace",
                                              "propagation_condition",
                                              "unresolved",
                                              "how",
                                              "reachable"};
  ASSERT_EQ(report["outbound_calls"].size(), 4U);
  for (const json& call : report["outbound_calls"]) {
    for (const std::string& key : call_keys) EXPECT_TRUE(call.contains(key)) << key;
  }
  const json& forgotten = report["outbound_calls"][1];
  EXPECT_EQ(forgotten["file"], "gateway/app/main.py");
  EXPECT_EQ(forgotten["line"], 35);
  EXPECT_EQ(forgotten["construction_line"], 33);
  EXPECT_EQ(forgotten["function"], "checkout");
  EXPECT_EQ(forgotten["method"], "POST");
  EXPECT_EQ(forgotten["target"], "http://billing:8002/charge");
  EXPECT_EQ(forgotten["target_service"], "billing");
  EXPECT_EQ(forgotten["cross_service"], true);
  EXPECT_EQ(forgotten["propagates_trace"], false);
  EXPECT_TRUE(forgotten["propagation_condition"].is_null());
  EXPECT_EQ(report["outbound_calls"][2]["construction_line"], nullptr);  // httpx.get

  const std::vector<std::string> route_keys = {"service", "file",    "line",   "method",
                                               "path",    "handler", "served", "integration_tested",
                                               "tests"};
  ASSERT_EQ(report["routes"].size(), 13U);
  for (const json& route : report["routes"]) {
    for (const std::string& key : route_keys) EXPECT_TRUE(route.contains(key)) << key;
  }
  const json& ack = report["routes"][7];
  EXPECT_EQ(ack["path"], "/api/v1/alerts/{alert_id}/ack");
  ASSERT_EQ(ack["tests"].size(), 1U);
  EXPECT_EQ(ack["tests"][0]["file"], "gateway/tests/integration/test_alerts_flow.py");
  EXPECT_EQ(ack["tests"][0]["line"], 14);
  EXPECT_EQ(ack["tests"][0]["name"], "test_ack_alert");
  EXPECT_EQ(ack["tests"][0]["skipped"], true);
  EXPECT_EQ(ack["integration_tested"], false);

  ASSERT_EQ(report["messaging"].size(), 4U);
  EXPECT_EQ(report["messaging"][1]["topic"], "notifier/heartbeat");
  EXPECT_EQ(report["messaging"][1]["trace_id_in_payload"], false);
  EXPECT_EQ(report["messaging"][1]["system"], "mqtt");
  EXPECT_EQ(report["messaging"][1]["role"], "publisher");

  EXPECT_EQ(report["edges"], json::parse(R"([
              {"from": "gateway", "to": "billing", "protocol": "http", "call_sites": 1,
               "traced_call_sites": 0},
              {"from": "gateway", "to": "orders", "protocol": "http", "call_sites": 1,
               "traced_call_sites": 1},
              {"from": "orders", "to": "billing", "protocol": "http", "call_sites": 1,
               "traced_call_sites": 1}])"));
  EXPECT_EQ(report["metrics"], json::parse(R"({
      "services_total": 5, "services_with_tracing": 2,
      "outbound_call_sites": 4, "outbound_traced": 3, "outbound_unresolved": 0,
      "cross_service_call_sites": 3, "cross_service_traced": 2,
      "routes_total": 13, "routes_integration_tested": 8,
      "route_modules": 6, "route_modules_with_integration_tests": 4})"));
}

TEST_F(AuditCommand, SarifHasOneResultPerFindingWithLocations) {
  const auto run = audit({fixture, "--format", "sarif"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json log = json::parse(run.output);
  EXPECT_EQ(log["version"], "2.1.0");
  const json& sarif_run = log["runs"][0];
  EXPECT_EQ(sarif_run["tool"]["driver"]["name"], "tracemesh audit");
  ASSERT_EQ(sarif_run["tool"]["driver"]["rules"].size(), 3U);
  std::vector<std::string> results;
  for (const json& result : sarif_run["results"]) {
    const json& location = result["locations"][0]["physicalLocation"];
    EXPECT_EQ(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    EXPECT_EQ(sarif_run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()]["id"],
              result["ruleId"]);
    results.push_back(result["ruleId"].get<std::string>() + " " +
                      location["artifactLocation"]["uri"].get<std::string>() + ":" +
                      (location.contains("region")
                           ? std::to_string(location["region"]["startLine"].get<int>())
                           : std::string("file")));
  }
  // billing: no middleware at all; orders: registered where nothing imports it; the
  // forgotten client; the heartbeat published without the id.
  EXPECT_EQ(results,
            (std::vector<std::string>{
                "TM002 services/billing/app.py:file", "TM002 services/orders/orders/tracing.py:13",
                "TM001 gateway/app/main.py:35", "TM003 services/notifier/worker.py:19"}));
}

TEST_F(AuditCommand, MarkdownReadsLikeAHandAudit) {
  const auto run = audit({fixture});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* section :
       {"# Tracing audit: fleet-fastapi",
        "21 Python files (7 KiB) in 5 services and 1 shared library; 1 file outside every "
        "service, not audited.",
        "Outside every service and not imported by one (not audited): `tools/scripts/cleanup.py`.",
        "## Metrics", "| Cross-service call sites traced | 2/3 (66.7%) |",
        "## Services and inbound tracing middleware", "## Cross-service calls",
        "## Untraced outbound call sites",
        "| gateway | gateway/app/main.py:35 | httpx | POST | http://billing:8002/charge |",
        "### Traced only under a condition", "## Messaging", "## Routes", "### gateway",
        "## Integration test coverage per router module",
        "| gateway | gateway/app/routers/legacy.py | 0/1 (0.0%) | GET /v0/status |"}) {
    EXPECT_NE(run.output.find(section), std::string::npos) << section;
  }
}

TEST_F(AuditCommand, ShowsProgressOnATerminal) {
  // script(1) (bsdutils, an essential Debian package) runs the command on a pseudo-terminal.
  const std::string command =
      std::string(TRACEMESH_BINARY) + " audit " + fixture + " -o " + path("tty.md");
  const auto log = directory_.path() / "tty.log";
  ChildProcess process({"/usr/bin/script", "-qec", command, "/dev/null"}, log.string());
  const auto status = process.wait_for_exit(120s);
  ASSERT_TRUE(status && WIFEXITED(*status)) << read_file(log);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << read_file(log);
  EXPECT_NE(read_file(log).find("Parsing 21/21 Python files ["), std::string::npos)
      << read_file(log);
}

TEST_F(AuditCommand, ThresholdsDecideTheExitCode) {
  auto run = audit({fixture, "--format", "json", "--fail-under",
                    "cross_service_traced=90,outbound_traced=50", "--junit", path("junit.xml")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("cross_service_traced is 2/3 (66.7%), below the minimum of 90%"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("outbound_traced is"), std::string::npos);
  const std::string junit = read_file(path("junit.xml"));
  EXPECT_NE(junit.find("name=\"cross_service_traced\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<failure"), std::string::npos);

  run = audit({fixture, "--format", "json", "--fail-under", "cross_service_traced=66%",
               "--fail-under", "routes_integration_tested=50"});
  EXPECT_EQ(run.exit_code, 0) << run.output;

  // The config file's thresholds, overridden by the command line.
  std::ofstream(path("strict.yaml")) << "fail_under:\n  services_with_tracing: 80\n";
  EXPECT_EQ(audit({fixture, "--config", path("strict.yaml"), "-o", path("r.md")}).exit_code, 1);
  EXPECT_EQ(audit({fixture, "--config", path("strict.yaml"), "-o", path("r.md"), "--fail-under",
                   "services_with_tracing=40"})
                .exit_code,
            0);
}

TEST_F(AuditCommand, UsageErrorsExitTwoWithAReason) {
  auto run = audit({path("no-such-dir")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("not a directory to audit"), std::string::npos) << run.output;
  run = audit({fixture, "--fail-under", "coverage=80"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("'coverage=80' is not KEY=PCT"), std::string::npos) << run.output;
  EXPECT_EQ(audit({fixture, "--fail-under", "outbound_traced=120"}).exit_code, 2);
  EXPECT_EQ(audit({fixture, "--format", "html"}).exit_code, 2);
  std::ofstream(path("typo.yaml")) << "headers: [X-Mine]\ntrusted_wrapper: [f]\n";
  run = audit({fixture, "--config", path("typo.yaml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("typo.yaml:2:1: unknown key 'trusted_wrapper'"), std::string::npos)
      << run.output;
  EXPECT_EQ(audit({fixture, "--config", path("missing.yaml")}).exit_code, 2);
  EXPECT_EQ(audit({fixture, "-o", path("no-such-dir/report.md")}).exit_code, 2);
}

TEST_F(AuditCommand, ConfigNamesHeadersWrappersServicesAndExclusions) {
  const fs::path root = directory_.path() / "repo";
  fs::create_directories(root / "api");
  fs::create_directories(root / "legacy");
  std::ofstream(root / "api" / "main.py")
      << "import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\n"
         "def fetch(tid):\n    return httpx.get('http://x', headers={'X-Tenant-Trace': tid})\n"
         "def wrapped(url):\n    return httpx.get(url)\n";
  std::ofstream(root / "legacy" / "old.py") << "import requests\nrequests.get('http://y')\n";
  // Not Python text: reported and skipped, never fatal.
  std::ofstream(root / "api" / "blob.py") << std::string("x = 1\0\0", 7);
  std::ofstream(root / ".tracemesh.yaml")
      << "headers: [x-tenant-trace]\ntrusted_wrappers: [api.main.wrapped]\n"
         "services:\n  - {name: public-api, root: api/}\nexclude: [legacy/]\n";
  const auto run = audit({root.string(), "--format", "json", "-o", path("repo.json")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("tracemesh audit: api/blob.py: not text (NUL bytes), skipped"),
            std::string::npos)
      << run.output;
  const json report = json::parse(read_file(path("repo.json")));
  ASSERT_EQ(report["services"].size(), 1U);
  EXPECT_EQ(report["services"][0]["name"], "public-api");
  EXPECT_EQ(report["services"][0]["found_by"], "config");
  ASSERT_EQ(report["outbound_calls"].size(), 2U);  // legacy/ is excluded
  EXPECT_EQ(report["outbound_calls"][0]["how"], "explicit X-Tenant-Trace header");
  EXPECT_EQ(report["outbound_calls"][1]["how"], "inside trusted wrapper wrapped (config)");
  ASSERT_EQ(report["problems"].size(), 1U);
  EXPECT_EQ(report["problems"][0]["file"], "api/blob.py");
}

}  // namespace
