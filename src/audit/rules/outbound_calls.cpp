#include "audit/rules/outbound_calls.h"

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "audit/rules/caller_headers.h"
#include "audit/rules/http_clients.h"
#include "audit/rules/targets.h"
#include "model/ascii.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

namespace tracemesh::audit {
namespace {

class Analysis {
 public:
  explicit Analysis(const Fleet& fleet)
      : fleet_(fleet),
        repository_(fleet.repository()),
        index_(fleet.index()),
        clients_(std::make_shared<const HttpClients>(fleet.index())) {
    find_instrumentors();
    callers_ = std::make_shared<const CallerIndex>(fleet);
  }

  // The request sites of the repository's modules [begin, end), unsorted.
  void run(std::size_t begin, std::size_t end, std::vector<OutboundCall>& calls) {
    for (std::size_t i = begin; i < end; ++i) {
      const PythonModule& module = repository_.modules[i];
      if (is_test_file(module.path)) continue;
      const ModuleView& view = index_.view(module.path);
      const auto clients = clients_->bindings(view);
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
  // The library `callee` (as written in `function`) sends requests with, when
  // it is a request function or a request method of a known client; "" else.
  std::string request_library(const ModuleView& view, const std::string& function,
                              const std::string& callee, const ClientBindings& clients,
                              const ClientOrigin** origin) {
    const std::string verb = after_last(callee);
    const std::string receiver = before_last(callee);
    const std::string name = index_.canonical(view, callee);
    if (name == "urllib.request.urlopen") return "urllib";
    if ((name.rfind("httpx.", 0) == 0 || name.rfind("requests.", 0) == 0) &&
        std::count(name.begin(), name.end(), '.') == 1 && is_request_verb(verb)) {
      return name.substr(0, name.find('.'));
    }
    if (name == "aiohttp.request") return "aiohttp";
    if ((is_request_verb(verb) || verb == "send") && !receiver.empty()) {
      *origin = clients_->named(clients, view, function, receiver);
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
                                            const ClientBindings& clients, std::string& library,
                                            const ClientOrigin** origin) {
    for (std::size_t i = 0; i < call.arguments.size() && i < 3; ++i) {
      const std::string& argument = call.arguments[i];
      if (argument.empty() || argument.find_first_of("()[]{} \"'") != std::string::npos ||
          argument.find('.') == std::string::npos)
        continue;
      if (const std::string verb = after_last(argument); !is_request_verb(verb) && verb != "send")
        continue;
      library = request_library(view, call.function, argument, clients, origin);
      if (!library.empty() && library != "urllib") return i;
    }
    return std::nullopt;
  }

  std::optional<OutboundCall> request_site(const ModuleView& view, const Call& call,
                                           const ClientBindings& clients) {
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
      if (Evidence evidence = clients_->class_evidence(*client.view, client.client_class, 0))
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
    const Target target = classify_target(url ? *url : std::string(), fleet_.services(), service);
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
  std::shared_ptr<const HttpClients> clients_;  // shared by the workers' copies
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

bool is_request_verb(std::string_view word) {
  static constexpr std::string_view verbs[] = {"get",  "post",    "put",     "patch", "delete",
                                               "head", "options", "request", "stream"};
  return std::find(std::begin(verbs), std::end(verbs), word) != std::end(verbs);
}

std::vector<OutboundCall> find_outbound_calls(const Fleet& fleet) {
  OutboundCallSearch search(fleet);
  search.work();
  return std::move(search).calls();
}

}  // namespace tracemesh::audit
