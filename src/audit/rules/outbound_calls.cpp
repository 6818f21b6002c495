#include "audit/rules/outbound_calls.h"

#include "audit/index/bindings.h"
#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "audit/rules/caller_headers.h"
#include "audit/rules/targets.h"
#include "model/ascii.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>

namespace tracemesh::audit {
namespace {

constexpr std::string_view verbs[] = {"get",  "post",    "put",     "patch", "delete",
                                      "head", "options", "request", "stream"};

bool is_verb(std::string_view word) {
  return std::find(std::begin(verbs), std::end(verbs), word) != std::end(verbs);
}

// Where a client came from: a constructor call, possibly inside a factory.
struct ClientOrigin {
  std::string library;
  const ModuleView* view = nullptr;
  const Call* constructor = nullptr;
  std::string factory;  // "module.function" when made by a project function
  const Function* factory_function = nullptr;
  const ModuleView* caller_view = nullptr;  // where the factory was called
  const Call* caller = nullptr;
  std::string client_class;  // a project subclass of the library's client, as written
};

class Analysis {
 public:
  explicit Analysis(const Fleet& fleet)
      : fleet_(fleet), repository_(fleet.repository()), index_(fleet.index()) {
    find_client_classes();
    find_factories();
    find_instrumentors();
    callers_ = std::make_shared<const CallerIndex>(fleet);
  }

