#include "audit/rules/caller_headers.h"

#include "audit/index/code_index.h"
#include "audit/index/dotted.h"

#include <algorithm>

namespace tracemesh::audit {

CallerIndex::CallerIndex(const Fleet& fleet) : fleet_(fleet) {
  const CodeIndex& index = fleet.index();

  for (const auto& [path, view] : index.views()) {
    if (is_test_file(path)) continue;
    for (const Call& call : view.module->calls) {
      if (call.callee.find_first_of("([ ") != std::string::npos) continue;
      if (call.callee.rfind("self.", 0) == 0) {
        const std::string method = before_last(call.function) + call.callee.substr(4);
        if (view.functions.contains(method)) {
          callers_[path + ":" + method].emplace_back(&view, &call);
          continue;
        }
      } else if (const auto function = index.function_named(view, call.callee)) {
        callers_[function->first->module->path + ":" + function->second->qualified].emplace_back(
            &view, &call);
        continue;
      }
      unresolved_calls_[after_last(call.callee)].push_back(&path);
    }
  }
}

const std::vector<CallerIndex::Caller>* CallerIndex::callers(const std::string& path,
                                                             const std::string& function) const {
  const auto found = callers_.find(path + ":" + function);
  return found == callers_.end() ? nullptr : &found->second;
}

bool CallerIndex::bound_first(const std::vector<std::string>& parameters) {
  return !parameters.empty() && (parameters[0] == "self" || parameters[0] == "cls");
}

bool CallerIndex::all_known(const std::string& path, const std::string& function) const {
  const auto named = unresolved_calls_.find(after_last(function));
  if (named == unresolved_calls_.end()) return true;
  const auto& services = fleet_.services_of(path);
  return std::none_of(named->second.begin(), named->second.end(), [&](const std::string* caller) {
    const auto& callers = fleet_.services_of(*caller);
    return std::any_of(callers.begin(), callers.end(), [&](const std::string& service) {
      return std::find(services.begin(), services.end(), service) != services.end();
    });
  });
}

std::string argument_never_given(const CallerIndex& known, const ModuleView& view, const Call& call,
                                 const std::string& condition) {
  const auto function = view.functions.find(call.function);
  if (function == view.functions.end() || condition.empty()) return {};
  const auto& parameters = function->second->parameters;
  const auto* callers = known.callers(view.module->path, call.function);
  if (callers == nullptr || !known.all_known(view.module->path, call.function)) return {};
  const std::string guard = condition.substr(0, condition.find(" (in "));
  for (const auto& [identifier, called] : identifiers(guard)) {
    const std::string name = identifier;  // a structured binding is not captured before clang 16
    const auto at = std::find(parameters.begin(), parameters.end(), name);
    if (called || at == parameters.end()) continue;
    const std::size_t index = static_cast<std::size_t>(at - parameters.begin()) -
                              (CallerIndex::bound_first(parameters) ? 1 : 0);
    const bool given = std::any_of((*callers).begin(), (*callers).end(), [&](const auto& each) {
      const Call* caller = each.second;
      // `f(*args)` / `f(**options)` may give it: not a "no".
      return caller->arguments.size() > index ||
             std::any_of(caller->arguments.begin(), caller->arguments.end(),
                         [](const std::string& a) { return a.rfind('*', 0) == 0; }) ||
             std::any_of(caller->keywords.begin(), caller->keywords.end(),
                         [&](const Keyword& keyword) { return keyword.name == name; });
    });
    if (!given) return name;
  }
  return {};
}

bool headers_from_callers(const CallerIndex& known, const CodeIndex& code, const ModuleView& view,
                          const Call& call, OutboundCall& site) {
  const auto function = view.functions.find(call.function);
  if (function == view.functions.end()) return false;
  const auto& parameters = function->second->parameters;
  const auto is_parameter = [&](const std::string& name) {
    return std::find(parameters.begin(), parameters.end(), name) != parameters.end();
  };
  std::string parameter;       // the calling function's parameter holding the headers
  std::string caller_keyword;  // the keyword its callers pass them as
  for (const Keyword& keyword : call.keywords) {
    if (keyword.name == "headers" && is_parameter(keyword.value))
      parameter = caller_keyword = keyword.value;
  }
  if (parameter.empty()) {
    const bool has_headers = std::any_of(call.keywords.begin(), call.keywords.end(),
                                         [](const Keyword& k) { return k.name == "headers"; });
    for (const std::string& argument : call.arguments) {
      if (!has_headers && argument.rfind("**", 0) == 0 && is_parameter(argument.substr(2))) {
        parameter = argument.substr(2);
        caller_keyword = "headers";
      }
    }
  }
  if (parameter.empty()) return false;
  const std::string where = "parameter " + parameter + " of " + call.function;
  const auto* callers = known.callers(view.module->path, call.function);
  if (callers == nullptr || callers->empty()) {
    site.unresolved = "headers come from " + where + ", and no call of it was found";
    site.how = site.unresolved;
    return true;
  }
  if (!known.all_known(view.module->path, call.function)) {
    site.unresolved = "headers come from " + where + ", and not every call of it was followed";
    site.how = site.unresolved;
    return true;
  }
  const bool kwargs = caller_keyword != parameter;
  const std::size_t index =
      static_cast<std::size_t>(std::find(parameters.begin(), parameters.end(), parameter) -
                               parameters.begin() - (CallerIndex::bound_first(parameters) ? 1 : 0));
  std::size_t traced = 0;
  Evidence first;
  for (const auto& [caller_view, caller] : (*callers)) {
    if (std::any_of(caller->arguments.begin(), caller->arguments.end(),
                    [](const std::string& a) { return a.rfind('*', 0) == 0; })) {
      site.unresolved = "headers come from " + where + ", and a caller passes them on unpacked";
      site.how = site.unresolved;
      return true;
    }
    std::string passed;
    if (!kwargs && index < caller->arguments.size()) passed = caller->arguments[index];
    for (const Keyword& keyword : caller->keywords) {
      if (keyword.name == caller_keyword) passed = keyword.value;
    }
    if (passed.empty()) continue;
    if (Evidence evidence = code.expression_evidence(*caller_view, passed, caller->function)) {
      if (!first) first = std::move(evidence);
      ++traced;
    }
  }
  const std::size_t total = (*callers).size();
  if (traced == 0) {
    site.how = "headers come from " + where + "; none of its " + std::to_string(total) +
               " callers passes a trace header";
    return true;
  }
  site.propagates_trace = true;
  site.how = "headers from the callers of " + call.function + ": " + first.how;
  if (traced < total) {
    site.propagation_condition =
        "from " + std::to_string(traced) + " of its " + std::to_string(total) + " callers";
  }
  return true;
}

}  // namespace tracemesh::audit
