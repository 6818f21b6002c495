// Fuzz every audit rule on one Python module (app/main.py, a service of its
// own): the value resolver, routes, integration tests, outbound calls,
// messaging, middleware, the reports; and the URL, path and topic matchers
// on the raw input. Never crash; every finding points inside the input.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/python/parser.h"
#include "audit/python/source_text.h"
#include "audit/report/audit_report.h"
#include "audit/rules/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh::audit;
  const std::string_view source(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::size_t half = source.size() / 2;
  (void)split_url(source);
  (void)path_matches(source.substr(0, half), source.substr(half));
  (void)topic_matches(source.substr(0, half), source.substr(half));
  (void)split_call(std::string(source));
  auto module = parse_python("app/main.py", source);
  if (!module) return 0;
  auto tests = parse_python("app/tests/test_main.py", source);
  Repository repository;
  repository.modules.push_back(std::move(*module));
  if (tests) repository.modules.push_back(std::move(*tests));
  AuditResult result;
  result.services = discover_services(repository);
  const TraceHeaders headers;
  const Fleet fleet(repository, result.services, headers, {"wrapper"});
  apply_rules(fleet, result);
  const auto lines = static_cast<int>(std::count(source.begin(), source.end(), '\n')) + 1;
  for (const auto& call : result.outbound_calls) {
    if (call.line < 1 || call.line > lines) std::abort();
  }
  for (const auto& route : result.routes) {
    if (route.line < 1 || route.line > lines) std::abort();
  }
  (void)audit_json(result);
  (void)audit_markdown(result);
  (void)audit_sarif(result);
  return 0;
}
