// Which runtime service.name each audited service reports. The audit names
// services after folders and compose keys; the runtime after
// OTEL_SERVICE_NAME or the SDK's configuration. The first rule that gives
// a name wins:
//   "explicit"     --service-map AUDIT=RUNTIME;
//   "environment"  OTEL_SERVICE_NAME in its deployment (compose, Dockerfile);
//   "resource"     service.name= in OTEL_RESOURCE_ATTRIBUTES there;
//   "same-name"    a runtime service of the same name;
//   "similar-name" the one runtime service whose name equals it in lower
//                  case with '-' and '_' alike;
//   "audit-name"   none of these: the audit's own name (it was not seen).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/rules/services.h"

namespace tracemesh::map {

struct ServiceNames {
  // Audit name -> runtime name, and the rule that gave it.
  std::map<std::string, std::string> runtime;
  std::map<std::string, std::string> mapped_by;
  // Runtime name -> the audit services reporting it (2+: ambiguous).
  std::map<std::string, std::vector<std::string>> audit;

  // The audit service that `runtime_name` is, or "" (none, or ambiguous).
  std::string audit_name(const std::string& runtime_name) const;
  bool ambiguous(const std::string& runtime_name) const;
};

ServiceNames match_service_names(const audit::ServiceMap& services,
                                 const std::set<std::string>& runtime_names,
                                 const std::map<std::string, std::string>& explicit_names);

}  // namespace tracemesh::map
