// Outbound HTTP calls on the fixture fleet and on small table-driven
// modules: which request sites are found, their client's construction, and
// whether the trace travels (and how), decided across files.
#include "audit/rules/outbound_calls.h"

#include <gtest/gtest.h>

#include <map>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;
using testing::AuditedRepository;
using testing::TemporaryRepository;

const std::string& fixture = testing::fleet_fixture;

std::vector<OutboundCall> audit_calls(const fs::path& root) {
  return find_outbound_calls(AuditedRepository(root, {"trusted_call"}).fleet());
}

TEST(OutboundCalls, FindsEveryRequestSiteOfTheFleetAndDecidesPropagation) {
  const auto calls = audit_calls(fixture);
  std::vector<std::string> sites;
  for (const OutboundCall& call : calls) {
    sites.push_back(call.service + " " + call.file + ":" + std::to_string(call.line) + " " +
                    call.library + " " + call.method + " " +
                    (call.propagates_trace ? "traced" : "untraced"));
  }
  EXPECT_EQ(sites, (std::vector<std::string>{
                       "gateway gateway/app/main.py:27 httpx GET traced",
                       "gateway gateway/app/main.py:35 httpx POST untraced",
                       "gateway gateway/app/main.py:41 httpx GET traced",
                       "orders services/orders/orders/api.py:19 requests GET traced"}));
  ASSERT_EQ(calls.size(), 4U);
  // A client from a project factory whose event hook adds the header from a shared helper.
  EXPECT_EQ(calls[0].construction_file, "gateway/app/clients.py");
  EXPECT_EQ(calls[0].construction_line, 8);
  EXPECT_EQ(calls[0].function, "get_order");
  // The base URL passed to the factory, from the service's compose environment.
  EXPECT_EQ(calls[0].target, "http://orders:8001/orders/{order_id}");
  EXPECT_EQ(calls[0].target_kind, "service");
  EXPECT_EQ(calls[0].target_service, "orders");
  EXPECT_TRUE(calls[0].cross_service);
  EXPECT_TRUE(calls[0].reachable);
  EXPECT_EQ(
      calls[0].how,
      "client event_hooks (factory make_client): hook _add_trace via trace_headers, which uses "
      "X-Trace-ID (TRACE_ID_HEADER)");
  // The helper only adds the header when a trace id is set.
  EXPECT_EQ(calls[0].propagation_condition, "if trace_id (in trace_headers)");
  // The forgotten one: a client made on the spot, no header.
  EXPECT_EQ(calls[1].construction_line, 33);
  EXPECT_EQ(calls[1].target, "http://billing:8002/charge");
  EXPECT_EQ(calls[1].target_service, "billing");
  EXPECT_EQ(calls[1].how, "no trace header, hook or instrumentation found");
  EXPECT_EQ(calls[1].propagation_condition, "");
  // A module function with a header-building helper from the shared library.
  EXPECT_EQ(calls[2].construction_line, 0);
  EXPECT_EQ(calls[2].how, "header helper trace_headers uses X-Trace-ID (TRACE_ID_HEADER)");
  EXPECT_EQ(calls[2].target_kind, "external");
  EXPECT_FALSE(calls[2].cross_service);
  // Headers built in the function with a constant imported from the shared library, only
  // when the caller passed a trace id; the URL from os.environ and the compose file.
  EXPECT_EQ(calls[3].construction_line, 11);
  EXPECT_EQ(calls[3].how, "headers built in get_order, which sets X-Trace-ID (TRACE_ID_HEADER)");
  EXPECT_EQ(calls[3].propagation_condition, "if trace_id (in get_order)");
  EXPECT_EQ(calls[3].target, "http://billing:8002/price");
  EXPECT_TRUE(calls[3].cross_service);
}

struct Row {
  std::string name;
  std::string source;                 // app/main.py
  std::vector<std::string> expected;  // "line library method traced|untraced: how-fragment"
};

class OutboundRules : public ::testing::TestWithParam<Row> {};

