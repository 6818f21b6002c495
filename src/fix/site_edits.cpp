#include "fix/site_edits.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

constexpr std::string_view request_verbs[] = {"get",  "post",    "put",     "patch", "delete",
                                              "head", "options", "request", "stream"};

bool is_request_verb(std::string_view word) {
  return std::find(std::begin(request_verbs), std::end(request_verbs), word) !=
         std::end(request_verbs);
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

// Whether `name` is free in `function` (and the module) for a new local.
bool free_name(const audit::Function* function, const audit::ModuleView& view,
               const std::string& name) {
  if (function != nullptr &&
      (is_parameter(function, name) || function->locals.contains(name) ||
       std::find(function->names.begin(), function->names.end(), name) != function->names.end()))
    return false;
  return !view.bound.contains(name) && !view.module->assignments.contains(name);
}

}  // namespace

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

bool is_parameter(const audit::Function* function, const std::string& name) {
  return function != nullptr && std::find(function->parameters.begin(), function->parameters.end(),
                                          name) != function->parameters.end();
}

// The call of `site` in its file, when it is one the fixer can add headers
// to: the request, or functools.partial / asyncio.to_thread handed it
// (both pass their keywords on to it).
const CallSyntax* request_call(const EditedFile& file, const audit::CodeIndex& index,
                               const audit::OutboundCall& site, std::string& reason) {
  const std::string method = model::ascii_lowercase(site.method);
  for (const CallSyntax* call : file.file().calls_at(site.line)) {
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
  for (const audit::Call& handing : file.view().module->calls) {
    if (handing.line != site.line) continue;
    const std::string name = index.canonical(file.view(), handing.callee);
    if (name != "functools.partial" && name != "asyncio.to_thread") continue;
    for (const CallSyntax* call : file.file().calls_at(site.line)) {
      if (call->callee == handing.callee) return call;
    }
  }
  reason = "the request is handed to another call on this line, which may not pass headers on";
  return nullptr;
}

// Make `call` send `entry` (`**trace_headers()`, `H: var.get("")`) with
// its headers; `bare` is the value when it had none.
std::string merge_headers(EditedFile& file, const CallSyntax& call,
                          const audit::Function* enclosing, const std::string& entry,
                          const std::string& bare) {
  if (!call.headers) {
    if (call.keyword_splat) return "its keywords come from **kwargs, which may hold headers";
    const TextEdit edit = argument_edit(call, "headers=" + bare);
    file.add(edit);
    return {};
  }
  const std::string value(audit::trim_space(call.headers_text));
  if (value == "None") {
    file.add(call.headers->begin, call.headers->end, bare);
    return {};
  }
  if (const auto dict = file.file().dict_at(*call.headers)) {
    if (dict->empty) {
      file.add(call.headers->begin, call.headers->end, bare);
    } else {
      const TextEdit edit = entry_edit(*dict, entry);
      file.add(edit);
    }
    return {};
  }
  const std::string base = is_parameter(enclosing, value) ? "(" + value + " or {})" : value;
  file.add(call.headers->begin, call.headers->end, "{**" + base + ", " + entry + "}");
  return {};
}

// `inject(carrier)` before the statement of `call`, the carrier its headers.
std::string inject_before(EditedFile& file, const CallSyntax& call,
                          const audit::Function* function) {
  if (!call.in_block || !call.statement_starts_line)
    return "the call is not in a statement of its own, where inject() could go before it";
  if (!call.headers && call.keyword_splat)
    return "its keywords come from **kwargs, which may hold headers";
  const std::string inject = file.bind_external("opentelemetry.propagate", "inject");
  if (inject.empty()) return "the name inject is taken";
  const std::string value =
      call.headers ? std::string(audit::trim_space(call.headers_text)) : std::string();
  const std::string& indent = call.statement_indent;
  // A dict the function builds itself takes the context in place.
  if (function != nullptr && !value.empty() && function->locals.contains(value)) {
    const std::string binding(audit::trim_space(function->locals.at(value)));
    if (binding.starts_with("{") || binding.starts_with("dict(")) {
      file.add(call.statement_line_begin, call.statement_line_begin,
               indent + inject + "(" + value + ")\n");
      return {};
    }
  }
  std::string carrier;
  for (const char* name : {"headers", "trace_headers", "outbound_headers"}) {
    if (free_name(function, file.view(), name)) {
      carrier = name;
      break;
    }
  }
  if (carrier.empty()) return "no free name for the headers dict";
  std::string initial = "{}";
  if (!value.empty() && value != "None") {
    const bool literal = file.file().dict_at(*call.headers).has_value();
    initial = literal ? value
                      : "dict(" + (is_parameter(function, value) ? value + " or {}" : value) + ")";
  }
  file.add(call.statement_line_begin, call.statement_line_begin,
           indent + carrier + " = " + initial + "\n" + indent + inject + "(" + carrier + ")\n");
  if (call.headers) {
    file.add(call.headers->begin, call.headers->end, carrier);
  } else {
    const TextEdit edit = argument_edit(call, "headers=" + carrier);
    file.add(edit);
  }
  return {};
}

}  // namespace tracemesh::fix
