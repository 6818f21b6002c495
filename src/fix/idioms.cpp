#include "fix/idioms.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "audit/rules/http_clients.h"
#include "fix/edited_file.h"
#include "fix/helper_module.h"
#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

bool names_word(std::string_view text, std::string_view word) {
  const auto names = audit::identifiers(text);
  return std::any_of(names.begin(), names.end(),
                     [&](const auto& identifier) { return identifier.first == word; });
}

// Whether `function` returns a dict it builds: a literal, dict(...), or a
// local bound to one or filled item by item.
bool returns_dict(const audit::Function& function) {
  const auto is_dict = [](std::string_view text) {
    text = audit::trim_space(text);
    return text.starts_with("{") || text.starts_with("dict(");
  };
  return std::any_of(function.returns.begin(), function.returns.end(), [&](const std::string& r) {
    if (is_dict(r)) return true;
    if (const auto local = function.locals.find(r); local != function.locals.end())
      return is_dict(local->second);
    return false;
  });
}

// Whether the module at `path` is a helper an earlier `tracemesh fix` wrote:
// it stays the new-helper idiom (whose hook a new service still needs), not
// a header helper of the project's.
bool written_by_fix(const audit::AuditedFleet& audited, const std::string& path) {
  if (audit::after_last(path, '/') != helper_file_name) return false;
  const auto text = read_source(audited.repository.root / path);
  return text && text->starts_with(helper_marker);
}

}  // namespace

Idioms::Idioms(const audit::AuditedFleet& audited) : fleet_(*audited.fleet) {
  find_factories(audited);
  find_header_helpers(audited);
  find_context_variables(audited);
  for (const audit::Service& service : audited.result.services.services) {
    bool uses = service.auto_instrumented();
    for (const std::string& path : fleet_.served(service.name)) {
      const audit::ModuleView& view = fleet_.index().view(path);
      for (const audit::Import& import : view.module->imports) {
        if (import.module.starts_with("opentelemetry")) uses = true;
      }
    }
    opentelemetry_[service.name] = uses;
  }
  // The header the services' middleware reads, by how many read it.
  std::map<std::string, int> reads;
  for (const audit::InboundMiddleware& middleware : audited.result.middleware) {
    if (!middleware.present) continue;
    const std::string detail = model::ascii_lowercase(middleware.detail);
    for (const std::string& name : audited.headers.names()) {
      const std::size_t at = detail.find(name);
      if (at != std::string::npos) ++reads[middleware.detail.substr(at, name.size())];
    }
  }
  int most = 0;
  for (const auto& [header, count] : reads) {
    if (count > most) {
      most = count;
      fleet_header_ = header;
    }
  }
}

bool Idioms::runs_in(const std::string& path, const std::string& service) const {
  const auto& services = fleet_.services_of(path);
  return std::find(services.begin(), services.end(), service) != services.end() ||
         fleet_.served(service).contains(path);
}

void Idioms::find_factories(const audit::AuditedFleet& audited) {
  const audit::CodeIndex& index = fleet_.index();
  for (const audit::OutboundCall& site : audited.result.outbound_calls) {
    if (!site.propagates_trace || site.construction_file.empty() || !site.how.starts_with("client"))
      continue;
    const audit::ModuleView& view = index.view(site.construction_file);
    for (const audit::Call& call : view.module->calls) {
      if (call.line != site.construction_line || call.function.empty() ||
          call.function.find('.') != std::string::npos)
        continue;
      const std::string constructor = index.canonical(view, call.callee);
      if (audit::HttpClients::constructor_library(constructor).empty()) continue;
      const auto function = view.functions.find(call.function);
      if (function == view.functions.end() || function->second->is_async) continue;
      const auto& returns = function->second->returns;
      if (!call.assigned_to.empty() &&
          std::find(returns.begin(), returns.end(), call.assigned_to) == returns.end())
        continue;
      const bool known = std::any_of(factories_.begin(), factories_.end(), [&](const auto& f) {
        return f.path == site.construction_file && f.function == call.function;
      });
      if (known) continue;
      std::vector<std::string> sets;
      for (const audit::Keyword& keyword : call.keywords) sets.push_back(keyword.name);
      factories_.push_back(
          {site.construction_file, call.function, constructor, function->second, std::move(sets)});
    }
  }
}

