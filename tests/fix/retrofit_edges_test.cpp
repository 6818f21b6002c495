// The cases where a careless retrofit breaks the code it fixes, one named
// row each: two requests on one line, imports placed after their use,
// headers that may be None, names the function already uses, requests in a
// comprehension, factories that do not take the client's arguments, one
// helper per service, paths `patch -p1` must read. Each patched repository
// is applied (git apply or patch -p1), compiled, and where it matters run.
#include <gtest/gtest.h>

#include <algorithm>

#include "fix/helper_module.h"
#include "fix_fixture.h"

namespace tracemesh::fix {
namespace {

using testing::change_of;
using testing::count;
using testing::fixed_sites;
using testing::FixedRepository;
using Files = std::map<std::string, std::string>;

// Two FastAPI services: `front` calls `back` (the code under test goes in
// services/front/main.py after this preamble).
const std::string front_preamble =
    "import os\n\nimport httpx\nimport requests\nfrom fastapi import FastAPI\n\n"
    "BACK_URL = os.environ.get(\"BACK_URL\", \"http://back:8000\")\n\napp = FastAPI()\n\n\n";

Files fleet(const std::string& front_code, Files more = {}) {
  more["services/front/main.py"] = front_preamble + front_code;
  more["services/back/main.py"] =
      "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/items\")\n"
      "async def items():\n    return []\n";
  return more;
}

std::string reasons(const Retrofit& retrofit) {
  std::string text;
  for (const SkippedSite& site : retrofit.skipped)
    text += site.file + ":" + std::to_string(site.line) + " " + site.reason + "\n";
  return text;
}

TEST(RetrofitEdges, TwoRequestsOnOneLineAreEachFixed) {
  const FixedRepository repository(
      fleet("@app.get(\"/both\")\ndef both():\n"
            "    return requests.get(f\"{BACK_URL}/items\").json(), "
            "requests.get(f\"{BACK_URL}/other\").json()\n"));
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 2U) << reasons(retrofit);
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(count(front->after, "headers=trace_headers()"), 2U) << front->after;
  EXPECT_NE(retrofit.fixed[0].target, retrofit.fixed[1].target);
  repository.apply(retrofit);
  EXPECT_EQ(repository.untraced_internal_sites(), std::vector<std::string>{});
}

// The hook is registered right after the app is built: the import it needs
// must come before it, not after the module's last import at the bottom.
// Then the app is imported and served a request (FastAPI's TestClient): the
// id that came in goes out with the call.
TEST(RetrofitEdges, ImportsComeBeforeTheHookEvenWithAnImportAtTheBottom) {
  Files files = fleet(
      "@app.get(\"/items\")\nasync def items():\n"
      "    async with httpx.AsyncClient() as client:\n"
      "        await client.get(f\"{BACK_URL}/items\")\n\n\n"
      "import views  # noqa: E402 (registers more routes)");
  files["services/front/views.py"] = "VIEWS = []\n";
  // Served for real below, on Debian's fastapi and httpx alone.
  std::string& main = files["services/front/main.py"];
  main.erase(main.find("import requests\n"), 16);
  const FixedRepository repository(files);
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 1U) << reasons(retrofit);
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  const std::size_t import = front->after.find("from trace_context import");
  const std::size_t hook = front->after.find("app.middleware(\"http\")(capture_trace)");
  ASSERT_NE(import, std::string::npos) << front->after;
  ASSERT_NE(hook, std::string::npos) << front->after;
  EXPECT_LT(import, hook) << front->after;
  EXPECT_TRUE(front->after.ends_with("import views  # noqa: E402 (registers more routes)"));
  repository.apply(retrofit);
  const auto served = repository.python(
      "services/front",
      "from fastapi.testclient import TestClient\nimport main\n"
      "from trace_context import trace_headers\n\n"
      "@main.app.get('/echo')\nasync def echo():\n    return trace_headers()\n\n"
      "answer = TestClient(main.app).get('/echo', headers={'X-Trace-ID': 'abc123'}).json()\n"
      "assert answer == {'X-Trace-ID': 'abc123'}, answer\n"
      "fresh = TestClient(main.app).get('/echo').json()\n"
      "assert len(fresh['X-Trace-ID']) == 32, fresh\n");
  EXPECT_EQ(served.exit_code, 0) << served.output;
}

