#include "audit/rules/integration_tests.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "audit/rules/targets.h"
#include "model/ascii.h"

namespace tracemesh::audit {
namespace {

bool marks(const std::string& text, std::string_view mark) {
  return text.find("mark." + std::string(mark)) != std::string::npos;
}

// `pytest.mark.skip`, `unittest.skip(...)`: skipped whatever happens (skipif is not).
bool skips(const std::string& decorator) {
  for (std::size_t at = decorator.find("mark.skip"); at != std::string::npos;
       at = decorator.find("mark.skip", at + 9)) {
    if (decorator.compare(at, 11, "mark.skipif") != 0) return true;
  }
  return decorator.rfind("unittest.skip(", 0) == 0 || decorator.rfind("skip(", 0) == 0;
}

bool any_of(const std::vector<std::string>& texts, bool (*test)(const std::string&)) {
  return std::any_of(texts.begin(), texts.end(), test);
}

// The non-empty '/' segments of a path, query and fragment cut (views into `path`).
std::vector<std::string_view> segments(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string_view part = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty()) parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool is_parameter(std::string_view segment) {
  return (segment.front() == '{' && segment.back() == '}') ||
         (segment.front() == '<' && segment.back() == '>');
}

class Finder {
 public:
  explicit Finder(const Fleet& fleet) : fleet_(fleet), index_(fleet.index()) {}

  std::vector<IntegrationTest> run() const {
    std::vector<IntegrationTest> tests;
    for (const PythonModule& module : fleet_.repository().modules) {
      if (!is_test_file(module.path)) continue;
      const std::string name = after_last(module.path, '/');
      if (name == "conftest.py") continue;
      const std::string pytestmark = [&] {
        const auto found = module.assignments.find("pytestmark");
        return found == module.assignments.end() ? std::string() : found->second;
      }();
      const bool by_place = ("/" + module.path).find("/tests/integration/") != std::string::npos ||
                            name.rfind("test_integration_", 0) == 0 ||
                            name.ends_with("_integration.py");
      const ModuleView& view = index_.view(module.path);
      const bool module_marked = marks(pytestmark, "integration");
      // pytestmark = pytest.mark.skip, or pytest.skip(..., allow_module_level=True)
      // unconditionally.
      const bool module_skipped =
          skips(pytestmark) ||
          std::any_of(view.calls_in("").begin(), view.calls_in("").end(), [&](const Call* call) {
            return !call->conditional && index_.canonical(view, call->callee) == "pytest.skip";
          });
      for (const Function& function : module.functions) {
        if (!is_test(function)) continue;
        const Class* owner = class_of(module, function.class_name);
        // A class's own `pytestmark = ...` marks each of its tests.
        const std::string class_mark = [&] {
          if (owner == nullptr) return std::string();
          const auto found = owner->attributes.find("pytestmark");
          return found == owner->attributes.end() ? std::string() : found->second;
        }();
        const bool integration =
            marks(class_mark, "integration") || by_place || module_marked ||
            any_of(function.decorators,
                   [](const std::string& d) { return marks(d, "integration"); }) ||
            (owner != nullptr && any_of(owner->decorators, [](const std::string& d) {
               return marks(d, "integration");
             }));
        IntegrationTest test;
        test.file = module.path;
        test.line = function.line;
        test.name = function.qualified;
        test.skipped = module_skipped || skips(class_mark) || any_of(function.decorators, skips) ||
                       (owner != nullptr && any_of(owner->decorators, skips)) ||
                       skips_itself(view, function);
        // A test that is not marked or placed as an integration test counts
        // when it requests a route through a test client (a TestClient,
        // Flask's or Django's test client, aiohttp's `self.client`), not
        // through an HTTP mock (`responses.get`, `requests_mock`) or another
        // store's client (`zk.get("/config")`).
        collect_requests(view, function, test.requests, !integration, nullptr);
        if (!integration && test.requests.empty()) continue;
        tests.push_back(std::move(test));
      }
    }
    return tests;
  }

 private:
  static bool is_test(const Function& function) {
    const std::string name = function.qualified.substr(function.qualified.rfind('.') + 1);
    if (name.rfind("test", 0) != 0) return false;
    if (function.class_name.empty()) return function.qualified.find('.') == std::string::npos;
    // pytest's Test* classes, and unittest's *TestCase / *Test / *Tests classes.
    const std::string& owner = function.class_name;
    return owner.rfind("Test", 0) == 0 || owner.ends_with("TestCase") || owner.ends_with("Test") ||
           owner.ends_with("Tests");
  }

  static const Class* class_of(const PythonModule& module, const std::string& name) {
    if (name.empty()) return nullptr;
    for (const Class& found : module.classes) {
      if (found.name == name) return &found;
    }
    return nullptr;
  }

  // `pytest.skip(...)` in the test's body, not under a condition.
  bool skips_itself(const ModuleView& view, const Function& function) const {
    const auto& calls = view.calls_in(function.qualified);
    return std::any_of(calls.begin(), calls.end(), [&](const Call* call) {
      return !call->conditional && index_.canonical(view, call->callee) == "pytest.skip";
    });
  }