TEST_P(OutboundRules, FindTheSitesAndTheEvidence) {
  const TemporaryRepository repository;
  repository.write("app/main.py", GetParam().source);
  repository.write("app/Dockerfile", "FROM python\n");
  // Requests in tests are never counted as the service's calls.
  repository.write("app/tests/test_api.py", "import requests\nrequests.get('/x')\n");
  repository.write("app/conftest.py", "import httpx\nhttpx.get('http://x')\n");
  const auto calls = audit_calls(repository.root());
  std::vector<std::string> found;
  for (const OutboundCall& call : calls) {
    found.push_back(std::to_string(call.line) + " " + call.library + " " + call.method + " " +
                    (call.propagates_trace ? "traced" : "untraced") + ": " + call.how);
  }
  ASSERT_EQ(found.size(), GetParam().expected.size()) << ::testing::PrintToString(found);
  for (std::size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i].rfind(GetParam().expected[i], 0), 0U)
        << found[i] << "\n does not start with\n"
        << GetParam().expected[i];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, OutboundRules,
    ::testing::Values(
        Row{"RequestsFunctionsWithAndWithoutHeader",
            "import requests\n"
            "def a(tid):\n    return requests.post('http://x/a', headers={'traceparent': tid})\n"
            "def b():\n    return requests.get('http://x/b')\n",
            {"3 requests POST traced: explicit traceparent header", "5 requests GET untraced"}},
        Row{"TelemetryExportIsNotExpectedToCarryTheTrace",
            "import os, requests\n"
            "URL = os.environ.get('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector:4318') + "
            "'/v1/traces'\n"
            "def export(body):\n    requests.post(URL, data=body)\n"
            "    requests.post(f'{os.environ[\"ZIPKIN\"]}/api/v2/spans?x=1', data=body)\n"
            "    requests.post('http://app:8000/api/v1/logs')\n",
            {"4 requests POST untraced: telemetry export",
             "5 requests POST untraced: telemetry export",
             "6 requests POST untraced: no trace header"}},
        Row{"HeaderNamesInAnyCase",
            "import httpx\nhttpx.get('http://x', headers={'X-REQUEST-ID': rid})\n",
            {"2 httpx GET traced: explicit X-REQUEST-ID header"}},
        Row{"ModuleConstant",
            "import httpx\nTRACE = 'x-correlation-id'\ndef f(c):\n    httpx.get('http://x', "
            "headers={TRACE: c})\n",
            {"4 httpx GET traced: header constant TRACE (x-correlation-id)"}},
        Row{"ClientKeptOnSelfUsedInAnotherMethod",
            "import httpx\nclass C:\n    def __init__(self):\n        self.http = "
            "httpx.Client(headers={'X-Trace-ID': 'x'})\n"
            "    def go(self):\n        return self.http.get('/a')\n",
            {"6 httpx GET traced: client headers: explicit X-Trace-ID header"}},
        Row{"AliasedImportsAndFromImports",
            "import requests as rq\nfrom httpx import AsyncClient\nasync def f():\n"
            "    async with AsyncClient() as c:\n        await c.delete('/x')\n    "
            "rq.put('http://y')\n",
            {"5 httpx DELETE untraced", "6 requests PUT untraced"}},
        Row{"AiohttpSessionAndRequestMethod",
            "import aiohttp\nasync def f(tid):\n    async with aiohttp.ClientSession() as s:\n"
            "        async with s.request('post', 'http://z', headers={'b3': tid}) as r:\n         "
            "   pass\n",
            {"4 aiohttp POST traced: explicit b3 header"}},
        Row{"UrllibAndOpenTelemetryInject",
            "import urllib.request\nfrom opentelemetry.propagate import inject\ndef f():\n    h = "
            "{}\n"
            "    inject(h)\n    return urllib.request.urlopen(urllib.request.Request('http://u', "
            "headers=h))\n",
            {"6 urllib  traced: Request headers: headers built in f, which calls "
             "opentelemetry.propagate.inject"}},
        Row{"UrllibRequestThroughALocal",
            "from urllib.request import Request, urlopen\ndef f(tp):\n"
            "    req = Request('http://u/x', headers={'traceparent': tp})\n    return "
            "urlopen(req)\n",
            {"4 urllib  traced: Request headers: explicit traceparent header"}},
        Row{"ClientPassedToAHelper",
            "import httpx\nasync def fetch(c, tid):\n    return await c.get('/a')\n"
            "async def main():\n    async with httpx.AsyncClient() as client:\n"
            "        await fetch(client, 't')\n",
            {"3 httpx GET untraced"}},
        Row{"FactoryReturningABoundClient",
            "import httpx\ndef make():\n    c = httpx.Client(headers={'X-Trace-ID': 'x'})\n"
            "    return c\nclient = make()\nclient.post('/p')\n",
            {"6 httpx POST traced: client headers (factory make): explicit X-Trace-ID header"}},
        Row{"ProjectSubclassesOfClientClasses",
            "import requests\nimport httpx\nclass Pool(requests.Session):\n    pass\n"
            "class Traced(httpx.Client):\n    def send(self, request, **kw):\n"
            "        request.headers['traceparent'] = tp()\n        return super().send(request, "
            "**kw)\n"
            "class Inner(Traced):\n    pass\n"
            "def f(url):\n    session = Pool()\n    return session.request(method='GET', url=url)\n"
            "def g():\n    return Inner().get('/x')\n"
            "client = Inner()\nclient.put('/y')\n",
            {"13 requests  untraced", "17 httpx PUT traced: client class Inner: uses traceparent"}},
        Row{"LocalNameShadowsAModuleClient",
            "import httpx\nimport redis\nclient = httpx.Client()\n"
            "def cached(key):\n    client = redis.Redis()\n    return client.get(key)\n"
            "def remote(key):\n    return client.get('/k')\n",
            {"8 httpx GET untraced"}},
        Row{"HeadersNamedButNeverSet",
            "import httpx\ndef h(request):\n"
            "    rid = request.headers.get('x-request-id')\n    log(rid)\n"
            "    httpx.get('http://u', headers={'Authorization': f'Bearer {TOKEN}'})\n",
            {"5 httpx GET untraced"}},
        Row{"InstrumentorCoversTheLibrary",
            "import requests\nfrom opentelemetry.instrumentation.requests import "
            "RequestsInstrumentor\n"
            "RequestsInstrumentor().instrument()\nrequests.get('http://x')\n",
            {"4 requests GET traced: OpenTelemetry instrumentor of requests in app"}},
        Row{"CustomTransportSettingTheHeader",
            "import httpx\nclass Traced(httpx.AsyncHTTPTransport):\n"
            "    async def handle_async_request(self, request):\n        "
            "request.headers['traceparent'] = tp()\n"
            "        return await super().handle_async_request(request)\n"
            "client = httpx.AsyncClient(transport=Traced())\nasync def f():\n    await "
            "client.get('/x')\n",
            {"8 httpx GET traced: client transport: transport Traced uses traceparent"}},
        Row{"ConditionalInlineHeaders",
            "import httpx\ndef f(tid):\n    httpx.get('http://x', headers={'traceparent': tid} "
            "if tid else {})\n",
            {"3 httpx GET traced: explicit traceparent header"}},
        Row{"RequestMethodsHandedToWrappers",
            "import asyncio, functools, httpx, requests\n"
            "async def f(loop, breaker, tid):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        await breaker.call(client.post, 'http://a/x', headers={'traceparent': tid})\n"
            "    p = functools.partial(requests.get, 'http://b/y')\n"
            "    await asyncio.to_thread(requests.delete, 'http://c/z')\n"
            "    await loop.run_in_executor(None, requests.put, 'http://d/w')\n"
            "    await loop.run_in_executor(None, print, 'not a request')\n",
            {"4 httpx POST traced: explicit traceparent header", "5 requests GET untraced",
             "6 requests DELETE untraced", "7 requests PUT untraced"}},
        Row{"PreparedRequestsSentByAClient",
            "import httpx\nclient = httpx.Client()\n"
            "def f():\n    request = client.build_request('GET', 'http://a/x')\n"
            "    return client.send(request)\n",
            {"5 httpx GET untraced"}},
        Row{"ClientKeptInTheAppMappingAndTracedByALibraryHook",
            "import aiohttp\nimport aiozipkin as az\n"
            "async def handler(request):\n    session = request.app['session']\n"
            "    await session.get('http://b/x')\n"
            "    await request.app['plain'].post('http://c/y')\n"
            "async def make_app(app, tracer):\n    config = az.make_trace_config(tracer)\n"
            "    session = aiohttp.ClientSession(trace_configs=[config])\n"
            "    app['session'] = session\n    app['plain'] = aiohttp.ClientSession()\n",
            {"5 aiohttp GET traced: client trace_configs: hook aiozipkin.make_trace_config",
             "6 aiohttp POST untraced"}},
        Row{"ClientPassedToAFunctionNestedInTheHelper",
            "import asyncio, aiohttp\n"
            "async def inventory(session, ids):\n"
            "    def fetch(s, i):\n        return asyncio.create_task(s.get(f'http://inv/{i}'))\n"
            "    return [fetch(session, i) for i in ids]\n"
            "async def handler():\n    async with aiohttp.ClientSession() as session:\n"
            "        await inventory(session, [1])\n",
            {"4 aiohttp GET untraced"}},
        Row{"PreparedRequestWithHeaders",
            "import httpx\nasync def forward(client, tid, url):\n"
            "    request = client.build_request('POST', url, headers={'traceparent': tid})\n"
            "    return await client.send(request)\n"
            "async def main():\n    async with httpx.AsyncClient() as client:\n"
            "        await forward(client, 't', 'http://x')\n",
            {"4 httpx POST traced: Request headers: explicit traceparent header"}},
        Row{"HeaderOnlyWhenAnArgumentNoCallerGives",
            "import httpx\nHEADER = 'X-Correlation-ID'\n"
            "def get_store(store_id, correlation_id=None):\n    headers = {}\n"
            "    if correlation_id:\n        headers[HEADER] = correlation_id\n"
            "    return httpx.get(f'http://store/{store_id}', headers=headers)\n"
            "def update(order_id, correlation_id=None):\n    headers = {}\n"
            "    if correlation_id:\n        headers[HEADER] = correlation_id\n"
            "    return httpx.put(f'http://orders/{order_id}', headers=headers)\n"
            "def checkout(cid):\n    get_store(1)\n    update(2, correlation_id=cid)\n"
            "    update(3)\n",
            {"7 httpx GET untraced: headers built in get_store, which sets X-Correlation-ID "
             "(HEADER); only when correlation_id is given, and no caller of get_store gives it",
             "12 httpx PUT traced: headers built in update, which sets X-Correlation-ID"}},
        Row{"LibraryPatchedByAnImport",
            "from beeline.patch import urllib\nimport urllib.request\n"
            "def f():\n    return urllib.request.urlopen('http://x/a')\n",
            {"4 urllib  traced: beeline.patch of urllib in app"}},
        Row{"ClientFromAnAsyncContextManagerFactory",
            "import contextlib, httpx\n@contextlib.asynccontextmanager\n"
            "async def traced_client(base):\n"
            "    async with httpx.AsyncClient(base_url=base, headers={'X-Request-ID': rid()}) as "
            "client:\n        yield client\n"
            "async def f():\n    async with traced_client('http://orders') as c:\n"
            "        await c.post('/orders')\n",
            {"8 httpx POST traced: client headers (factory traced_client): explicit X-Request-ID"}},
        Row{"HeadersFromTheEnclosingFunctionOfAClosure",
            "import asyncio, httpx\nasync def fan_out(tid, urls):\n"
            "    headers = {'traceparent': tid}\n"
            "    async def one(client, url):\n        return await client.get(url, "
            "headers=headers)\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await asyncio.gather(*[one(client, u) for u in urls])\n",
            {"5 httpx GET traced: headers built in fan_out, which explicit traceparent header"}},
        Row{"HeadersMergedFromABase",
            "import httpx\ndef f(rid):\n    base = {'X-Request-ID': rid}\n"
            "    httpx.get('http://a', headers={**base, 'Accept': 'json'})\n"
            "    httpx.get('http://b', headers=dict(base, Accept='json'))\n",
            {"4 httpx GET traced: headers built in f, which explicit X-Request-ID header",
             "5 httpx GET traced: headers built in f, which explicit X-Request-ID header"}},
        Row{"HeadersHandedInByTheCallers",
            "import httpx\nclient = httpx.Client()\n"
            "def send(url, headers):\n    return client.get(url, headers=headers)\n"
            "def a(tid):\n    return send('http://x/a', {'traceparent': tid})\n"
            "def b():\n    return send('http://x/b', headers={'Accept': 'json'})\n"
            "def forward(url, **kwargs):\n    return client.post(url, **kwargs)\n"
            "def c(tid):\n    return forward('http://x/c', headers={'X-Request-ID': tid})\n"
            "def quiet(url, headers):\n    return client.delete(url, headers=headers)\n"
            "def d():\n    return quiet('http://x/d', {})\n"
            "def orphan(url, headers):\n    return client.put(url, headers=headers)\n",
            {"4 httpx GET traced: headers from the callers of send: explicit traceparent header",
             "10 httpx POST traced: headers from the callers of forward: explicit X-Request-ID",
             "14 httpx DELETE untraced: headers come from parameter headers of quiet; none of its "
             "1 callers",
             "18 httpx PUT untraced: headers come from parameter headers of orphan, and no call of "
             "it was found"}},
        Row{"CallersThatMayGiveTheArgumentUnpacked",
            "import httpx\nHEADER = 'X-Correlation-ID'\n"
            "def get_store(store_id, correlation_id=None):\n    headers = {}\n"
            "    if correlation_id:\n        headers[HEADER] = correlation_id\n"
            "    return httpx.get(f'http://store/{store_id}', headers=headers)\n"
            "def checkout(ctx):\n    get_store(1, **ctx)\n",
            {"7 httpx GET traced: headers built in get_store, which sets X-Correlation-ID"}},
        Row{"AMappingEntryOfAnotherContainerIsNoClient",
            "import aiohttp\n"
            "def make(app):\n    app['session'] = aiohttp.ClientSession()\n"
            "def handle(payload, request):\n    payload['session'].get('name')\n"
            "    request.app['session'].get('http://b/x')\n",
            {"6 aiohttp GET untraced"}},
        Row{"TrustedWrapperFromTheConfig",
            "import httpx\ndef trusted_call(url):\n    return httpx.get(url)\n",
            {"3 httpx GET traced: inside trusted wrapper trusted_call (config)"}},
        Row{"TestFilesAreNotServiceCode", "", {}},
        Row{"NotARequest", "import os\nd = {}\nd.get('x')\nos.environ.get('Y')\n", {}}));

