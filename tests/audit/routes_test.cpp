// Routes per service with full paths on the fixture fleet (FastAPI routers
// with prefixes included under a prefix, stacked decorators, websockets, a
// router nothing includes; aiohttp route tables; Flask) and table-driven
// forms of every framework.
#include "audit/rules/routes.h"

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
  for (const Route& route : find_routes(audited.fleet())) {
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
        Row{"FastApiSubApplicationMounted",
            "from fastapi import FastAPI\napp = FastAPI()\nv1 = FastAPI()\n"
            "@v1.get('/items')\ndef items():\n    pass\napp.mount('/v1', v1)\n",
            {"GET /v1/items items"}},
        Row{"MetricsExposedByTheInstrumentator",
            "from fastapi import FastAPI\n"
            "from prometheus_fastapi_instrumentator import Instrumentator\napp = FastAPI()\n"
            "Instrumentator().instrument(app).expose(app)\n"
            "metrics = Instrumentator()\nmetrics.expose(app, endpoint='/internal/metrics')\n",
            {"GET /metrics Instrumentator.expose", "GET /internal/metrics Instrumentator.expose"}},
        Row{"RestxApiInitialisedOnTheAppLater",
            "from flask import Flask\nfrom flask_restx import Api, Namespace, Resource\n"
            "api = Api()\nns = Namespace('items')\napi.add_namespace(ns)\n"
            "@ns.route('/<int:id>')\nclass Item(Resource):\n    def get(self, id):\n        pass\n"
            "def create_app():\n    app = Flask(__name__)\n    api.init_app(app)\n    return app\n",
            {"GET /items/<int:id> Item.get"}},
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

// Django: ROOT_URLCONF names the root URLconf; include() mounts another
// under a prefix (here through a folder the settings put on sys.path); a
// class view routes the methods it defines, a function view any method
// unless a decorator names them, admin.site.urls any method.
TEST(Routes, DjangoUrlconfsFromRootUrlconfThroughIncludes) {
  const TemporaryRepository repository;
  repository.write("web/manage.py",
                   "from django.core.management import execute_from_command_line\n"
                   "if __name__ == '__main__':\n    execute_from_command_line()\n");
  repository.write("web/gateway/settings.py",
                   "import sys\nfrom pathlib import Path\nBASE_DIR = Path(__file__).parent.parent\n"
                   "APPS_DIR = BASE_DIR / 'apps'\nsys.path.insert(0, str(APPS_DIR))\n"
                   "ROOT_URLCONF = 'gateway.urls'\n");
  repository.write("web/gateway/urls.py",
                   "from django.contrib import admin\nfrom django.urls import include, path\n"
                   "urlpatterns = [\n    path('admin/', admin.site.urls),\n"
                   "    path('api/orders/', include('orders.urls')),\n]\n");
  repository.write("web/apps/orders/urls.py",
                   "from django.urls import path, re_path\nfrom . import views\n"
                   "urlpatterns = [\n    path('', views.OrderList.as_view()),\n"
                   "    path('<int:oid>/', views.order_detail),\n    path('ping/', views.ping),\n"
                   "    re_path(r'^legacy/(?P<oid>[0-9]+)/$', views.ping),\n]\n");
  repository.write("web/apps/orders/views.py",
                   "from rest_framework.decorators import api_view\n"
                   "class OrderList(APIView):\n    def get(self, request):\n        pass\n"
                   "    def post(self, request):\n        pass\n"
                   "@api_view(['GET', 'DELETE'])\ndef order_detail(request, oid):\n    pass\n"
                   "def ping(request):\n    pass\n");
  repository.write("web/Dockerfile", "FROM python\n");
  EXPECT_EQ(route_lines(repository.root()),
            (std::vector<std::string>{
                "web GET /api/orders/ views.OrderList.as_view() web/apps/orders/urls.py:4",
                "web POST /api/orders/ views.OrderList.as_view() web/apps/orders/urls.py:4",
                "web DELETE /api/orders/<int:oid>/ views.order_detail web/apps/orders/urls.py:5",
                "web GET /api/orders/<int:oid>/ views.order_detail web/apps/orders/urls.py:5",
                "web * /api/orders/ping/ views.ping web/apps/orders/urls.py:6",
                "web * /api/orders/legacy/{oid}/ views.ping web/apps/orders/urls.py:7",
                "web * /admin/ admin.site.urls web/gateway/urls.py:4",
            }));
}

// Flask-RESTPlus/RESTX: @ns.route on a Resource class routes its methods
// under the namespace's path ("/" + its name, or add_namespace's path=),
// on the app the Api wraps; Flask-RESTful's add_resource likewise. The
// namespace is imported inside the app factory from a module of its name.
TEST(Routes, RestPlusNamespacesAndRestfulResources) {
  const TemporaryRepository repository;
  repository.write(
      "api/service/app.py",
      "from flask import Flask\nfrom flask_restx import Api\n"
      "from flask_restful import Api as RestfulApi\nfrom service.extra import Ping\n"
      "def create_app():\n    from service.things import things\n"
      "    from service.admin import admin\n    application = Flask(__name__)\n"
      "    api = Api(application)\n    api.add_namespace(things)\n"
      "    api.add_namespace(admin, path='/adm')\n"
      "    rest = RestfulApi(application)\n    rest.add_resource(Ping, '/ping', '/p')\n"
      "    return application\n");
  repository.write(
      "api/service/things.py",
      "from flask_restx import Namespace, Resource\nthings = Namespace('things')\n"
      "@things.route('/<int:thing_id>/')\nclass Thing(Resource):\n"
      "    def get(self, thing_id):\n        pass\n"
      "    def delete(self, thing_id):\n        pass\n    def helper(self):\n        pass\n");
  repository.write("api/service/admin.py",
                   "from flask_restx import Namespace, Resource\nadmin = Namespace('admin')\n"
                   "@admin.route('/version/')\nclass Version(Resource):\n"
                   "    def get(self):\n        pass\n");
  repository.write("api/service/extra.py",
                   "from flask_restful import Resource\nclass Ping(Resource):\n"
                   "    def get(self):\n        pass\n");
  repository.write("api/wsgi.py",
                   "from service.app import create_app\napplication = create_app()\n");
  repository.write("api/Dockerfile", "FROM python\nCMD [\"gunicorn\", \"wsgi:application\"]\n");
  EXPECT_EQ(route_lines(repository.root()),
            (std::vector<std::string>{
                "api GET /adm/version/ Version.get api/service/admin.py:3",
                "api GET /p Ping api/service/app.py:13",
                "api GET /ping Ping api/service/app.py:13",
                "api DELETE /things/<int:thing_id>/ Thing.delete api/service/things.py:3",
                "api GET /things/<int:thing_id>/ Thing.get api/service/things.py:3",
            }));
}

}  // namespace
}  // namespace tracemesh::audit
