// The HTTP clients in a repository's code: where each is constructed
// (httpx, requests and aiohttp clients, a project subclass of one, a project
// function returning one) and the names it is bound to in a module, so that
// a request method called on a name (`client.get(...)`) is traced back to
// the client it calls through. Built once over the code index; then only read.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "audit/index/code_index.h"
#include "audit/python/module.h"

namespace tracemesh::audit {

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

// The clients of one module by the name they are bound to: "function:name",
// "class:Class.attr", "module:name" (bindings.h); "function:helper:param"
// when passed to a helper; "mapping:container:key" when kept in a mapping.
using ClientBindings = std::map<std::string, ClientOrigin>;

class HttpClients {
 public:
  explicit HttpClients(const CodeIndex& index);

  // The library whose client the canonical name `name` constructs
  // ("httpx.AsyncClient" → "httpx"), or "".
  static std::string constructor_library(const std::string& name);

  // The client `call` (in `view`) constructs, directly or through a factory.
  std::optional<ClientOrigin> origin_of(const ModuleView& view, const Call& call) const;

  // Every client bound to a name in `view`.
  ClientBindings bindings(const ModuleView& view) const;

  // The client `name` (as written in `function` of `view`) refers to, or nullptr.
  const ClientOrigin* named(const ClientBindings& clients, const ModuleView& view,
                            const std::string& function, const std::string& name) const;

  // Evidence of the trace header in the methods of project client class
  // `name` (as written in `view`) or of its project bases.
  Evidence class_evidence(const ModuleView& view, const std::string& name, int depth) const;

 private:
  static std::string mapping_key(const std::string& text);
  void find_client_classes();
  void find_factories();
  std::string project_client_class(const ModuleView& view, const std::string& name) const;
  void pass_to_helpers(const ModuleView& view, ClientBindings& clients) const;
  void kept_in_mappings(const ModuleView& view, ClientBindings& clients) const;

  const CodeIndex& index_;
  std::map<std::string, ClientOrigin> factories_;
  std::map<std::string, std::string> client_classes_;  // "path:Class" → library
};

}  // namespace tracemesh::audit
