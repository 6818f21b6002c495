#include "fix/helper_plan.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "fix/helper_module.h"

namespace tracemesh::fix {

HelperPlan::HelperPlan(const audit::AuditedFleet& audited, const ImportNames& names,
                       FileSource files)
    : audited_(audited), fleet_(*audited.fleet), names_(names), files_(std::move(files)) {}

std::string HelperPlan::helper_for(const audit::OutboundCall& site) {
  const auto& libraries = audited_.result.services.libraries;
  for (const audit::SharedLibrary& library : libraries) {
    if (audit::contains(library.root, site.file)) return helper_in(library.root);
  }
  if (const auto known = service_helpers_.find(site.service); known != service_helpers_.end())
    return known->second;
  std::string path;
  for (const audit::SharedLibrary& library : libraries) {
    if (std::find(library.used_by.begin(), library.used_by.end(), site.service) !=
        library.used_by.end()) {
      path = helper_in(library.root);
      break;
    }
  }
  if (path.empty()) {
    const std::string anchor = app_module(site.service).value_or(site.file);
    if (const auto root = names_.root_of(anchor, anchor)) {
      const std::string relative = root->empty() ? anchor : anchor.substr(root->size() + 1);
      const std::size_t slash = relative.find('/');
      path = helper_in(slash == std::string::npos
                           ? *root
                           : (root->empty() ? "" : *root + "/") + relative.substr(0, slash));
    }
  }
  service_helpers_[site.service] = path;
  return path;
}

// The first module `service` serves that builds a web app.
std::optional<std::string> HelperPlan::app_module(const std::string& service) const {
  for (const std::string& path : fleet_.served(service)) {
    if (audit::is_test_file(path)) continue;
    for (const audit::Call& call : fleet_.index().view(path).module->calls) {
      if (!audit::app_framework(call.callee).empty() && !call.assigned_to.empty()) return path;
    }
  }
  return std::nullopt;
}

std::string HelperPlan::helper_in(const std::string& folder) {
  std::string path = (folder.empty() ? "" : folder + "/") + std::string(helper_file_name);
  if (!helpers_.contains(path)) {
    const auto existing = read_source(audited_.repository.root / path);
    if (existing && !existing->starts_with(helper_marker)) return {};
    helpers_[path].exists = existing.has_value();
  }
  return path;
}

void HelperPlan::hook(const std::string& service, const std::string& helper) {
  if (!hooked_.insert(service).second) return;
  for (const audit::InboundMiddleware& middleware : audited_.result.middleware) {
    if (middleware.service == service && middleware.present) helpers_[helper].watched = true;
  }
  const auto& services = audited_.result.services.services;
  const auto found = std::find_if(services.begin(), services.end(),
                                  [&](const audit::Service& s) { return s.name == service; });
  bool hooked = false;
  if (found != services.end() && !found->framework.empty()) {
    for (const std::string& path : fleet_.served(service)) {
      if (!audit::is_test_file(path)) hooked = hook_apps(path, found->framework, helper) || hooked;
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
bool HelperPlan::hook_apps(const std::string& path, const std::string& framework,
                           const std::string& helper) {
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
    EditedFile* state = files_(path);
    if (state == nullptr || state->file().has_errors()) return hooked;
    const CallSyntax* syntax = nullptr;
    for (const CallSyntax* each : state->file().calls_at(call.line)) {
      if (each->callee == call.callee) syntax = each;
    }
    if (syntax == nullptr || !syntax->in_block) continue;
    const std::string family = hook_family(framework);
    if (family.empty()) continue;
    const std::string& text = state->file().text();
    const bool ends_line = syntax->statement_end > 0 && text[syntax->statement_end - 1] == '\n';
    // Registered in finish(), when the hooks the helper holds (and so their names) are known.
    pending_hooks_.push_back({path, syntax->statement_end, ends_line, syntax->statement_indent,
                              call.assigned_to, family, helper});
    helpers_[helper].families.insert(family);
    helpers_[helper].used = true;
    hooked = true;
  }
  return hooked;
}

void HelperPlan::hook_unwatched(const std::vector<std::string>& only) {
  for (const audit::InboundMiddleware& middleware : audited_.result.middleware) {
    if (middleware.present) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), middleware.service) == only.end())
      continue;
    const auto& services = audited_.result.services.services;
    const auto found = std::find_if(services.begin(), services.end(), [&](const audit::Service& s) {
      return s.name == middleware.service;
    });
    if (found == services.end() || !found->audited() || !found->has_http_server ||
        fleet_.served(found->name).empty())
      continue;
    // The helper beside the service's first served module.
    audit::OutboundCall anchor;
    anchor.service = found->name;
    anchor.file = *fleet_.served(found->name).begin();
    const std::string helper = helper_for(anchor);
    if (!helper.empty()) hook(found->name, helper);
  }
}

// The hook for `family` in the helper an earlier run wrote at `path`, known
// by its parameters; "" when it holds none.
std::string HelperPlan::existing_hook(const std::string& path, const std::string& family) const {
  const auto& views = fleet_.index().views();
  const auto view = views.find(path);
  if (view == views.end()) return {};
  for (const audit::Function& function : view->second.module->functions) {
    if (!function.qualified.starts_with("capture_trace")) continue;
    const auto& parameters = function.parameters;
    const bool asgi = parameters == std::vector<std::string>{"request", "call_next"};
    const bool aiohttp = parameters == std::vector<std::string>{"request", "handler"};
    const bool before_request = parameters.empty() && function.is_async == (family == "quart");
    if ((family == "asgi" && asgi) || (family == "aiohttp" && aiohttp) ||
        ((family == "flask" || family == "quart") && before_request))
      return function.qualified;
  }
  return {};
}

std::vector<FileChange> HelperPlan::finish(const std::string& header) {
  for (const PendingHook& pending : pending_hooks_) {
    EditedFile* state = files_(pending.path);
    if (state == nullptr) continue;
    const Helper& helper = helpers_[pending.helper];
    const std::string hook = helper.exists ? existing_hook(pending.helper, pending.family)
                                           : hook_name(pending.family, helper.families);
    if (hook.empty()) {
      notes_.push_back(pending.helper + " (written by an earlier run) has no hook for " +
                       pending.app + "'s framework: delete it and run tracemesh fix again");
      continue;
    }
    const std::string name = state->bind(names_, pending.helper, hook);
    if (name.empty()) {
      notes_.push_back(pending.path + ": the name of the helper's hook is taken; register " +
                       pending.helper + "'s hook on " + pending.app + " by hand");
      continue;
    }
    const std::string registration = (pending.ends_line ? "" : "\n") + pending.indent +
                                     hook_registration(pending.family, pending.app, name) + "\n";
    if (pending.indent.empty()) {
      state->add_module_statement(pending.at, registration);  // the import must come first
    } else {
      state->add(pending.at, pending.at, registration);  // in a function: runs after the imports
    }
  }
  std::vector<FileChange> created;
  for (const auto& [path, helper] : helpers_) {
    if (!helper.exists && helper.used)
      created.push_back({path, {}, helper_module(header, helper.families, !helper.watched), true});
  }
  return created;
}

}  // namespace tracemesh::fix
