// Inbound tracing middleware per service on the fixture fleet and on small
// table-driven services: what counts (reads a trace header, registered in a
// served module) and what does not, with the reason.
#include "audit/rules/middleware.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;
using testing::AuditedRepository;
using testing::TemporaryRepository;

const std::string& fixture = testing::fleet_fixture;

std::vector<InboundMiddleware> audit_middleware(const fs::path& root) {
  return find_inbound_middleware(AuditedRepository(root).fleet());
}

TEST(InboundMiddleware, JudgesEveryServiceOfTheFleet) {
  const auto found = audit_middleware(fixture);
  std::vector<std::string> summary;
  for (const InboundMiddleware& middleware : found) {
    summary.push_back(middleware.service + " " + (middleware.present ? "present " : "absent ") +
                      middleware.file + ":" + std::to_string(middleware.line) + " " +
                      middleware.kind);
  }
  EXPECT_EQ(summary,
            (std::vector<std::string>{
                "admin present admin/server.py:6 before_request", "billing absent :0 ",
                "gateway present gateway/app/main.py:19 http middleware", "notifier absent :0 ",
                "orders absent services/orders/orders/tracing.py:13 add_middleware"}));
  ASSERT_EQ(found.size(), 5U);
  EXPECT_EQ(found[0].detail, "remember_trace: reads X-Request-ID");
  EXPECT_EQ(found[1].detail, "no middleware registered");
  EXPECT_EQ(found[2].detail, "read_trace: reads X-Trace-ID (TRACE_ID_HEADER)");
  EXPECT_EQ(found[3].detail, "no HTTP server");
  // Registered in a module nothing imports: it does not count.
  EXPECT_EQ(
      found[4].detail,
      "TraceMiddleware is registered in services/orders/orders/tracing.py, which no module the "
      "service serves imports");
}

TEST(ServedModules, FollowTheStartCommandAndImports) {
  const AuditedRepository audited(fixture);
  const auto& served = audited.fleet().served("gateway");
  EXPECT_EQ(std::vector<std::string>(served.begin(), served.end()),
            (std::vector<std::string>{"gateway/app/__init__.py", "gateway/app/clients.py",
                                      "gateway/app/main.py", "gateway/app/routers/__init__.py",
                                      "gateway/app/routers/alerts.py", "shared/__init__.py",
                                      "shared/tracing.py"}));  // packages run on import
}

struct Row {
  std::string name;
  std::string source;    // app/main.py
  std::string expected;  // "present kind: detail" or "absent: detail"
};

class MiddlewareRules : public ::testing::TestWithParam<Row> {};

