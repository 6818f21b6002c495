#include "audit/index/code_index.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"

namespace tracemesh::audit {

// The identifiers in a piece of source text, and whether each is called.
std::vector<std::pair<std::string, bool>> identifiers(std::string_view text) {
  std::vector<std::pair<std::string, bool>> found;
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"' || c == '\'') {  // skip string literals
      const std::size_t end = text.find(c, at + 1);
      at = end == std::string_view::npos ? text.size() : end + 1;
      continue;
    }
    const bool start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!start) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() &&
           ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= 'A' && text[end] <= 'Z') ||
            (text[end] >= '0' && text[end] <= '9') || text[end] == '_' || text[end] == '.')) {
      ++end;
    }
    std::string word(text.substr(at, end - at));
    while (!word.empty() && word.back() == '.') word.pop_back();
    found.emplace_back(std::move(word), end < text.size() && text[end] == '(');
    at = end;
  }
  return found;
}

CodeIndex::CodeIndex(const Repository& repository, const TraceHeaders& headers)
    : headers_(headers), resolver_(repository) {
  for (const PythonModule& module : repository.modules) {
    ModuleView& view = views_[module.path];
    view.module = &module;
    for (const Import& import : module.imports) {
      if (!import.alias.empty()) view.bound[import.alias] = import;
    }
    // Resolved once here: the rules ask for the same names again and again.
    for (const auto& [alias, import] : view.bound) {
      if (std::string file = resolver_.resolve(module.path, import); !file.empty())
        view.bound_files.emplace(alias, std::move(file));
    }
    for (const Function& function : module.functions)
      view.functions[function.qualified] = &function;
    for (const Call& call : module.calls) view.calls[call.function].push_back(&call);
  }
}

// The dotted name `callee` stands for, through the module's imports.
std::string CodeIndex::canonical(const ModuleView& view, const std::string& callee) const {
  const std::size_t dot = callee.find('.');
  const std::string first = callee.substr(0, dot);
  const auto bound = view.bound.find(first);
  if (bound == view.bound.end()) return callee;
  const Import& import = bound->second;
  std::string base = import.name.empty() ? import.module : import.module + "." + import.name;
  if (import.name.empty() && import.alias == first && import.module.rfind(first + ".", 0) == 0) {
    base = first;  // `import urllib.request` binds `urllib`
  }
  return dot == std::string::npos ? base : base + callee.substr(dot);
}

std::optional<std::pair<const ModuleView*, std::string>> CodeIndex::imported(
    const ModuleView& view, const std::string& name) const {
  const std::size_t dot = name.find('.');
  const std::string first = name.substr(0, dot);
  const auto resolved = view.bound_files.find(first);
  if (resolved == view.bound_files.end()) return std::nullopt;
  const std::string& file = resolved->second;
  // `from m import f` → f in m; `import m` (or `from p import m`) then `m.f` → f in m.
  const Import& import = view.bound.at(first);
  // `from package import submodule` binds the submodule's file; `from m
  // import name` binds a name in m's file (also when m is named like it).
  const auto is_submodule = [&] {
    // Cheap first: the file must be named like the imported name.
    if (!file.ends_with(import.name + ".py") && !file.ends_with(import.name + "/__init__.py"))
      return false;
    const std::size_t start = std::min(import.module.find_first_not_of('.'), import.module.size());
    std::string submodule = import.module.substr(start);
    std::replace(submodule.begin(), submodule.end(), '.', '/');
    submodule = "/" + (submodule.empty() ? std::string() : submodule + "/") + import.name;
    const std::string slashed = "/" + file;
    return slashed.ends_with(submodule + ".py") || slashed.ends_with(submodule + "/__init__.py");
  };
  std::string inside = import.name.empty() || is_submodule()
                           ? (dot == std::string::npos ? std::string() : name.substr(dot + 1))
                           : import.name + (dot == std::string::npos ? "" : name.substr(dot));
  if (inside.empty()) return std::nullopt;
  return std::make_pair(&views_.at(file), std::move(inside));
}

// The project function `name` (as used in `view`) refers to.
std::optional<std::pair<const ModuleView*, const Function*>> CodeIndex::function_named(
    const ModuleView& view, const std::string& name) const {
  if (const auto local = view.functions.find(name); local != view.functions.end()) {
    return std::make_pair(&view, local->second);
  }
  const auto target = imported(view, name);
  if (!target) return std::nullopt;
  const auto found = target->first->functions.find(target->second);
  if (found == target->first->functions.end()) return std::nullopt;
  return std::make_pair(target->first, found->second);
}

// The value of constant `name` as used in `view`, when it is a string.
std::optional<std::string> CodeIndex::constant_named(const ModuleView& view,
                                                     const std::string& name) const {
  if (const auto local = view.module->constants.find(name); local != view.module->constants.end()) {
    return local->second;
  }
  const auto target = imported(view, name);
  if (!target) return std::nullopt;
  const auto& constants = target->first->module->constants;
  const auto found = constants.find(target->second);
  if (found == constants.end()) return std::nullopt;
  return found->second;
}

