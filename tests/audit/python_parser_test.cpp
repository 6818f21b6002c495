// Python facts from tree-sitter: imports, functions, classes, calls with
// their bindings and keywords, module constants, and bad input refused.
#include "audit/python/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace tracemesh::audit {
namespace {

const Call* find_call(const PythonModule& module, const std::string& callee, int line = 0) {
  for (const Call& call : module.calls) {
    if (call.callee == callee && (line == 0 || call.line == line)) return &call;
  }
  return nullptr;
}

const Function* find_function(const PythonModule& module, const std::string& name) {
  for (const Function& function : module.functions) {
    if (function.qualified == name) return &function;
  }
  return nullptr;
}

constexpr const char* source = R"(import httpx
import os.path
import requests as rq
from fastapi import FastAPI, APIRouter as Router
from .shared.tracing import TRACE_ID_HEADER
from . import clients

TRACE_HEADER = "X-Trace-ID"
TIMEOUT = 5
URL = f"http://{os.environ['HOST']}/x"

app = FastAPI()


class Client(BaseClient, metaclass=Meta):
    def __init__(self, base_url: str, timeout=3.0):
        self.http = httpx.AsyncClient(base_url=base_url,
                                      headers={"X-Trace-ID": "fixed"})

    async def fetch(self, trace_id):
        headers = {}
        if trace_id:
            headers[TRACE_HEADER] = trace_id
        response = await self.http.get(
            "/items", headers=headers)
        return response


@app.get("/health")
@traced
async def health():
    async with httpx.AsyncClient() as client:
        r = await client.post("http://agent:8080/run", json={"q": 1})
    return {"ok": True}


def outer():
    def inner(x):
        return rq.get(x, timeout=TIMEOUT)
    return inner
)";

TEST(PythonParser, ExtractsImports) {
  const auto module = parse_python("svc/app.py", source);
  ASSERT_TRUE(module) << module.error().text();
  EXPECT_EQ(module->path, "svc/app.py");
  EXPECT_FALSE(module->has_syntax_errors);
  const auto has = [&](const std::string& name, const std::string& imported,
                       const std::string& alias) {
    return std::any_of(module->imports.begin(), module->imports.end(), [&](const Import& i) {
      return i.module == name && i.name == imported && i.alias == alias;
    });
  };
  EXPECT_TRUE(has("httpx", "", "httpx"));
  EXPECT_TRUE(has("os.path", "", "os"));
  EXPECT_TRUE(has("requests", "", "rq"));
  EXPECT_TRUE(has("fastapi", "FastAPI", "FastAPI"));
  EXPECT_TRUE(has("fastapi", "APIRouter", "Router"));
  EXPECT_TRUE(has(".shared.tracing", "TRACE_ID_HEADER", "TRACE_ID_HEADER"));
  EXPECT_TRUE(has(".", "clients", "clients"));
}

TEST(PythonParser, ExtractsFunctionsClassesAndConstants) {
  const auto module = parse_python("svc/app.py", source);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->constants.at("TRACE_HEADER"), "X-Trace-ID");
  EXPECT_FALSE(module->constants.contains("TIMEOUT"));  // not a string
  EXPECT_FALSE(module->constants.contains("URL"));      // an f-string
  ASSERT_EQ(module->classes.size(), 1U);
  EXPECT_EQ(module->classes[0].name, "Client");
  EXPECT_EQ(module->classes[0].bases, std::vector<std::string>{"BaseClient"});
  EXPECT_EQ(module->classes[0].line, 15);

  const Function* init = find_function(*module, "Client.__init__");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->class_name, "Client");
  EXPECT_EQ(init->parameters, (std::vector<std::string>{"self", "base_url", "timeout"}));
  const Function* fetch = find_function(*module, "Client.fetch");
  ASSERT_NE(fetch, nullptr);
  EXPECT_TRUE(fetch->is_async);
  EXPECT_NE(std::find(fetch->names.begin(), fetch->names.end(), "TRACE_HEADER"),
            fetch->names.end());
  const Function* health = find_function(*module, "health");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->decorators, (std::vector<std::string>{"app.get(\"/health\")", "traced"}));
  EXPECT_EQ(health->line, 31);  // the def, after its decorators
  EXPECT_NE(std::find(health->strings.begin(), health->strings.end(), "http://agent:8080/run"),
            health->strings.end());
  EXPECT_NE(find_function(*module, "outer.inner"), nullptr);
}

