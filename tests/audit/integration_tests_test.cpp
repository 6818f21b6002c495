// Integration tests mapped to routes on the fixture fleet: each recognised
// form (tests/integration/ folder, marked class, module pytestmark, file
// names), skipped tests (decorator and pytest.skip()), skipif not counted as
// skipped, helpers, unit tests ignored; and path matching.
#include "audit/rules/integration_tests.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

using testing::AuditedRepository;
using testing::TemporaryRepository;

const std::string& fixture = testing::fleet_fixture;

TEST(IntegrationTests, MapEveryRecognisedFormToTheRoutesOfTheFleet) {
  const AuditedRepository audited(fixture);
  const Fleet& fleet = audited.fleet();
  const auto tests = find_integration_tests(fleet);
  std::vector<std::string> found;
  for (const IntegrationTest& test : tests) {
    std::string line = test.file + ":" + std::to_string(test.line) + " " + test.name +
                       (test.skipped ? " skipped" : "");
    for (const TestRequest& request : test.requests)
      line += " | " + request.method + " " + request.service + request.path;
    found.push_back(line);
  }
  EXPECT_EQ(
      found,
      (std::vector<std::string>{
          "admin/tests/test_admin.py:7 test_health | GET admin/health",
          "gateway/tests/integration/test_alerts_flow.py:8 test_list_alerts | GET "
          "gateway/api/v1/alerts",
          "gateway/tests/integration/test_alerts_flow.py:14 test_ack_alert skipped | POST "
          "gateway/api/v1/alerts/42/ack",
          "gateway/tests/integration/test_alerts_flow.py:18 test_update_alert | PUT "
          "gateway/api/v1/alerts/7",
          // Not marked as an integration test, but it requests the route in process.
          "gateway/tests/test_gateway.py:11 test_rates_unit | GET gateway/rates",
          "gateway/tests/test_gateway.py:18 TestOrders.test_get_order | GET gateway/orders/123",
          "gateway/tests/test_gateway.py:22 TestOrders.test_checkout | POST gateway/checkout",
          "services/billing/test_integration_billing.py:7 test_charge | POST billing/charge",
          "services/orders/tests/orders_integration.py:7 test_get_order skipped | GET "
          "orders/orders/1",
      }));

  std::vector<Route> routes = find_routes(fleet);
  map_tests_to_routes(tests, routes);
  std::vector<std::string> coverage;
  for (const Route& route : routes) {
    std::string line = route.service + " " + route.method + " " + route.path + ": " +
                       (route.integration_tested ? "tested" : "untested");
    for (const RouteTest& test : route.tests)
      line += " " + test.name + (test.skipped ? "(skipped)" : "");
    coverage.push_back(line);
  }
  EXPECT_EQ(coverage,
            (std::vector<std::string>{
                "admin GET /health: tested test_health",
                "billing POST /charge: tested test_charge",
                "gateway GET /orders/{order_id}: tested TestOrders.test_get_order",
                "gateway POST /checkout: tested TestOrders.test_checkout",
                "gateway GET /rates: tested test_rates_unit",  // an unmarked test, in process
                "gateway GET /api/v1/alerts: tested test_list_alerts",
                "gateway GET /api/v1/alerts/: tested test_list_alerts",
                "gateway POST /api/v1/alerts/{alert_id}/ack: untested "
                "test_ack_alert(skipped)",
                "gateway PATCH /api/v1/alerts/{alert_id}: untested",
                "gateway PUT /api/v1/alerts/{alert_id}: tested test_update_alert",
                "gateway WEBSOCKET /api/v1/alerts/stream: untested",
                "gateway GET /v0/status: untested",
                "orders GET /orders/{order_id}: untested test_get_order(skipped)",
            }));
}

