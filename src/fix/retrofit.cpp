#include "fix/retrofit.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "fix/edited_file.h"
#include "fix/helper_plan.h"
#include "fix/idioms.h"
#include "fix/import_names.h"
#include "fix/python_file.h"
#include "fix/site_edits.h"
#include "fix/unified_diff.h"
#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

// How many blank lines start at `at` (a line start).
std::size_t blank_lines_at(std::string_view text, std::size_t at) {
  std::size_t blank = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    if (text.substr(at, end - at).find_first_not_of(" \t\r") != std::string_view::npos) break;
    ++blank;
    at = end + 1;
  }
  return blank;
}

// The line breaks that give a top-level definition inserted at `at` (a
// line start) the two blank lines above it that PEP 8 asks for.
std::string blank_lines_wanted(std::string_view text, std::size_t at) {
  if (at == 0) return {};
  std::size_t blank = 0;
  std::size_t end = at - 1;  // the line break ending the line above
  while (blank < 2 && end > 0) {
    const std::size_t begin = text.rfind('\n', end - 1);
    const std::size_t start = begin == std::string_view::npos ? 0 : begin + 1;
    const std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
    ++blank;
    if (begin == std::string_view::npos) break;
    end = begin;
  }
  std::string lines(2 - blank, '\n');  // not {}: that would be the two chars' list
  return lines;
}

class Planner {
 public:
  Planner(const audit::AuditedFleet& audited, const FixOptions& options)
      : audited_(audited),
        fleet_(*audited.fleet),
        options_(options),
        idioms_(audited),
        names_(fleet_),
        helpers_(audited, names_, [this](const std::string& path) { return state_of(path); }) {
    header_ = !options.header.empty()           ? options.header
              : !idioms_.fleet_header().empty() ? idioms_.fleet_header()
                                                : std::string("X-Trace-ID");
  }