  // The request sites of the repository's modules [begin, end), unsorted.
  void run(std::size_t begin, std::size_t end, std::vector<OutboundCall>& calls) {
    for (std::size_t i = begin; i < end; ++i) {
      const PythonModule& module = repository_.modules[i];
      if (is_test_file(module.path)) continue;
      const ModuleView& view = index_.view(module.path);
      current_ = &view;
      const auto clients = client_bindings(view);
      for (const Call& call : module.calls) {
        auto site = request_site(view, call, clients);
        if (!site) continue;
        decide(view, call, *site);
        for (const std::string& service : fleet_.services_of(module.path)) {
          OutboundCall attributed = *site;
          attributed.service = service;
          if (!site->propagates_trace) {
            if (std::string how = instrumented(service, site->library); !how.empty()) {
              attributed.propagates_trace = true;
              attributed.how = std::move(how);
              attributed.unresolved.clear();  // decided by the instrumentation
            }
          }
          attributed.reachable = fleet_.served(service).contains(module.path);
          resolve_target(view, call, service, attributed);
          calls.push_back(std::move(attributed));
        }
      }
    }
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

  // Project classes deriving from a client class (`class Pool(requests.Session)`),
  // also through other project classes.
  void find_client_classes() {
    bool grew = true;
    for (int round = 0; grew && round < 4; ++round) {
      grew = false;
      for (const auto& [path, view] : index_.views()) {
        for (const Class& found : view.module->classes) {
          const std::string key = path + ":" + found.name;
          if (client_classes_.contains(key)) continue;
          for (const std::string& base : found.bases) {
            std::string library = constructor_library(index_.canonical(view, base));
            if (library.empty()) library = project_client_class(view, base);
            if (library.empty()) continue;
            client_classes_[key] = library;
            grew = true;
            break;
          }
        }
      }
    }
  }

  // The library of project class `name` (as written in `view`) when it is a client class.
  std::string project_client_class(const ModuleView& view, const std::string& name) const {
    if (const auto local = client_classes_.find(view.module->path + ":" + name);
        local != client_classes_.end())
      return local->second;
    if (const auto target = index_.imported(view, name)) {
      const auto found = client_classes_.find(target->first->module->path + ":" + target->second);
      if (found != client_classes_.end()) return found->second;
    }
    return {};
  }

  // Evidence in the methods of project class `name` or of its project bases.
  Evidence client_class_evidence(const ModuleView& view, const std::string& name, int depth) const {
    const ModuleView* home = &view;
    std::string local = name;
    if (const auto target = index_.imported(view, name)) {
      home = target->first;
      local = target->second;
    }
    if (Evidence evidence = index_.class_evidence(*home, local)) return evidence;
    if (depth >= 4) return {};
    for (const Class& found : home->module->classes) {
      if (found.name != local) continue;
      for (const std::string& base : found.bases) {
        if (project_client_class(*home, base).empty()) continue;
        if (Evidence evidence = client_class_evidence(*home, base, depth + 1)) return evidence;
      }
    }
    return {};
  }

  // Project functions that return a client they construct (`return httpx.AsyncClient(...)`).
  void find_factories() {
    for (const auto& [path, view] : index_.views()) {
      for (const Call& call : view.module->calls) {
        std::string library = constructor_library(index_.canonical(view, call.callee));
        if (library.empty()) library = project_client_class(view, call.callee);
        if (library.empty() || call.function.empty()) continue;
        const auto function = view.functions.find(call.function);
        // `return httpx.AsyncClient(...)`, or `c = httpx.AsyncClient(...)` then `return c`.
        if (!call.assigned_to.empty() &&
            (function == view.functions.end() ||
             std::find(function->second->returns.begin(), function->second->returns.end(),
                       call.assigned_to) == function->second->returns.end())) {
          continue;
        }
        factories_[path + ":" + call.function] =
            ClientOrigin{library, &view, &call, call.function,
                         function == view.functions.end() ? nullptr : function->second};
      }
    }
  }

  std::optional<ClientOrigin> origin_of(const ModuleView& view, const Call& call) const {
    const std::string name = index_.canonical(view, call.callee);
    if (const std::string library = constructor_library(name); !library.empty()) {
      return ClientOrigin{library, &view, &call, {}};
    }
    if (const std::string library = project_client_class(view, call.callee); !library.empty()) {
      ClientOrigin origin{library, &view, &call, {}};
      origin.client_class = call.callee;
      return origin;
    }
    if (const auto function = index_.function_named(view, call.callee)) {
      const auto factory =
          factories_.find(function->first->module->path + ":" + function->second->qualified);
      if (factory != factories_.end()) {
        ClientOrigin origin = factory->second;
        origin.caller_view = &view;
        origin.caller = &call;
        return origin;
      }
    }
    return std::nullopt;
  }

  // Clients bound to names: "function:name", "class:Class.attr", "module:name".
  // A client passed to a helper of the module is bound to its parameter there:
  // "function:helper:param".
  std::map<std::string, ClientOrigin> client_bindings(const ModuleView& view) const {
    std::map<std::string, ClientOrigin> clients;
    for (const Call& call : view.module->calls) {
      if (call.assigned_to.empty()) continue;
      if (const auto origin = origin_of(view, call)) clients[binding_key(call)] = *origin;
    }
    // Passed on to helpers, a few levels deep whatever the order of definition.
    for (int round = 0; round < 3; ++round) {
      const std::size_t known = clients.size();
      pass_to_helpers(view, clients);
      if (clients.size() == known) break;
    }
    kept_in_mappings(view, clients);
    return clients;
  }

  // A client passed to a helper of the module (or to a function nested in the
  // caller) is bound to the helper's parameter: "function:helper:param".
  void pass_to_helpers(const ModuleView& view, std::map<std::string, ClientOrigin>& clients) const {
    for (const Call& call : view.module->calls) {
      std::string helper = call.callee;
      std::size_t skipped = 0;  // `self` of a method
      if (helper.rfind("self.", 0) == 0) {
        helper = before_last(call.function) + helper.substr(4);
        skipped = 1;
      }
      auto function = view.functions.find(helper);
      if (function == view.functions.end() && !call.function.empty()) {
        helper = call.function + "." + call.callee;
        function = view.functions.find(helper);
      }
      if (function == view.functions.end()) continue;
      const auto& parameters = function->second->parameters;
      for (std::size_t i = 0; i < call.arguments.size() && i + skipped < parameters.size(); ++i) {
        const ClientOrigin* origin = client_named(clients, call.function, call.arguments[i]);
        if (origin != nullptr)
          clients.emplace("function:" + helper + ":" + parameters[i + skipped], *origin);
      }
      for (const Keyword& keyword : call.keywords) {
        const ClientOrigin* origin = client_named(clients, call.function, keyword.value);
        if (origin != nullptr) clients.emplace("function:" + helper + ":" + keyword.name, *origin);
      }
    }
  }

  // The container and string key of a subscript's source text:
  // `request.app["session"]` → "app:session" (the container's last name, so
  // that `app["session"]` set elsewhere is the same entry); "" otherwise.
  static std::string mapping_key(const std::string& text) {
    if (text.size() < 4 || text.back() != ']') return {};
    const std::size_t open = text.rfind('[');
    if (open == std::string::npos || open == 0) return {};
    const auto literal = string_literal(text.substr(open + 1, text.size() - open - 2));
    if (!literal) return {};
    return after_last(text.substr(0, open)) + ":" + literal->content;
  }

  // A client kept in a mapping (`app["session"] = session`, aiohttp's app
  // state) and taken out again by its key in the module's functions
  // (`session = request.app["session"]`, `request.app["session"].get(...)`):
  // "mapping:session", and the locals bound to it.
  void kept_in_mappings(const ModuleView& view,
                        std::map<std::string, ClientOrigin>& clients) const {
    for (const Function& function : view.module->functions) {
      for (const ItemSet& item : function.item_sets) {
        const auto literal = string_literal(item.key);
        if (!literal) continue;
        const std::string key = after_last(item.target) + ":" + literal->content;
        if (const ClientOrigin* origin = client_named(clients, function.qualified, item.value)) {
          clients.emplace("mapping:" + key, *origin);
          continue;
        }
        // `app["session"] = aiohttp.ClientSession(...)`: the constructor call itself.
        const CallText made = split_call(item.value);
        for (const Call* call : view.calls_in(function.qualified)) {
          const bool same =
              call->callee == made.callee && call->arguments == made.arguments &&
              std::equal(call->keywords.begin(), call->keywords.end(), made.keywords.begin(),
                         made.keywords.end(), [](const Keyword& a, const Keyword& b) {
                           return a.name == b.name && a.value == b.value;
                         });
          if (!same) continue;
          if (const auto origin = origin_of(view, *call)) {
            clients.emplace("mapping:" + key, *origin);
            break;
          }
        }
      }
    }
    for (const Function& function : view.module->functions) {
      for (const auto& [name, value] : function.locals) {
        const std::string key = mapping_key(value);
        if (key.empty()) continue;
        if (const auto found = clients.find("mapping:" + key); found != clients.end())
          clients.emplace("function:" + function.qualified + ":" + name, found->second);
      }
    }
  }

  const ClientOrigin* client_named(const std::map<std::string, ClientOrigin>& clients,
                                   const std::string& function, const std::string& name) const {
    if (const std::string key = mapping_key(name); !key.empty()) {
      const auto kept = clients.find("mapping:" + key);
      return kept == clients.end() ? nullptr : &kept->second;
    }
    const auto found = current_->functions.find(function);
    return find_binding(clients, function,
                        found == current_->functions.end() ? nullptr : found->second, name);
  }

  // The library `callee` (as written in `function`) sends requests with, when
  // it is a request function or a request method of a known client; "" else.
  std::string request_library(const ModuleView& view, const std::string& function,
                              const std::string& callee,
                              const std::map<std::string, ClientOrigin>& clients,
                              const ClientOrigin** origin) {
    const std::string verb = after_last(callee);
    const std::string receiver = before_last(callee);
    const std::string name = index_.canonical(view, callee);
    if (name == "urllib.request.urlopen") return "urllib";
    if ((name.rfind("httpx.", 0) == 0 || name.rfind("requests.", 0) == 0) &&
        std::count(name.begin(), name.end(), '.') == 1 && is_verb(verb)) {
      return name.substr(0, name.find('.'));
    }
    if (name == "aiohttp.request") return "aiohttp";
    if ((is_verb(verb) || verb == "send") && !receiver.empty()) {
      *origin = client_named(clients, function, receiver);
      if (*origin != nullptr) return (*origin)->library;
    }
    return {};
  }

  // A request function or method handed to a wrapper as a value: the wrapper
  // call is the request site (`breaker.call(client.post, url)`,
  // `partial(requests.get, url)`, `asyncio.to_thread(requests.get, url)`,
  // `loop.run_in_executor(None, session.get, url)`). Returns the position of
  // the reference among the call's arguments.
  std::optional<std::size_t> handed_request(const ModuleView& view, const Call& call,
                                            const std::map<std::string, ClientOrigin>& clients,
                                            std::string& library, const ClientOrigin** origin) {
    for (std::size_t i = 0; i < call.arguments.size() && i < 3; ++i) {
      const std::string& argument = call.arguments[i];
      if (argument.empty() || argument.find_first_of("()[]{} \"'") != std::string::npos ||
          argument.find('.') == std::string::npos)
        continue;
      if (const std::string verb = after_last(argument); !is_verb(verb) && verb != "send") continue;
      library = request_library(view, call.function, argument, clients, origin);
      if (!library.empty() && library != "urllib") return i;
    }
    return std::nullopt;
  }

  std::optional<OutboundCall> request_site(const ModuleView& view, const Call& call,
                                           const std::map<std::string, ClientOrigin>& clients) {
    OutboundCall site;
    site.file = view.module->path;
    site.line = call.line;
    site.function = call.function;
    const ClientOrigin* origin = nullptr;
    std::string callee = call.callee;
    std::size_t url_argument = 0;
    site.library = request_library(view, call.function, callee, clients, &origin);
    if (site.library.empty()) {
      const auto handed = handed_request(view, call, clients, site.library, &origin);
      if (!handed) return std::nullopt;
      callee = call.arguments[*handed];
      url_argument = *handed + 1;
    }
    const std::string verb = after_last(callee);
    const std::string name = index_.canonical(view, callee);
    if (origin != nullptr) {
      site.construction_file = origin->view->module->path;
      site.construction_line = origin->constructor->line;
      origins_[&call] = *origin;
    }
    if (verb == "request" || verb == "stream" || name == "aiohttp.request") {
      if (call.arguments.size() > url_argument) {
        if (const auto literal = string_literal(call.arguments[url_argument]);
            literal && !literal->content.empty())
          site.method = model::ascii_uppercase(literal->content);
      }
      ++url_argument;
    } else if (verb == "send") {
      site.method.clear();  // the method is the prepared request's
      if (call.arguments.size() > url_argument) prepared_request(view, call, url_argument, site);
      url_argument = call.arguments.size();  // the URL, if known, came from build_request
    } else if (site.library != "urllib") {
      site.method = model::ascii_uppercase(verb);
    }
    if (call.arguments.size() > url_argument) site.target = call.arguments[url_argument];
    for (const Keyword& keyword : call.keywords) {
      if (keyword.name == "url") site.target = keyword.value;
    }
    if (site.library == "urllib") urllib_request(view, call, site);
    return site;
  }

  // client.send(request) of `request = client.build_request(method, url,
  // headers=...)`: the prepared request's method and URL are the call's, and
  // its headers count as the call's.
  void prepared_request(const ModuleView& view, const Call& call, std::size_t at,
                        OutboundCall& site) {
    const auto function = view.functions.find(call.function);
    if (function == view.functions.end()) return;
    const auto local = function->second->locals.find(call.arguments[at]);
    if (local == function->second->locals.end()) return;
    std::string text = local->second;
    if (text.rfind("await ", 0) == 0) text.erase(0, 6);
    const CallText request = split_call(text);
    if (after_last(request.callee) != "build_request") return;
    std::string method = request.arguments.empty() ? std::string() : request.arguments[0];
    site.target = request.arguments.size() > 1 ? request.arguments[1] : std::string();
    for (const Keyword& keyword : request.keywords) {
      if (keyword.name == "method") method = keyword.value;
      if (keyword.name == "url") site.target = keyword.value;
      if (keyword.name == "headers") request_headers_[&call] = keyword.value;
    }
    if (const auto literal = string_literal(method); literal && !literal->content.empty())
      site.method = model::ascii_uppercase(literal->content);
  }

  // urlopen(Request(url, headers=...)), directly or through a local: the
  // Request's URL is the target and its headers count as the call's.
  void urllib_request(const ModuleView& view, const Call& call, OutboundCall& site) {
    std::string text = site.target;
    const auto function = view.functions.find(call.function);
    if (function != view.functions.end()) {
      if (const auto local = function->second->locals.find(text);
          local != function->second->locals.end())
        text = local->second;
    }
    const CallText request = split_call(text);
    if (index_.canonical(view, request.callee) != "urllib.request.Request") return;
    site.target = request.arguments.empty() ? std::string() : request.arguments[0];
    for (const Keyword& keyword : request.keywords) {
      if (keyword.name == "url") site.target = keyword.value;
      if (keyword.name == "headers") request_headers_[&call] = keyword.value;
    }
  }

  void decide(const ModuleView& view, const Call& call, OutboundCall& site) {
    const auto found = [&](Evidence evidence, const std::string& prefix = {}) {
      site.propagates_trace = true;
      site.how = prefix + evidence.how;
      site.propagation_condition = evidence.condition;
      if (const std::string parameter =
              argument_never_given(*callers_, view, call, evidence.condition);
          !parameter.empty()) {
        site.propagates_trace = false;
        site.how += "; only when " + parameter + " is given, and no caller of " + call.function +
                    " gives it";
        site.propagation_condition.clear();
      }
    };
    for (const Keyword& keyword : call.keywords) {
      if (keyword.name != "headers") continue;
      if (Evidence evidence = index_.expression_evidence(view, keyword.value, call.function)) {
        return found(std::move(evidence));
      }
    }
    if (const auto request = request_headers_.find(&call); request != request_headers_.end()) {
      if (Evidence evidence = index_.expression_evidence(view, request->second, call.function))
        return found(std::move(evidence), "Request headers: ");
    }
    const auto origin = origins_.find(&call);
    if (origin != origins_.end()) {
      const ClientOrigin& client = origin->second;
      if (!client.factory.empty() &&
          fleet_.trusted_wrapper(client.view->module->path, client.factory)) {
        return found({"trusted wrapper " + client.factory + " (config)", {}});
      }
      for (const Keyword& keyword : client.constructor->keywords) {
        if (keyword.name != "headers" && keyword.name != "event_hooks" &&
            keyword.name != "transport" && keyword.name != "trace_configs" &&
            keyword.name != "auth") {
          continue;
        }
        Evidence evidence =
            index_.expression_evidence(*client.view, keyword.value, client.constructor->function);
        if (!evidence && keyword.name == "transport")
          evidence = transport_evidence(*client.view, keyword.value);
        if (!evidence)
          evidence =
              tracing_library_hook(*client.view, keyword.value, client.constructor->function);
        if (evidence) {
          return found(std::move(evidence),
                       "client " + keyword.name +
                           (client.factory.empty() ? "" : " (factory " + client.factory + ")") +
                           ": ");
        }
      }
    }
    if (origin != origins_.end() && !origin->second.client_class.empty()) {
      const ClientOrigin& client = origin->second;
      if (Evidence evidence = client_class_evidence(*client.view, client.client_class, 0))
        return found(std::move(evidence), "client class " + client.client_class + ": ");
    }
    if (!call.function.empty() && fleet_.trusted_wrapper(view.module->path, call.function)) {
      return found({"inside trusted wrapper " + call.function + " (config)", {}});
    }
    for (const Call* other :
         call.function.empty() ? std::vector<const Call*>() : view.calls_in(call.function)) {
      if (index_.canonical(view, other->callee) == "opentelemetry.propagate.inject")
        return found({"opentelemetry.propagate.inject in " + call.function, {}});
    }
    if (headers_from_callers(*callers_, index_, view, call, site)) return;
    site.how = "no trace header, hook or instrumentation found";
  }

  // The URL the call goes to, as the service's deployment and the code tell,
  // joined to its client's base_url when relative; then what it targets.
  void resolve_target(const ModuleView& view, const Call& call, const std::string& service,
                      OutboundCall& site) const {
    const auto function = view.functions.find(call.function);
    const Function* enclosing = function == view.functions.end() ? nullptr : function->second;
    std::optional<std::string> url;
    if (!site.target.empty()) url = fleet_.values().resolve(view, enclosing, site.target, service);
    if (const auto origin = origins_.find(&call);
        origin != origins_.end() && (!url || url->find("://") == std::string::npos)) {
      if (const auto base = base_url(origin->second, service)) {
        url = *base + (url ? *url : std::string());
      }
    }
    if (url) site.target = *url;
    const Target target = classify_target(url ? *url : std::string(), fleet_.services());
    site.target_kind = target.kind;
    site.target_service = target.service;
    if (!site.counts() && !site.propagates_trace)
      site.how = "telemetry export (an OTLP/Zipkin ingest path): not expected to carry the trace";
    site.cross_service = target.kind == "service" && target.service != service;
  }

  // The base_url a client was built with; through a factory's parameter, the
  // argument its caller passed.
  std::optional<std::string> base_url(const ClientOrigin& client,
                                      const std::string& service) const {
    for (const Keyword& keyword : client.constructor->keywords) {
      if (keyword.name != "base_url") continue;
      const Function* factory = client.factory_function;
      if (factory != nullptr && client.caller != nullptr) {
        const auto& parameters = factory->parameters;
        const auto at = std::find(parameters.begin(), parameters.end(), keyword.value);
        if (at != parameters.end()) {
          const auto index = static_cast<std::size_t>(at - parameters.begin());
          std::string argument;
          if (index < client.caller->arguments.size()) argument = client.caller->arguments[index];
          for (const Keyword& passed : client.caller->keywords) {
            if (passed.name == keyword.value) argument = passed.value;
          }
          if (argument.empty()) return std::nullopt;
          const auto caller = client.caller_view->functions.find(client.caller->function);
          return fleet_.values().resolve(
              *client.caller_view,
              caller == client.caller_view->functions.end() ? nullptr : caller->second, argument,
              service);
        }
      }
      const auto constructor = client.view->functions.find(client.constructor->function);
      return fleet_.values().resolve(
          *client.view, constructor == client.view->functions.end() ? nullptr : constructor->second,
          keyword.value, service);
    }
    return std::nullopt;
  }

  // A hook or trace config made by a tracing library (`trace_configs=
  // [aiozipkin.make_trace_config(tracer)]`), directly or through a local of
  // the function that built the client.
  Evidence tracing_library_hook(const ModuleView& view, const std::string& text,
                                const std::string& function, int depth = 0) const {
    static const std::string_view libraries[] = {"aiozipkin.", "opentelemetry.", "beeline.",
                                                 "ddtrace."};
    const auto locals = view.functions.find(function);
    for (const auto& [name, called] : identifiers(text)) {
      const std::string canonical = index_.canonical(view, name);
      if (called) {
        for (const std::string_view library : libraries) {
          if (canonical.rfind(library, 0) == 0)
            return {"hook " + canonical + " of a tracing library", {}};
        }
      } else if (depth < 2 && locals != view.functions.end()) {
        const auto local = locals->second->locals.find(name);
        if (local == locals->second->locals.end()) continue;
        if (Evidence found = tracing_library_hook(view, local->second, function, depth + 1))
          return found;
      }
    }
    return {};
  }

  // A project transport class whose methods set a trace header.
  Evidence transport_evidence(const ModuleView& view, const std::string& text) const {
    for (const auto& [name, called] : identifiers(text)) {
      if (!called) continue;
      Evidence found = index_.class_evidence(view, name);
      if (!found) continue;
      found.how = "transport " + name + " " + found.how;
      return found;
    }
    return {};
  }

  // The modules (never tests) that install an OpenTelemetry instrumentor, by library.
  void find_instrumentors() {
    static const std::pair<std::string_view, std::string_view> instrumentors[] = {
        {"httpx", "HTTPXClientInstrumentor"},
        {"requests", "RequestsInstrumentor"},
        {"aiohttp", "AioHttpClientInstrumentor"},
        {"urllib", "URLLibInstrumentor"}};
    for (const PythonModule& module : repository_.modules) {
      if (is_test_file(module.path)) continue;
      // Honeycomb's beeline patches a library when its patch module is imported
      // (`from beeline.patch import requests`, `import beeline.patch.urllib`).
      for (const Import& import : module.imports) {
        std::string patched;
        if (import.module == "beeline.patch") patched = import.name;
        if (import.module.rfind("beeline.patch.", 0) == 0) patched = import.module.substr(14);
        if (patched == "requests" || patched == "urllib")
          instrumenting_[patched].emplace_back(module.path, "beeline.patch");
      }
      for (const auto& [library, name] : instrumentors) {
        // A structured binding is not captured by a lambda before clang 16 (make fuzz).
        const std::string_view instrumentor = name;
        if (std::any_of(module.calls.begin(), module.calls.end(), [&](const Call& call) {
              return call.callee.find(instrumentor) != std::string::npos &&
                     call.callee.ends_with(".instrument");
            })) {
          instrumenting_[std::string(library)].emplace_back(module.path,
                                                            "OpenTelemetry instrumentor");
        }
      }
    }
  }

  const Service& service_named(const std::string& name) const {
    static const Service none;
    const auto& services = fleet_.services().services;
    const auto found = std::find_if(services.begin(), services.end(),
                                    [&](const Service& each) { return each.name == name; });
    return found == services.end() ? none : *found;
  }

  // How `library` is instrumented where the service runs ("" when it is
  // not): an instrumentor or patch in a module the service serves, or the
  // opentelemetry-instrument launcher.
  std::string instrumented(const std::string& service, const std::string& library) const {
    if (service_named(service).auto_instrumented())
      return service + " starts under opentelemetry-instrument";
    const auto found = instrumenting_.find(library);
    if (found == instrumenting_.end()) return {};
    const auto& served = fleet_.served(service);
    for (const auto& [path, label] : found->second) {
      if (served.contains(path)) return label + " of " + library + " in " + service;
    }
    return {};
  }

  const Fleet& fleet_;
  const Repository& repository_;
  const CodeIndex& index_;
  const ModuleView* current_ = nullptr;  // the module being analysed
  std::map<std::string, ClientOrigin> factories_;
  std::map<std::string, std::string> client_classes_;  // "path:Class" → library
  std::map<const Call*, ClientOrigin> origins_;
  std::map<const Call*, std::string> request_headers_;  // urllib Request(headers=...)
  std::shared_ptr<const CallerIndex> callers_;          // shared by the workers' copies
  // library → the modules instrumenting it, with how ("OpenTelemetry instrumentor")
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> instrumenting_;
};

void sort_calls(std::vector<OutboundCall>& calls) {
  std::sort(calls.begin(), calls.end(), [](const OutboundCall& a, const OutboundCall& b) {
    return std::tie(a.service, a.file, a.line) < std::tie(b.service, b.file, b.line);
  });
}

}  // namespace

// The analysis is prepared (client classes, factories, instrumentors) by
// the first worker, while the other may still run other rules; each worker
// then copies it and keeps its own per-call state. Results are kept per
// chunk of modules and joined in module order, so the report is the same
// whatever thread took which chunk.
struct OutboundCallSearch::State {
  static constexpr std::size_t chunk = 32;  // modules taken at a time

