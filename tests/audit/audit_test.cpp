// The whole audit (run_audit) on a second fixture laid out like the common
// FastAPI project template: a settings object for prefixes and URLs, routers
// included under prefixes across modules, CORS middleware only, tests using a
// client fixture; beside it a Flask service made by an app factory with a
// blueprint and the OpenTelemetry instrumentor.
#include "audit/audit.h"

#include <gtest/gtest.h>

#include "audit/report/audit_report.h"
#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

const std::string fixture = std::string(TRACEMESH_SOURCE_DIR) + "/tests/fixtures/fastapi-template";

class TemplateAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    auto audited = run_audit(fixture, {});
    ASSERT_TRUE(audited) << audited.error().text();
    result_ = std::move(*audited);
  }
  AuditResult result_;
};

TEST_F(TemplateAudit, ServicesMiddlewareAndInfrastructure) {
  ASSERT_EQ(result_.services.services.size(), 2U);
  EXPECT_EQ(result_.services.services[0].name, "backend");
  EXPECT_EQ(result_.services.services[1].framework, "flask");
  ASSERT_EQ(result_.services.infrastructure.size(), 1U);
  EXPECT_EQ(result_.services.infrastructure[0].name, "db");
  // CORS middleware is registered, but reads no trace header.
  EXPECT_FALSE(result_.middleware[0].present);
  EXPECT_EQ(result_.middleware[0].detail, "CORSMiddleware reads no trace header");
  // The instrumentor inside the app factory, served through the gunicorn entry point.
  EXPECT_TRUE(result_.middleware[1].present);
  EXPECT_EQ(result_.middleware[1].kind, "opentelemetry instrumentor");
  EXPECT_TRUE(result_.problems.empty());
}

TEST_F(TemplateAudit, RoutesComposeSettingsPrefixesAndBlueprints) {
  std::vector<std::string> routes;
  for (const Route& route : result_.routes) {
    routes.push_back(route.service + " " + route.method + " " + route.path +
                     (route.integration_tested ? " tested" : ""));
  }
  EXPECT_EQ(routes, (std::vector<std::string>{
                        "backend GET /api/v1/items/ tested",
                        "backend GET /api/v1/items/{id}",
                        "backend POST /api/v1/items/ tested",
                        "backend DELETE /api/v1/items/{id} tested",
                        "backend GET /api/v1/users/me tested",  // an unmarked test, in process
                        "backend PATCH /api/v1/users/me",
                        "payments POST /v1/charges",
                        "payments GET /v1/charges/<int:charge_id>",
                    }));
}

TEST_F(TemplateAudit, CallsResolveThroughTheSettingsObject) {
  ASSERT_EQ(result_.outbound_calls.size(), 3U);
  const OutboundCall& charge = result_.outbound_calls[0];
  EXPECT_EQ(charge.target, "http://payments:8000/v1/charges");
  EXPECT_EQ(charge.target_service, "payments");
  EXPECT_TRUE(charge.cross_service);
  EXPECT_TRUE(charge.propagates_trace);
  EXPECT_EQ(result_.outbound_calls[1].target, "https://api.mailer.example/send");
  EXPECT_EQ(result_.outbound_calls[1].target_kind, "external");
  EXPECT_EQ(result_.outbound_calls[2].target, "https://bank.example/api/payments");
  ASSERT_EQ(result_.edges.size(), 1U);
  EXPECT_EQ(result_.edges[0].from, "backend");
  EXPECT_EQ(result_.edges[0].to, "payments");
  EXPECT_EQ(result_.metrics.routes_integration_tested, 4U);
  EXPECT_EQ(result_.metrics.route_modules_with_integration_tests, 2U);
  EXPECT_EQ(metric_share(result_.metrics, "outbound_traced").percent(), 100.0 / 3);
}

TEST(Audit, ThresholdsBelowTheirMinimumAreFailures) {
  AuditOptions options;
  options.config.fail_under = {{"cross_service_traced", 100}, {"outbound_traced", 50}};
  const auto result = run_audit(fixture, options);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->failures.size(), 1U);
  EXPECT_EQ(result->failures[0].key, "outbound_traced");
  EXPECT_EQ(result->failures[0].actual.part, 1U);
  EXPECT_EQ(result->failures[0].actual.whole, 3U);
  EXPECT_FALSE(run_audit(std::string(TRACEMESH_SOURCE_DIR) + "/no/such/folder", {}));
}

