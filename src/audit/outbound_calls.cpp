#include "outbound_calls.h"

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

// The identifiers in a piece of source text, and whether each is called.
std::vector<std::pair<std::string, bool>> identifiers(std::string_view text) {
  std::vector<std::pair<std::string, bool>> found;
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"' || c == '\'') {  // skip string literals
      const std::size_t end = text.find(c, at + 1);
      at = end == std::string_view::npos ? text.size() : end + 1;
      continue;
    }
    const bool start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!start) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() &&
           ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= 'A' && text[end] <= 'Z') ||
            (text[end] >= '0' && text[end] <= '9') || text[end] == '_' || text[end] == '.')) {
      ++end;
    }
    std::string word(text.substr(at, end - at));
    while (!word.empty() && word.back() == '.') word.pop_back();
    found.emplace_back(std::move(word), end < text.size() && text[end] == '(');
    at = end;
  }
  return found;
}

// A module with its import bindings.
struct ModuleView {
  const PythonModule* module = nullptr;
  std::map<std::string, Import> bound;               // local name → the import that binds it
  std::map<std::string, const Function*> functions;  // by qualified name
};

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
      : repository_(repository), services_(services), headers_(headers), resolver_(repository) {
    for (const PythonModule& module : repository.modules) {
      ModuleView& view = views_[module.path];
      view.module = &module;
      for (const Import& import : module.imports) {
        if (!import.alias.empty()) view.bound[import.alias] = import;
      }
      for (const Function& function : module.functions)
        view.functions[function.qualified] = &function;
    }
    find_factories();
  }

  std::vector<OutboundCall> run() {
    std::vector<OutboundCall> calls;
    for (const PythonModule& module : repository_.modules) {
      const ModuleView& view = views_.at(module.path);
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
  // The dotted name `callee` stands for, through the module's imports.
  std::string canonical(const ModuleView& view, const std::string& callee) const {
    const std::size_t dot = callee.find('.');
    const std::string first = callee.substr(0, dot);
    const auto bound = view.bound.find(first);
    if (bound == view.bound.end()) return callee;
    const Import& import = bound->second;
    std::string base = import.name.empty() ? import.module : import.module + "." + import.name;
    if (import.name.empty() && import.alias == first && import.module.rfind(first + ".", 0) == 0) {
      base = first;  // `import urllib.request` binds `urllib`
    }
    return dot == std::string::npos ? base : base + callee.substr(dot);
  }

  static std::string constructor_library(const std::string& name) {
    if (name == "httpx.Client" || name == "httpx.AsyncClient") return "httpx";
    if (name == "requests.Session" || name == "requests.session" ||
        name == "requests.sessions.Session") {
      return "requests";
    }
    if (name == "aiohttp.ClientSession") return "aiohttp";
    return {};
  }

  // The project function `name` (as used in `view`) refers to.
  std::optional<std::pair<const ModuleView*, const Function*>> function_named(
      const ModuleView& view, const std::string& name) const {
    if (const auto local = view.functions.find(name); local != view.functions.end()) {
      return std::make_pair(&view, local->second);
    }
    const std::size_t dot = name.find('.');
    const auto bound = view.bound.find(name.substr(0, dot));
    if (bound == view.bound.end()) return std::nullopt;
    const std::string file = resolver_.resolve(view.module->path, bound->second);
    if (file.empty()) return std::nullopt;
    const ModuleView& target = views_.at(file);
    // `from m import f` → f in m; `import m` then `m.f` → f in m.
    const std::string function =
        bound->second.name.empty() || file.ends_with("/" + bound->second.name + ".py")
            ? (dot == std::string::npos ? std::string() : name.substr(dot + 1))
            : bound->second.name;
    const auto found = target.functions.find(function);
    if (found == target.functions.end()) return std::nullopt;
    return std::make_pair(&target, found->second);
  }

  // The value of constant `name` as used in `view`, when it is a string.
  std::optional<std::string> constant_named(const ModuleView& view, const std::string& name) const {
    if (const auto local = view.module->constants.find(name);
        local != view.module->constants.end()) {
      return local->second;
    }
    const auto bound = view.bound.find(name);
    if (bound == view.bound.end() || bound->second.name.empty()) return std::nullopt;
    const std::string file = resolver_.resolve(view.module->path, bound->second);
    if (file.empty()) return std::nullopt;
    const auto& constants = views_.at(file).module->constants;
    const auto found = constants.find(bound->second.name);
    if (found == constants.end()) return std::nullopt;
    return found->second;
  }

  // Evidence that `function` puts a trace header on requests.
  std::string function_evidence(const ModuleView& view, const Function& function, int depth) const {
    for (const std::string& text : function.strings) {
      if (headers_.contains(text)) return "sets " + text;
    }
    for (const std::string& name : function.names) {
      if (const auto value = constant_named(view, name); value && headers_.contains(*value)) {
        return "sets " + *value + " (" + name + ")";
      }
    }
    for (const Call& call : view.module->calls) {
      if (call.function != function.qualified) continue;
      if (canonical(view, call.callee) == "opentelemetry.propagate.inject") {
        return "calls opentelemetry.propagate.inject";
      }
      if (depth >= 3) continue;
      if (const auto helper = function_named(view, call.callee)) {
        const std::string found = function_evidence(*helper->first, *helper->second, depth + 1);
        if (!found.empty()) return "via " + helper->second->qualified + ", which " + found;
      }
    }
    return {};
  }

  // Evidence in a piece of source (a headers= value, an event hook list).
  std::string expression_evidence(const ModuleView& view, const std::string& text,
                                  const std::string& enclosing) const {
    if (const std::string literal = headers_.in_source(text); !literal.empty()) {
      return "explicit " + literal + " header";
    }
    for (const auto& [name, called] : identifiers(text)) {
      if (const auto value = constant_named(view, name); value && headers_.contains(*value)) {
        return "header constant " + name + " (" + *value + ")";
      }
      if (const auto function = function_named(view, name)) {
        const std::string found = function_evidence(*function->first, *function->second, 0);
        if (!found.empty())
          return (called ? "header helper " : "hook ") + function->second->qualified + " " + found;
        continue;
      }
      // A local variable: built in the enclosing function.
      if (!called && !enclosing.empty()) {
        const auto function = view.functions.find(enclosing);
        if (function != view.functions.end()) {
          const std::string found = function_evidence(view, *function->second, 2);
          if (!found.empty()) return "headers built in " + enclosing + ", which " + found;
        }
      }
    }
    return {};
  }

  // Project functions that return a client they construct (`return httpx.AsyncClient(...)`).
  void find_factories() {
    for (auto& [path, view] : views_) {
      for (const Call& call : view.module->calls) {
        const std::string library = constructor_library(canonical(view, call.callee));
        if (library.empty() || call.function.empty() || !call.assigned_to.empty()) continue;
        factories_[path + ":" + call.function] = ClientOrigin{library, &view, &call, call.function};
      }
    }
  }

  std::optional<ClientOrigin> origin_of(const ModuleView& view, const Call& call) const {
    const std::string name = canonical(view, call.callee);
    if (const std::string library = constructor_library(name); !library.empty()) {
      return ClientOrigin{library, &view, &call, {}};
    }
    if (const auto function = function_named(view, call.callee)) {
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
    const std::string name = canonical(view, call.callee);
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
      const std::string found = expression_evidence(view, keyword.value, call.function);
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
            expression_evidence(*client.view, keyword.value, client.constructor->function);
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
          canonical(view, other.callee) == "opentelemetry.propagate.inject") {
        site.propagates_trace = true;
        site.how = "opentelemetry.propagate.inject in " + call.function;
        return;
      }
    }
    site.how = "no trace header, hook or instrumentation found";
  }

  // A transport class of the project whose methods set a trace header.
  std::string transport_evidence(const ModuleView& view, const std::string& text) const {
    for (const auto& [name, called] : identifiers(text)) {
      if (!called) continue;
      for (const auto& [qualified, function] : view.functions) {
        if (function->class_name != name) continue;
        const std::string found = function_evidence(view, *function, 1);
        if (!found.empty()) return "transport " + name + " " + found;
      }
    }
    return {};
  }

  std::vector<std::string> services_of(const std::string& path) const {
    for (const Service& service : services_.services) {
      if (std::find(service.modules.begin(), service.modules.end(), path) !=
          service.modules.end()) {
        return {service.name};
      }
    }
    for (const SharedLibrary& library : services_.libraries) {
      if (std::find(library.modules.begin(), library.modules.end(), path) !=
          library.modules.end()) {
        return library.used_by;
      }
    }
    return {};
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
      const auto users = services_of(module.path);
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
  const ServiceMap& services_;
  const TraceHeaders& headers_;
  ImportResolver resolver_;
  std::map<std::string, ModuleView> views_;
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
