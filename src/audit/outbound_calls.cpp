#include "outbound_calls.h"

#include "code_index.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace tracemesh::audit {
namespace {

constexpr std::string_view verbs[] = {"get",  "post",    "put",     "patch", "delete",
                                      "head", "options", "request", "stream"};

bool is_verb(std::string_view word) {
  return std::find(std::begin(verbs), std::end(verbs), word) != std::end(verbs);
}

std::string before_last_dot(const std::string& text) {
  const std::size_t dot = text.rfind('.');
  return dot == std::string::npos ? std::string() : text.substr(0, dot);
}

std::string after_last_dot(const std::string& text) {
  const std::size_t dot = text.rfind('.');
  return dot == std::string::npos ? text : text.substr(dot + 1);
}

// Where a client came from: a constructor call, possibly inside a factory.
struct ClientOrigin {
  std::string library;
  const ModuleView* view = nullptr;
  const Call* constructor = nullptr;
  std::string factory;  // "module.function" when made by a project function
};

class Analysis {
 public:
  Analysis(const Repository& repository, const ServiceMap& services, const TraceHeaders& headers)
      : repository_(repository), index_(repository, headers) {
    for (const Service& service : services.services) {
      for (const std::string& path : service.modules) services_by_path_[path] = {service.name};
    }
    for (const SharedLibrary& library : services.libraries) {
      for (const std::string& path : library.modules) services_by_path_[path] = library.used_by;
    }
    find_factories();
  }

  std::vector<OutboundCall> run() {
    std::vector<OutboundCall> calls;
    for (const PythonModule& module : repository_.modules) {
      const ModuleView& view = index_.view(module.path);
      const auto clients = client_bindings(view);
      for (const Call& call : module.calls) {
        auto site = request_site(view, call, clients);
        if (!site) continue;
        decide(view, call, *site);
        for (const std::string& service : services_of(module.path)) {
          OutboundCall attributed = *site;
          attributed.service = service;
          attributed.propagates_trace =
              attributed.propagates_trace || instrumented(service, site->library);
          if (!site->propagates_trace && attributed.propagates_trace) {
            attributed.how = "OpenTelemetry instrumentor of " + site->library + " in " + service;
          }
          calls.push_back(std::move(attributed));
        }
      }
    }
    std::sort(calls.begin(), calls.end(), [](const OutboundCall& a, const OutboundCall& b) {
      return std::tie(a.service, a.file, a.line) < std::tie(b.service, b.file, b.line);
    });
    return calls;
  }

 private:
  static std::string constructor_library(const std::string& name) {
    if (name == "httpx.Client" || name == "httpx.AsyncClient") return "httpx";
    if (name == "requests.Session" || name == "requests.session" ||
        name == "requests.sessions.Session") {
      return "requests";
    }
    if (name == "aiohttp.ClientSession") return "aiohttp";
    return {};
  }

  // Project functions that return a client they construct (`return httpx.AsyncClient(...)`).
  void find_factories() {
    for (const auto& [path, view] : index_.views()) {
      for (const Call& call : view.module->calls) {
        const std::string library = constructor_library(index_.canonical(view, call.callee));
        if (library.empty() || call.function.empty() || !call.assigned_to.empty()) continue;
        factories_[path + ":" + call.function] = ClientOrigin{library, &view, &call, call.function};
      }
    }
  }

  std::optional<ClientOrigin> origin_of(const ModuleView& view, const Call& call) const {
    const std::string name = index_.canonical(view, call.callee);
    if (const std::string library = constructor_library(name); !library.empty()) {
      return ClientOrigin{library, &view, &call, {}};
    }
    if (const auto function = index_.function_named(view, call.callee)) {
      const auto factory =
          factories_.find(function->first->module->path + ":" + function->second->qualified);
      if (factory != factories_.end()) return factory->second;
    }
    return std::nullopt;
  }

  // Clients bound to names: "function:name", "class:Class.attr", "module:name".
  std::map<std::string, ClientOrigin> client_bindings(const ModuleView& view) const {
    std::map<std::string, ClientOrigin> clients;
    for (const Call& call : view.module->calls) {
      if (call.assigned_to.empty()) continue;
      const auto origin = origin_of(view, call);
      if (!origin) continue;
      if (call.assigned_to.rfind("self.", 0) == 0) {
        clients["class:" + before_last_dot(call.function) + "." + call.assigned_to.substr(5)] =
            *origin;
      } else if (call.function.empty()) {
        clients["module:" + call.assigned_to] = *origin;
      } else {
        clients["function:" + call.function + ":" + call.assigned_to] = *origin;
      }
    }
    return clients;
  }

