// The repository's code, indexed for the rules: each module's import
// bindings and functions, names resolved across files (project functions
// and string constants), and the evidence that a function, class or piece
// of source handles a trace header.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/index/import_resolver.h"
#include "audit/index/trace_headers.h"
#include "audit/repository.h"

namespace tracemesh::audit {

// Why the audit believes code handles a trace header, and when.
struct Evidence {
  std::string how;        // "uses X-Trace-ID", "calls opentelemetry.propagate.inject"...; "" none
  std::string condition;  // "if tid (in trace_headers)" when it holds only then; "" always
  explicit operator bool() const { return !how.empty(); }
};

// A module with its import bindings and functions.
struct ModuleView {
  const PythonModule* module = nullptr;
  std::map<std::string, Import> bound;               // local name → the import binding it
  std::map<std::string, std::string> bound_files;    // local name → the project file it imports
  std::map<std::string, const Function*> functions;  // by qualified name
  std::map<std::string, std::vector<const Call*>> calls;  // by enclosing function, in order

  // The calls made directly in `function` ("" for module level).
  const std::vector<const Call*>& calls_in(const std::string& function) const {
    static const std::vector<const Call*> none;
    const auto found = calls.find(function);
    return found == calls.end() ? none : found->second;
  }
};

// The identifiers in Python source text (string literals skipped), and
// whether each is called: "trace_headers()" → {"trace_headers", true}.
std::vector<std::pair<std::string, bool>> identifiers(std::string_view text);

class CodeIndex {
 public:
  CodeIndex(const Repository& repository, const TraceHeaders& headers);

  const ModuleView& view(const std::string& path) const { return views_.at(path); }
  const std::map<std::string, ModuleView>& views() const { return views_; }
  const ImportResolver& resolver() const { return resolver_; }

  // The dotted name `callee` stands for, through the module's imports:
  // "rq.get" → "requests.get", "AsyncClient" → "httpx.AsyncClient".
  std::string canonical(const ModuleView& view, const std::string& callee) const;

  // The project module and the name in it that `name` (as written in
  // `view`) refers to through an import: "m.f" with `import m`, "f" with
  // `from m import f`; nullopt when not imported from the repository.
  std::optional<std::pair<const ModuleView*, std::string>> imported(const ModuleView& view,
                                                                    const std::string& name) const;

  // The project function `name` (as written in `view`) refers to.
  std::optional<std::pair<const ModuleView*, const Function*>> function_named(
      const ModuleView& view, const std::string& name) const;

  // The string class attribute `attribute` of class `class_name` of `view` holds.
  std::optional<std::string> class_constant(const ModuleView& view, const std::string& class_name,
                                            const std::string& attribute) const;

  // The string value of constant `name` as used in `view` (local or imported).
  std::optional<std::string> constant_named(const ModuleView& view, const std::string& name) const;

  // Evidence that `function` handles a trace header: it names one (literal or
  // constant), calls opentelemetry.propagate inject/extract, or calls a
  // project helper that does (up to three calls deep). "" when none.
  // Evidence::condition names the guard when every use sits under one.
  Evidence function_evidence(const ModuleView& view, const Function& function, int depth = 0) const;

  // Evidence in a piece of source (a headers= value, a hook list): a trace
  // header literal or constant, a helper that handles one, or a local
  // variable built in `enclosing` that does.
  Evidence expression_evidence(const ModuleView& view, const std::string& text,
                               const std::string& enclosing, int depth = 0) const;

  // Evidence that local `name` of `function` carries a trace header: its
  // binding, items set on it, update() calls, inject(name).
  Evidence local_evidence(const ModuleView& view, const Function& function, const std::string& name,
                          int depth = 0) const;

  // Evidence that `function` reads a trace header from an inbound request
  // (`headers.get(HEADER)` and friends, opentelemetry extract), through
  // helpers three deep; setting one on a response does not count.
  Evidence read_evidence(const ModuleView& view, const Function& function, int depth = 0) const;
  Evidence class_read_evidence(const ModuleView& view, const std::string& name) const;

  // Evidence in the methods of project class `name` of `view`.
  Evidence class_evidence(const ModuleView& view, const std::string& name) const;

  const TraceHeaders& headers() const { return headers_; }

 private:
  using FunctionRule = Evidence (CodeIndex::*)(const ModuleView&, const Function&, int) const;
  Evidence in_methods(const ModuleView& view, const std::string& name, FunctionRule find) const;

  const TraceHeaders& headers_;
  ImportResolver resolver_;
  std::map<std::string, ModuleView> views_;
};

}  // namespace tracemesh::audit