TEST(IntegrationTests, ClassMarksBaseUrlFixturesAndModuleLevelSkips) {
  const TemporaryRepository repository;
  repository.write("app/main.py",
                   "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/orders/{id}')\n"
                   "def order():\n    pass\n@app.get('/health')\ndef health():\n    pass\n");
  repository.write("app/Dockerfile", "FROM python\n");
  repository.write(
      "app/tests/test_api.py",
      "import httpx\nimport pytest\nclass TestApi:\n"
      "    pytestmark = pytest.mark.integration\n"
      "    def test_order(self, base_url):\n        httpx.get(f'{base_url}/orders/1')\n");
  repository.write("app/tests/test_later.py",
                   "import httpx\nimport pytest\npytest.skip('not yet', allow_module_level=True)\n"
                   "pytestmark = pytest.mark.integration\n"
                   "def test_health():\n    httpx.get('http://localhost:8000/health')\n");
  const AuditedRepository audited(repository.root());
  const Fleet& fleet = audited.fleet();
  const auto tests = find_integration_tests(fleet);
  std::vector<Route> routes = find_routes(fleet);
  map_tests_to_routes(tests, routes);
  ASSERT_EQ(routes.size(), 2U);
  EXPECT_EQ(routes[0].path, "/orders/{id}");
  EXPECT_TRUE(routes[0].integration_tested);  // the class's pytestmark; the base_url fixture
  ASSERT_EQ(routes[0].tests.size(), 1U);
  EXPECT_EQ(routes[0].tests[0].name, "TestApi.test_order");
  EXPECT_EQ(routes[1].path, "/health");
  EXPECT_FALSE(routes[1].integration_tested);  // its module skips itself
  ASSERT_EQ(routes[1].tests.size(), 1U);
  EXPECT_TRUE(routes[1].tests[0].skipped);
}

TEST(IntegrationTests, PathsMatchTemplatesSegmentBySegment) {
  struct Case {
    std::string route;
    std::string request;
    bool matches;
  };
  for (const Case& c : std::vector<Case>{
           {"/orders/{order_id}", "/orders/7", true},
           {"/orders/{order_id}", "/orders/{oid}", true},
           {"/orders/<int:id>", "/orders/7", true},
           {"/orders/{order_id}", "/orders", false},
           {"/orders/{order_id}", "/orders/7/items", false},
           {"/orders", "/orders/", true},
           {"/orders", "/orders?limit=3", true},
           {"/", "/", true},
           {"/a/b", "/a/c", false},
           {"/a/{x}", "/{prefix}/y", true},
       }) {
    EXPECT_EQ(path_matches(c.route, c.request), c.matches) << c.route << " vs " << c.request;
  }
}

// A test need not be marked as an integration test: one that requests a
// route over HTTP covers it, also a method of a unittest-style *TestCase
// class (aiohttp's AioHTTPTestCase and its self.client). A test that
// requests nothing is not listed.
TEST(IntegrationTests, UnmarkedTestsThatRequestARouteCoverIt) {
  const TemporaryRepository repository;
  repository.write("app/main.py",
                   "from aiohttp import web\nroutes = web.RouteTableDef()\n"
                   "@routes.get('/products')\nasync def products(request):\n    pass\n"
                   "@routes.get('/health')\nasync def health(request):\n    pass\n"
                   "app = web.Application()\napp.add_routes(routes)\n");
  repository.write("app/Dockerfile", "FROM python\n");
  repository.write("app/tests/test_products.py",
                   "from aiohttp.test_utils import AioHTTPTestCase\n"
                   "class ProductsHandlerTestCase(AioHTTPTestCase):\n"
                   "    async def test_products(self):\n"
                   "        await self.client.request('GET', '/products')\n"
                   "def test_parsing():\n    assert int('1') == 1\n"
                   "def test_with_a_mock():\n    responses.get('http://app/health')\n");
  const AuditedRepository audited(repository.root());
  const auto tests = find_integration_tests(audited.fleet());
  ASSERT_EQ(tests.size(), 1U);
  EXPECT_EQ(tests[0].name, "ProductsHandlerTestCase.test_products");
  std::vector<Route> routes = find_routes(audited.fleet());
  map_tests_to_routes(tests, routes);
  ASSERT_EQ(routes.size(), 2U);
  EXPECT_EQ(routes[0].path, "/products");
  EXPECT_TRUE(routes[0].integration_tested);
  EXPECT_FALSE(routes[1].integration_tested);
}

}  // namespace
}  // namespace tracemesh::audit
