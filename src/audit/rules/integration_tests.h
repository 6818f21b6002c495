// Integration tests and the routes they exercise. A test is an integration
// test when marked pytest.mark.integration (on the function, its class or
// the module's pytestmark), when it lives under a tests/integration/ folder,
// or when its file is named test_integration_*.py or *_integration.py. Its
// requests (TestClient, httpx, requests, aiohttp calls; paths through
// literals, f-strings, variables and one level of helpers) are matched to
// routes by method and path, `{param}` segments matching anything, base
// URLs and ports naming the service.
#pragma once

#include <string>
#include <vector>

#include "audit/fleet.h"
#include "audit/rules/routes.h"

namespace tracemesh::audit {

struct TestRequest {
  std::string method;   // "GET"...; "WEBSOCKET" for websocket_connect
  std::string path;     // "/orders/{order_id}"; unresolved parts as {expression}
  std::string service;  // the service its URL names; "" when any may serve it
  int line = 0;
};

struct IntegrationTest {
  std::string file;
  int line = 0;
  std::string name;      // "test_x" or "TestClass.test_x"
  bool skipped = false;  // unconditionally: @pytest.mark.skip, unittest.skip, pytest.skip()
  std::vector<TestRequest> requests;
};

std::vector<IntegrationTest> find_integration_tests(const Fleet& fleet);

// Whether a request for `request_path` reaches the route template `route_path`.
bool path_matches(std::string_view route_path, std::string_view request_path);

// Record on each route the integration tests that request it.
void map_tests_to_routes(const std::vector<IntegrationTest>& tests, std::vector<Route>& routes);

}  // namespace tracemesh::audit
