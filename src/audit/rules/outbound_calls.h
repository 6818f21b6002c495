// Every outbound HTTP request site in a repository (httpx, requests,
// aiohttp, urllib), with the client's construction line, and whether the
// trace travels with it, decided across the repository: explicit trace
// headers (literals, module constants, header-building helpers), clients
// built with default headers, event hooks or transports that set them
// (also through project factory functions), opentelemetry.propagate.inject
// in the calling function, and OpenTelemetry instrumentors of the library.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/fleet.h"

namespace tracemesh::audit {

struct OutboundCall {
  std::string service;  // the service it runs in (each user, for a shared library)
  std::string file;
  int line = 0;
  std::string construction_file;  // where its client was made; "" for module functions
  int construction_line = 0;
  std::string function;        // the enclosing function; "" at module level
  std::string library;         // "httpx", "requests", "aiohttp", "urllib"
  std::string method;          // "GET", "POST"...; "" when passed as a value
  std::string target;          // the URL as resolved ("http://orders:8001/orders/{order_id}"), else
                               // the argument's source text
  std::string target_kind;     // "service", "infrastructure", "external", "unknown", or
                               // "telemetry" (span/metric/log export: never counted)
  std::string target_service;  // for "service" and "infrastructure"
  bool cross_service = false;  // targets another service of the repository
  bool propagates_trace = false;
  std::string propagation_condition;  // "if tid (in trace_headers)"; "" when unconditional
  std::string how;                    // the evidence, or what is missing
  // Why the audit could not decide whether the trace travels ("headers come
  // from parameter headers of get, and no call of it was found"); "" when
  // decided. Such a site is not counted as traced or untraced.
  std::string unresolved;
  bool reachable = false;  // its module is served by the service

  // Whether the call should carry the trace: every call but telemetry export
  // (OTLP or Zipkin ingest), which reports traces instead of continuing one.
  bool counts() const noexcept { return target_kind != "telemetry"; }
};

// Whether `word` is a client's request method: get, post, put, patch,
// delete, head, options, request, stream.
bool is_request_verb(std::string_view word);

// Test files are left out: they are audited for route coverage. Sorted by
// service, file and line.
std::vector<OutboundCall> find_outbound_calls(const Fleet& fleet);

// The same search shared by threads: each thread that calls work() takes
// modules until none are left; calls() gives the sorted result once every
// work() has returned. For a rule runner that joins in when its other
// rules are done.
class OutboundCallSearch {
 public:
  explicit OutboundCallSearch(const Fleet& fleet);
  OutboundCallSearch(const OutboundCallSearch&) = delete;
  OutboundCallSearch& operator=(const OutboundCallSearch&) = delete;
  ~OutboundCallSearch();

  void work();
  std::vector<OutboundCall> calls() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tracemesh::audit