TEST(Audit, OtherLanguagesAndTelemetryExportAreListedButNotCounted) {
  const testing::TemporaryRepository repository;
  repository.write("compose.yaml", R"(services:
  api: {build: ./api}
  gateway: {build: ./gateway}
  worker: {build: ./worker}
)");
  repository.write("api/main.py",
                   "from fastapi import FastAPI\nimport httpx\napp = FastAPI()\n"
                   "httpx.post('http://collector:4318/v1/traces')\n");
  repository.write("gateway/CMakeLists.txt", "project(gateway CXX)\n");
  repository.write("gateway/main.cpp", "int main() {}\n");
  repository.write("worker/README.md", "no build file, no Python\n");
  repository.write("ui/package.json", "{}\n");  // not a service: nothing names it
  AuditOptions options;
  options.config.services = {{"console", "console", "javascript"}};
  const auto result = run_audit(repository.root(), options);
  ASSERT_TRUE(result) << result.error().text();

  std::vector<std::string> services;
  for (const Service& service : result->services.services)
    services.push_back(service.name + ":" + service.language);
  EXPECT_EQ(services, (std::vector<std::string>{"api:python", "console:javascript", "gateway:cpp",
                                                "worker:python"}));
  // api has no middleware; worker (no language known) still counts as Python.
  EXPECT_EQ(result->metrics.services_total, 2U);
  EXPECT_EQ(result->metrics.services_with_tracing, 0U);
  EXPECT_EQ(result->middleware[2].detail, "not audited: a C++ service");
  // Span export is listed, not counted among the calls that should carry the trace.
  ASSERT_EQ(result->outbound_calls.size(), 1U);
  EXPECT_EQ(result->outbound_calls[0].target_kind, "telemetry");
  EXPECT_EQ(result->metrics.outbound_call_sites, 0U);

  const std::string markdown = audit_markdown(*result);
  EXPECT_NE(markdown.find("in 2 services and 0 shared libraries; 2 services in other languages "
                          "listed, not audited"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| gateway | gateway | C++ | compose |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| console | console | JavaScript | config |"), std::string::npos);
  EXPECT_NE(audit_json(*result).find(R"("language": "cpp")"), std::string::npos);
}

// The rules on two threads share out the outbound-call search by chunks of
// modules; the report is the same as on one thread, ties in (service, file,
// line) included: two request sites on one line, in modules of more chunks
// than one.
TEST(Audit, RulesGiveTheSameReportOnOneThreadAndOnTwo) {
  testing::TemporaryRepository repository;
  repository.write("svc/Dockerfile", "FROM python:3.12\nCMD [\"uvicorn\", \"app.main:app\"]\n");
  repository.write("svc/app/main.py",
                   "from fastapi import FastAPI\nfrom app import calls\napp = FastAPI()\n");
  std::string imports;
  for (int i = 0; i < 80; ++i) {
    const std::string name = "m" + std::to_string(100 + i);
    imports += "from app import " + name + "\n";
    repository.write("svc/app/" + name + ".py",
                     "import httpx\n\ndef go(c, tid):\n"
                     "    r = httpx.get(\"http://a/x\") if c else httpx.post(\"http://b/y\", "
                     "headers={\"X-Trace-ID\": tid})\n"
                     "    return httpx.get(\"http://c/z\"), httpx.delete(\"http://d/w\")\n");
  }
  repository.write("svc/app/calls.py", imports);
  const auto audit = [&](unsigned threads) {
    AuditOptions options;
    options.threads = threads;
    auto audited = run_audit(repository.root(), options);
    EXPECT_TRUE(audited) << audited.error().text();
    return audited ? audit_json(*audited) : std::string();
  };
  const std::string one = audit(1);
  EXPECT_NE(one.find("\"outbound_call_sites\": 320"), std::string::npos);
  for (int run = 0; run < 3; ++run) EXPECT_EQ(audit(2), one);
}

// A site the audit could not decide is counted apart: not among the call
// sites whose share is traced, and listed in every report.
TEST(Audit, UndecidedSitesAreCountedApart) {
  const testing::TemporaryRepository repository;
  repository.write("app/main.py",
                   "import httpx\nclient = httpx.Client()\n"
                   "def orphan(url, headers):\n    return client.put(url, headers=headers)\n"
                   "def plain():\n    return client.get('http://x/a')\n");
  repository.write("app/Dockerfile", "FROM python\n");
  auto audited = run_audit(repository.root(), {});
  ASSERT_TRUE(audited) << audited.error().text();
  EXPECT_EQ(audited->metrics.outbound_unresolved, 1U);
  EXPECT_EQ(audited->metrics.outbound_call_sites, 1U);
  EXPECT_EQ(audited->metrics.outbound_traced, 0U);
  const std::string markdown = audit_markdown(*audited);
  EXPECT_NE(markdown.find("### Not decided (counted apart)"), std::string::npos);
  EXPECT_NE(markdown.find("| app | app/main.py:4 | headers come from parameter headers of orphan"),
            std::string::npos);
}

}  // namespace
}  // namespace tracemesh::audit
