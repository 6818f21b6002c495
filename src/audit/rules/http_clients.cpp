#include "audit/rules/http_clients.h"

#include <algorithm>

#include "audit/index/bindings.h"
#include "audit/index/dotted.h"
#include "audit/python/source_text.h"

namespace tracemesh::audit {

HttpClients::HttpClients(const CodeIndex& index) : index_(index) {
  find_client_classes();
  find_factories();
}

std::string HttpClients::constructor_library(const std::string& name) {
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
void HttpClients::find_client_classes() {
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
std::string HttpClients::project_client_class(const ModuleView& view,
                                              const std::string& name) const {
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
Evidence HttpClients::class_evidence(const ModuleView& view, const std::string& name,
                                     int depth) const {
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
      if (Evidence evidence = class_evidence(*home, base, depth + 1)) return evidence;
    }
  }
  return {};
}

// Project functions that return a client they construct (`return httpx.AsyncClient(...)`).
void HttpClients::find_factories() {
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

std::optional<ClientOrigin> HttpClients::origin_of(const ModuleView& view, const Call& call) const {
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
ClientBindings HttpClients::bindings(const ModuleView& view) const {
  ClientBindings clients;
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
void HttpClients::pass_to_helpers(const ModuleView& view, ClientBindings& clients) const {
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
      const ClientOrigin* origin = named(clients, view, call.function, call.arguments[i]);
      if (origin != nullptr)
        clients.emplace("function:" + helper + ":" + parameters[i + skipped], *origin);
    }
    for (const Keyword& keyword : call.keywords) {
      const ClientOrigin* origin = named(clients, view, call.function, keyword.value);
      if (origin != nullptr) clients.emplace("function:" + helper + ":" + keyword.name, *origin);
    }
  }
}

// The container and string key of a subscript's source text:
// `request.app["session"]` → "app:session" (the container's last name, so
// that `app["session"]` set elsewhere is the same entry); "" otherwise.
std::string HttpClients::mapping_key(const std::string& text) {
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
void HttpClients::kept_in_mappings(const ModuleView& view, ClientBindings& clients) const {
  for (const Function& function : view.module->functions) {
    for (const ItemSet& item : function.item_sets) {
      const auto literal = string_literal(item.key);
      if (!literal) continue;
      const std::string key = after_last(item.target) + ":" + literal->content;
      if (const ClientOrigin* origin = named(clients, view, function.qualified, item.value)) {
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

const ClientOrigin* HttpClients::named(const ClientBindings& clients, const ModuleView& view,
                                       const std::string& function, const std::string& name) const {
  if (const std::string key = mapping_key(name); !key.empty()) {
    const auto kept = clients.find("mapping:" + key);
    return kept == clients.end() ? nullptr : &kept->second;
  }
  const auto found = view.functions.find(function);
  return find_binding(clients, function, found == view.functions.end() ? nullptr : found->second,
                      name);
}

}  // namespace tracemesh::audit
