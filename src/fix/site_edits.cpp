#include "fix/site_edits.h"

#include <algorithm>

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

// The prefix that lines a new line up with the column of byte `at` (tabs kept).
std::string visual_indent(std::string_view text, std::size_t at) {
  const std::size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
  std::string indent(text.substr(begin, at - begin));
  for (char& c : indent) {
    if (c != '\t') c = ' ';
  }
  return indent;
}

// The width of the line holding byte `at`.
std::size_t line_width(std::string_view text, std::size_t at) {
  const std::size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
  std::size_t end = text.find('\n', at);
  if (end == std::string_view::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return end - begin;
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

// Whether `name` is a local of `function` bound to a dict it builds (a
// display or dict(...)), never None.
bool builds_dict(const audit::Function* function, const std::string& name) {
  if (function == nullptr) return false;
  const auto local = function->locals.find(name);
  if (local == function->locals.end()) return false;
  const std::string_view binding = audit::trim_space(local->second);
  return audit::enclosed(binding, '{', '}') ||
         (binding.starts_with("dict(") && audit::enclosed(binding.substr(4), '(', ')'));
}

// `value or {}`, with `value` in parentheses unless it is a name (`a if b
// else None or {}` would bind the `or` to None).
std::string or_empty(const std::string& value) {
  return (audit::is_dotted_name(value) ? value : "(" + value + ")") + " or {}";
}

// How many calls of `function` pass `name` as their headers.
std::size_t headers_uses(const audit::ModuleView& view, const audit::Function& function,
                         const std::string& name) {
  std::size_t uses = 0;
  for (const audit::Call* call : view.calls_in(function.qualified)) {
    for (const audit::Keyword& keyword : call->keywords) {
      if (keyword.name == "headers" && audit::trim_space(keyword.value) == name) ++uses;
    }
  }
  return uses;
}

}  // namespace

TextEdit append_item(const PythonFile& file, const ListLayout& list, const std::string& item) {
  if (list.empty) return {list.last_end, list.last_end, item};
  if (list.multiline) {
    if (list.trailing_comma)
      return {list.comma_end, list.comma_end, "\n" + list.indent + item + ","};
    return {list.last_end, list.last_end, ",\n" + list.indent + item};
  }
  const std::size_t at = list.trailing_comma ? list.comma_end : list.last_end;
  const std::string same_line = (list.trailing_comma ? " " : ", ") + item;
  if (line_width(file.text(), at) + same_line.size() <= file.wrap_width())
    return {at, at, same_line};
  // Too long for its line: on a line of its own, under the list's first item.
  return {at, at,
          std::string(list.trailing_comma ? "" : ",") + "\n" +
              visual_indent(file.text(), list.open + 1) + item};
}

bool is_parameter(const audit::Function* function, const std::string& name) {
  return function != nullptr && std::find(function->parameters.begin(), function->parameters.end(),
                                          name) != function->parameters.end();
}

// The call of `site` in its file, when it is one the fixer can add headers
// to: the request, or functools.partial / asyncio.to_thread handed it
// (both pass their keywords on to it).
const CallSyntax* request_call(const EditedFile& file, const audit::CodeIndex& index,
                               const audit::OutboundCall& site, std::size_t ordinal,
                               std::string& reason) {
  const std::string method = model::ascii_lowercase(site.method);
  std::vector<const CallSyntax*> candidates;  // the line's requests of that method, in order
  for (const CallSyntax* call : file.file().calls_at(site.line)) {
    const std::string verb = audit::after_last(call->callee);
    bool handing = false;
    for (const audit::Call& known : file.view().module->calls) {
      if (known.line != site.line || known.callee != call->callee) continue;
      const std::string name = index.canonical(file.view(), known.callee);
      handing = name == "functools.partial" || name == "asyncio.to_thread";
    }
    if (handing || verb == "send" || verb == "urlopen" ||
        (audit::is_request_verb(verb) &&
         (method.empty() || verb == method || verb == "request" || verb == "stream")))
      candidates.push_back(call);
  }
  if (ordinal >= candidates.size()) {
    reason = "the request is handed to another call on this line, which may not pass headers on";
    return nullptr;
  }
  const std::string verb = audit::after_last(candidates[ordinal]->callee);
  if (verb == "send") {
    reason = "client.send(request): the headers belong to the request it sends (build_request)";
    return nullptr;
  }
  if (verb == "urlopen") {
    reason = "urllib urlopen: the headers belong to its Request";
    return nullptr;
  }
  return candidates[ordinal];
}

TextEdit prepend_item(const ListLayout& list, const std::string& item) {
  if (list.first_on_own_line)
    return {list.first_begin, list.first_begin, item + ",\n" + list.first_indent};
  return {list.first_begin, list.first_begin, item + ", "};
}

bool requests_on_line(const EditedFile& file, int line) {
  const auto calls = file.file().calls_at(line);
  return std::any_of(calls.begin(), calls.end(), [](const CallSyntax* call) {
    return audit::is_request_verb(audit::after_last(call->callee));
  });
}

bool shadowed(const audit::Function* function, const std::string& name) {
  const std::string first = name.substr(0, name.find('.'));
  return function != nullptr && (is_parameter(function, first) || function->locals.contains(first));
}

// Make `call` send `entry` (`**trace_headers()`, `H: var.get("")`) with
// its headers; `bare` is the value when it had none.
std::string merge_headers(EditedFile& file, const CallSyntax& call,
                          const audit::Function* enclosing, const std::string& entry,
                          const std::string& bare) {
  if (!call.headers) {
    if (call.keyword_splat) return "its keywords come from **kwargs, which may hold headers";
    const TextEdit edit = append_item(file.file(), call.argument_list, "headers=" + bare);
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
      file.add(prepend_item(*dict, entry));
    }
    return {};
  }
  // Anything but a dict the function builds may be None (`headers=extra`,
  // `headers=extra or None`): `**` of None fails, so it goes in `(... or {})`.
  const std::string base = builds_dict(enclosing, value) ? value : "(" + or_empty(value) + ")";
  const std::string merged = "{" + entry + ", **" + base + "}";
  const std::size_t width = line_width(file.file().text(), call.headers->begin) + merged.size() -
                            (call.headers->end - call.headers->begin);
  file.add(call.headers->begin, call.headers->end,
           width <= file.file().wrap_width()
               ? merged
               : "{" + entry + ",\n" + visual_indent(file.file().text(), call.headers->begin + 1) +
                     "**" + base + "}");
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
  if (inject.empty() || shadowed(function, inject)) return "the name inject is taken";
  const std::string value =
      call.headers ? std::string(audit::trim_space(call.headers_text)) : std::string();
  const std::string& indent = call.statement_indent;
  // A dict the function builds itself, for this call alone, takes the
  // context in place (one passed to other calls too might carry it to a
  // third party).
  if (builds_dict(function, value) && headers_uses(file.view(), *function, value) == 1) {
    file.add(call.statement_line_begin, call.statement_line_begin,
             indent + inject + "(" + value + ")\n");
    return {};
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
    initial = literal                        ? value
              : builds_dict(function, value) ? "dict(" + value + ")"
                                             : "dict(" + or_empty(value) + ")";
  }
  file.add(call.statement_line_begin, call.statement_line_begin,
           indent + carrier + " = " + initial + "\n" + indent + inject + "(" + carrier + ")\n");
  if (call.headers) {
    file.add(call.headers->begin, call.headers->end, carrier);
  } else {
    const TextEdit edit = append_item(file.file(), call.argument_list, "headers=" + carrier);
    file.add(edit);
  }
  return {};
}

}  // namespace tracemesh::fix
