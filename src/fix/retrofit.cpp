#include "fix/retrofit.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "fix/helper_module.h"
#include "fix/idioms.h"
#include "fix/import_names.h"
#include "fix/python_file.h"
#include "fix/text_edits.h"
#include "fix/unified_diff.h"
#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

constexpr std::string_view request_verbs[] = {"get",  "post",    "put",     "patch", "delete",
                                              "head", "options", "request", "stream"};

bool is_request_verb(std::string_view word) {
  return std::find(std::begin(request_verbs), std::end(request_verbs), word) !=
         std::end(request_verbs);
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// A file being edited.
struct FileState {
  std::string path;
  std::unique_ptr<PythonFile> file;
  const audit::ModuleView* view = nullptr;
  std::string line_break = "\n";
  std::vector<TextEdit> edits;
  // The `from MODULE import NAME, ...` lines to add, in the order first needed.
  std::vector<std::pair<std::string, std::vector<std::string>>> imports;
  std::set<std::string> imported;  // the names they bind
  std::set<std::size_t> fixed;     // indices of the sites fixed here

  void add(std::size_t begin, std::size_t end, const std::string& text) {
    edits.push_back({begin, end, with_line_breaks(text, line_break)});
  }
};

// `argument` added after the last argument of `call`, as its list is laid out.
TextEdit argument_edit(const CallSyntax& call, const std::string& argument) {
  if (call.last_argument_end == call.arguments.begin + 1)
    return {call.last_argument_end, call.last_argument_end, argument};
  if (call.multiline) {
    if (call.trailing_comma)
      return {call.trailing_comma_end, call.trailing_comma_end,
              "\n" + call.argument_indent + argument + ","};
    return {call.last_argument_end, call.last_argument_end,
            ",\n" + call.argument_indent + argument};
  }
  if (call.trailing_comma)
    return {call.trailing_comma_end, call.trailing_comma_end, " " + argument};
  return {call.last_argument_end, call.last_argument_end, ", " + argument};
}

// `entry` added as the last entry of a non-empty dict literal.
TextEdit entry_edit(const DictSyntax& dict, const std::string& entry) {
  if (dict.multiline) {
    if (dict.trailing_comma)
      return {dict.trailing_comma_end, dict.trailing_comma_end,
              "\n" + dict.entry_indent + entry + ","};
    return {dict.last_entry_end, dict.last_entry_end, ",\n" + dict.entry_indent + entry};
  }
  if (dict.trailing_comma) return {dict.trailing_comma_end, dict.trailing_comma_end, " " + entry};
  return {dict.last_entry_end, dict.last_entry_end, ", " + entry};
}

bool is_parameter(const audit::Function* function, const std::string& name) {
  return function != nullptr && std::find(function->parameters.begin(), function->parameters.end(),
                                          name) != function->parameters.end();
}

// Whether `name` is free in `function` (and the module) for a new local.
bool free_name(const audit::Function* function, const audit::ModuleView& view,
               const std::string& name) {
  if (function != nullptr &&
      (is_parameter(function, name) || function->locals.contains(name) ||
       std::find(function->names.begin(), function->names.end(), name) != function->names.end()))
    return false;
  return !view.bound.contains(name) && !view.module->assignments.contains(name);
}

class Planner {
 public:
  Planner(const audit::AuditedFleet& audited, const FixOptions& options)
      : audited_(audited),
        fleet_(*audited.fleet),
        options_(options),
        idioms_(audited),
        names_(fleet_) {
    header_ = !options.header.empty()           ? options.header
              : !idioms_.fleet_header().empty() ? idioms_.fleet_header()
                                                : std::string("X-Trace-ID");
  }

  Retrofit run() {
    // One entry per site: a shared library's site is listed once per service using it.
    std::map<std::pair<std::string, int>, std::vector<const audit::OutboundCall*>> sites;
    for (const audit::OutboundCall& call : audited_.result.outbound_calls) {
      if (wanted(call)) sites[{call.file, call.line}].push_back(&call);
    }
    for (const auto& [where, calls] : sites) fix_site(calls);
    if (options_.middleware) hook_unwatched_services();
    return assemble();
  }

 private:
  bool wanted(const audit::OutboundCall& call) const {
    if (call.propagates_trace || !call.unresolved.empty() || !call.counts()) return false;
    if (!options_.only.empty() &&
        std::find(options_.only.begin(), options_.only.end(), call.service) == options_.only.end())
      return false;
    return call.target_kind == "service" || options_.include_external;
  }

  FileState* state_of(const std::string& path) {
    auto found = files_.find(path);
    if (found != files_.end()) return found->second.file ? &found->second : nullptr;
    FileState& state = files_[path];
    state.path = path;
    const auto text = read_text(audited_.repository.root / path);
    if (!text) return nullptr;
    state.file = std::make_unique<PythonFile>(*text);
    state.line_break = std::string(line_break_of(*text));
    state.view = &fleet_.index().view(path);
    return &state;
  }

  static void add_import(FileState& state, const std::string& module, const std::string& name) {
    const auto same = std::find_if(state.imports.begin(), state.imports.end(),
                                   [&](const auto& line) { return line.first == module; });
    if (same != state.imports.end()) {
      same->second.push_back(name);
    } else {
      state.imports.push_back({module, {name}});
    }
    state.imported.insert(name);
  }

  // The name `name` of the module at `home` goes by in `state`'s module,
  // adding `from module import name` when it is not imported yet; "" when
  // the module cannot be named from there or the name is taken.
  std::string bind(FileState& state, const std::string& home, const std::string& name) {
    if (home == state.path) return name;
    for (const auto& [local, file] : state.view->bound_files) {
      if (file != home) continue;
      const audit::Import& import = state.view->bound.at(local);
      if (import.name == name) return local;
      if (import.name.empty() || home.ends_with(import.name + ".py") ||
          home.ends_with(import.name + "/__init__.py"))
        return local + "." + name;
    }
    if (state.imported.contains(name)) return name;
    const audit::PythonModule& module = *state.view->module;
    if (state.view->bound.contains(name) || module.assignments.contains(name) ||
        module.constants.contains(name) || state.view->functions.contains(name))
      return {};
    const auto dotted = names_.module_name(state.path, home);
    if (!dotted) return {};
    add_import(state, *dotted, name);
    state.imported.insert(name);
    return name;
  }

  std::string bind_external(FileState& state, const std::string& module_name,
                            const std::string& name) {
    for (const auto& [local, import] : state.view->bound) {
      if (import.module == module_name && import.name == name) return local;
      if (import.name.empty() && import.module == module_name && local == module_name)
        return local + "." + name;
    }
    if (state.imported.contains(name)) return name;
    if (state.view->bound.contains(name) || state.view->module->assignments.contains(name) ||
        state.view->functions.contains(name))
      return {};
    add_import(state, module_name, name);
    state.imported.insert(name);
    return name;
  }

  // The call of `site` in its file, when it is one the fixer can add headers
  // to: the request, or functools.partial / asyncio.to_thread handed it
  // (both pass their keywords on to it).
  const CallSyntax* request_call(const FileState& state, const audit::OutboundCall& site,
                                 std::string& reason) const {
    const std::string method = model::ascii_lowercase(site.method);
    for (const CallSyntax* call : state.file->calls_at(site.line)) {
      const std::string verb = audit::after_last(call->callee);
      if (verb == "send") {
        reason = "client.send(request): the headers belong to the request it sends (build_request)";
        return nullptr;
      }
      if (verb == "urlopen") {
        reason = "urllib urlopen: the headers belong to its Request";
        return nullptr;
      }
      if (is_request_verb(verb) &&
          (method.empty() || verb == method || verb == "request" || verb == "stream"))
        return call;
    }
    for (const audit::Call& handing : state.view->module->calls) {
      if (handing.line != site.line) continue;
      const std::string name = fleet_.index().canonical(*state.view, handing.callee);
      if (name != "functools.partial" && name != "asyncio.to_thread") continue;
      for (const CallSyntax* call : state.file->calls_at(site.line)) {
        if (call->callee == handing.callee) return call;
      }
    }
    reason = "the request is handed to another call on this line, which may not pass headers on";
    return nullptr;
  }

  // Make `call` send `entry` (`**trace_headers()`, `H: var.get("")`) with
  // its headers; `bare` is the value when it had none.
  std::string merge_headers(FileState& state, const CallSyntax& call,
                            const audit::Function* enclosing, const std::string& entry,
                            const std::string& bare) {
    if (!call.headers) {
      if (call.keyword_splat) return "its keywords come from **kwargs, which may hold headers";
      const TextEdit edit = argument_edit(call, "headers=" + bare);
      state.add(edit.begin, edit.end, edit.text);
      return {};
    }
    const std::string value(audit::trim_space(call.headers_text));
    if (value == "None") {
      state.add(call.headers->begin, call.headers->end, bare);
      return {};
    }
    if (const auto dict = state.file->dict_at(*call.headers)) {
      if (dict->empty) {
        state.add(call.headers->begin, call.headers->end, bare);
      } else {
        const TextEdit edit = entry_edit(*dict, entry);
        state.add(edit.begin, edit.end, edit.text);
      }
      return {};
    }
    const std::string base = is_parameter(enclosing, value) ? "(" + value + " or {})" : value;
    state.add(call.headers->begin, call.headers->end, "{**" + base + ", " + entry + "}");
    return {};
  }

  const audit::Function* enclosing(const FileState& state, const audit::OutboundCall& site) const {
    const auto found = state.view->functions.find(site.function);
    return found == state.view->functions.end() ? nullptr : found->second;
  }

  bool usable_by_all(const std::vector<const audit::OutboundCall*>& calls,
                     const std::function<bool(const std::string&)>& usable) const {
    return std::all_of(calls.begin(), calls.end(),
                       [&](const audit::OutboundCall* call) { return usable(call->service); });
  }

  void fix_site(const std::vector<const audit::OutboundCall*>& calls) {
    const audit::OutboundCall& site = *calls.front();
    FixedSite fixed{site.service, site.file, site.line, site.target, {}, site.file, site.line};
    const auto skip = [&](const std::string& reason) {
      for (const audit::OutboundCall* call : calls)
        skipped_.push_back({call->service, call->file, call->line, call->target, reason});
    };
    FileState* state = state_of(site.file);
    if (state == nullptr) return skip("the file cannot be read");
    if (!state->file->parsed() || state->file->has_errors())
      return skip("the file has syntax errors: the fixer edits only files that parse");
    if (site.function.empty())
      return skip("module level: it runs at import, when no request is being served");
    std::string reason;
    if (try_factory(calls, fixed, reason)) return record(calls, fixed, state);
    const CallSyntax* call = request_call(*state, site, reason);
    if (call == nullptr) return skip(reason);
    const audit::Function* function = enclosing(*state, site);
    const std::size_t edits = state->edits.size();
    const auto saved_imports = state->imports;
    const auto saved_imported = state->imported;
    const auto undo = [&] {
      state->edits.resize(edits);
      state->imports = saved_imports;
      state->imported = saved_imported;
    };
    std::string failure;
    if (const HeaderHelper* helper = idioms_.header_helper(site.service);
        helper != nullptr && usable_by_all(calls, [&](const std::string& s) {
          return idioms_.header_helper(s) == helper;
        })) {
      const std::string name = bind(*state, helper->path, helper->function);
      if (!name.empty()) {
        failure = merge_headers(*state, *call, function, "**" + name + "()", name + "()");
        if (failure.empty()) {
          fixed.idiom = "header helper " + helper->function;
          return record(calls, fixed, state);
        }
      }
      undo();
    }
    if (const ContextVariable* variable = idioms_.context_variable(site.service);
        variable != nullptr && usable_by_all(calls, [&](const std::string& s) {
          return idioms_.context_variable(s) == variable;
        })) {
      const std::string var = bind(*state, variable->path, variable->variable);
      const std::string constant = bind(*state, variable->constant_path, variable->constant);
      if (!var.empty() && !constant.empty()) {
        const std::string entry = constant + ": " + var + ".get(\"\")";
        failure = merge_headers(*state, *call, function, entry, "{" + entry + "}");
        if (failure.empty()) {
          fixed.idiom = "context variable " + variable->variable;
          return record(calls, fixed, state);
        }
      }
      undo();
    }
    if (usable_by_all(calls, [&](const std::string& s) { return idioms_.uses_opentelemetry(s); })) {
      failure = inject_before(*state, *call, function);
      if (failure.empty()) {
        fixed.idiom = "opentelemetry inject";
        return record(calls, fixed, state);
      }
      undo();
    }
    const std::string helper = helper_for(calls);
    if (helper.empty())
      return skip(failure.empty() ? "no package to write the trace helper to" : failure);
    const std::string name = bind(*state, helper, "trace_headers");
    if (name.empty()) return skip("the name trace_headers is taken in " + site.file);
    failure = merge_headers(*state, *call, function, "**" + name + "()", name + "()");
    if (!failure.empty()) {
      undo();
      return skip(failure);
    }
    fixed.idiom = "new helper " + helper;
    for (const audit::OutboundCall* each : calls) hook(each->service, helper);
    record(calls, fixed, state);
  }

  void record(const std::vector<const audit::OutboundCall*>& calls, FixedSite fixed,
              FileState* state) {
    for (const audit::OutboundCall* call : calls) {
      fixed.service = call->service;
      state->fixed.insert(fixed_.size());
      if (FileState* edited = state_of(fixed.edited_file); edited != nullptr && edited != state)
        edited->fixed.insert(fixed_.size());
      fixed_.push_back(fixed);
    }
  }

  // The client's constructor replaced by the project's traced factory, at
  // the construction (once for every site using that client).
  bool try_factory(const std::vector<const audit::OutboundCall*>& calls, FixedSite& fixed,
                   std::string& reason) {
    const audit::OutboundCall& site = *calls.front();
    if (site.construction_file.empty()) return false;
    FileState* state = state_of(site.construction_file);
    if (state == nullptr || state->file->has_errors()) return false;
    const audit::Call* constructor = nullptr;
    for (const audit::Call& call : state->view->module->calls) {
      if (call.line == site.construction_line) constructor = &call;
    }
    if (constructor == nullptr) return false;
    const std::string canonical = fleet_.index().canonical(*state->view, constructor->callee);
    const TracedFactory* factory = idioms_.factory(site.service, canonical);
    if (factory == nullptr ||
        !usable_by_all(
            calls,
            [&](const std::string& s) { return idioms_.factory(s, canonical) == factory; }) ||
        (factory->path == site.construction_file && factory->function == constructor->function))
      return false;
    const audit::Function& definition = *factory->definition;
    const bool fits =
        constructor->arguments.size() <= definition.parameters.size() &&
        std::all_of(constructor->keywords.begin(), constructor->keywords.end(),
                    [&](const audit::Keyword& k) {
                      return definition.takes_keywords || is_parameter(&definition, k.name);
                    });
    if (!fits) {
      reason = "the factory " + factory->function + " does not take the client's arguments";
      return false;
    }
    fixed.idiom = "traced factory " + factory->function;
    fixed.edited_file = site.construction_file;
    fixed.edited_line = site.construction_line;
    const std::string key = site.construction_file + ":" + std::to_string(site.construction_line);
    if (!constructions_.insert(key).second) return true;  // fixed for an earlier site
    const CallSyntax* syntax = nullptr;
    for (const CallSyntax* call : state->file->calls_at(site.construction_line)) {
      if (call->callee == constructor->callee) syntax = call;
    }
    if (syntax == nullptr) return false;
    const std::string name = bind(*state, factory->path, factory->function);
    if (name.empty()) return false;
    state->add(syntax->callee_range.begin, syntax->callee_range.end, name);
    return true;
  }

  // `inject(carrier)` before the statement of `call`, the carrier its headers.
  std::string inject_before(FileState& state, const CallSyntax& call,
                            const audit::Function* function) {
    if (!call.in_block || !call.statement_starts_line)
      return "the call is not in a statement of its own, where inject() could go before it";
    if (!call.headers && call.keyword_splat)
      return "its keywords come from **kwargs, which may hold headers";
    const std::string inject = bind_external(state, "opentelemetry.propagate", "inject");
    if (inject.empty()) return "the name inject is taken";
    const std::string value =
        call.headers ? std::string(audit::trim_space(call.headers_text)) : std::string();
    const std::string& indent = call.statement_indent;
    // A dict the function builds itself takes the context in place.
    if (function != nullptr && !value.empty() && function->locals.contains(value)) {
      const std::string binding(audit::trim_space(function->locals.at(value)));
      if (binding.starts_with("{") || binding.starts_with("dict(")) {
        state.add(call.statement_line_begin, call.statement_line_begin,
                  indent + inject + "(" + value + ")\n");
        return {};
      }
    }
    std::string carrier;
    for (const char* name : {"headers", "trace_headers", "outbound_headers"}) {
      if (free_name(function, *state.view, name)) {
        carrier = name;
        break;
      }
    }
    if (carrier.empty()) return "no free name for the headers dict";
    std::string initial = "{}";
    if (!value.empty() && value != "None") {
      const bool literal = state.file->dict_at(*call.headers).has_value();
      initial = literal
                    ? value
                    : "dict(" + (is_parameter(function, value) ? value + " or {}" : value) + ")";
    }
    state.add(call.statement_line_begin, call.statement_line_begin,
              indent + carrier + " = " + initial + "\n" + indent + inject + "(" + carrier + ")\n");
    if (call.headers) {
      state.add(call.headers->begin, call.headers->end, carrier);
    } else {
      const TextEdit edit = argument_edit(call, "headers=" + carrier);
      state.add(edit.begin, edit.end, edit.text);
    }
    return {};
  }

  // Where the new helper goes for these sites: the shared library holding
  // the site or used by its service, else the service's own package.
  std::string helper_for(const std::vector<const audit::OutboundCall*>& calls) {
    const audit::OutboundCall& site = *calls.front();
    const auto& libraries = audited_.result.services.libraries;
    for (const audit::SharedLibrary& library : libraries) {
      if (audit::contains(library.root, site.file)) return helper_in(library.root);
    }
    for (const audit::SharedLibrary& library : libraries) {
      if (std::find(library.used_by.begin(), library.used_by.end(), site.service) !=
          library.used_by.end())
        return helper_in(library.root);
    }
    const auto root = names_.root_of(site.file, site.file);
    if (!root) return {};
    const std::string relative = root->empty() ? site.file : site.file.substr(root->size() + 1);
    const std::size_t slash = relative.find('/');
    const std::string package =
        slash == std::string::npos ? *root
                                   : (root->empty() ? "" : *root + "/") + relative.substr(0, slash);
    return helper_in(package);
  }

  std::string helper_in(const std::string& folder) {
    const std::string path = (folder.empty() ? "" : folder + "/") + std::string(helper_file_name);
    if (!helpers_.contains(path)) {
      const auto existing = read_text(audited_.repository.root / path);
      if (existing && !existing->starts_with(helper_marker)) return {};
      helpers_[path].exists = existing.has_value();
    }
    return path;
  }

  // The helper's inbound hook registered on every app `service` serves (a
  // folder may hold several processes), once.
  void hook(const std::string& service, const std::string& helper) {
    if (!hooked_.insert(service).second) return;
    const auto& services = audited_.result.services.services;
    const auto found = std::find_if(services.begin(), services.end(),
                                    [&](const audit::Service& s) { return s.name == service; });
    bool hooked = false;
    if (found != services.end() && !found->framework.empty()) {
      for (const std::string& path : fleet_.served(service)) {
        if (!audit::is_test_file(path))
          hooked = hook_apps(path, found->framework, helper) || hooked;
      }
    }
    if (hooked) {
      hooked_services_.push_back(service);
    } else {
      notes_.push_back(service +
                       ": no web app of its own to take the trace from; where its work "
                       "begins (a message, a job), call use_trace_id(ID) of " +
                       helper + " so its calls carry it");
    }
  }

  // Register the hook after each app construction in the module at `path`;
  // true when one is registered there (now or by an earlier run).
  bool hook_apps(const std::string& path, const std::string& framework, const std::string& helper) {
    const audit::PythonModule& module = *fleet_.index().view(path).module;
    const bool registered =
        std::any_of(module.calls.begin(), module.calls.end(), [](const audit::Call& c) {
          return c.callee.find("capture_trace") != std::string::npos ||
                 std::any_of(c.arguments.begin(), c.arguments.end(), [](const std::string& a) {
                   return a.find("capture_trace") != std::string::npos;
                 });
        });
    bool hooked = false;
    for (const audit::Call& call : module.calls) {
      if (audit::app_framework(call.callee).empty() || call.assigned_to.empty() ||
          call.assigned_to.find('.') != std::string::npos)
        continue;
      if (registered) return true;
      FileState* state = state_of(path);
      if (state == nullptr || state->file->has_errors()) return hooked;
      const CallSyntax* syntax = nullptr;
      for (const CallSyntax* each : state->file->calls_at(call.line)) {
        if (each->callee == call.callee) syntax = each;
      }
      if (syntax == nullptr || !syntax->in_block) continue;
      const std::string family = hook_family(framework);
      if (family.empty()) continue;
      const std::string& text = state->file->text();
      const bool ends_line = syntax->statement_end > 0 && text[syntax->statement_end - 1] == '\n';
      // Registered in assemble(), when the hooks the helper holds (and so their names) are known.
      pending_hooks_.push_back({path, syntax->statement_end, ends_line, syntax->statement_indent,
                                call.assigned_to, family, helper});
      helpers_[helper].families.insert(family);
      hooked = true;
    }
    return hooked;
  }

  // --middleware: services serving HTTP with no inbound middleware.
  void hook_unwatched_services() {
    for (const audit::InboundMiddleware& middleware : audited_.result.middleware) {
      if (middleware.present) continue;
      if (!options_.only.empty() && std::find(options_.only.begin(), options_.only.end(),
                                              middleware.service) == options_.only.end())
        continue;
      const auto& services = audited_.result.services.services;
      const auto found =
          std::find_if(services.begin(), services.end(),
                       [&](const audit::Service& s) { return s.name == middleware.service; });
      if (found == services.end() || !found->audited() || !found->has_http_server ||
          fleet_.served(found->name).empty())
        continue;
      // The helper beside the service's first served module.
      audit::OutboundCall anchor;
      anchor.service = found->name;
      anchor.file = *fleet_.served(found->name).begin();
      const std::string helper = helper_for({&anchor});
      if (!helper.empty()) hook(found->name, helper);
    }
  }

  void register_hooks() {
    for (const PendingHook& pending : pending_hooks_) {
      FileState* state = state_of(pending.path);
      if (state == nullptr) continue;
      const std::string name = bind(*state, pending.helper,
                                    hook_name(pending.family, helpers_[pending.helper].families));
      if (name.empty()) {
        notes_.push_back(pending.path + ": the name of the helper's hook is taken; register " +
                         pending.helper + "'s hook on " + pending.app + " by hand");
        continue;
      }
      state->add(pending.at, pending.at,
                 (pending.ends_line ? "" : "\n") + pending.indent +
                     hook_registration(pending.family, pending.app, name) + "\n");
    }
  }

  Retrofit assemble() {
    register_hooks();
    Retrofit retrofit;
    std::set<std::size_t> dropped;
    for (auto& [path, state] : files_) {
      if (!state.file || (state.edits.empty() && state.imports.empty())) continue;
      std::vector<TextEdit> edits = state.edits;
      if (!state.imports.empty()) {
        std::string lines;
        for (const auto& [module, names] : state.imports) {
          std::string joined;
          for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
          lines += "from " + module + " import " + joined + "\n";
        }
        edits.push_back({state.file->import_position(), state.file->import_position(),
                         with_line_breaks(lines, state.line_break)});
      }
      std::string after;
      const bool applied = apply_edits(state.file->text(), edits, after);
      if (!applied || PythonFile(after).has_errors()) {
        dropped.insert(state.fixed.begin(), state.fixed.end());
        continue;
      }
      retrofit.files.push_back({path, state.file->text(), std::move(after), false});
    }
    for (const auto& [path, helper] : helpers_) {
      if (helper.exists) continue;
      retrofit.files.push_back({path, {}, helper_module(header_, helper.families), true});
    }
    std::sort(retrofit.files.begin(), retrofit.files.end(),
              [](const FileChange& a, const FileChange& b) { return a.path < b.path; });
    for (std::size_t i = 0; i < fixed_.size(); ++i) {
      if (!dropped.contains(i)) {
        retrofit.fixed.push_back(fixed_[i]);
        continue;
      }
      const FixedSite& site = fixed_[i];
      retrofit.skipped.push_back({site.service, site.file, site.line, site.target,
                                  "the edit would not parse (" + site.idiom + "): left as it is"});
    }
    retrofit.skipped.insert(retrofit.skipped.end(), skipped_.begin(), skipped_.end());
    std::sort(retrofit.skipped.begin(), retrofit.skipped.end(), [](const auto& a, const auto& b) {
      return std::tie(a.service, a.file, a.line) < std::tie(b.service, b.file, b.line);
    });
    retrofit.hooked_services = hooked_services_;
    retrofit.notes = notes_;
    return retrofit;
  }

  struct PendingHook {
    std::string path;
    std::size_t at = 0;  // after the app's statement
    bool ends_line = true;
    std::string indent;
    std::string app;
    std::string family;
    std::string helper;
  };

  struct Helper {
    bool exists = false;
    std::set<std::string> families;  // of the hooks it holds
  };

  const audit::AuditedFleet& audited_;
  const audit::Fleet& fleet_;
  const FixOptions& options_;
  Idioms idioms_;
  ImportNames names_;
  std::string header_;
  std::map<std::string, FileState> files_;
  std::map<std::string, Helper> helpers_;  // by path
  std::set<std::string> constructions_;
  std::set<std::string> hooked_;
  std::vector<std::string> hooked_services_;
  std::vector<std::string> notes_;
  std::vector<PendingHook> pending_hooks_;
  std::vector<FixedSite> fixed_;
  std::vector<SkippedSite> skipped_;
};

}  // namespace

std::string Retrofit::patch() const {
  std::string out;
  for (const FileChange& change : files) {
    out += "diff --git a/" + change.path + " b/" + change.path + "\n";
    if (change.created) out += "new file mode 100644\n";
    out += unified_diff(change.path, change.before, change.after, change.created);
  }
  return out;
}

Retrofit plan_retrofit(const audit::AuditedFleet& audited, const FixOptions& options) {
  return Planner(audited, options).run();
}

Expected<void> write_retrofit(const std::filesystem::path& root, const Retrofit& retrofit) {
  for (const FileChange& change : retrofit.files) {
    const std::filesystem::path path = root / change.path;
    const std::filesystem::path temporary = path.string() + ".tracemesh-fix";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << change.after;
      if (!out.flush()) return Error{ErrorCode::io_error, "cannot write " + temporary.string()};
    }
    std::error_code error;
    if (!change.created) {
      std::filesystem::permissions(temporary, std::filesystem::status(path, error).permissions(),
                                   error);
    }
    std::filesystem::rename(temporary, path, error);
    if (error)
      return Error{ErrorCode::io_error, "cannot replace " + path.string() + ": " + error.message()};
  }
  return {};
}

}  // namespace tracemesh::fix
