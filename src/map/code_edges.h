// The edges the code declares, finer than the audit's service pairs: one
// per (caller, callee, protocol, method, endpoint), with every call site on
// it. The endpoint is the callee's route template when the callee is
// audited and one of its served routes matches, else the path the call
// site targets; for MQTT, the subscriber's topic filter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit.h"

namespace tracemesh::map {

// A call site on an edge: found by the audit, recorded by the caller's SDK
// at runtime, or both.
struct MapSite {
  std::string file;  // relative to the audited root
  int line = 0;
  std::string function;
  std::string source;           // "audit", "runtime", "audit+runtime"
  std::string propagation;      // "yes", "no", "undecided" (audit); "unknown" (runtime only)
  std::string how;              // the audit's evidence, or what is missing
  std::uint64_t connected = 0;  // runtime calls from this site
  std::uint64_t broken = 0;
  bool blamed = false;  // named as where the context is lost
};

struct CodeEdge {
  std::string caller;    // audit service names
  std::string callee;    // "" when the code does not say (a publisher nobody in the code reads)
  std::string protocol;  // "http", "mqtt"
  std::string method;    // "" for any
  std::string endpoint;  // route template, path, or topic filter
  const audit::Route* route = nullptr;  // the callee's route it lands on
  std::vector<MapSite> sites;
};

std::vector<CodeEdge> code_edges(const audit::AuditResult& result);

// Whether two HTTP methods can be the same request's: equal, or either one
// unknown ("") or any ("*").
bool methods_meet(const std::string& a, const std::string& b);

// The callee's served route that a call of `method` to `path` lands on: the
// most literal match, the first by file and line on a tie; null for none.
const audit::Route* matching_route(const audit::AuditResult& result, const std::string& callee,
                                   const std::string& method, const std::string& path);

}  // namespace tracemesh::map