void Idioms::find_header_helpers(const audit::AuditedFleet& audited) {
  const audit::CodeIndex& index = fleet_.index();
  for (const audit::PythonModule& module : audited.repository.modules) {
    if (audit::is_test_file(module.path) || written_by_fix(audited, module.path)) continue;
    const audit::ModuleView& view = index.view(module.path);
    for (const audit::Function& function : module.functions) {
      if (!function.class_name.empty() || function.qualified.find('.') != std::string::npos ||
          function.is_async || function.required_parameters > 0 || !returns_dict(function))
        continue;
      if (index.read_evidence(view, function)) continue;  // middleware reads, it does not send
      const audit::Evidence evidence = index.function_evidence(view, function);
      if (!evidence) continue;
      // `if correlation_id: headers[H] = correlation_id` sends nothing when called bare.
      if (std::any_of(function.parameters.begin(), function.parameters.end(),
                      [&](const std::string& p) { return names_word(evidence.condition, p); }))
        continue;
      helpers_.push_back({module.path, function.qualified, evidence.how});
    }
  }
}

void Idioms::find_context_variables(const audit::AuditedFleet& audited) {
  const audit::CodeIndex& index = fleet_.index();
  for (const audit::PythonModule& module : audited.repository.modules) {
    if (audit::is_test_file(module.path) || written_by_fix(audited, module.path)) continue;
    const audit::ModuleView& view = index.view(module.path);
    for (const auto& [name, expression] : module.assignments) {
      const audit::CallText call = audit::split_call(expression);
      if (index.canonical(view, call.callee) != "contextvars.ContextVar") continue;
      const std::string lower = model::ascii_lowercase(name);
      if (lower.find("span") != std::string::npos ||
          (lower.find("trace") == std::string::npos &&
           lower.find("correlation") == std::string::npos &&
           lower.find("request_id") == std::string::npos))
        continue;
      // The header constant: in the variable's module, else one its module imports.
      ContextVariable found{module.path, name, {}, {}, {}};
      for (const auto& [constant, value] : module.constants) {
        if (audited.headers.contains(value))
          found = {module.path, name, module.path, constant, value};
      }
      if (found.constant.empty()) {
        for (const auto& [local, import] : view.bound) {
          const auto value = index.constant_named(view, local);
          const auto file = view.bound_files.find(local);
          if (value && audited.headers.contains(*value) && file != view.bound_files.end())
            found = {module.path, name, file->second, import.name, *value};
        }
      }
      if (!found.constant.empty()) variables_.push_back(std::move(found));
    }
  }
}

const TracedFactory* Idioms::factory(const std::string& service,
                                     const std::string& constructor) const {
  for (const TracedFactory& found : factories_) {
    if (found.constructor == constructor && runs_in(found.path, service)) return &found;
  }
  return nullptr;
}

const HeaderHelper* Idioms::header_helper(const std::string& service) const {
  for (const HeaderHelper& found : helpers_) {
    if (runs_in(found.path, service)) return &found;
  }
  return nullptr;
}

const ContextVariable* Idioms::context_variable(const std::string& service) const {
  for (const ContextVariable& found : variables_) {
    if (runs_in(found.path, service) && runs_in(found.constant_path, service)) return &found;
  }
  return nullptr;
}

bool Idioms::uses_opentelemetry(const std::string& service) const {
  const auto found = opentelemetry_.find(service);
  return found != opentelemetry_.end() && found->second;
}

}  // namespace tracemesh::fix