  // Requests made in `function`; in a helper, `site` is the test's call to it,
  // whose arguments give the helper's parameters their values.
  void collect_requests(const ModuleView& view, const Function& function,
                        std::vector<TestRequest>& requests, bool clients_only, const Call* site,
                        const Function* caller = nullptr) const {
    static const std::vector<std::string_view> verbs = {
        "get",  "post",    "put",     "patch",  "delete",
        "head", "options", "request", "stream", "websocket_connect"};
    const std::string& service = test_service(view.module->path);
    // The calls of the function and of functions nested in it, in source order
    // (every test of a module is read: look them up, not scan the module).
    std::vector<const Call*> calls;
    for (auto scope = view.calls.lower_bound(function.qualified);
         scope != view.calls.end() && scope->first.starts_with(function.qualified); ++scope) {
      if (scope->first.size() == function.qualified.size() ||
          scope->first[function.qualified.size()] == '.')
        calls.insert(calls.end(), scope->second.begin(), scope->second.end());
    }
    std::stable_sort(calls.begin(), calls.end(),
                     [](const Call* a, const Call* b) { return a->line < b->line; });
    for (const Call* each : calls) {
      const Call& call = *each;
      const std::string verb =
          before_last(call.callee).empty() ? std::string() : after_last(call.callee);
      if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) {
        // One level of the test module's own helpers.
        const auto helper = view.functions.find(call.callee);
        if (site == nullptr && helper != view.functions.end() && !is_test(*helper->second))
          collect_requests(view, *helper->second, requests, clients_only, &call, &function);
        continue;
      }
      if (clients_only &&
          model::ascii_lowercase(before_last(call.callee)).find("client") == std::string::npos)
        continue;
      TestRequest request;
      request.line = call.line;
      std::size_t url_argument = 0;
      if (verb == "request" || verb == "stream") {
        if (call.arguments.empty()) continue;
        const auto method = fleet_.values().resolve(view, &function, call.arguments[0], service);
        if (!method) continue;
        request.method = model::ascii_uppercase(*method);
        url_argument = 1;
      } else {
        request.method = verb == "websocket_connect" ? "WEBSOCKET" : model::ascii_uppercase(verb);
      }
      std::string argument =
          call.arguments.size() > url_argument ? call.arguments[url_argument] : "";
      for (const Keyword& keyword : call.keywords) {
        if (keyword.name == "url") argument = keyword.value;
      }
      if (argument.empty()) continue;
      const Function* scope = &function;
      if (site != nullptr) {  // a helper's parameter: the test's argument
        const auto& parameters = function.parameters;
        const auto at = std::find(parameters.begin(), parameters.end(), argument);
        const auto index = static_cast<std::size_t>(at - parameters.begin());
        if (at != parameters.end() && index < site->arguments.size()) {
          argument = site->arguments[index];
          scope = caller;
        }
      }
      const auto url = fleet_.values().resolve(view, scope, argument, service);
      if (!url || url->empty()) continue;
      const HostPort parts = split_url(*url);
      if (url->front() == '/') {
        request.path = parts.path;
        request.service = service;
      } else if (url->front() == '{' && url->find("}/") != std::string::npos &&
                 url->find("://") == std::string::npos) {
        // An unresolved base URL (a base_url fixture, an environment variable without
        // a default): the path after it, on the test's own service.
        request.path = split_url(url->substr(url->find("}/") + 1)).path;
        request.service = service;
      } else if (!parts.host.empty()) {
        request.path = parts.path.empty() ? "/" : parts.path;
        const Target target = classify_target(*url, fleet_.services(), service);
        request.service = target.kind == "service" ? target.service : service;
      } else {
        continue;  // not a URL: dict.get("key"), session.get(key)
      }
      requests.push_back(std::move(request));
    }
  }

  // The service a test file belongs to; "" when it sits outside every service.
  const std::string& test_service(const std::string& path) const {
    static const std::string any;
    const auto& services = fleet_.services_of(path);
    return services.size() == 1 ? services.front() : any;
  }

  const Fleet& fleet_;
  const CodeIndex& index_;
};

}  // namespace

std::vector<IntegrationTest> find_integration_tests(const Fleet& fleet) {
  return Finder(fleet).run();
}

namespace {

bool segments_match(const std::vector<std::string_view>& route,
                    const std::vector<std::string_view>& request) {
  if (route.size() != request.size()) return false;
  for (std::size_t i = 0; i < route.size(); ++i) {
    if (is_parameter(route[i]) || request[i].find('{') != std::string_view::npos) continue;
    if (route[i] != request[i]) return false;
  }
  return true;
}

}  // namespace

bool path_matches(std::string_view route_path, std::string_view request_path) {
  return segments_match(segments(route_path), segments(request_path));
}

void map_tests_to_routes(const std::vector<IntegrationTest>& tests, std::vector<Route>& routes) {
  // Every path is split once: a large repository pairs thousands of routes
  // with every request of every test.
  struct SplitRequest {
    const TestRequest* request;
    std::vector<std::string_view> path;
  };
  std::vector<std::vector<SplitRequest>> requests(tests.size());
  for (std::size_t i = 0; i < tests.size(); ++i) {
    for (const TestRequest& request : tests[i].requests)
      requests[i].push_back({&request, segments(request.path)});
  }
  for (Route& route : routes) {
    const std::vector<std::string_view> path = segments(route.path);
    for (std::size_t i = 0; i < tests.size(); ++i) {
      const bool sends =
          std::any_of(requests[i].begin(), requests[i].end(), [&](const SplitRequest& split) {
            const TestRequest& request = *split.request;
            return (request.service.empty() || request.service == route.service) &&
                   (route.method == "*" || route.method == request.method) &&
                   segments_match(path, split.path);
          });
      if (!sends) continue;
      const IntegrationTest& test = tests[i];
      route.tests.push_back({test.file, test.line, test.name, test.skipped});
      route.integration_tested = route.integration_tested || !test.skipped;
    }
  }
}

}  // namespace tracemesh::audit