TEST_P(MiddlewareRules, DecidePresence) {
  const TemporaryRepository repository;
  repository.write("app/main.py", GetParam().source);
  repository.write("app/Dockerfile", "FROM python\n");
  const auto found = audit_middleware(repository.root());
  ASSERT_EQ(found.size(), 1U);
  const std::string got = found[0].present ? "present " + found[0].kind + ": " + found[0].detail
                                           : "absent: " + found[0].detail;
  EXPECT_EQ(got, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, MiddlewareRules,
    ::testing::Values(
        Row{"BaseHTTPMiddlewareSubclass",
            "from fastapi import FastAPI\nfrom starlette.middleware.base import "
            "BaseHTTPMiddleware\n"
            "class T(BaseHTTPMiddleware):\n    async def dispatch(self, request, call_next):\n"
            "        tid = request.headers.get('traceparent')\n        return await "
            "call_next(request)\n"
            "app = FastAPI()\napp.add_middleware(T)\n",
            "present add_middleware: T: reads traceparent"},
        Row{"PureAsgiMiddleware",
            "from starlette.applications import Starlette\nclass Trace:\n    def __init__(self, "
            "app):\n"
            "        self.app = app\n    async def __call__(self, scope, receive, send):\n"
            "        headers = dict(scope['headers'])\n        scope['trace'] = "
            "headers.get(b'x-trace-id')\n"
            "        await self.app(scope, receive, send)\napp = "
            "Starlette()\napp.add_middleware(Trace)\n",
            "present add_middleware: Trace: reads x-trace-id"},
        Row{"MiddlewareThatReadsNoTraceHeader",
            "from fastapi import FastAPI\napp = FastAPI()\n@app.middleware('http')\n"
            "async def timing(request, call_next):\n    return await call_next(request)\n",
            "absent: timing reads no trace header"},
        Row{"AiohttpMiddlewaresList",
            "from aiohttp import web\n@web.middleware\nasync def trace(request, handler):\n"
            "    request['tid'] = request.headers.get('X-Correlation-ID')\n    return await "
            "handler(request)\n"
            "app = web.Application(middlewares=[trace])\n",
            "present aiohttp middlewares: trace: reads X-Correlation-ID"},
        Row{"AiohttpMiddlewaresAppend",
            "from aiohttp import web\nasync def trace(request, handler):\n"
            "    request['tid'] = request.headers.get('b3')\n    return await handler(request)\n"
            "app = web.Application()\napp.middlewares.append(trace)\n",
            "present aiohttp middlewares: trace: reads b3"},
        Row{"MiddlewareDecoratorAppliedByHand",
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "async def correlation(request, call_next):\n"
            "    cid = request.headers.get('X-Correlation-ID')\n    return await "
            "call_next(request)\n"
            "app.middleware('http')(correlation)\n",
            "present http middleware: correlation: reads X-Correlation-ID"},
        Row{"APackagesOtherClassesAreNoMiddleware",
            "from fastapi import FastAPI\nfrom asgi_correlation_id import CorrelationIdFilter\n"
            "app = FastAPI()\nlog_filter = CorrelationIdFilter(uuid_length=8)\n"
            "MIDDLEWARE = ['app.tracing.Trace']\n",
            "absent: no middleware registered"},
        Row{"ThirdPartyCorrelationIdMiddleware",
            "from fastapi import FastAPI\nfrom asgi_correlation_id import CorrelationIdMiddleware\n"
            "app = FastAPI()\napp.add_middleware(CorrelationIdMiddleware)\n",
            "present add_middleware: CorrelationIdMiddleware: asgi-correlation-id: reads "
            "X-Request-ID"},
        Row{"WsgiMiddlewareWrappedAroundTheApp",
            "from flask import Flask\nfrom opentelemetry.instrumentation.wsgi import "
            "OpenTelemetryMiddleware\napp = Flask(__name__)\n"
            "app.wsgi_app = OpenTelemetryMiddleware(app.wsgi_app)\n",
            "present library middleware: OpenTelemetryMiddleware: OpenTelemetry WSGI middleware"},
        Row{"TracingLibrarySetUpOnTheApp",
            "import aiozipkin as az\nfrom aiohttp import web\napp = web.Application()\n"
            "az.setup(app, tracer)\n",
            "present library middleware: az.setup: aiozipkin middleware: reads B3 headers"},
        Row{"DjangoInstrumentor",
            "from django.core.wsgi import get_wsgi_application\n"
            "from opentelemetry.instrumentation.django import DjangoInstrumentor\n"
            "DjangoInstrumentor().instrument()\napplication = get_wsgi_application()\n",
            "present opentelemetry instrumentor: DjangoInstrumentor().instrument: OpenTelemetry "
            "DjangoInstrumentor"},
        Row{"OpenTelemetryInstrumentor",
            "from fastapi import FastAPI\nfrom opentelemetry.instrumentation.fastapi import "
            "FastAPIInstrumentor\n"
            "app = FastAPI()\nFastAPIInstrumentor.instrument_app(app)\n",
            "present opentelemetry instrumentor: FastAPIInstrumentor.instrument_app: OpenTelemetry "
            "FastAPIInstrumentor"},
        Row{"OpenTelemetryExtract",
            "from flask import Flask, request\nfrom opentelemetry.propagate import extract\napp = "
            "Flask(__name__)\n"
            "def start():\n    ctx = extract(request.headers)\napp.before_request(start)\n",
            "present before_request: start: calls opentelemetry.propagate.extract"},
        Row{"MiddlewareThatOnlySetsAResponseHeader",
            "from fastapi import FastAPI\nimport uuid\napp = FastAPI()\n@app.middleware('http')\n"
            "async def request_id(request, call_next):\n    response = await call_next(request)\n"
            "    response.headers['X-Request-ID'] = str(uuid.uuid4())\n    return response\n",
            "absent: request_id reads no trace header"},
        Row{"NoMiddleware", "from fastapi import FastAPI\napp = FastAPI()\n",
            "absent: no middleware registered"}));

// A service started under the opentelemetry-instrument launcher is
// instrumented on the server side whatever its code registers; so are its
// clients (outbound_calls_test).
TEST(InboundMiddleware, TheOpenTelemetryLauncherInstrumentsTheServer) {
  const TemporaryRepository repository;
  repository.write("app/main.py", "from flask import Flask\napp = Flask(__name__)\n");
  repository.write("app/Dockerfile",
                   "FROM python\nCMD [\"opentelemetry-instrument\", \"flask\", \"run\"]\n");
  repository.write("plain/main.py", "from flask import Flask\napp = Flask(__name__)\n");
  repository.write("plain/Dockerfile", "FROM python\nCMD [\"flask\", \"run\"]\n");
  const auto found = audit_middleware(repository.root());
  ASSERT_EQ(found.size(), 2U);
  EXPECT_TRUE(found[0].present);
  EXPECT_EQ(found[0].kind, "opentelemetry-instrument");
  EXPECT_FALSE(found[1].present);
}

// Django lists its middleware by dotted name in the settings module (also in
// a project list added to MIDDLEWARE); a project class that reads a trace
// header from request.META (HTTP_X_REQUEST_ID, through a class constant)
// counts, a package's that reads none does not.
TEST(InboundMiddleware, DjangoSettingsListTheMiddleware) {
  const TemporaryRepository repository;
  repository.write("web/manage.py",
                   "from django.core.management import execute_from_command_line\n"
                   "if __name__ == '__main__':\n    execute_from_command_line()\n");
  repository.write("web/gateway/settings.py",
                   "ROOT_URLCONF = 'gateway.urls'\n"
                   "MIDDLEWARE = [\n    'django.middleware.common.CommonMiddleware',\n]\n"
                   "PROJECT_MIDDLEWARE = [\n    'gateway.middleware.RequestIdMiddleware',\n]\n"
                   "MIDDLEWARE += PROJECT_MIDDLEWARE\n");
  repository.write(
      "web/gateway/middleware.py",
      "class RequestIdMiddleware:\n    HEADER = 'HTTP_X_REQUEST_ID'\n"
      "    def __call__(self, request):\n"
      "        rid = request.META.get(self.HEADER)\n        return self.next(request)\n");
  repository.write("web/Dockerfile", "FROM python\n");
  const auto found = audit_middleware(repository.root());
  ASSERT_EQ(found.size(), 1U);
  EXPECT_TRUE(found[0].present);
  EXPECT_EQ(found[0].kind, "django MIDDLEWARE");
  EXPECT_EQ(found[0].file, "web/gateway/settings.py");
  EXPECT_EQ(found[0].line, 6);
  EXPECT_EQ(found[0].detail,
            "gateway.middleware.RequestIdMiddleware: reads HTTP_X_REQUEST_ID (self.HEADER)");
}

}  // namespace
}  // namespace tracemesh::audit
