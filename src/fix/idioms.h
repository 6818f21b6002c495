// The ways a repository already carries the trace on its outbound calls,
// found by the audit, that the fixer reuses at an untraced site rather
// than inventing its own: a factory that builds a traced client, a helper
// that returns the trace header, a context variable holding the trace id
// beside a header constant, OpenTelemetry. Each is usable by a service only
// from modules that run in it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audit/audit.h"

namespace tracemesh::fix {

// A project function returning a client whose requests carry the trace.
struct TracedFactory {
  std::string path;         // its module
  std::string function;     // a module-level function
  std::string constructor;  // the client it builds: "httpx.AsyncClient"
  const audit::Function* definition = nullptr;
  std::vector<std::string> sets;  // the keywords it gives the client itself ("event_hooks")
};

// A project function callable without arguments that returns the trace
// header(s) as a dict.
struct HeaderHelper {
  std::string path;
  std::string function;
  std::string evidence;
};

// A module-level contextvars.ContextVar holding the trace id, and the
// constant naming the header it travels in.
struct ContextVariable {
  std::string path;
  std::string variable;
  std::string constant_path;
  std::string constant;
  std::string header;
};

class Idioms {
 public:
  explicit Idioms(const audit::AuditedFleet& audited);

  // The traced factory building `constructor` that `service` runs, or nullptr.
  const TracedFactory* factory(const std::string& service, const std::string& constructor) const;
  const HeaderHelper* header_helper(const std::string& service) const;
  const ContextVariable* context_variable(const std::string& service) const;
  // Whether the service's code uses OpenTelemetry (imports it, or starts
  // under opentelemetry-instrument).
  bool uses_opentelemetry(const std::string& service) const;
  // The trace header the fleet's inbound middleware reads most ("" none).
  const std::string& fleet_header() const { return fleet_header_; }

 private:
  void find_factories(const audit::AuditedFleet& audited);
  void find_header_helpers(const audit::AuditedFleet& audited);
  void find_context_variables(const audit::AuditedFleet& audited);
  bool runs_in(const std::string& path, const std::string& service) const;

  const audit::Fleet& fleet_;
  std::vector<TracedFactory> factories_;
  std::vector<HeaderHelper> helpers_;
  std::vector<ContextVariable> variables_;
  std::map<std::string, bool> opentelemetry_;  // by service
  std::string fleet_header_;
};

}  // namespace tracemesh::fix