// The string a class attribute holds (`HEADER = "X-Request-ID"` in the class body).
std::optional<std::string> CodeIndex::class_constant(const ModuleView& view,
                                                     const std::string& class_name,
                                                     const std::string& attribute) const {
  for (const Class& found : view.module->classes) {
    if (found.name != class_name) continue;
    const auto value = found.attributes.find(attribute);
    if (value == found.attributes.end()) return std::nullopt;
    if (const auto literal = string_literal(value->second)) return literal->content;
    return constant_named(view, value->second);
  }
  return std::nullopt;
}

namespace {

// The header a WSGI environ key names (Django's request.META): HTTP_X_REQUEST_ID →
// X-REQUEST-ID; "" for any other key.
std::string environ_header(const std::string& key) {
  if (key.size() <= 5 || key.compare(0, 5, "HTTP_") != 0) return {};
  std::string header = key.substr(5);
  std::replace(header.begin(), header.end(), '_', '-');
  return header;
}

// "if tid (in trace_headers)": the guard of `used` in `function`, or "".
std::string guard_of(const Function& function, const std::string& used) {
  const auto found = function.guards.find(used);
  return found == function.guards.end() ? std::string()
                                        : found->second + " (in " + function.qualified + ")";
}

}  // namespace

// Evidence that `function` puts a trace header on requests.
Evidence CodeIndex::function_evidence(const ModuleView& view, const Function& function,
                                      int depth) const {
  for (const std::string& text : function.strings) {
    if (headers_.contains(text)) return {"uses " + text, guard_of(function, text)};
  }
  for (const std::string& name : function.names) {
    if (const auto value = constant_named(view, name); value && headers_.contains(*value)) {
      return {"uses " + *value + " (" + name + ")", guard_of(function, name)};
    }
  }
  for (const Call* each : view.calls_in(function.qualified)) {
    const Call& call = *each;
    const std::string callee = call.callee.substr(0, call.callee.find('.'));
    if (const std::string name = canonical(view, call.callee);
        name == "opentelemetry.propagate.inject" || name == "opentelemetry.propagate.extract") {
      return {"calls " + name, guard_of(function, callee)};
    }
    if (depth >= 3) continue;
    if (const auto helper = function_named(view, call.callee)) {
      Evidence found = function_evidence(*helper->first, *helper->second, depth + 1);
      if (!found) continue;
      found.how = "via " + helper->second->qualified + ", which " + found.how;
      if (found.condition.empty()) found.condition = guard_of(function, callee);
      return found;
    }
  }
  return {};
}

// Evidence in a piece of source (a headers= value, an event hook list).
Evidence CodeIndex::expression_evidence(const ModuleView& view, const std::string& text,
                                        const std::string& enclosing, int depth) const {
  // `{...} if tid else {}`: whatever is found holds only under the condition.
  std::string inline_condition;
  if (const std::size_t at = text.find(" if "); at != std::string::npos) {
    const std::size_t otherwise = text.find(" else ", at);
    if (otherwise != std::string::npos)
      inline_condition = "if " + text.substr(at + 4, otherwise - at - 4);
  }
  const auto with_condition = [&](Evidence found) {
    if (found.condition.empty()) found.condition = inline_condition;
    return found;
  };
  if (const std::string literal = headers_.in_source(text); !literal.empty()) {
    return with_condition({"explicit " + literal + " header", {}});
  }
  // Of several pieces (`{**headers, **trace_headers()}`), the one that holds
  // most often: unconditional, else under a condition that is not on a
  // parameter of the enclosing function (which its callers may never give).
  const auto enclosing_function = view.functions.find(enclosing);
  const auto rank = [&](const Evidence& found) {
    if (found.condition.empty()) return 0;
    if (enclosing_function == view.functions.end()) return 1;
    const auto& parameters = enclosing_function->second->parameters;
    for (const auto& [word, called] : identifiers(found.condition)) {
      if (std::find(parameters.begin(), parameters.end(), word) != parameters.end()) return 2;
    }
    return 1;
  };
  Evidence best;
  int best_rank = 3;
  const auto consider = [&](Evidence found) {
    found = with_condition(std::move(found));
    if (const int ranked = rank(found); ranked < best_rank) {
      best = std::move(found);
      best_rank = ranked;
    }
    return best_rank == 0;
  };
  for (const auto& [name, called] : identifiers(text)) {
    if (const auto value = constant_named(view, name); value && headers_.contains(*value)) {
      if (consider({"header constant " + name + " (" + *value + ")", {}})) return best;
      continue;
    }
    if (const auto function = function_named(view, name)) {
      Evidence found = function_evidence(*function->first, *function->second, 0);
      if (!found) continue;
      found.how =
          (called ? "header helper " : "hook ") + function->second->qualified + " " + found.how;
      if (consider(std::move(found))) return best;
      continue;
    }
    // A local variable of the enclosing function, or of a function it is
    // nested in (a closure): what it was bound to and set on it.
    if (!called && !enclosing.empty() && depth < 3) {
      const std::string& local = name;  // a structured binding is not captured before clang 16
      const auto binds = [&local](const Function& function) {
        return function.locals.contains(local) ||
               std::find(function.parameters.begin(), function.parameters.end(), local) !=
                   function.parameters.end();
      };
      for (std::string scope = enclosing; !scope.empty(); scope = before_last(scope)) {
        const auto function = view.functions.find(scope);
        if (function == view.functions.end()) break;
        if (scope != enclosing && !binds(*function->second)) continue;
        Evidence found = local_evidence(view, *function->second, name, depth + 1);
        if (found) {
          found.how = "headers built in " + scope + ", which " + found.how;
          if (consider(std::move(found))) return best;
          break;
        }
        if (binds(*function->second)) break;  // bound here, without a trace header
      }
    }
  }
  return best;
}

