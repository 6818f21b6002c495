// Headers a request site gets from the callers of its function. A helper
// such as `def send(url, headers): client.get(url, headers=headers)` is as
// traced as what its callers pass; a header set only when an optional
// argument is given (`if correlation_id: headers[...] = correlation_id`) is
// never sent when no caller gives it. Both are decided only when every call
// of the function is known: calls of its name that the audit cannot resolve
// (through an object) in a service that runs it leave the site undecided.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "audit/fleet.h"
#include "audit/rules/outbound_calls.h"

namespace tracemesh::audit {

// Every call of a project function: module functions called by name or
// through an imported module, methods called on `self`. Built once, then
// only read.
class CallerIndex {
 public:
  using Caller = std::pair<const ModuleView*, const Call*>;  // the calling module, the call

  explicit CallerIndex(const Fleet& fleet);

  // The calls of `function` (qualified) of the module at `path`; null when none.
  const std::vector<Caller>* callers(const std::string& path, const std::string& function) const;

  // Whether every call of `function` of the module at `path` is known: no call
  // of its name that could not be resolved runs in a service that runs it.
  bool all_known(const std::string& path, const std::string& function) const;

  // Whether a method's first parameter is bound by the call (self, cls).
  static bool bound_first(const std::vector<std::string>& parameters);

 private:
  const Fleet& fleet_;
  std::map<std::string, std::vector<Caller>> callers_;  // "path:function" → its calls
  // Calls not resolved to a project function, by the last name of their
  // callee, with the module making each.
  std::map<std::string, std::vector<const std::string*>, std::less<>> unresolved_calls_;
};

// The parameter of `call`'s function that the header `condition` ("if
// correlation_id (in helper)") depends on, when the function's callers are
// all known and none gives it; "" otherwise.
std::string argument_never_given(const CallerIndex& known, const ModuleView& view, const Call& call,
                                 const std::string& condition);

// Decide `site` from its function's callers when its `headers=` is one of
// the function's parameters (or its **kwargs are passed on): traced when
// every caller passes a trace header, "from M of its N callers" when some
// do, untraced when none does, unresolved when they cannot all be known.
// False when the headers do not come from the callers.
bool headers_from_callers(const CallerIndex& known, const CodeIndex& code, const ModuleView& view,
                          const Call& call, OutboundCall& site);

}  // namespace tracemesh::audit