  explicit State(const Fleet& audited)
      : fleet(audited), chunks((audited.repository().modules.size() + chunk - 1) / chunk) {}

  const Fleet& fleet;
  std::mutex prepare;  // guards prepared (not std::call_once: the preparation may throw)
  std::optional<Analysis> prepared;
  std::atomic<std::size_t> next{0};
  std::vector<std::vector<OutboundCall>> chunks;  // each written by the worker that took it
};

OutboundCallSearch::OutboundCallSearch(const Fleet& fleet)
    : state_(std::make_unique<State>(fleet)) {}

OutboundCallSearch::~OutboundCallSearch() = default;

void OutboundCallSearch::work() {
  State& state = *state_;
  std::optional<Analysis> analysis;
  {
    const std::lock_guard lock(state.prepare);
    if (!state.prepared) state.prepared.emplace(state.fleet);
    analysis.emplace(*state.prepared);
  }
  const std::size_t modules = state.fleet.repository().modules.size();
  for (std::size_t index = state.next++; index < state.chunks.size(); index = state.next++) {
    const std::size_t begin = index * State::chunk;
    analysis->run(begin, std::min(begin + State::chunk, modules), state.chunks[index]);
  }
}

std::vector<OutboundCall> OutboundCallSearch::calls() && {
  std::vector<OutboundCall> calls;
  for (std::vector<OutboundCall>& found : state_->chunks) {
    calls.insert(calls.end(), std::make_move_iterator(found.begin()),
                 std::make_move_iterator(found.end()));
  }
  sort_calls(calls);
  return calls;
}

std::vector<OutboundCall> find_outbound_calls(const Fleet& fleet) {
  OutboundCallSearch search(fleet);
  search.work();
  return std::move(search).calls();
}

}  // namespace tracemesh::audit
