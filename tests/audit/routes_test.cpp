// Routes per service with full paths on the fixture fleet (FastAPI routers
// with prefixes included under a prefix, stacked decorators, websockets, a
// router nothing includes; aiohttp route tables; Flask) and table-driven
// forms of every framework.
#include "routes.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;
using testing::AuditedRepository;
using testing::TemporaryRepository;

const std::string& fixture = testing::fleet_fixture;

std::vector<std::string> route_lines(const fs::path& root) {
  const AuditedRepository audited(root);
  std::vector<std::string> lines;
  for (const Route& route : find_routes(audited.context())) {
    lines.push_back(route.service + " " + route.method + " " + route.path + " " + route.handler +
                    " " + route.file + ":" + std::to_string(route.line) +
                    (route.served ? "" : " (not served)"));
  }
  return lines;
}

TEST(Routes, ListsEveryRouteOfTheFleetWithFullPaths) {
  EXPECT_EQ(route_lines(fixture),
            (std::vector<std::string>{
                "admin GET /health health admin/server.py:11",
                "billing POST /charge charge services/billing/app.py:6",
                "gateway GET /orders/{order_id} get_order gateway/app/main.py:25",
                "gateway POST /checkout checkout gateway/app/main.py:31",
                "gateway GET /rates rates gateway/app/main.py:39",
                // A router with a prefix, included under another; stacked decorators, each on its
                // own line (routes are reported where they are declared, not at the def).
                "gateway GET /api/v1/alerts list_alerts gateway/app/routers/alerts.py:7",
                "gateway GET /api/v1/alerts/ list_alerts gateway/app/routers/alerts.py:8",
                "gateway POST /api/v1/alerts/{alert_id}/ack ack gateway/app/routers/alerts.py:13",
                "gateway PATCH /api/v1/alerts/{alert_id} update gateway/app/routers/alerts.py:18",
                "gateway PUT /api/v1/alerts/{alert_id} update gateway/app/routers/alerts.py:18",
                "gateway WEBSOCKET /api/v1/alerts/stream stream gateway/app/routers/alerts.py:23",
                // Nothing includes this router, nothing imports its module.
                "gateway GET /v0/status status gateway/app/routers/legacy.py:7 (not served)",
                "orders GET /orders/{order_id} get_order services/orders/orders/api.py:14",
            }));
}

struct Row {
  std::string name;
  std::string source;                 // app/main.py
  std::vector<std::string> expected;  // "METHOD /path handler"
};

class RouteForms : public ::testing::TestWithParam<Row> {};

TEST_P(RouteForms, GiveMethodPathAndHandler) {
  const TemporaryRepository repository;
  repository.write("app/main.py", GetParam().source);
  repository.write("app/Dockerfile", "FROM python\n");
  const auto lines = route_lines(repository.root());
  std::vector<std::string> found;
  for (const std::string& line : lines) {
    // "app METHOD /path handler file:line" → "METHOD /path handler"
    const std::size_t start = line.find(' ') + 1;
    const std::size_t file = line.find(" app/main.py");
    found.push_back(line.substr(start, file - start) +
                    (line.ends_with("(not served)") ? " (not served)" : ""));
  }
  EXPECT_EQ(found, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Frameworks, RouteForms,
    ::testing::Values(
        Row{"AiohttpRouterMethods",
            "from aiohttp import web\napp = web.Application()\n"
            "app.router.add_get('/a', get_a)\napp.router.add_route('DELETE', '/b/{id}', del_b)\n"
            "app.add_routes([web.post('/c', post_c), web.route('PUT', '/d', put_d)])\n",
            {"GET /a get_a", "DELETE /b/{id} del_b", "POST /c post_c", "PUT /d put_d"}},
        Row{"AiohttpSubApplication",
            "from aiohttp import web\napi = web.Application()\napi.router.add_get('/x', x)\n"
            "app = web.Application()\napp.add_subapp('/api/', api)\n",
            {"GET /api/x x"}},
        Row{"FlaskBlueprintsAndRules",
            "from flask import Flask, Blueprint\nbp = Blueprint('b', __name__, url_prefix='/bp')\n"
            "@bp.route('/items', methods=['GET', 'post'])\ndef items():\n    pass\n"
            "app = Flask(__name__)\napp.register_blueprint(bp, url_prefix='/v2')\n"
            "@app.route('/')\ndef index():\n    pass\n"
            "app.add_url_rule('/r', 'r', view_func=rule)\n",
            // register_blueprint's url_prefix replaces the blueprint's own.
            {"GET /v2/items items", "POST /v2/items items", "GET / index", "GET /r rule"}},
        Row{"StarletteRoutes",
            "from starlette.applications import Starlette\nfrom starlette.routing import Route, "
            "WebSocketRoute\n"
            "routes = [Route('/s', endpoint=s, methods=['POST']), WebSocketRoute('/ws', ws)]\n"
            "app = Starlette(routes=routes)\n",
            {"POST /s s", "WEBSOCKET /ws ws"}},
        Row{"FastAPIAddApiRouteAndUnincludedRouter",
            "from fastapi import FastAPI, APIRouter\napp = FastAPI()\n"
            "app.add_api_route('/p', handler, methods=['POST'])\n"
            "r = APIRouter(prefix='/r')\n@r.get('/x')\ndef x():\n    pass\n",
            {"POST /p handler", "GET /r/x x (not served)"}},
        Row{"NotRoutes", "d = {}\n@d.get('x')\ndef f():\n    pass\ncache.add_get('/x', y)\n", {}}));

}  // namespace
}  // namespace tracemesh::audit