// Evidence that local `name` of `function` holds a trace header: its binding,
// `name[KEY] = ...` with a header KEY, `name.update(...)` / `setdefault(...)`
// with one, or `inject(name)`.
Evidence CodeIndex::local_evidence(const ModuleView& view, const Function& function,
                                   const std::string& name, int depth) const {
  if (const auto local = function.locals.find(name); local != function.locals.end()) {
    if (Evidence found = expression_evidence(view, local->second, function.qualified, depth))
      return found;
  }
  for (const ItemSet& item : function.item_sets) {
    if (item.target != name) continue;
    std::optional<std::string> header;
    if (const auto literal = string_literal(item.key)) {
      header = literal->content;
    } else {
      header = constant_named(view, item.key);
    }
    if (!header || !headers_.contains(*header)) continue;
    const std::string how =
        "sets " + *header +
        (header == item.key || string_literal(item.key) ? std::string() : " (" + item.key + ")");
    return {how,
            item.guard.empty() ? std::string() : item.guard + " (in " + function.qualified + ")"};
  }
  for (const Call* each : view.calls_in(function.qualified)) {
    const Call& call = *each;
    if (call.callee == name + ".update" || call.callee == name + ".setdefault") {
      std::string arguments;
      for (const std::string& argument : call.arguments) arguments += argument + ",";
      for (const Keyword& keyword : call.keywords) arguments += "\"" + keyword.name + "\",";
      if (Evidence found = expression_evidence(view, arguments, function.qualified, depth + 1))
        return {found.how, found.condition.empty() ? guard_of(function, name) : found.condition};
    }
    if (!call.arguments.empty() && call.arguments[0] == name &&
        canonical(view, call.callee) == "opentelemetry.propagate.inject") {
      return {"calls opentelemetry.propagate.inject", {}};
    }
  }
  return {};
}

// Evidence that `function` reads a trace header from a request:
// `X.get(HEADER)` and friends (request.headers, a dict of the ASGI scope's
// headers), or opentelemetry.propagate.extract; through helpers three deep.
Evidence CodeIndex::read_evidence(const ModuleView& view, const Function& function,
                                  int depth) const {
  static const std::string_view getters[] = {"get",       "getall",     "getlist", "get_all",
                                             "getheader", "get_header", "getone"};
  for (const Call* each : view.calls_in(function.qualified)) {
    const Call& call = *each;
    const std::string name = canonical(view, call.callee);
    if (name == "opentelemetry.propagate.extract") return {"calls " + name, {}};
    const std::size_t dot = call.callee.rfind('.');
    const std::string verb = dot == std::string::npos ? call.callee : call.callee.substr(dot + 1);
    if (dot != std::string::npos && !call.arguments.empty() &&
        std::find(std::begin(getters), std::end(getters), verb) != std::end(getters)) {
      const std::string& argument = call.arguments[0];
      std::optional<std::string> header;
      if (const auto literal = string_literal(argument)) {
        header = literal->content;
      } else if (argument.rfind("self.", 0) == 0 || argument.rfind("cls.", 0) == 0) {
        header = class_constant(view, function.class_name, after_last(argument));
      } else {
        header = constant_named(view, argument);
      }
      if (header && (headers_.contains(*header) || headers_.contains(environ_header(*header)))) {
        return {"reads " + *header + (string_literal(argument) ? "" : " (" + argument + ")"), {}};
      }
    }
    if (depth >= 3) continue;
    if (const auto helper = function_named(view, call.callee)) {
      Evidence found = read_evidence(*helper->first, *helper->second, depth + 1);
      if (!found) continue;
      found.how = "via " + helper->second->qualified + ", which " + found.how;
      return found;
    }
  }
  return {};
}

Evidence CodeIndex::class_read_evidence(const ModuleView& view, const std::string& name) const {
  return in_methods(view, name, &CodeIndex::read_evidence);
}

Evidence CodeIndex::class_evidence(const ModuleView& view, const std::string& name) const {
  return in_methods(view, name, &CodeIndex::function_evidence);
}

// The first evidence `find` gives for a method of class `name`.
Evidence CodeIndex::in_methods(const ModuleView& view, const std::string& name,
                               FunctionRule find) const {
  for (const auto& [qualified, function] : view.functions) {
    if (function->class_name != name) continue;
    if (Evidence found = (this->*find)(view, *function, 1)) return found;
  }
  return {};
}

}  // namespace tracemesh::audit
