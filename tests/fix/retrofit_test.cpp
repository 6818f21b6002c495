// `tracemesh fix` on a fixture repository per idiom (tests/fixtures/fix/):
// the sites it fixes and how, the patch applying with `git apply`, every
// patched file compiling, the re-audit finding the sites traced, and a
// second run changing nothing. Then the sites it must leave, with the
// reason, and the options (--include-external, --only, --middleware).
#include <gtest/gtest.h>

#include <algorithm>

#include "fix_fixture.h"

namespace tracemesh::fix {
namespace {

using testing::change_of;
using testing::count;
using testing::fixed_sites;
using testing::FixedRepository;
using Strings = std::vector<std::string>;

Strings sorted(Strings strings) {
  std::sort(strings.begin(), strings.end());
  return strings;
}

// The patch applied and compiled, the re-audit clean but for `left`, and a
// second run with the same options changing nothing.
void expect_retrofitted(const FixedRepository& repository, const Retrofit& retrofit,
                        const FixOptions& options = {}, const std::vector<std::string>& left = {}) {
  repository.apply(retrofit);
  EXPECT_EQ(repository.untraced_internal_sites(), left);
  const Retrofit again = repository.plan(options);
  EXPECT_TRUE(again.files.empty()) << again.patch();
  EXPECT_TRUE(again.fixed.empty());
}

TEST(Retrofit, ATracedFactoryBuildsTheClientWhereItIsBuiltOnce) {
  const FixedRepository repository("traced-factory");
  EXPECT_EQ(repository.untraced_internal_sites().size(), 3U);
  const Retrofit retrofit = repository.plan();
  EXPECT_EQ(sorted(fixed_sites(retrofit)),
            sorted(Strings{"services/orders/main.py:29 traced factory traced_client",
                           "services/orders/main.py:35 traced factory traced_client",
                           "services/orders/main.py:41 traced factory traced_client"}));
  EXPECT_TRUE(retrofit.skipped.empty());
  ASSERT_EQ(retrofit.files.size(), 1U);
  const std::string& after = retrofit.files[0].after;
  // Every argument kept; the module-level client changed once, for both its calls.
  EXPECT_EQ(
      count(after, "async with traced_client(base_url=INVENTORY_URL, timeout=3.0) as client:"), 1U);
  EXPECT_EQ(count(after, "payments = traced_client(base_url=PAYMENTS_URL, timeout=10.0)"), 1U);
  EXPECT_EQ(count(after, "await payments.post("), 2U);  // the calls themselves untouched
  for (const FixedSite& site : retrofit.fixed) {
    if (site.line != 29) {
      EXPECT_EQ(site.edited_line, 16);
    }
  }
  expect_retrofitted(repository, retrofit);
}

TEST(Retrofit, AHeaderHelperIsMergedIntoTheHeadersACallHas) {
  const FixedRepository repository("header-helper");
  const Retrofit retrofit = repository.plan();
  EXPECT_EQ(fixed_sites(retrofit),
            (Strings{"services/gateway/app.py:24 header helper outbound_headers",
                     "services/gateway/app.py:30 header helper outbound_headers",
                     "services/gateway/app.py:35 header helper outbound_headers"}));
  ASSERT_EQ(retrofit.files.size(), 1U);
  const std::string& after = retrofit.files[0].after;
  // Past the file's longest line (and 99 columns): on a line of its own, under the first argument.
  EXPECT_NE(after.find(
                "    response = requests.get(f\"{USERS_URL}/users/{user_id}/profile\", timeout=2,\n"
                "                            headers=outbound_headers())\n"),
            std::string::npos);
  // First: a header the call sets itself still wins.
  EXPECT_NE(after.find("headers={**outbound_headers(), \"Content-Type\": \"application/json\"},"),
            std::string::npos);
  // A multi-line call with a trailing comma gets one more line, laid out alike.
  EXPECT_NE(after.find("        timeout=2,\n        headers=outbound_headers(),\n    )"),
            std::string::npos);
  // The third party is not sent the request id.
  EXPECT_NE(after.find("requests.get(\"https://api.github.com/repos/example/example\", timeout=5)"),
            std::string::npos);
  // Imported already: no second import.
  EXPECT_EQ(count(after, "from tracing import"), 1U);
  expect_retrofitted(repository, retrofit);
}

TEST(Retrofit, IncludeExternalAlsoFixesCallsToThirdParties) {
  const FixedRepository repository("header-helper");
  FixOptions options;
  options.include_external = true;
  const Retrofit retrofit = repository.plan(options);
  EXPECT_EQ(retrofit.fixed.size(), 4U);
  ASSERT_EQ(retrofit.files.size(), 1U);
  EXPECT_NE(
      retrofit.files[0].after.find("\"https://api.github.com/repos/example/example\", timeout=5,\n"
                                   "                            headers=outbound_headers())"),
      std::string::npos);
  repository.apply(retrofit);
}

TEST(Retrofit, AContextVariableAndItsHeaderConstantAreSentAtTheSite) {
  const FixedRepository repository("context-variable");
  const Retrofit retrofit = repository.plan();
  EXPECT_EQ(fixed_sites(retrofit),
            (Strings{"services/billing/main.py:15 context variable request_id_var",
                     "services/billing/main.py:21 context variable request_id_var",
                     "services/billing/reports.py:11 context variable request_id_var"}));
  ASSERT_EQ(retrofit.files.size(), 2U);
  const std::string& main = retrofit.files[0].after;
  EXPECT_NE(main.find("from context import request_id_var, REQUEST_ID_HEADER\n"),
            std::string::npos);
  // Headers from a parameter that may be None keep what the caller gave.
  EXPECT_NE(main.find("headers={REQUEST_ID_HEADER: request_id_var.get(\"\") or \"\",\n"
                      "                                                                          "
                      "**(headers or {})}) as response:"),
            std::string::npos)
      << main;
  // The CRLF file stays CRLF, its tabs tabs.
  const std::string& reports = retrofit.files[1].after;
  EXPECT_EQ(retrofit.files[1].path, "services/billing/reports.py");
  EXPECT_EQ(count(reports, "\n"), count(reports, "\r\n"));
  EXPECT_NE(reports.find("\t\t\ttimeout=aiohttp.ClientTimeout(total=5),\r\n"
                         "\t\t\theaders={REQUEST_ID_HEADER: request_id_var.get(\"\") or \"\"}\r\n"),
            std::string::npos);
  expect_retrofitted(repository, retrofit);
}

TEST(Retrofit, OpenTelemetryInjectsIntoTheCallsHeaders) {
  const FixedRepository repository("opentelemetry");
  const Retrofit retrofit = repository.plan();
  EXPECT_EQ(retrofit.fixed.size(), 4U);
  for (const FixedSite& site : retrofit.fixed) EXPECT_EQ(site.idiom, "opentelemetry inject");
  ASSERT_EQ(retrofit.files.size(), 1U);
  const std::string& after = retrofit.files[0].after;
  EXPECT_NE(after.find("from opentelemetry.propagate import inject\n"), std::string::npos);
  // No headers: a dict of its own, injected, passed.
  EXPECT_NE(after.find("        headers = {}\n        inject(headers)\n        response = await "
                       "client.get(f\"{SHIPPING_URL}/quotes/{parcel}\", headers=headers)"),
            std::string::npos);
  // A dict the function builds: injected in place.
  EXPECT_NE(after.find("    async with httpx.AsyncClient() as client:\n        inject(headers)\n"
                       "        response = await client.post("),
            std::string::npos);
  // A literal: moved into a dict of its own, under a name the function does not use.
  EXPECT_NE(after.find("trace_headers = {\"Accept\": \"application/json\"}\n        "
                       "inject(trace_headers)\n        if (await client.delete("),
            std::string::npos);
  // A client kept at module level: a request hook after the imports, used where it is built.
  EXPECT_NE(after.find("from opentelemetry.propagate import inject\n\n\n"
                       "async def _send_trace_headers(request):\n"
                       "    \"\"\"httpx request hook: the trace goes with every request of the "
                       "client.\"\"\"\n    inject(request.headers)\n\n\n"
                       "SHIPPING_URL = "),
            std::string::npos)
      << after;
  EXPECT_NE(after.find(
                "# One client for every tracking lookup.\n"
                "tracking = httpx.AsyncClient(base_url=SHIPPING_URL, timeout=2.0,\n"
                "                             event_hooks={\"request\": [_send_trace_headers]})\n"),
            std::string::npos);
  EXPECT_EQ(count(after, "await tracking.get(f\"/tracking/{parcel}\")"), 1U);  // the call untouched
  expect_retrofitted(repository, retrofit);
}

TEST(Retrofit, ANewHelperIsWrittenIntoTheSharedPackageAndHookedOnTheApps) {
  const FixedRepository repository("new-helper");
  const Retrofit retrofit = repository.plan();
  EXPECT_EQ(fixed_sites(retrofit),
            (Strings{"services/catalog/app.py:23 new helper common/trace_context.py",
                     "services/catalog/app.py:28 new helper common/trace_context.py",
                     "services/notifier/worker.py:10 new helper common/trace_context.py",
                     "services/storefront/main.py:27 new helper common/trace_context.py"}));
  std::vector<std::string> reasons;
  for (const SkippedSite& site : retrofit.skipped)
    reasons.push_back(site.file + ":" + std::to_string(site.line) + " " + site.reason);
  EXPECT_EQ(reasons,
            (Strings{"services/storefront/legacy.py:8 the file has syntax errors: the fixer "
                     "edits only files that parse",
                     "services/storefront/main.py:15 module level: it runs at import, when "
                     "no request is being served"}));
  EXPECT_EQ(sorted(retrofit.hooked_services), sorted(Strings{"catalog", "storefront"}));
  ASSERT_EQ(retrofit.notes.size(), 1U);
  EXPECT_NE(retrofit.notes[0].find("notifier: no web app"), std::string::npos);
  const FileChange* helper = change_of(retrofit, "common/trace_context.py");
  ASSERT_NE(helper, nullptr);
  EXPECT_TRUE(helper->created);
  // One hook per framework: the FastAPI middleware and Flask's before_request.
  EXPECT_NE(helper->after.find("TRACE_HEADER = \"X-Correlation-ID\""), std::string::npos);
  EXPECT_NE(helper->after.find("async def capture_trace(request, call_next):"), std::string::npos);
  EXPECT_NE(helper->after.find("def capture_trace_flask():"), std::string::npos);
  const FileChange* storefront = change_of(retrofit, "services/storefront/main.py");
  ASSERT_NE(storefront, nullptr);
  EXPECT_NE(storefront->after.find(
                "app = FastAPI(title=\"storefront\")\napp.middleware(\"http\")(capture_trace)\n"),
            std::string::npos);
  EXPECT_NE(
      storefront->after.find("from common.trace_context import trace_headers, capture_trace\n"),
      std::string::npos);
  expect_retrofitted(repository, retrofit, {},
                     {"services/storefront/legacy.py:8", "services/storefront/main.py:17"});

  // The helper as the services run it: a kept id comes back as the header.
  const auto run =
      repository.python(".",
                        "from common.trace_context import trace_headers, use_trace_id\n"
                        "assert trace_headers() == {}, trace_headers()\n"
                        "use_trace_id('abc')\n"
                        "assert trace_headers() == {'X-Correlation-ID': 'abc'}, trace_headers()\n");
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST(Retrofit, MiddlewareHooksAServiceWithNoneInItsOwnPackage) {
  const FixedRepository repository("new-helper");
  FixOptions options;
  options.middleware = true;
  const Retrofit retrofit = repository.plan(options);
  EXPECT_EQ(sorted(retrofit.hooked_services), sorted(Strings{"catalog", "pricing", "storefront"}));
  const FileChange* pricing = change_of(retrofit, "services/pricing/app.py");
  ASSERT_NE(pricing, nullptr);
  EXPECT_NE(pricing->after.find("from trace_context import capture_trace\n"), std::string::npos);
  EXPECT_NE(pricing->after.find("app = Flask(__name__)\napp.before_request(capture_trace)\n"),
            std::string::npos);
  expect_retrofitted(repository, retrofit, options,
                     {"services/storefront/legacy.py:8", "services/storefront/main.py:17"});
  const auto audited = repository.audit();
  ASSERT_TRUE(audited);
  for (const audit::InboundMiddleware& middleware : audited->result.middleware) {
    if (middleware.service == "pricing") {
      EXPECT_TRUE(middleware.present) << middleware.detail;
    }
  }
}

TEST(Retrofit, OnlyTheNamedServicesAreFixed) {
  const FixedRepository repository("new-helper");
  FixOptions options;
  options.only = {"catalog"};
  const Retrofit retrofit = repository.plan(options);
  EXPECT_EQ(fixed_sites(retrofit),
            (Strings{"services/catalog/app.py:23 new helper common/trace_context.py",
                     "services/catalog/app.py:28 new helper common/trace_context.py"}));
  EXPECT_TRUE(retrofit.skipped.empty());
  for (const FileChange& change : retrofit.files)
    EXPECT_TRUE(change.path == "common/trace_context.py" ||
                change.path.starts_with("services/catalog/"))
        << change.path;
}

}  // namespace
}  // namespace tracemesh::fix