// Under the opentelemetry-instrument launcher every client library the
// process loads is instrumented.
TEST(OutboundCalls, TheOpenTelemetryLauncherInstrumentsEveryClient) {
  const TemporaryRepository repository;
  repository.write("app/main.py", "import requests\nrequests.get('http://x/a')\n");
  repository.write("app/Dockerfile", "FROM python\nCMD opentelemetry-instrument python main.py\n");
  const auto calls = audit_calls(repository.root());
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_TRUE(calls[0].propagates_trace);
  EXPECT_EQ(calls[0].how, "app starts under opentelemetry-instrument");
}

// Two projects in one repository, each with its own gateway and orders
// service: a call to http://orders goes to the caller's own project's orders.
TEST(OutboundCalls, AHostTwoProjectsAnswerToIsTheCallersOwnProjects) {
  const TemporaryRepository repository;
  for (const char* project : {"jaeger", "tempo"}) {
    const std::string root = project;
    repository.write(
        root + "/docker-compose.yml",
        "services:\n  gateway:\n    build: ./gateway\n  orders:\n    build: ./orders\n");
    repository.write(root + "/gateway/main.py",
                     "import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\n"
                     "httpx.get('http://orders:8001/orders')\n");
    repository.write(root + "/orders/main.py", "from fastapi import FastAPI\napp = FastAPI()\n");
  }
  const AuditedRepository audited(repository.root());
  const auto calls = find_outbound_calls(audited.fleet());
  ASSERT_EQ(calls.size(), 2U);
  std::map<std::string, std::string> root_of;
  for (const Service& service : audited.services().services) root_of[service.name] = service.root;
  for (const OutboundCall& call : calls) {
    SCOPED_TRACE(call.file);
    EXPECT_EQ(call.target_kind, "service");
    // The target's root is in the caller's project folder.
    const std::string project = call.file.substr(0, call.file.find('/'));
    EXPECT_EQ(root_of[call.target_service], project + "/orders") << call.target_service;
  }
}

