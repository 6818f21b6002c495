// Resolving Python expressions to the strings they hold: literals,
// f-strings, concatenation, locals, module and imported names, environment
// variables through the deployment or the code's default.
#include "audit/index/values.h"

#include <gtest/gtest.h>

#include "audit/python/parser.h"
#include "audit/python/source_text.h"

namespace tracemesh::audit {
namespace {

Repository repository_of(const std::vector<std::pair<std::string, std::string>>& files) {
  Repository repository;
  for (const auto& [path, source] : files) {
    auto module = parse_python(path, source);
    EXPECT_TRUE(module) << path;
    repository.modules.push_back(std::move(*module));
  }
  return repository;
}

TEST(Values, ResolvesWhatTheSourceTells) {
  const Repository repository = repository_of({{"svc/settings.py", R"(import os
ORDERS = os.getenv("ORDERS_URL", "http://orders:8001")
BILLING = os.environ.get("BILLING_URL")
SECRET = os.environ["API_KEY"]
)"},
                                               {"svc/main.py", R"(from .settings import ORDERS
from . import settings
import os
PREFIX = "/api" + "/v1"
PORT = 8000

def handler(order_id):
    url = f"{ORDERS}/orders/{order_id:>5}?q={{x}}"
    return url
)"}});
  const TraceHeaders headers;
  const CodeIndex index(repository, headers);
  const ValueResolver values(index, {{"gateway", {{"BILLING_URL", "http://billing:8002"}}}});
  const ModuleView& view = index.view("svc/main.py");
  const Function* handler = view.functions.at("handler");
  struct Case {
    std::string expression;
    std::string service;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {R"("http://a/b")", "", "http://a/b"},
      {R"(r'C:\x')", "", R"(C:\x)"},
      {R"("""doc""")", "", "doc"},
      {"PREFIX", "", "/api/v1"},
      {"PREFIX + '/orders'", "", "/api/v1/orders"},
      {"(PREFIX)", "", "/api/v1"},
      {"url", "", "http://orders:8001/orders/{order_id}?q={x}"},  // local → f-string → import
      {"settings.BILLING", "", "{BILLING_URL}"},                  // no default, no deployment
      {"settings.BILLING", "gateway", "http://billing:8002"},     // the service's compose env
      {"settings.SECRET", "", "{API_KEY}"},
      {"os.getenv('X', default='http://x')", "", "http://x"},
      {"str(PREFIX)", "", "/api/v1"},
      {"base + '/x'", "", "{base}/x"},
      {"PORT", "", "8000"},  // an integer, as text (a port in a URL)
      {"unknown", "", std::nullopt},
      {"compute(1)", "", std::nullopt},
      {"", "", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(values.resolve(view, handler, c.expression, c.service), c.expected) << c.expression;
  }
}

TEST(Values, ReadsSettingsObjectsAndClasses) {
  const Repository repository =
      repository_of({{"core/config.py", R"(from pydantic_settings import BaseSettings
class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    ORDERS_URL: str = "http://orders:8001"
settings = Settings()
class Plain:
    ROOT = "/plain"
)"},
                     {"core/main.py", R"(from .config import settings, Plain
from . import config
def f():
    local = config.Settings()
    return local.API_V1_STR
)"}});
  const TraceHeaders headers;
  const CodeIndex index(repository, headers);
  const ValueResolver values(index, {{"api", {{"orders_url", "http://orders.internal:80"}}}});
  const ModuleView& view = index.view("core/main.py");
  const Function* f = view.functions.at("f");
  EXPECT_EQ(values.resolve(view, f, "f\"{settings.API_V1_STR}/items\""), "/api/v1/items");
  EXPECT_EQ(values.resolve(view, f, "settings.ORDERS_URL"), "http://orders:8001");
  // A BaseSettings field reads the environment variable of its name, any case.
  EXPECT_EQ(values.resolve(view, f, "settings.ORDERS_URL", "api"), "http://orders.internal:80");
  EXPECT_EQ(values.resolve(view, f, "Plain.ROOT", "api"), "/plain");
  EXPECT_EQ(values.resolve(view, f, "local.API_V1_STR"), "/api/v1");
  EXPECT_EQ(values.resolve(view, f, "settings.MISSING"), std::nullopt);
}

TEST(Values, StopsOnSelfReference) {
  const Repository repository = repository_of({{"a.py", "A = B + '/x'\nB = A\n"}});
  const TraceHeaders headers;
  const CodeIndex index(repository, headers);
  const ValueResolver values(index, {});
  const auto resolved = values.resolve(index.view("a.py"), nullptr, "A");
  ASSERT_TRUE(resolved);
  EXPECT_NE(resolved->find("/x"), std::string::npos);
}

TEST(Values, ParametersShadowModuleNamesAndFanOutIsBounded) {
  std::string source = "BASE = 'http://orders:8001'\ndef call(BASE):\n    return BASE\n";
  // A0 = 'x'; A1 = A0 + A0 + ... (60 terms); ... A5: 60^5 expansions without a budget.
  source += "A0 = 'x'\n";
  for (int level = 1; level <= 5; ++level) {
    source += "A" + std::to_string(level) + " = A" + std::to_string(level - 1);
    for (int term = 1; term < 60; ++term) source += " + A" + std::to_string(level - 1);
    source += "\n";
  }
  const Repository repository = repository_of({{"a.py", source}});
  const TraceHeaders headers;
  const CodeIndex index(repository, headers);
  const ValueResolver values(index, {});
  const ModuleView& view = index.view("a.py");
  EXPECT_EQ(values.resolve(view, view.functions.at("call"), "BASE + '/x'"), "{BASE}/x");
  EXPECT_EQ(values.resolve(view, nullptr, "BASE + '/x'"), "http://orders:8001/x");
  // Returns (without the budget this would not finish), capped: the part it could resolve.
  const auto bounded = values.resolve(view, nullptr, "A5 + '/tail'");
  ASSERT_TRUE(bounded);
  EXPECT_LE(bounded->size(), 4096U);
  EXPECT_EQ(values.resolve(view, nullptr, "A1").value_or("").size(), 60U);  // within budget
}

TEST(Values, SplitsAtTopLevelOnly) {
  EXPECT_EQ(split_top_level(R"(a, f(b, c), "d,e", [1, 2])", ','),
            (std::vector<std::string>{"a", "f(b, c)", "\"d,e\"", "[1, 2]"}));
  EXPECT_FALSE(string_literal("'a' + 'b'"));
  EXPECT_FALSE(string_literal("x'a'"));
  EXPECT_EQ(string_literal("Rb'x'")->prefix, "rb");
}

}  // namespace
}  // namespace tracemesh::audit
