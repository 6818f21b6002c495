// Objects (HTTP clients, MQTT clients) bound to names in a module, found
// again where they are used: kept on `self` (seen from every method of the
// class), a module global, or a local of the function that made it.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "audit/index/dotted.h"
#include "audit/python/module.h"

namespace tracemesh::audit {

// The key of the name a call's result is bound to: "class:C.attr",
// "module:name", "function:f:name"; "" when not bound.
inline std::string binding_key(const Call& call) {
  const std::string& name = call.assigned_to;
  if (name.empty()) return {};
  if (name.rfind("self.", 0) == 0)
    return "class:" + before_last(call.function) + "." + name.substr(5);
  if (call.function.empty()) return "module:" + name;
  return "function:" + call.function + ":" + name;
}

// The keys `receiver` (as written in `function`) may be bound under, most
// specific first.
inline std::vector<std::string> binding_keys(const std::string& function,
                                             const std::string& receiver) {
  std::vector<std::string> keys;
  if (receiver.rfind("self.", 0) == 0)
    keys.push_back("class:" + before_last(function) + "." + receiver.substr(5));
  keys.push_back("function:" + function + ":" + receiver);
  keys.push_back("module:" + receiver);
  return keys;
}

// What `receiver` stands for in `function` (qualified `function_name`, null
// at module level): its own binding, the class's, or the module's unless the
// function binds the same name itself (a local or a parameter hides it).
template <typename Value>
const Value* find_binding(const std::map<std::string, Value>& bindings,
                          const std::string& function_name, const Function* function,
                          const std::string& receiver) {
  const bool hidden = function != nullptr && receiver.find('.') == std::string::npos &&
                      (function->locals.contains(receiver) ||
                       std::find(function->parameters.begin(), function->parameters.end(),
                                 receiver) != function->parameters.end());
  for (const std::string& key : binding_keys(function_name, receiver)) {
    if (hidden && key.rfind("module:", 0) == 0) continue;
    if (const auto found = bindings.find(key); found != bindings.end()) return &found->second;
  }
  return nullptr;
}

}  // namespace tracemesh::audit
