// The HTTP routes each service declares, with full paths: FastAPI/Starlette
// decorators on apps and APIRouters (their prefix, include_router prefixes,
// stacked decorators, websockets, add_api_route, Route/WebSocketRoute),
// aiohttp (router.add_get/add_route, RouteTableDef decorators, web.get(...)
// in add_routes, add_subapp prefixes) and Flask/Quart (route and verb
// decorators, Blueprint url_prefix, register_blueprint prefixes,
// add_url_rule). A route is served when its module is served by the service
// and its router is mounted, through includes, on an app.
#pragma once

#include <string>
#include <vector>

#include "audit/fleet.h"

namespace tracemesh::audit {

// An integration test that requests a route.
struct RouteTest {
  std::string file;
  int line = 0;
  std::string name;      // "test_create_order", "TestOrders.test_list"
  bool skipped = false;  // unconditionally skipped
};

struct Route {
  std::string service;
  std::string file;
  int line = 0;
  std::string method;   // "GET"... ; "WEBSOCKET"; "*" for any
  std::string path;     // full path, prefixes composed: "/api/orders/{order_id}"
  std::string handler;  // the handler function, as named in the source
  bool served = false;
  bool integration_tested = false;  // an integration test that is not skipped requests it
  std::vector<RouteTest> tests;     // integration tests requesting it (skipped ones too)
};

// Sorted by service, file, line, method.
std::vector<Route> find_routes(const Fleet& fleet);

}  // namespace tracemesh::audit
