// Test support: model::Trace objects built by hand, span by span, with
// short span ids: "a1" is span 00000000000000a1 (hex digits, left-padded).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "model/trace.h"

namespace tracemesh::verify::testing {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t t0 = 1'700'000'000'000'000'000;

// The span id a short id stands for: "a1" → 00000000000000a1.
inline SpanId span_id(const std::string& short_id) {
  const auto id = SpanId::from_hex(std::string(16 - short_id.size(), '0') + short_id);
  if (!id) throw std::invalid_argument("not a short hex span id: " + short_id);
  return *id;
}
// Its hex, as reports write it.
inline std::string hex(const std::string& short_id) {
  return span_id(short_id).to_hex();
}

inline TraceId trace_id(const std::string& hex_id) {
  const auto id = TraceId::from_hex(hex_id);
  if (!id) throw std::invalid_argument("not a trace id: " + hex_id);
  return *id;
}

class TraceBuilder {
 public:
  explicit TraceBuilder(const std::string& id = "4bf92f3577b34da6a3ce929d0e0e4736") {
    trace_.trace_id = trace_id(id);
    trace_.verdict.state = model::TraceState::settled;
  }

  // A span from `start` to `end` milliseconds after t0; a root when `parent` is empty.
  TraceBuilder& span(const std::string& id, const std::string& parent, const std::string& service,
                     const std::string& name, const std::string& kind, std::uint64_t start,
                     std::uint64_t end,
                     const nlohmann::json& attributes = nlohmann::json::object()) {
    model::SpanRecord span;
    span.trace_id = trace_.trace_id;
    span.span_id = span_id(id);
    if (!parent.empty()) span.parent_span_id = span_id(parent);
    span.service = service;
    span.name = name;
    const auto known = model::span_kind_named(kind);
    if (!known) throw std::invalid_argument("not a span kind: " + kind);
    span.kind = *known;
    span.start_unix_nano = t0 + start * ms;
    span.end_unix_nano = t0 + end * ms;
    span.attributes_json = attributes.dump();
    if (parent.empty()) trace_.verdict.roots.push_back(span.span_id);
    trace_.spans.push_back(std::move(span));
    return *this;
  }

  model::Trace& trace() { return trace_; }
  model::Trace build() const { return trace_; }

 private:
  model::Trace trace_;
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