TEST(RetrofitEdges, HeadersThatMayBeNoneStayOptional) {
  const FixedRepository repository(
      fleet("def fetch(extra=None, token=None):\n"
            "    requests.get(f\"{BACK_URL}/items\", headers=extra or None)\n"
            "    requests.get(f\"{BACK_URL}/items\", headers=extra if token else None)\n"
            "    own = {\"Accept\": \"application/json\"}\n"
            "    return requests.get(f\"{BACK_URL}/items\", headers=own)\n"));
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 3U) << reasons(retrofit);
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  EXPECT_NE(front->after.find("headers={**trace_headers(), **((extra or None) or {})}"),
            std::string::npos)
      << front->after;
  EXPECT_NE(front->after.find("**((extra if token else None) or {})})"), std::string::npos)
      << front->after;
  EXPECT_NE(front->after.find("headers={**trace_headers(), **own}"), std::string::npos)
      << front->after;
  repository.apply(retrofit);
  // Called with nothing: the None headers merge as {}, nothing raises.
  const auto run = repository.run(
      {testing::system_python(), "-c",
       "extra, token = None, None\nfrom_none = {**((extra or None) or {}), **{'X-Trace-ID': 'a'}}\n"
       "assert from_none == {'X-Trace-ID': 'a'}\n"
       "token = 'set'\nalso = {**((extra if token else None) or {}), **{}}\nassert also == {}\n"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST(RetrofitEdges, ANameTheFunctionUsesIsNotShadowed) {
  const FixedRepository repository(
      fleet("def items(trace_headers=False):\n"
            "    return requests.get(f\"{BACK_URL}/items\", timeout=2).json()\n"));
  const Retrofit retrofit = repository.plan();
  EXPECT_TRUE(retrofit.fixed.empty());
  EXPECT_NE(reasons(retrofit).find("main.py:13 the name trace_headers is taken"), std::string::npos)
      << reasons(retrofit);
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  EXPECT_TRUE(front == nullptr || front->after.find("headers=") == std::string::npos);
}

TEST(RetrofitEdges, ARequestInAComprehensionGetsNoInjectBeforeIt) {
  Files files = fleet(
      "from opentelemetry import trace  # noqa: F401\n\n\n"
      "def all_items(pairs):\n"
      "    return [requests.get(f\"{BACK_URL}/items/{i}\", headers=h).json() for i, h in pairs]\n");
  const FixedRepository repository(files);
  const Retrofit retrofit = repository.plan();
  // Not inject (it would run before the comprehension binds h): the next idiom.
  ASSERT_EQ(retrofit.fixed.size(), 1U) << reasons(retrofit);
  EXPECT_EQ(retrofit.fixed[0].idiom.rfind("new helper", 0), 0U) << retrofit.fixed[0].idiom;
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(front->after.find("inject("), std::string::npos) << front->after;
  EXPECT_NE(front->after.find("headers={**trace_headers(),"), std::string::npos) << front->after;
  EXPECT_NE(front->after.find("**(h or {})}"), std::string::npos) << front->after;
  repository.apply(retrofit);
}

TEST(RetrofitEdges, AFactoryThatDoesNotTakeTheClientsArgumentsIsNotUsed) {
  Files files = fleet(
      "from clients import traced_client, traced_session\n\n\n"
      "async def one():\n"
      "    async with traced_client(BACK_URL) as client:\n"
      "        await client.get(\"/items\")\n\n\n"
      "async def two():\n"
      "    async with httpx.AsyncClient(timeout=3.0) as client:\n"
      "        await client.get(f\"{BACK_URL}/items\")\n\n\n"
      "async def three():\n"
      "    async with httpx.AsyncClient(base_url=BACK_URL, event_hooks={}) as client:\n"
      "        await client.get(\"/items\")\n\n\n"
      "async def four():\n"
      "    async with traced_session() as client:\n"
      "        await client.get(f\"{BACK_URL}/items\")\n\n\n"
      "async def five():\n"
      "    async with httpx.AsyncClient(base_url=BACK_URL, timeout=1.0) as client:\n"
      "        await client.get(\"/items\")\n");
  files["services/front/clients.py"] =
      "import httpx\n\nTRACE_HEADER = \"X-Trace-ID\"\n\n\n"
      "async def stamp(request):\n    request.headers[TRACE_HEADER] = \"id\"\n\n\n"
      "def traced_client(base_url, **options):\n"
      "    return httpx.AsyncClient(base_url=base_url, event_hooks={\"request\": [stamp]}, "
      "**options)\n\n\n"
      "async def traced_session(**options):\n"
      "    return httpx.AsyncClient(event_hooks={\"request\": [stamp]}, **options)\n";
  const FixedRepository repository(files);
  const Retrofit retrofit = repository.plan();
  std::vector<std::string> idioms;
  for (const FixedSite& site : retrofit.fixed)
    idioms.push_back(std::to_string(site.line) + " " +
                     (site.idiom.starts_with("new helper") ? "new helper" : site.idiom));
  // two: base_url is required; three: the factory sets event_hooks itself;
  // five: fits. The async factory is never one.
  EXPECT_EQ(idioms, (std::vector<std::string>{"22 new helper", "27 new helper",
                                              "37 traced factory traced_client"}))
      << reasons(retrofit);
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  EXPECT_NE(
      front->after.find("async with traced_client(base_url=BACK_URL, timeout=1.0) as client:"),
      std::string::npos)
      << front->after;
  EXPECT_EQ(count(front->after, "traced_client("), 2U);
  repository.apply(retrofit);
}

TEST(RetrofitEdges, AServiceGetsOneHelperWhateverPackageItsCallsAreIn) {
  const FixedRepository repository(
      {{"services/shop/app/__init__.py", ""},
       {"services/shop/app/main.py",
        "from fastapi import FastAPI\n\nfrom clients.stock import level\n\napp = FastAPI()\n\n\n"
        "@app.get(\"/stock\")\ndef stock():\n    return level()\n"},
       {"services/shop/clients/__init__.py", ""},
       {"services/shop/clients/stock.py",
        "import requests\n\n\ndef level():\n"
        "    return requests.get(\"http://stock:8000/level\", timeout=2).json()\n"},
       {"services/stock/main.py",
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/level\")\n"
        "def level():\n    return 1\n"}});
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 1U) << reasons(retrofit);
  std::vector<std::string> helpers;
  for (const FileChange& change : retrofit.files) {
    if (change.created) helpers.push_back(change.path);
  }
  EXPECT_EQ(helpers, std::vector<std::string>{"services/shop/app/trace_context.py"});
  const FileChange* stock = change_of(retrofit, "services/shop/clients/stock.py");
  ASSERT_NE(stock, nullptr);
  EXPECT_NE(stock->after.find("from app.trace_context import trace_headers\n"), std::string::npos)
      << stock->after;
  repository.apply(retrofit);
}

TEST(RetrofitEdges, PathsWithSpacesApplyWithPatch) {
  Files files = fleet(
      "@app.get(\"/items\")\ndef items():\n    return "
      "requests.get(f\"{BACK_URL}/items\").json()\n");
  Files spaced;
  for (auto& [path, text] : files) {
    std::string renamed = path;
    if (renamed.starts_with("services/front/")) renamed.replace(0, 14, "services/front office");
    spaced[renamed] = text;
  }
  const FixedRepository repository(spaced);
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 1U) << reasons(retrofit);
  EXPECT_NE(retrofit.patch().find("--- a/services/front office/main.py\t\n"), std::string::npos)
      << retrofit.patch();
  repository.apply(retrofit, true);
  EXPECT_EQ(repository.untraced_internal_sites(), std::vector<std::string>{});
}