TEST(PythonParser, ExtractsCallsWithBindingsKeywordsAndConditions) {
  const auto module = parse_python("svc/app.py", source);
  ASSERT_TRUE(module);
  const Call* construct = find_call(*module, "httpx.AsyncClient", 17);
  ASSERT_NE(construct, nullptr);
  EXPECT_EQ(construct->assigned_to, "self.http");
  EXPECT_EQ(construct->function, "Client.__init__");
  ASSERT_EQ(construct->keywords.size(), 2U);
  EXPECT_EQ(construct->keywords[0].name, "base_url");
  EXPECT_EQ(construct->keywords[1].name, "headers");
  EXPECT_EQ(construct->keywords[1].value, "{\"X-Trace-ID\": \"fixed\"}");

  const Call* get = find_call(*module, "self.http.get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->line, 24);
  EXPECT_EQ(get->assigned_to, "response");  // through await
  EXPECT_EQ(get->arguments, std::vector<std::string>{"\"/items\""});
  EXPECT_FALSE(get->conditional);

  const Call* with_client = find_call(*module, "httpx.AsyncClient", 32);
  ASSERT_NE(with_client, nullptr);
  EXPECT_EQ(with_client->assigned_to, "client");  // async with ... as client
  EXPECT_EQ(with_client->function, "health");
  const Call* post = find_call(*module, "client.post");
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->arguments, std::vector<std::string>{"\"http://agent:8080/run\""});

  const Call* nested = find_call(*module, "rq.get");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->function, "outer.inner");
  EXPECT_EQ(nested->keywords[0].value, "TIMEOUT");
  EXPECT_EQ(find_call(*module, "FastAPI")->assigned_to, "app");
}

TEST(PythonParser, MarksCallsUnderConditions) {
  const auto module = parse_python("a.py", R"(def f(ctx):
    if ctx:
        inject(headers)
    try:
        send()
    except Exception:
        pass
    always()
)");
  ASSERT_TRUE(module);
  EXPECT_TRUE(find_call(*module, "inject")->conditional);
  EXPECT_TRUE(find_call(*module, "send")->conditional);
  EXPECT_FALSE(find_call(*module, "always")->conditional);
}

TEST(PythonParser, RecordsTheConditionEveryUseSitsUnder) {
  const auto module = parse_python("a.py", R"(def branch(tid):
    headers = {}
    if tid:
        headers["X-Trace-ID"] = tid
    else:
        headers["X-Fallback"] = "none"
    return headers

def early(ctx):
    if ctx is None:
        return {}
    return {"traceparent": ctx.traceparent, HEADER: ctx.id}

def inline(tid):
    return {"X-Request-ID": tid} if tid else {"X-Other": "1"}

def both(tid):
    if tid:
        send("X-Trace-ID")
    send("X-Trace-ID")
)");
  ASSERT_TRUE(module);
  const auto guard = [&](const std::string& function, const std::string& used) {
    const auto& guards = find_function(*module, function)->guards;
    const auto found = guards.find(used);
    return found == guards.end() ? std::string("(none)") : found->second;
  };
  EXPECT_EQ(guard("branch", "X-Trace-ID"), "if tid");
  EXPECT_EQ(guard("branch", "X-Fallback"), "unless tid");
  EXPECT_EQ(guard("branch", "headers"), "(none)");  // used before the if too
  EXPECT_EQ(guard("early", "traceparent"), "unless ctx is None");
  EXPECT_EQ(guard("early", "HEADER"), "unless ctx is None");
  EXPECT_EQ(guard("inline", "X-Request-ID"), "if tid");
  EXPECT_EQ(guard("inline", "X-Other"), "unless tid");
  EXPECT_EQ(guard("both", "X-Trace-ID"), "(none)");  // also sent unconditionally
}

