// Fuzz the expectation language: never crash; an error points inside the
// text (or just past it); whatever parses runs against a small trace.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "verify/assertion_check.h"
#include "verify/path_check.h"

namespace {

tracemesh::SpanId id(const char* hex) {
  return hex[0] == '\0' ? tracemesh::SpanId{} : *tracemesh::SpanId::from_hex(hex);
}

tracemesh::model::Trace small_trace() {
  tracemesh::model::Trace trace;
  trace.trace_id = *tracemesh::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  const auto add = [&](const char* span_id, const char* parent, const char* service,
                       tracemesh::model::SpanKind kind, const nlohmann::json& attributes) {
    tracemesh::model::SpanRecord span;
    span.trace_id = trace.trace_id;
    span.span_id = id(span_id);
    span.parent_span_id = id(parent);
    span.service = service;
    span.name = service;
    span.kind = kind;
    span.start_unix_nano = 1000;
    span.end_unix_nano = 2000;
    span.attributes_json = attributes.dump();
    trace.spans.push_back(std::move(span));
  };
  using tracemesh::model::SpanKind;
  add("00000000000000a1", "", "a", SpanKind::server, {{"http.request.method", "GET"}});
  add("00000000000000a2", "00000000000000a1", "a", SpanKind::client,
      {{"n", 3}, {"tags", {"x", "y"}}, {"ok", true}});
  add("00000000000000b1", "00000000000000a2", "b", SpanKind::server,
      {{"http.response.status_code", 200}});
  add("00000000000000c1", "00000000000000b1", "c", SpanKind::consumer,
      {{"messaging.system", "mqtt"}});
  trace.verdict.roots = {id("00000000000000a1")};
  return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tracemesh::model::Trace trace = small_trace();
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