// A header helper that also sets Accept (front/tracing.py), for the client tests.
Files with_helper(const std::string& front_code) {
  Files files = fleet(front_code);
  std::string& main = files["services/front/main.py"];
  main.erase(main.find("import requests\n"), 16);  // served on Debian's packages alone
  main.insert(main.find("from fastapi import FastAPI\n"), "import tracing\n");
  files["services/front/tracing.py"] =
      "TRACE_HEADER = \"X-Request-ID\"\n\n\ndef outbound_headers():\n"
      "    return {TRACE_HEADER: \"r1\", \"Accept\": \"application/json\"}\n";
  return files;
}

// Two module-level clients, the second used first: one hook, defined after
// the imports, above both; it fills in the helper's headers without
// overriding one the request sets itself. The patched module is imported
// and the hook run on a real httpx request.
TEST(RetrofitEdges, ClientsKeptAtModuleLevelShareOneHookAboveThem) {
  const FixedRepository repository(with_helper(
      "users = httpx.Client(base_url=BACK_URL)\norders = httpx.Client(base_url=BACK_URL)\n\n\n"
      "@app.get(\"/orders\")\ndef list_orders():\n    return orders.get(\"/items\").json()\n\n\n"
      "@app.get(\"/users\")\ndef list_users():\n"
      "    return users.get(\"/items\", headers={\"Accept\": \"application/xml\"}).json()\n"));
  const Retrofit retrofit = repository.plan();
  ASSERT_EQ(retrofit.fixed.size(), 2U) << reasons(retrofit);
  for (const FixedSite& site : retrofit.fixed)
    EXPECT_EQ(site.idiom, "header helper outbound_headers");
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(count(front->after, "def _send_trace_headers_sync(request):"), 1U) << front->after;
  EXPECT_LT(front->after.find("def _send_trace_headers_sync"), front->after.find("users = "));
  repository.apply(retrofit);
  const auto run = repository.python(
      "services/front",
      "import httpx\nimport main\n"
      "request = httpx.Request('GET', 'http://back:8000/items', headers={'Accept': "
      "'application/xml'})\n"
      "main._send_trace_headers_sync(request)\n"
      "assert request.headers['x-request-id'] == 'r1', request.headers\n"
      "assert request.headers['accept'] == 'application/xml', request.headers\n"
      "assert main.users._event_hooks['request'] == [main._send_trace_headers_sync]\n");
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

// A client the hook would not fit is fixed at each call instead: built
// under a condition (one branch would miss it), also used at import, also
// calling a third party, used from an executor thread (which does not see
// the context: left), or with the hook's name taken.
TEST(RetrofitEdges, ClientsAHookWouldNotFitAreFixedAtEachCall) {
  const FixedRepository repository(
      with_helper("import asyncio\n\nfrom hooks import _send_trace_headers_sync\n\n"
                  "if os.environ.get(\"TOKEN\"):\n    guarded = httpx.Client(base_url=BACK_URL, "
                  "headers={\"A\": \"t\"})\n"
                  "else:\n    guarded = httpx.Client(base_url=BACK_URL)\n"
                  "early = httpx.Client(base_url=BACK_URL)\nWARM = early.get(\"/items\")\n"
                  "mixed = httpx.Client()\nthreaded = httpx.Client(base_url=BACK_URL)\n"
                  "named = httpx.Client(base_url=BACK_URL)\n\n\n"
                  "def one():\n    return guarded.get(\"/items\")\n\n\n"
                  "def two():\n    return early.get(\"/items\")\n\n\n"
                  "def three():\n    mixed.get(f\"{BACK_URL}/items\")\n"
                  "    return mixed.get(\"https://api.example.com/v1/charges\")\n\n\n"
                  "async def four():\n"
                  "    return await asyncio.get_running_loop().run_in_executor(None, threaded.get, "
                  "\"/items\")\n\n\n"
                  "def five():\n    return named.get(\"/items\")\n"));
  const Retrofit retrofit = repository.plan();
  const FileChange* front = change_of(retrofit, "services/front/main.py");
  ASSERT_NE(front, nullptr) << reasons(retrofit);
  EXPECT_EQ(front->after.find("event_hooks"), std::string::npos) << front->after;
  EXPECT_EQ(front->after.find("def _send_trace_headers"), std::string::npos) << front->after;
  // At each call, the external one left alone.
  EXPECT_NE(front->after.find("guarded.get(\"/items\", headers=tracing.outbound_headers())"),
            std::string::npos)
      << front->after;
  EXPECT_NE(front->after.find("mixed.get(\"https://api.example.com/v1/charges\")\n"),
            std::string::npos);
  EXPECT_NE(reasons(retrofit).find("handed to another call"), std::string::npos)
      << reasons(retrofit);
  EXPECT_NE(reasons(retrofit).find("module level"), std::string::npos) << reasons(retrofit);
}

// --only: a module every service runs is only changed in an idiom every one
// of them has (here none: alpha's helper is alpha's).
TEST(RetrofitEdges, OnlyDoesNotPutOneServicesIdiomIntoASharedModule) {
  const FixedRepository repository(
      {{"common/__init__.py", ""},
       {"common/clients.py",
        "import requests\n\n\ndef stock():\n"
        "    return requests.get(\"http://stock:8000/level\", timeout=2).json()\n"},
       {"services/alpha/main.py",
        "from fastapi import FastAPI\n\nfrom common.clients import stock\nimport tracing  # "
        "noqa\n\n"
        "app = FastAPI()\n"},
       {"services/alpha/tracing.py",
        "def outbound_headers():\n    return {\"X-Request-ID\": \"a\"}\n"},
       {"services/beta/main.py",
        "from fastapi import FastAPI\n\nfrom common.clients import stock\n\napp = FastAPI()\n"},
       {"services/stock/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"}});
  FixOptions options;
  options.only = {"alpha"};
  const Retrofit retrofit = repository.plan(options);
  ASSERT_EQ(retrofit.fixed.size(), 1U) << reasons(retrofit);
  EXPECT_EQ(retrofit.fixed[0].idiom, "new helper common/trace_context.py");
  const FileChange* clients = change_of(retrofit, "common/clients.py");
  ASSERT_NE(clients, nullptr);
  EXPECT_EQ(clients->after.find("services.alpha"), std::string::npos) << clients->after;
}

// A helper an earlier run wrote is reused as it is: its hook is found by its
// parameters; a framework it has no hook for gets a note, never an import
// of a name the module does not define.
TEST(RetrofitEdges, AHelperFromAnEarlierRunIsReusedAsItIs) {
  const std::string calls_back = "import requests\n\nfrom common.settings import BACK_URL\n\n";
  const FixedRepository repository(
      {{"common/__init__.py", ""},
       {"common/settings.py", "BACK_URL = \"http://back:8000\"\n"},
       {"services/front/main.py",
        calls_back + "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/a\")\n"
                     "def a():\n    return requests.get(f\"{BACK_URL}/items\").json()\n"},
       {"services/back/main.py",
        "from fastapi import FastAPI\n\nimport common.settings  # noqa\n\napp = FastAPI()\n"}});
  const Retrofit first = repository.plan();
  ASSERT_EQ(first.fixed.size(), 1U) << reasons(first);
  ASSERT_TRUE(write_retrofit(repository.root(), first));
  // Later: a Flask service and a second FastAPI one call back too.
  for (const auto& [path, framework] : std::map<std::string, std::string>{
           {"services/desk/app.py", "flask"}, {"services/shop/main.py", "fastapi"}}) {
    const std::string app = framework == "flask"
                                ? "from flask import Flask\n\napp = Flask(__name__)\n"
                                : "from fastapi import FastAPI\n\napp = FastAPI()\n";
    std::filesystem::create_directories((repository.root() / path).parent_path());
    std::ofstream(repository.root() / path)
        << calls_back + app +
               "\n\n@app.get(\"/b\")\ndef b():\n"
               "    return requests.get(f\"{BACK_URL}/items\").json()\n";
  }
  const Retrofit second = repository.plan();
  EXPECT_EQ(second.fixed.size(), 2U) << reasons(second);
  for (const FileChange& change : second.files) EXPECT_FALSE(change.created) << change.path;
  const FileChange* shop = change_of(second, "services/shop/main.py");
  ASSERT_NE(shop, nullptr);
  EXPECT_NE(shop->after.find("app.middleware(\"http\")(capture_trace)"), std::string::npos)
      << shop->after;
  const FileChange* desk = change_of(second, "services/desk/app.py");
  ASSERT_NE(desk, nullptr);
  EXPECT_EQ(desk->after.find("capture_trace"), std::string::npos) << desk->after;
  ASSERT_EQ(second.notes.size(), 1U);
  EXPECT_NE(second.notes[0].find("has no hook for app's framework"), std::string::npos)
      << second.notes[0];
  repository.apply(second);
}

// The helper module with the hooks of three frameworks imports without any
// of them installed, and its aiohttp hook keeps the id while it is served.
TEST(RetrofitEdges, TheHelperModuleImportsWithoutItsFrameworks) {
  const FixedRepository repository(Files{{"x.py", ""}});
  std::ofstream(repository.root() / "trace_context.py")
      << helper_module("X-Trace-ID", {"aiohttp", "asgi", "flask"}, true);
  const auto run = repository.python(
      ".",
      "import asyncio\nimport trace_context as t\n"
      "assert t.capture_trace.__middleware_version__ == 1\n"
      "assert callable(t.capture_trace_asgi) and callable(t.capture_trace_flask)\n"
      "class Request:\n    headers = {'X-Trace-ID': 'abc'}\n"
      "async def handler(request):\n    return t.trace_headers()\n"
      "assert asyncio.run(t.capture_trace(Request(), handler)) == {'X-Trace-ID': 'abc'}\n"
      "assert t.trace_headers() == {}\n");
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace tracemesh::fix
