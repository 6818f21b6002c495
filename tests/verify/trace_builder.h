// Test support: verify::Trace objects built by hand, span by span.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "verify/trace.h"

namespace tracemesh::verify::testing {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t t0 = 1'700'000'000'000'000'000;

class TraceBuilder {
 public:
  explicit TraceBuilder(std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736") {
    trace_.trace_id = std::move(trace_id);
    trace_.settled = true;
  }

  // A span from `start` to `end` milliseconds after t0; a root when `parent` is empty.
  TraceBuilder& span(const std::string& id, const std::string& parent, const std::string& service,
                     const std::string& name, const std::string& kind, std::uint64_t start,
                     std::uint64_t end, nlohmann::json attributes = nlohmann::json::object()) {
    Span span;
    span.span_id = id;
    span.parent_span_id = parent;
    span.service = service;
    span.name = name;
    span.kind = kind;
    span.start_unix_nano = t0 + start * ms;
    span.end_unix_nano = t0 + end * ms;
    span.status_code = "unset";
    span.attributes = std::move(attributes);
    if (parent.empty()) trace_.roots.push_back(id);
    trace_.spans.push_back(std::move(span));
    return *this;
  }

  Trace& trace() { return trace_; }
  Trace build() const { return trace_; }

 private:
  Trace trace_;
};

// bot -> agent-service -> rag-service over HTTP, agent -> (mqtt) -> indexer.
inline TraceBuilder connected_fleet() {
  TraceBuilder builder;
  builder.span("a1", "", "bot", "POST /ask", "server", 0, 100, {{"http.request.method", "POST"}})
      .span("a2", "a1", "bot", "POST", "client", 5, 90, {{"http.request.method", "POST"}})
      .span("b1", "a2", "agent-service", "POST /run", "server", 6, 89,
            {{"http.request.method", "POST"}, {"http.response.status_code", 200}})
      .span("b2", "b1", "agent-service", "plan", "internal", 7, 9)
      .span("b3", "b2", "agent-service", "POST", "client", 10, 80,
            {{"http.request.method", "POST"}})
      .span("c1", "b3", "rag-service", "POST /search", "server", 11, 79,
            {{"http.request.method", "POST"},
             {"http.response.status_code", 200},
             {"db.hits", 3},
             {"tags", {"fast", "cached"}},
             {"cached", true}})
      .span("b4", "b1", "agent-service", "publish alerts", "producer", 81, 82,
            {{"messaging.system", "mqtt"}})
      .span("d1", "b4", "indexer", "process alerts", "consumer", 83, 95,
            {{"messaging.system", "mqtt"}});
  return builder;
}

}  // namespace tracemesh::verify::testing