TEST(PythonParser, RecordsAssignmentsLocalsClassDecoratorsAndMainBlocks) {
  const auto module = parse_python("t.py", R"(import os
BASE = os.getenv("ORDERS_URL", "http://orders:8000")
PATH = f"{BASE}/orders"
pytestmark = [pytest.mark.integration]

@pytest.mark.skip(reason="flaky")
class TestOrders:
    LIMIT = "x"
    def test_list(self, client):
        url = "/orders"
        url = "/other"
        client.get(url)

if __name__ == "__main__":
    main()
)");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->assignments.at("BASE"), "os.getenv(\"ORDERS_URL\", \"http://orders:8000\")");
  EXPECT_EQ(module->assignments.at("PATH"), "f\"{BASE}/orders\"");
  EXPECT_EQ(module->assignments.at("pytestmark"), "[pytest.mark.integration]");
  EXPECT_FALSE(module->assignments.contains("LIMIT"));  // a class attribute
  ASSERT_EQ(module->classes.size(), 1U);
  EXPECT_EQ(module->classes[0].decorators,
            std::vector<std::string>{"pytest.mark.skip(reason=\"flaky\")"});
  EXPECT_EQ(find_function(*module, "TestOrders.test_list")->locals.at("url"), "\"/orders\"");
  EXPECT_TRUE(module->has_main_block);
  EXPECT_FALSE(parse_python("b.py", "if name == 1:\n    pass\n")->has_main_block);
}

TEST(PythonParser, GivesClassAttributesToTheClassWhoseBodyHoldsThem) {
  // A class of the same name defined inside a method does not take the
  // outer class's later attributes.
  const auto module = parse_python("t.py", R"(class A:
    FIRST = "1"
    def method(self):
        class A:
            INNER = "i"
        return A
    LATER = "2"
)");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->classes.size(), 2U);
  EXPECT_EQ(module->classes[0].attributes,
            (std::map<std::string, std::string>{{"FIRST", "\"1\""}, {"LATER", "\"2\""}}));
  EXPECT_EQ(module->classes[1].attributes,
            (std::map<std::string, std::string>{{"INNER", "\"i\""}}));
}

TEST(PythonParser, JoinsTheTextOfAnFStringAroundItsInterpolations) {
  // The joined text of an f-string is a use like any string: guarded where
  // every use is, and the names inside its interpolations are uses too.
  const auto module = parse_python("t.py", R"(def call(host, flag):
    if flag:
        a = f"http://{host}:8000/x"
    b = f"http://{host}:8000/y"
    if flag:
        c = f"http://{host}:8000/y"
)");
  ASSERT_TRUE(module);
  const Function* call = find_function(*module, "call");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->strings,
            (std::vector<std::string>{"http://:8000/x", "http://:8000/y", "http://:8000/y"}));
  EXPECT_EQ(call->guards.at("http://:8000/x"), "if flag");
  EXPECT_FALSE(call->guards.contains("http://:8000/y"));  // also used unconditionally
  EXPECT_NE(std::find(call->names.begin(), call->names.end(), "host"), call->names.end());
}

TEST(PythonParser, ToleratesSyntaxErrorsAndRefusesBinaryOrHugeFiles) {
  const auto broken = parse_python("broken.py", "def f(:\n    requests.get('http://x')\n");
  ASSERT_TRUE(broken);
  EXPECT_TRUE(broken->has_syntax_errors);
  const auto binary = parse_python("blob.py", std::string("abc\0def", 7));
  ASSERT_FALSE(binary);
  EXPECT_NE(binary.error().text().find("blob.py: not text"), std::string::npos);
  const auto huge = parse_python("huge.py", std::string(max_python_file_bytes + 1, '#'));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().text().find("huge.py: larger than 8 MiB"), std::string::npos);
}

TEST(PythonParser, ToleratesAbsentFields) {
  // No superclasses, no parameters list (recovered), a bare from-import: the
  // grammar leaves those fields out (found by python_parser_fuzz).
  for (const char* text : {"class A:\n    pass\n", "class B(:\n", "def (:\n", "from import x\n",
                           "import\n", "@\ndef f(): pass\n", "with as c:\n  pass\n"}) {
    const auto module = parse_python("odd.py", text);
    EXPECT_TRUE(module) << text;
  }
  const auto module = parse_python("a.py", "class A:\n    pass\n");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->classes.size(), 1U);
  EXPECT_TRUE(module->classes[0].bases.empty());
}

TEST(PythonParser, SurvivesDeepNesting) {
  std::string deep = "x = ";
  for (int i = 0; i < 5000; ++i) deep += "(";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += ")";
  deep += "\n";
  EXPECT_TRUE(parse_python("deep.py", deep));
}

}  // namespace
}  // namespace tracemesh::audit
