// The fleet as every audit rule sees it: the repository, its services, the code
// index and value resolver, which service(s) each file runs in, which
// modules each service actually serves, which files are tests, and the
// wrappers the config file says to trust. Built once, then only read: safe
// for concurrent use by the rules (as are its index and value resolver).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/index/code_index.h"
#include "audit/index/trace_headers.h"
#include "audit/index/values.h"
#include "audit/repository.h"
#include "audit/rules/services.h"

namespace tracemesh::audit {

// Whether `call` (its callee's canonical name `name`) starts a server:
// uvicorn.run, aiohttp's web.run_app, hypercorn's serve, or an app's .run()
// at module level (Flask, Quart, Sanic).
bool starts_server(const std::string& name, const Call& call);

class Fleet {
 public:
  // `trusted_wrappers`: functions that propagate the trace by the config
  // file's word: "make_client" (any module) or "shared.http.make_client".
  Fleet(const Repository& repository, const ServiceMap& services, const TraceHeaders& headers,
        std::vector<std::string> trusted_wrappers = {});
  // The same over a code index already built for `repository` (run_audit
  // builds it beside the service discovery).
  Fleet(const Repository& repository, const ServiceMap& services, CodeIndex index,
        std::vector<std::string> trusted_wrappers = {});
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  const Repository& repository() const { return repository_; }
  const ServiceMap& services() const { return services_; }
  const CodeIndex& index() const { return index_; }
  const ValueResolver& values() const { return values_; }

  // The services a file runs in: its own, or each user of its shared library.
  const std::vector<std::string>& services_of(const std::string& path) const;

  // The modules `service` serves: its entry points (uvicorn/gunicorn/python
  // commands in its Dockerfiles and compose files, run calls, `__main__`
  // blocks; else its app modules; else all its modules) and everything they
  // import, transitively, packages' __init__ modules included.
  const std::set<std::string>& served(const std::string& service) const;

  // Whether `function` of the module at `path` is a wrapper the config trusts.
  bool trusted_wrapper(const std::string& path, const std::string& function) const;

 private:
  std::set<std::string> compute_served(const Service& service) const;

  const Repository& repository_;
  const ServiceMap& services_;
  CodeIndex index_;
  ValueResolver values_;
  std::vector<std::string> trusted_wrappers_;
  std::map<std::string, std::vector<std::string>> services_by_path_;
  std::map<std::string, std::set<std::string>> served_;
};

}  // namespace tracemesh::audit
