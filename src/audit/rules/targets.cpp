#include "audit/rules/targets.h"

#include <algorithm>
#include <vector>

#include "model/ascii.h"

namespace tracemesh::audit {
namespace {

// "orders-service", "orders_svc", "Orders" → "orders".
std::string base_name(std::string name) {
  name = model::ascii_lowercase(name);
  std::replace(name.begin(), name.end(), '_', '-');
  for (const std::string_view suffix : {"-service", "-svc", "-api"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  return name;
}

bool is_loopback(std::string_view host) {
  return host == "localhost" || host == "0.0.0.0" || host == "::1" || host == "[::1]" ||
         host.rfind("127.", 0) == 0 || host == "host.docker.internal";
}

// A name only the deployment's network resolves: no dots, or a cluster suffix.
bool is_internal_name(std::string_view host) {
  if (host.find('.') == std::string_view::npos) return true;
  return host.find(".svc") != std::string_view::npos || host.ends_with(".local") ||
         host.ends_with(".internal");
}

}  // namespace

HostPort split_url(std::string_view url) {
  HostPort parts;
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    if (!url.empty() && url.front() == '/') parts.path = std::string(url.substr(0, url.find('?')));
    return parts;
  }
  std::string_view rest = url.substr(scheme + 3);
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && rest[slash] == '/') {
    const std::string_view path = rest.substr(slash);
    parts.path = std::string(path.substr(0, path.find_first_of("?#")));
  }
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  std::string_view host = authority;
  if (const std::size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    const std::string_view port = authority.substr(colon + 1);
    int value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9' || value > 65535) {
        value = 0;
        break;
      }
      value = value * 10 + (c - '0');
    }
    parts.port = value <= 65535 ? value : 0;
  }
  parts.host = model::ascii_lowercase(host);
  return parts;
}

namespace {

// A service's own name without the folders that tell two projects' services
// apart ("tempo/services/order-service" -> "order-service").
std::string_view leaf_name(std::string_view name) {
  const std::size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

// How many leading folders two roots share ("a/b/c", "a/b/d" -> 2).
std::size_t shared_folders(std::string_view a, std::string_view b) {
  std::size_t shared = 0;
  std::size_t at = 0;
  while (at < a.size() && at < b.size()) {
    const std::size_t end_a = std::min(a.find('/', at), a.size());
    const std::size_t end_b = std::min(b.find('/', at), b.size());
    if (end_a != end_b || a.substr(at, end_a - at) != b.substr(at, end_b - at)) break;
    ++shared;
    at = end_a + 1;
  }
  return shared;
}

Target classify_host(std::string_view url, const ServiceMap& services, std::string_view caller) {
  const HostPort parts = split_url(url);
  if (parts.host.empty() || parts.host.find('{') != std::string::npos) return {"unknown", {}};
  if (is_loopback(parts.host)) {
    // The one service (or infrastructure) a host port is published for; else
    // the one listening on that port; two candidates are ambiguous.
    if (parts.port == 0) return {"unknown", {}};
    for (const bool published : {true, false}) {
      std::vector<Target> candidates;
      for (const Service& service : services.services) {
        if ((published ? service.published_ports : service.ports).contains(parts.port))
          candidates.push_back({"service", service.name});
      }
      for (const Infrastructure& infrastructure : services.infrastructure) {
        if ((published ? infrastructure.published_ports : infrastructure.ports)
                .contains(parts.port))
          candidates.push_back({"infrastructure", infrastructure.name});
      }
      if (candidates.size() == 1) return candidates.front();
      if (candidates.size() > 1) return {"unknown", {}};
    }
    return {"unknown", {}};
  }
  if (is_internal_name(parts.host)) {
    const std::string label = base_name(parts.host.substr(0, parts.host.find('.')));
    // Two projects in one repository may both have an `orders` service (the
    // audit names them by folder): the caller's own project's, by the folders
    // their roots share; on a tie, the first by name.
    std::string_view caller_root;
    for (const Service& service : services.services) {
      if (service.name == caller) caller_root = service.root;
    }
    const Service* best = nullptr;
    std::size_t best_shared = 0;
    for (const Service& service : services.services) {
      if (base_name(std::string(leaf_name(service.name))) != label) continue;
      const std::size_t shared = shared_folders(service.root, caller_root);
      if (best == nullptr || shared > best_shared) {
        best = &service;
        best_shared = shared;
      }
    }
    if (best != nullptr) return {"service", best->name};
    for (const Infrastructure& infrastructure : services.infrastructure) {
      if (base_name(infrastructure.name) == label) return {"infrastructure", infrastructure.name};
    }
    return {"unknown", {}};
  }
  return {"external", {}};
}

}  // namespace

Target classify_target(std::string_view url, const ServiceMap& services, std::string_view caller) {
  Target target = classify_host(url, services, caller);
  if (target.kind == "service") return target;  // a service's own /v1/logs is an API call
  const std::string_view path = url.substr(0, url.find_first_of("?#"));
  for (const std::string_view ingest : {"/v1/traces", "/v1/metrics", "/v1/logs", "/api/v2/spans"}) {
    if (path.ends_with(ingest)) return {"telemetry", {}};
  }
  return target;
}

}  // namespace tracemesh::audit