// What the audit cannot decide it says on the site, and does not claim
// either way: headers from a parameter of a function nothing calls.
TEST(OutboundCalls, SitesThatCannotBeDecidedSaySo) {
  const TemporaryRepository repository;
  repository.write("app/main.py",
                   "import httpx\nclient = httpx.Client()\n"
                   "def send(url, headers):\n    return client.get(url, headers=headers)\n"
                   "def a(tid):\n    return send('http://x/a', {'traceparent': tid})\n"
                   "def b():\n    return send('http://x/b', {})\n"
                   "def orphan(url, headers):\n    return client.put(url, headers=headers)\n");
  repository.write("app/Dockerfile", "FROM python\n");
  const auto calls = audit_calls(repository.root());
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(calls[0].unresolved, "");
  EXPECT_EQ(calls[0].propagation_condition, "from 1 of its 2 callers");
  EXPECT_FALSE(calls[1].propagates_trace);
  EXPECT_EQ(calls[1].unresolved,
            "headers come from parameter headers of orphan, and no call of it was found");
}

// Installing an instrumentation package is not starting under the launcher.
TEST(OutboundCalls, AnInstrumentationPackageIsNotTheLauncher) {
  const TemporaryRepository repository;
  repository.write("app/main.py", "import requests\nrequests.get('http://x/a')\n");
  repository.write("app/Dockerfile",
                   "FROM python\nRUN pip install opentelemetry-instrumentation-requests\n"
                   "CMD python main.py\n");
  const auto calls = audit_calls(repository.root());
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_FALSE(calls[0].propagates_trace);
}

}  // namespace
}  // namespace tracemesh::audit
