// The one small module the fixer writes when a repository has no way of
// its own to carry the trace: a context variable with the trace id of the
// request being served, `trace_headers()` for the calls it makes, and the
// inbound hook that fills the variable, in each web framework's own form
// (an HTTP middleware for FastAPI and Starlette, an aiohttp middleware, a
// before_request function for Flask and Quart).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace tracemesh::fix {

// Its file name, in the package it is written to.
inline constexpr std::string_view helper_file_name = "trace_context.py";
// What the module's first line says, so a second run knows it.
inline constexpr std::string_view helper_marker = R"("""The trace id of the request being served)";

// The kinds of inbound hook: "asgi" (an HTTP middleware of FastAPI or
// Starlette), "aiohttp", "flask", "quart" (before_request); "" for a
// framework the fixer does not know.
std::string hook_family(const std::string& framework);

// The name of the hook for `family` in a module holding hooks for
// `families`: capture_trace, suffixed with the family beside another one.
std::string hook_name(const std::string& family, const std::set<std::string>& families);

// The module's source, carrying `header`, with a hook for each of
// `families`. With `new_ids` (no service using it has middleware of its own
// that may already name the request), a header that carries a bare id (not
// traceparent or B3) gets a new id at a request that came without one.
std::string helper_module(const std::string& header, const std::set<std::string>& families,
                          bool new_ids);

// Whether `name` is an HTTP header name (an RFC 9110 token).
bool is_header_name(std::string_view name);

// The statement registering hook `hook` of `family` on `app`:
// `app.middleware("http")(capture_trace)`; "" for an unknown family.
std::string hook_registration(const std::string& family, const std::string& app,
                              const std::string& hook);

}  // namespace tracemesh::fix
