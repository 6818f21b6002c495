#include "audit/index/values.h"

#include <algorithm>
#include <cctype>

#include "audit/python/source_text.h"
#include "model/ascii.h"

namespace tracemesh::audit {
namespace {

constexpr int max_depth = 8;
constexpr int max_steps = 4096;
constexpr std::size_t max_value_size = 4096;

}  // namespace

ValueResolver::ValueResolver(const CodeIndex& index,
                             std::map<std::string, std::map<std::string, std::string>> environment)
    : index_(index), environment_(std::move(environment)) {}

namespace {
// Name lookups made by the resolve() running on this thread (rules run on
// several threads over one resolver).
thread_local int steps = 0;
}  // namespace

std::optional<std::string> ValueResolver::resolve(const ModuleView& view, const Function* function,
                                                  const std::string& expression,
                                                  const std::string& service) const {
  steps = 0;
  auto resolved = value(view, function, expression, service, 0);
  if (resolved && resolved->size() > max_value_size) resolved->resize(max_value_size);
  return resolved;
}

std::optional<std::string> ValueResolver::value(const ModuleView& view, const Function* function,
                                                std::string_view expression,
                                                const std::string& service, int depth) const {
  expression = trim_space(expression);
  if (expression.empty() || depth > max_depth) return std::nullopt;
  if (const auto parts = split_top_level(expression, '+'); parts.size() > 1) {
    std::string joined;
    bool known = false;
    for (const std::string& part : parts) {
      const auto resolved = value(view, function, part, service, depth + 1);
      known = known || resolved.has_value();
      joined += resolved ? *resolved : "{" + part + "}";
    }
    if (!known) return std::nullopt;
    return joined;
  }
  if (const auto literal = string_literal(expression)) {
    if (literal->prefix.find('f') == std::string::npos) return literal->content;
    // An f-string: each {expression} (its !conversion and :format dropped).
    const std::string& content = literal->content;
    std::string out;
    for (std::size_t i = 0; i < content.size(); ++i) {
      if (content.compare(i, 2, "{{") == 0 || content.compare(i, 2, "}}") == 0) {
        out += content[i++];
        continue;
      }
      if (content[i] != '{') {
        out += content[i];
        continue;
      }
      int level = 0;
      std::size_t end = i;
      for (; end < content.size(); ++end) {
        if (content[end] == '{') ++level;
        if (content[end] == '}' && --level == 0) break;
      }
      std::string inner = content.substr(i + 1, end - i - 1);
      const auto cut = inner.find_first_of("!:");
      if (cut != std::string::npos && inner.compare(cut, 2, "!=") != 0) inner.resize(cut);
      const auto resolved = value(view, function, inner, service, depth + 1);
      out += resolved ? *resolved : "{" + std::string(trim_space(inner)) + "}";
      i = end;
    }
    return out;
  }
  // An integer literal (a port: `PORT = 8001`, then f"http://h:{PORT}").
  if (std::all_of(expression.begin(), expression.end(),
                  [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(expression);
  if (enclosed(expression, '(', ')')) {
    return value(view, function, expression.substr(1, expression.size() - 2), service, depth + 1);
  }
  if (is_dotted_name(expression))
    return name_value(view, function, std::string(expression), service, depth);
  // A call or a subscript: os.getenv(...), os.environ.get(...), os.environ[...], str(...).
  const std::size_t open = expression.find_first_of("([");
  if (open == std::string_view::npos || open == 0) return std::nullopt;
  const std::string callee(expression.substr(0, open));
  const std::string_view rest = expression.substr(open);
  if (!enclosed(rest, rest.front(), rest.front() == '(' ? ')' : ']')) return std::nullopt;
  const std::string_view inside = rest.substr(1, rest.size() - 2);
  const std::string name = index_.canonical(view, callee);
  if (rest.front() == '(' && (name == "os.getenv" || name == "os.environ.get")) {
    return environment_value(view, function, inside, service, depth);
  }
  if (rest.front() == '[' && name == "os.environ") {
    return environment_value(view, function, inside, service, depth);
  }
  if (rest.front() == '(' && name == "str")
    return value(view, function, inside, service, depth + 1);
  return std::nullopt;
}

std::optional<std::string> ValueResolver::name_value(const ModuleView& view,
                                                     const Function* function,
                                                     const std::string& name,
                                                     const std::string& service, int depth) const {
  // Depth bounds chains; the budget of name lookups bounds fan-out (A = B + B + ...,
  // B = C + C + ...), after which names read as unknown.
  if (++steps > max_steps) return std::nullopt;
  if (function != nullptr) {
    if (const auto local = function->locals.find(name); local != function->locals.end())
      return value(view, function, local->second, service, depth + 1);
    // A parameter: its value is the caller's, unknown here.
    const auto& parameters = function->parameters;
    if (std::find(parameters.begin(), parameters.end(), name.substr(0, name.find('.'))) !=
        parameters.end())
      return std::nullopt;
  }
  const auto& assignments = view.module->assignments;
  if (const auto global = assignments.find(name); global != assignments.end())
    return value(view, nullptr, global->second, service, depth + 1);
  // Imported: `from m import NAME`, or `import m` then `m.NAME`.
  if (const auto target = index_.imported(view, name)) {
    const auto& imported = target->first->module->assignments;
    if (const auto found = imported.find(target->second); found != imported.end())
      return value(*target->first, nullptr, found->second, service, depth + 1);
  }
  // An attribute of a settings object or class: `settings.API_PREFIX`.
  const std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || depth > max_depth) return std::nullopt;
  const std::string object = name.substr(0, dot);
  const std::string attribute = name.substr(dot + 1);
  if (const auto found = class_named(view, object)) {
    return attribute_value(*found->first, *found->second, attribute, service, depth + 1);
  }
  // The object's binding: `settings = Settings()`, here or where it is imported from.
  const ModuleView* home = &view;
  std::string bound = object;
  std::string expression;
  if (function != nullptr) {
    if (const auto local = function->locals.find(object); local != function->locals.end())
      expression = local->second;
  }
  if (expression.empty()) {
    if (const auto global = assignments.find(object); global != assignments.end()) {
      expression = global->second;
    } else if (const auto target = index_.imported(view, object)) {
      home = target->first;
      const auto found = home->module->assignments.find(target->second);
      if (found != home->module->assignments.end()) expression = found->second;
    }
  }
  const std::size_t open = expression.find('(');
  if (open == std::string::npos || expression.back() != ')') return std::nullopt;
  const auto found = class_named(*home, expression.substr(0, open));
  if (!found) return std::nullopt;
  return attribute_value(*found->first, *found->second, attribute, service, depth + 1);
}

std::optional<std::pair<const ModuleView*, const Class*>> ValueResolver::class_named(
    const ModuleView& view, const std::string& name) const {
  for (const Class& candidate : view.module->classes) {
    if (candidate.name == name) return std::make_pair(&view, &candidate);
  }
  const auto target = index_.imported(view, name);
  if (!target) return std::nullopt;
  for (const Class& candidate : target->first->module->classes) {
    if (candidate.name == target->second) return std::make_pair(target->first, &candidate);
  }
  return std::nullopt;
}

// A class attribute's value; for pydantic settings classes, the service's
// environment variable of that name first, as the settings class reads it.
std::optional<std::string> ValueResolver::attribute_value(const ModuleView& view,
                                                          const Class& owner,
                                                          const std::string& attribute,
                                                          const std::string& service,
                                                          int depth) const {
  const bool settings =
      std::any_of(owner.bases.begin(), owner.bases.end(),
                  [](const std::string& base) { return base.ends_with("BaseSettings"); });
  if (settings) {
    if (const auto deployed = environment_.find(service); deployed != environment_.end()) {
      for (const auto& [variable, set] : deployed->second) {
        if (model::ascii_iequals(variable, attribute)) return set;
      }
    }
  }
  const auto found = owner.attributes.find(attribute);
  if (found == owner.attributes.end()) return std::nullopt;
  return value(view, nullptr, found->second, service, depth + 1);
}

std::optional<std::string> ValueResolver::environment_value(const ModuleView& view,
                                                            const Function* function,
                                                            std::string_view arguments,
                                                            const std::string& service,
                                                            int depth) const {
  const auto parts = split_top_level(arguments, ',');
  const auto variable = value(view, function, parts[0], service, depth + 1);
  if (!variable) return std::nullopt;
  if (const auto deployed = environment_.find(service); deployed != environment_.end()) {
    if (const auto set = deployed->second.find(*variable); set != deployed->second.end())
      return set->second;
  }
  std::string fallback = parts.size() > 1 ? parts[1] : std::string();
  if (fallback.rfind("default=", 0) == 0) fallback = fallback.substr(8);
  if (!fallback.empty()) {
    if (auto resolved = value(view, function, fallback, service, depth + 1)) return resolved;
  }
  return "{" + *variable + "}";
}

}  // namespace tracemesh::audit
