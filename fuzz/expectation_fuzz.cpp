// Fuzz the expectation language: never crash; an error points inside the
// text (or just past it); whatever parses runs against a small trace.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verify/assertion_check.h"
#include "verify/path_check.h"

namespace {

tracemesh::verify::Trace small_trace() {
  using tracemesh::verify::Span;
  tracemesh::verify::Trace trace;
  trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const auto add = [&](const char* id, const char* parent, const char* service, const char* kind,
                       nlohmann::json attributes) {
    Span span;
    span.span_id = id;
    span.parent_span_id = parent;
    span.service = service;
    span.name = service;
    span.kind = kind;
    span.start_unix_nano = 1000;
    span.end_unix_nano = 2000;
    span.attributes = std::move(attributes);
    trace.spans.push_back(std::move(span));
  };
  add("a1", "", "a", "server", {{"http.request.method", "GET"}});
  add("a2", "a1", "a", "client", {{"n", 3}, {"tags", {"x", "y"}}, {"ok", true}});
  add("b1", "a2", "b", "server", {{"http.response.status_code", 200}});
  add("c1", "b1", "c", "consumer", {{"messaging.system", "mqtt"}});
  trace.roots = {"a1"};
  return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tracemesh::verify::Trace trace = small_trace();
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  tracemesh::verify::SyntaxError error;
  const auto expectation = tracemesh::verify::parse_expectation(text, error);
  if (!expectation) {
    if (error.column == 0 || error.column > text.size() + 1 || error.message.empty()) std::abort();
    return 0;
  }
  if (const auto* path = std::get_if<tracemesh::verify::ServicePath>(&expectation->body)) {
    if (path->services.size() != path->hops.size() + 1) std::abort();
    (void)tracemesh::verify::check_path(*path, trace);
  } else {
    (void)tracemesh::verify::check_assertion(
        std::get<tracemesh::verify::Assertion>(expectation->body), trace);
  }
  return 0;
}
