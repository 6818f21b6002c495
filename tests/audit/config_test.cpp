// The audit config file and --fail-under: every key read, every mistake an
// error that points at FILE:LINE:COLUMN.
#include "audit/config.h"

#include <gtest/gtest.h>

namespace tracemesh::audit {
namespace {

TEST(AuditConfig, ReadsEveryKey) {
  const auto config = parse_audit_config(R"(headers: [X-Tenant-Trace, x-span]
trusted_wrappers:
  - make_client
services:
  - name: public-api
    root: api/
  - {name: root-app, root: .}
  - {name: dotted, root: ./web/../api//v2/, language: cpp}
exclude: [legacy/, tools]
fail_under:
  cross_service_traced: 90
  routes_integration_tested: 62.5%
)",
                                         ".tracemesh.yaml");
  ASSERT_TRUE(config) << config.error().text();
  EXPECT_EQ(config->headers, (std::vector<std::string>{"X-Tenant-Trace", "x-span"}));
  EXPECT_EQ(config->trusted_wrappers, std::vector<std::string>{"make_client"});
  ASSERT_EQ(config->services.size(), 3U);
  EXPECT_EQ(config->services[2].root, "api/v2");
  EXPECT_EQ(config->services[2].language, "cpp");
  EXPECT_EQ(config->services[0].language, "");
  EXPECT_EQ(config->services[0].name, "public-api");
  EXPECT_EQ(config->services[0].root, "api");
  EXPECT_EQ(config->services[1].root, "");
  EXPECT_EQ(config->exclude, (std::vector<std::string>{"legacy/", "tools"}));
  EXPECT_EQ(config->fail_under.at("cross_service_traced"), 90.0);
  EXPECT_EQ(config->fail_under.at("routes_integration_tested"), 62.5);
  EXPECT_TRUE(parse_audit_config("", "empty.yaml"));
}

TEST(AuditConfig, MistakesPointAtTheirPlace) {
  struct Case {
    std::string text;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"header: [x]\n", "c.yaml:1:1: unknown key 'header' in the audit config"},
           {"headers: X-Trace\n", "c.yaml:1:10: headers: expected a list, found 'X-Trace'"},
           {"headers: ['']\n", "c.yaml:1:11: headers: an empty entry"},
           {"services:\n  - name: a\n", "c.yaml:2:5: a service needs a name and a root"},
           {"services:\n  - {name: a, root: ../x}\n",
            "c.yaml:2:21: a service root is a folder inside the repository"},
           {"services:\n  - {name: a, root: a, language: cobol}\n",
            "c.yaml:2:34: unknown language 'cobol' (expected python, cpp, javascript, go, rust or "
            "java)"},
           {"fail_under: {coverage: 3}\n", "c.yaml:1:14: fail_under: unknown metric 'coverage'"},
           {"fail_under: {outbound_traced: 101}\n",
            "c.yaml:1:31: fail_under: outbound_traced needs a percentage from 0 to 100"},
           {"exclude: [a\n", "c.yaml:"},
           {"[1, 2]\n", "c.yaml:1:1: expected the audit config (a mapping), found a list"},
       }) {
    const auto config = parse_audit_config(c.text, "c.yaml");
    ASSERT_FALSE(config) << c.text;
    EXPECT_EQ(std::string(config.error().text()).rfind(c.error, 0), 0U)
        << config.error().text() << "\n expected to start with\n"
        << c.error;
  }
  const auto missing = load_audit_config("/nonexistent/.tracemesh.yaml");
  ASSERT_FALSE(missing);
  EXPECT_NE(std::string(missing.error().text()).find("cannot read the audit config"),
            std::string::npos);
}

TEST(AuditConfig, ThresholdsFromTheCommandLine) {
  const auto parsed = parse_thresholds("outbound_traced=80,services_with_tracing=100%");
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(parsed->at("outbound_traced"), 80.0);
  EXPECT_EQ(parsed->at("services_with_tracing"), 100.0);
  for (const char* bad :
       {"", "outbound_traced", "outbound_traced=", "outbound_traced=x", "outbound_traced=-1",
        "outbound_traced=100.5", "coverage=5", "outbound_traced=5,", "outbound_traced=nan"}) {
    EXPECT_FALSE(parse_thresholds(bad)) << bad;
  }
}

}  // namespace
}  // namespace tracemesh::audit
