#include "map/service_names.h"

#include <algorithm>

namespace tracemesh::map {
namespace {

std::string folded(std::string name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  return name;
}

// service.name in an OTEL_RESOURCE_ATTRIBUTES value ("k=v,service.name=x").
std::string resource_service_name(const std::string& attributes) {
  std::size_t at = 0;
  while (at <= attributes.size()) {
    const std::size_t comma = attributes.find(',', at);
    std::string pair = attributes.substr(at, comma == std::string::npos ? comma : comma - at);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.rfind("service.name=", 0) == 0) return pair.substr(13);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return {};
}

}  // namespace

std::string ServiceNames::audit_name(const std::string& runtime_name) const {
  const auto found = audit.find(runtime_name);
  return found != audit.end() && found->second.size() == 1 ? found->second.front() : std::string();
}

bool ServiceNames::ambiguous(const std::string& runtime_name) const {
  const auto found = audit.find(runtime_name);
  return found != audit.end() && found->second.size() > 1;
}

ServiceNames match_service_names(const audit::ServiceMap& services,
                                 const std::set<std::string>& runtime_names,
                                 const std::map<std::string, std::string>& explicit_names) {
  ServiceNames names;
  for (const audit::Service& service : services.services) {
    std::string runtime;
    std::string rule;
    if (const auto found = explicit_names.find(service.name); found != explicit_names.end()) {
      runtime = found->second;
      rule = "explicit";
    } else if (const auto env = service.environment.find("OTEL_SERVICE_NAME");
               env != service.environment.end() && !env->second.empty()) {
      runtime = env->second;
      rule = "environment";
    } else if (const auto attrs = service.environment.find("OTEL_RESOURCE_ATTRIBUTES");
               attrs != service.environment.end() &&
               !resource_service_name(attrs->second).empty()) {
      runtime = resource_service_name(attrs->second);
      rule = "resource";
    } else if (runtime_names.contains(service.name)) {
      runtime = service.name;
      rule = "same-name";
    } else {
      std::vector<std::string> similar;
      std::copy_if(runtime_names.begin(), runtime_names.end(), std::back_inserter(similar),
                   [&](const std::string& name) { return folded(name) == folded(service.name); });
      if (similar.size() == 1) {
        runtime = similar.front();
        rule = "similar-name";
      } else {
        runtime = service.name;
        rule = "audit-name";
      }
    }
    names.runtime[service.name] = runtime;
    names.mapped_by[service.name] = rule;
    names.audit[runtime].push_back(service.name);
  }
  return names;
}

}  // namespace tracemesh::map