  std::optional<OutboundCall> request_site(const ModuleView& view, const Call& call,
                                           const std::map<std::string, ClientOrigin>& clients) {
    const std::string verb = after_last_dot(call.callee);
    const std::string receiver = before_last_dot(call.callee);
    OutboundCall site;
    site.file = view.module->path;
    site.line = call.line;
    site.function = call.function;
    const std::string name = index_.canonical(view, call.callee);
    std::size_t url_argument = 0;
    if (name == "urllib.request.urlopen") {
      site.library = "urllib";
    } else if ((name.rfind("httpx.", 0) == 0 || name.rfind("requests.", 0) == 0) &&
               std::count(name.begin(), name.end(), '.') == 1 && is_verb(verb)) {
      site.library = name.substr(0, name.find('.'));
    } else if (name == "aiohttp.request") {
      site.library = "aiohttp";
    } else if (is_verb(verb) && !receiver.empty()) {
      const ClientOrigin* origin = nullptr;
      const auto look = [&](const std::string& key) {
        const auto found = clients.find(key);
        if (found != clients.end() && origin == nullptr) origin = &found->second;
      };
      if (receiver.rfind("self.", 0) == 0)
        look("class:" + before_last_dot(call.function) + "." + receiver.substr(5));
      look("function:" + call.function + ":" + receiver);
      look("module:" + receiver);
      if (origin == nullptr) return std::nullopt;
      site.library = origin->library;
      site.construction_file = origin->view->module->path;
      site.construction_line = origin->constructor->line;
      origins_[&call] = *origin;
    } else {
      return std::nullopt;
    }
    if (verb == "request" || verb == "stream" || name == "aiohttp.request") {
      url_argument = 1;
      if (!call.arguments.empty() && call.arguments[0].size() > 2 &&
          (call.arguments[0].front() == '"' || call.arguments[0].front() == '\'')) {
        site.method = call.arguments[0].substr(1, call.arguments[0].size() - 2);
        std::transform(site.method.begin(), site.method.end(), site.method.begin(),
                       [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
      }
    } else if (site.library != "urllib") {
      site.method = verb;
      std::transform(site.method.begin(), site.method.end(), site.method.begin(),
                     [](char c) { return static_cast<char>(c - 32); });
    }
    if (call.arguments.size() > url_argument) site.target = call.arguments[url_argument];
    for (const Keyword& keyword : call.keywords) {
      if (keyword.name == "url") site.target = keyword.value;
    }
    return site;
  }

  void decide(const ModuleView& view, const Call& call, OutboundCall& site) {
    for (const Keyword& keyword : call.keywords) {
      if (keyword.name != "headers") continue;
      const std::string found = index_.expression_evidence(view, keyword.value, call.function);
      if (!found.empty()) {
        site.propagates_trace = true;
        site.how = found;
        return;
      }
    }
    if (const auto origin = origins_.find(&call); origin != origins_.end()) {
      const ClientOrigin& client = origin->second;
      for (const Keyword& keyword : client.constructor->keywords) {
        if (keyword.name != "headers" && keyword.name != "event_hooks" &&
            keyword.name != "transport" && keyword.name != "trace_configs" &&
            keyword.name != "auth") {
          continue;
        }
        std::string found =
            index_.expression_evidence(*client.view, keyword.value, client.constructor->function);
        if (found.empty() && keyword.name == "transport")
          found = transport_evidence(*client.view, keyword.value);
        if (!found.empty()) {
          site.propagates_trace = true;
          site.how = "client " + keyword.name +
                     (client.factory.empty() ? "" : " (factory " + client.factory + ")") + ": " +
                     found;
          return;
        }
      }
    }
    for (const Call& other : view.module->calls) {
      if (other.function == call.function && !call.function.empty() &&
          index_.canonical(view, other.callee) == "opentelemetry.propagate.inject") {
        site.propagates_trace = true;
        site.how = "opentelemetry.propagate.inject in " + call.function;
        return;
      }
    }
    site.how = "no trace header, hook or instrumentation found";
  }

  // A project transport class whose methods set a trace header.
  std::string transport_evidence(const ModuleView& view, const std::string& text) const {
    for (const auto& [name, called] : identifiers(text)) {
      if (!called) continue;
      const std::string found = index_.class_evidence(view, name);
      if (!found.empty()) return "transport " + name + " " + found;
    }
    return {};
  }

  // The services a module runs in: its own, or each user of its library.
  const std::vector<std::string>& services_of(const std::string& path) const {
    static const std::vector<std::string> none;
    const auto found = services_by_path_.find(path);
    return found == services_by_path_.end() ? none : found->second;
  }

  // Whether an OpenTelemetry instrumentor of `library` is installed in the service.
  bool instrumented(const std::string& service, const std::string& library) {
    const std::string key = service + ":" + library;
    if (const auto known = instrumented_.find(key); known != instrumented_.end())
      return known->second;
    static const std::map<std::string, std::string> instrumentors = {
        {"httpx", "HTTPXClientInstrumentor"},
        {"requests", "RequestsInstrumentor"},
        {"aiohttp", "AioHttpClientInstrumentor"},
        {"urllib", "URLLibInstrumentor"}};
    const std::string& instrumentor = instrumentors.at(library);
    bool found = false;
    for (const PythonModule& module : repository_.modules) {
      const auto& users = services_of(module.path);
      if (std::find(users.begin(), users.end(), service) == users.end()) continue;
      for (const Call& call : module.calls) {
        if (call.callee.find(instrumentor) != std::string::npos &&
            call.callee.ends_with(".instrument")) {
          found = true;
        }
      }
    }
    instrumented_[key] = found;
    return found;
  }

  const Repository& repository_;
  CodeIndex index_;
  std::map<std::string, std::vector<std::string>> services_by_path_;
  std::map<std::string, ClientOrigin> factories_;
  std::map<const Call*, ClientOrigin> origins_;
  std::map<std::string, bool> instrumented_;
};

}  // namespace

std::vector<OutboundCall> find_outbound_calls(const Repository& repository,
                                              const ServiceMap& services,
                                              const TraceHeaders& headers) {
  return Analysis(repository, services, headers).run();
}

}  // namespace tracemesh::audit