  Retrofit run() {
    // One entry per site: a shared library's site is listed once per service using it.
    // A line may hold several requests: the audit lists them in order, so
    // the n-th of a service's sites of one method on a line is the line's
    // n-th request of that method.
    std::map<std::tuple<std::string, int, std::size_t>, std::vector<const audit::OutboundCall*>>
        sites;
    std::map<std::tuple<std::string, std::string, int, std::string>, std::size_t> seen;
    for (const audit::OutboundCall& call : audited_.result.outbound_calls) {
      const std::size_t ordinal = seen[{call.service, call.file, call.line, call.method}]++;
      if (wanted(call)) sites[{call.file, call.line, ordinal}].push_back(&call);
    }
    for (const auto& [where, calls] : sites) fix_site(calls, std::get<2>(where));
    if (options_.middleware) helpers_.hook_unwatched(options_.only);
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

  // The file at `path` as it is being edited; nullptr when it cannot be read.
  EditedFile* state_of(const std::string& path) {
    auto found = files_.find(path);
    if (found != files_.end()) return found->second.get();
    auto text = read_source(audited_.repository.root / path);
    auto& state = files_[path];
    if (text)
      state = std::make_unique<EditedFile>(path, std::move(*text), fleet_.index().view(path));
    return state.get();
  }

  static const audit::Function* enclosing(const EditedFile& state,
                                          const audit::OutboundCall& site) {
    const auto found = state.view().functions.find(site.function);
    return found == state.view().functions.end() ? nullptr : found->second;
  }

  // Whether `usable` holds for every service of these sites and every
  // service that runs `file` (the file the idiom edits): a shared module is
  // changed for all its users, also under --only.
  bool usable_by_all(const std::vector<const audit::OutboundCall*>& calls, const std::string& file,
                     const std::function<bool(const std::string&)>& usable) const {
    const auto& runners = fleet_.services_of(file);
    return std::all_of(calls.begin(), calls.end(),
                       [&](const audit::OutboundCall* call) { return usable(call->service); }) &&
           std::all_of(runners.begin(), runners.end(), usable);
  }

  void fix_site(const std::vector<const audit::OutboundCall*>& calls, std::size_t ordinal) {
    const audit::OutboundCall& site = *calls.front();
    FixedSite fixed{site.service, site.file, site.line, site.target, {}, site.file, site.line};
    const auto skip = [&](const std::string& reason) {
      for (const audit::OutboundCall* call : calls)
        skipped_.push_back({call->service, call->file, call->line, call->target, reason});
    };
    EditedFile* state = state_of(site.file);
    if (state == nullptr) return skip("the file cannot be read");
    if (!state->file().parsed() || state->file().has_errors())
      return skip("the file has syntax errors: the fixer edits only files that parse");
    if (site.function.empty())
      return skip("module level: it runs at import, when no request is being served");
    std::string reason;
    if (try_factory(calls, fixed, reason)) return record(calls, fixed, state);
    if (try_construction_hook(calls, fixed)) return record(calls, fixed, state);
    const CallSyntax* call = request_call(*state, fleet_.index(), site, ordinal, reason);
    if (call == nullptr) return skip(reason);
    const audit::Function* function = enclosing(*state, site);
    const EditedFile::Checkpoint saved = state->checkpoint();
    const auto undo = [&] { state->restore(saved); };
    std::string failure;
    if (const HeaderHelper* helper = idioms_.header_helper(site.service);
        helper != nullptr && usable_by_all(calls, site.file, [&](const std::string& s) {
          return idioms_.header_helper(s) == helper;
        })) {
      const std::string name = state->bind(names_, helper->path, helper->function);
      if (!name.empty() && !shadowed(function, name)) {
        failure = merge_headers(*state, *call, function, "**" + name + "()", name + "()");
        if (failure.empty()) {
          fixed.idiom = "header helper " + helper->function;
          return record(calls, fixed, state);
        }
      }
      undo();
    }
    if (const ContextVariable* variable = idioms_.context_variable(site.service);
        variable != nullptr && usable_by_all(calls, site.file, [&](const std::string& s) {
          return idioms_.context_variable(s) == variable;
        })) {
      const std::string var = state->bind(names_, variable->path, variable->variable);
      const std::string constant = state->bind(names_, variable->constant_path, variable->constant);
      if (!var.empty() && !constant.empty() && !shadowed(function, var) &&
          !shadowed(function, constant)) {
        // `or ""`: a variable set from a missing header holds None, which no client sends.
        const std::string entry = constant + ": " + var + R"(.get("") or "")";
        failure = merge_headers(*state, *call, function, entry, "{" + entry + "}");
        if (failure.empty()) {
          fixed.idiom = "context variable " + variable->variable;
          return record(calls, fixed, state);
        }
      }
      undo();
    }
    if (usable_by_all(calls, site.file,
                      [&](const std::string& s) { return idioms_.uses_opentelemetry(s); })) {
      failure = inject_before(*state, *call, function);
      if (failure.empty()) {
        fixed.idiom = "opentelemetry inject";
        return record(calls, fixed, state);
      }
      undo();
    }
    const std::string helper = helpers_.helper_for(site);
    if (helper.empty())
      return skip(failure.empty() ? "no package to write the trace helper to" : failure);
    const std::string name = state->bind(names_, helper, "trace_headers");
    if (name.empty() || shadowed(function, name)) {
      undo();
      return skip("the name trace_headers is taken in " + site.file);
    }
    failure = merge_headers(*state, *call, function, "**" + name + "()", name + "()");
    if (!failure.empty()) {
      undo();
      return skip(failure);
    }
    fixed.idiom = "new helper " + helper;
    helpers_.use(helper);
    for (const audit::OutboundCall* each : calls) helpers_.hook(each->service, helper);
    record(calls, fixed, state);
  }

  void record(const std::vector<const audit::OutboundCall*>& calls, FixedSite fixed,
              EditedFile* state) {
    for (const audit::OutboundCall* call : calls) {
      fixed.service = call->service;
      state->fixed.insert(fixed_.size());
      if (EditedFile* edited = state_of(fixed.edited_file); edited != nullptr && edited != state)
        edited->fixed.insert(fixed_.size());
      fixed_.push_back(fixed);
    }
  }

  // The client's constructor replaced by the project's traced factory, at
  // the construction (once for every site using that client).
  bool try_factory(const std::vector<const audit::OutboundCall*>& calls, FixedSite& fixed,
                   std::string& reason) {
    const audit::OutboundCall& site = *calls.front();
    EditedFile* state = nullptr;
    const audit::Call* constructor = constructor_of(site, state);
    if (constructor == nullptr) return false;
    const std::string canonical = fleet_.index().canonical(state->view(), constructor->callee);
    const TracedFactory* factory = idioms_.factory(site.service, canonical);
    if (factory == nullptr ||
        !usable_by_all(
            calls, site.construction_file,
            [&](const std::string& s) { return idioms_.factory(s, canonical) == factory; }) ||
        (factory->path == site.construction_file && factory->function == constructor->function))
      return false;
    if (!factory_fits(*factory, *constructor)) {
      reason = "the factory " + factory->function + " does not take the client's arguments";
      return false;
    }
    const std::string key = site.construction_file + ":" + std::to_string(site.construction_line);
    if (!constructions_.contains(key)) {
      const CallSyntax* syntax = nullptr;
      for (const CallSyntax* call : state->file().calls_at(site.construction_line)) {
        if (call->callee == constructor->callee) syntax = call;
      }
      if (syntax == nullptr) return false;
      const std::string name = state->bind(names_, factory->path, factory->function);
      if (name.empty()) return false;
      state->add(syntax->callee_range.begin, syntax->callee_range.end, name);
      constructions_.insert(key);
    }
    fixed.idiom = "traced factory " + factory->function;
    fixed.edited_file = site.construction_file;
    fixed.edited_line = site.construction_line;
    return true;
  }

  // Whether `factory` called with `constructor`'s arguments builds the same
  // client: every required parameter given, every keyword taken, none that
  // the factory sets itself on the client.
  static bool factory_fits(const TracedFactory& factory, const audit::Call& constructor) {
    const audit::Function& definition = *factory.definition;
    if (constructor.arguments.size() > definition.parameters.size()) return false;
    for (std::size_t i = 0; i < definition.required_parameters && i < definition.parameters.size();
         ++i) {
      const std::string& parameter = definition.parameters[i];
      const bool given = i < constructor.arguments.size() ||
                         std::any_of(constructor.keywords.begin(), constructor.keywords.end(),
                                     [&](const audit::Keyword& k) { return k.name == parameter; });
      if (!given) return false;
    }
    return std::all_of(
        constructor.keywords.begin(), constructor.keywords.end(), [&](const audit::Keyword& k) {
          if (is_parameter(&definition, k.name)) return true;
          return definition.takes_keywords &&
                 std::find(factory.sets.begin(), factory.sets.end(), k.name) == factory.sets.end();
        });
  }

  // The construction of a site's client (`file:line` of the constructor call).
  const audit::Call* constructor_of(const audit::OutboundCall& site, EditedFile*& state) {
    if (site.construction_file.empty()) return nullptr;
    state = state_of(site.construction_file);
    if (state == nullptr || !state->file().parsed() || state->file().has_errors()) return nullptr;
    for (const audit::Call& call : state->view().module->calls) {
      if (call.line == site.construction_line) return &call;
    }
    return nullptr;
  }

  // An httpx client kept on self or at module level, built without event
  // hooks of its own: a request hook added where it is built (once for
  // every call it makes) in the first idiom that applies.
  bool try_construction_hook(const std::vector<const audit::OutboundCall*>& calls,
                             FixedSite& fixed) {
    const audit::OutboundCall& site = *calls.front();
    EditedFile* state = nullptr;
    const audit::Call* constructor = constructor_of(site, state);
    if (constructor == nullptr) return false;
    const bool kept = constructor->function.empty() ? !constructor->assigned_to.empty()
                                                    : constructor->assigned_to.starts_with("self.");
    const std::string canonical = fleet_.index().canonical(state->view(), constructor->callee);
    const bool async = canonical == "httpx.AsyncClient";
    if (!kept || constructor->conditional || (!async && canonical != "httpx.Client") ||
        std::any_of(constructor->keywords.begin(), constructor->keywords.end(),
                    [](const audit::Keyword& k) { return k.name == "event_hooks"; }) ||
        !hook_fits_every_call(site))
      return false;
    fixed.edited_file = site.construction_file;
    fixed.edited_line = site.construction_line;
    const std::string key = site.construction_file + ":" + std::to_string(site.construction_line);
    if (const auto done = construction_hooks_.find(key); done != construction_hooks_.end()) {
      fixed.idiom = done->second;
      return true;
    }
    const CallSyntax* syntax = nullptr;
    for (const CallSyntax* each : state->file().calls_at(site.construction_line)) {
      if (each->callee == constructor->callee) syntax = each;
    }
    if (syntax == nullptr || syntax->keyword_splat || !syntax->in_block) return false;
    const EditedFile::Checkpoint saved = state->checkpoint();
    std::string body;
    std::string helper_module_path;
    if (const HeaderHelper* helper = idioms_.header_helper(site.service);
        helper != nullptr &&
        usable_by_all(calls, site.construction_file,
                      [&](const std::string& s) { return idioms_.header_helper(s) == helper; })) {
      if (const std::string name = state->bind(names_, helper->path, helper->function);
          !name.empty()) {
        body = "for name, value in " + name +
               "().items():\n        request.headers.setdefault(name, value)";
        fixed.idiom = "header helper " + helper->function;
      }
    }
    if (const ContextVariable* variable = idioms_.context_variable(site.service);
        body.empty() && variable != nullptr &&
        usable_by_all(calls, site.construction_file, [&](const std::string& s) {
          return idioms_.context_variable(s) == variable;
        })) {
      const std::string var = state->bind(names_, variable->path, variable->variable);
      const std::string constant = state->bind(names_, variable->constant_path, variable->constant);
      if (!var.empty() && !constant.empty()) {
        body = "value = " + var + ".get(\"\")\n    if value:\n        request.headers.setdefault(" +
               constant + ", value)";
        fixed.idiom = "context variable " + variable->variable;
      }
    }
    if (body.empty() && usable_by_all(calls, site.construction_file, [&](const std::string& s) {
          return idioms_.uses_opentelemetry(s);
        })) {
      if (const std::string inject = state->bind_external("opentelemetry.propagate", "inject");
          !inject.empty()) {
        body = inject + "(request.headers)";
        fixed.idiom = "opentelemetry inject";
      }
    }
    if (body.empty()) {
      helper_module_path = helpers_.helper_for(site);
      const std::string name = helper_module_path.empty()
                                   ? ""
                                   : state->bind(names_, helper_module_path, "trace_headers");
      if (!name.empty()) {
        body = "for name, value in " + name +
               "().items():\n        request.headers.setdefault(name, value)";
        fixed.idiom = "new helper " + helper_module_path;
        helpers_.use(helper_module_path);
      }
    }
    const std::string hook = std::string("_send_trace_headers") + (async ? "" : "_sync");
    const std::string hook_key = site.construction_file + ":" + hook;
    const bool defined = hook_bodies_.contains(hook_key);
    if (body.empty() || (defined && hook_bodies_[hook_key] != body) ||
        (!defined && !state->available(hook))) {
      state->restore(saved);
      return false;
    }
    if (!defined) {
      // After the imports, above every construction that may use it.
      const std::string& text = state->file().text();
      const std::size_t at = state->file().import_position();
      if (syntax->top_line_begin < at) {
        state->restore(saved);
        return false;
      }
      hook_bodies_[hook_key] = body;
      state->add(at, at,
                 blank_lines_wanted(text, at) + std::string(async ? "async " : "") + "def " + hook +
                     "(request):\n    \"\"\"httpx request hook: the trace goes with every request "
                     "of the client.\"\"\"\n    " +
                     body + "\n" +
                     std::string(2 - std::min<std::size_t>(2, blank_lines_at(text, at)), '\n'));
    }
    state->add(append_item(state->file(), syntax->argument_list,
                           "event_hooks={\"request\": [" + hook + "]}"));
    construction_hooks_[key] = fixed.idiom;
    if (!helper_module_path.empty()) {
      for (const audit::OutboundCall* each : calls)
        helpers_.hook(each->service, helper_module_path);
    }
    return true;
  }

  // Whether every call through the client the site uses can take a hook on
  // it: each made while serving (in a function, not at import), each a
  // request made there (not handed to a thread, which would not see the
  // context), each to a service of the repository (unless --include-external:
  // the hook would send the trace to a third party too).
  bool hook_fits_every_call(const audit::OutboundCall& site) {
    const auto& calls = audited_.result.outbound_calls;
    return std::all_of(calls.begin(), calls.end(), [&](const audit::OutboundCall& user) {
      if (user.construction_file != site.construction_file ||
          user.construction_line != site.construction_line)
        return true;
      if (user.function.empty() || (user.target_kind != "service" && !options_.include_external))
        return false;
      const EditedFile* file = state_of(user.file);
      return file != nullptr && requests_on_line(*file, user.line);
    });
  }

  Retrofit assemble() {
    std::vector<FileChange> created = helpers_.finish(header_);  // first: hooks edit files
    Retrofit retrofit;
    std::set<std::size_t> dropped;
    for (const auto& [path, state] : files_) {
      if (!state || !state->edited()) continue;
      std::string after;
      if (!state->after(after) || PythonFile(after).has_errors()) {
        dropped.insert(state->fixed.begin(), state->fixed.end());
        continue;
      }
      retrofit.files.push_back({path, state->file().text(), std::move(after), false});
    }
    retrofit.files.insert(retrofit.files.end(), std::make_move_iterator(created.begin()),
                          std::make_move_iterator(created.end()));
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
    retrofit.hooked_services = helpers_.hooked_services();
    retrofit.notes = helpers_.notes();
    return retrofit;
  }

  const audit::AuditedFleet& audited_;
  const audit::Fleet& fleet_;
  const FixOptions& options_;
  Idioms idioms_;
  ImportNames names_;
  HelperPlan helpers_;
  std::string header_;
  std::map<std::string, std::unique_ptr<EditedFile>> files_;  // null: unreadable
  std::set<std::string> constructions_;
  std::map<std::string, std::string> construction_hooks_;  // construction → the idiom its hook used
  std::map<std::string, std::string> hook_bodies_;         // "file:hook" → its body
  std::vector<FixedSite> fixed_;
  std::vector<SkippedSite> skipped_;
};

}  // namespace

std::string Retrofit::patch() const {
  std::string out;
  for (const FileChange& change : files) {
    out += "diff --git " + diff_path("a/", change.path) + " " + diff_path("b/", change.path) + "\n";
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
