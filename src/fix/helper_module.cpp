#include "fix/helper_module.h"

#include <algorithm>

#include "model/ascii.h"

namespace tracemesh::fix {
namespace {

bool carries_bare_id(const std::string& header) {
  const std::string lower = model::ascii_lowercase(header);
  return lower != "traceparent" && lower != "tracestate" && lower != "b3" &&
         !lower.starts_with("x-b3-");
}

}  // namespace

std::string hook_family(const std::string& framework) {
  if (framework == "fastapi" || framework == "starlette") return "asgi";
  if (framework == "aiohttp" || framework == "flask" || framework == "quart") return framework;
  return {};
}

std::string hook_name(const std::string& family, const std::set<std::string>& families) {
  // The first family (in the set's order) keeps the plain name.
  return families.empty() || *families.begin() == family ? "capture_trace"
                                                         : "capture_trace_" + family;
}

bool is_header_name(std::string_view name) {
  static constexpr std::string_view symbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           symbols.find(c) != std::string_view::npos;
  });
}

std::string helper_module(const std::string& header, const std::set<std::string>& families,
                          bool new_ids_wanted) {
  const bool web = !families.empty();
  const bool new_ids = web && new_ids_wanted && carries_bare_id(header);
  std::string out;
  out += helper_marker;
  out += ", for the calls it makes.\n\nWritten by `tracemesh fix`. ";
  out += web ? "The service's inbound hook keeps the trace id\n"
             : "Where the service's work begins (a message, a job),\nuse_trace_id(ID) keeps the "
               "trace id ";
  out += "that comes in " + header + "; trace_headers() gives it back\n";
  out += "for the calls made meanwhile, so the next service continues the trace.\n\"\"\"\n\n";
  out += "import contextvars\n";
  if (new_ids) out += "import uuid\n";
  out += "\nTRACE_HEADER = \"" + header + "\"\n\n";
  out += "_trace_id = contextvars.ContextVar(\"trace_id\", default=\"\")\n\n\n";
  out += "def trace_headers():\n";
  out += "    \"\"\"The header carrying the current trace id; {} when there is none.\"\"\"\n";
  out += "    value = _trace_id.get()\n";
  out += "    return {TRACE_HEADER: value} if value else {}\n\n\n";
  out += "def use_trace_id(value):\n";
  out +=
      "    \"\"\"Keep `value` as the current trace id; returns the token _trace_id.reset "
      "takes.\"\"\"\n";
  out += "    return _trace_id.set(value or \"\")\n";
  const std::string inbound = new_ids ? "request.headers.get(TRACE_HEADER) or uuid.uuid4().hex"
                                      : "request.headers.get(TRACE_HEADER, \"\")";
  for (const std::string& family : families) {
    const std::string name = hook_name(family, families);
    if (family == "asgi") {
      out += "\n\nasync def " + name + "(request, call_next):\n";
      out += "    \"\"\"HTTP middleware: keep the request's trace id while it is served.\"\"\"\n";
      out += "    token = _trace_id.set(" + inbound + ")\n";
      out += "    try:\n        return await call_next(request)\n";
      out += "    finally:\n        _trace_id.reset(token)\n";
    } else if (family == "aiohttp") {
      out += "\n\nasync def " + name + "(request, handler):\n";
      out +=
          "    \"\"\"aiohttp middleware: keep the request's trace id while it is served.\"\"\"\n";
      out += "    token = _trace_id.set(" + inbound + ")\n";
      out += "    try:\n        return await handler(request)\n";
      out += "    finally:\n        _trace_id.reset(token)\n\n\n";
      // What aiohttp's @web.middleware sets, without importing aiohttp here
      // (a service of another framework may share this module).
      out += name + ".__middleware_version__ = 1\n";
    } else if (family == "flask" || family == "quart") {
      out += std::string("\n\n") + (family == "quart" ? "async " : "") + "def " + name + "():\n";
      out += "    \"\"\"before_request: keep the request's trace id while it is served.\"\"\"\n";
      out += "    from " + family + " import request\n\n";
      out += "    _trace_id.set(" + inbound + ")\n";
    }
  }
  return out;
}

std::string hook_registration(const std::string& family, const std::string& app,
                              const std::string& hook) {
  if (family == "asgi") return app + ".middleware(\"http\")(" + hook + ")";
  if (family == "aiohttp") return app + ".middlewares.append(" + hook + ")";
  if (family == "flask" || family == "quart") return app + ".before_request(" + hook + ")";
  return {};
}

}  // namespace tracemesh::fix
