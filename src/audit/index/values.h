// The strings Python expressions hold at runtime, as far as the source
// tells: literals, f-strings, concatenation, names bound in the function or
// the module (or imported from a project module), attributes of settings
// objects and classes (pydantic BaseSettings fields read the environment),
// and environment variables (os.getenv / os.environ) through the service's
// compose environment or the default in the code. What cannot be known becomes "{expression}", so a
// path such as f"/orders/{order_id}" still reads "/orders/{order_id}".
// Safe for concurrent use (each thread's resolve() keeps its own step budget).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "audit/index/code_index.h"

namespace tracemesh::audit {

class ValueResolver {
 public:
  // `environment`: per service, the variables its deployment sets (compose
  // environment, Dockerfile ENV).
  ValueResolver(const CodeIndex& index,
                std::map<std::string, std::map<std::string, std::string>> environment);

  // The string `expression` (source text in `view`, inside `function` when
  // not null) holds in `service`; nullopt when no part of it is known.
  std::optional<std::string> resolve(const ModuleView& view, const Function* function,
                                     const std::string& expression,
                                     const std::string& service = {}) const;

 private:
  std::optional<std::string> value(const ModuleView& view, const Function* function,
                                   std::string_view expression, const std::string& service,
                                   int depth) const;
  std::optional<std::string> name_value(const ModuleView& view, const Function* function,
                                        const std::string& name, const std::string& service,
                                        int depth) const;
  std::optional<std::pair<const ModuleView*, const Class*>> class_named(
      const ModuleView& view, const std::string& name) const;
  std::optional<std::string> attribute_value(const ModuleView& view, const Class& owner,
                                             const std::string& attribute,
                                             const std::string& service, int depth) const;
  std::optional<std::string> environment_value(const ModuleView& view, const Function* function,
                                               std::string_view arguments,
                                               const std::string& service, int depth) const;

  const CodeIndex& index_;
  std::map<std::string, std::map<std::string, std::string>> environment_;
};

}  // namespace tracemesh::audit
