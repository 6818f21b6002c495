#include "audit/rules/code_ports.h"

#include <charconv>

namespace tracemesh::audit {
namespace {

// Whether `name` (canonical) starts a server.
bool is_run_call(const std::string& name, const Call& call) {
  if (name == "uvicorn.run" || name == "aiohttp.web.run_app" || name == "hypercorn.run")
    return true;
  // app.run(...) at module level or under `if __name__ == "__main__"` (Flask, Quart, Sanic).
  return call.function.empty() && call.callee.ends_with(".run") &&
         call.callee.find('(') == std::string::npos && call.callee != "asyncio.run";
}

}  // namespace

std::set<int> code_ports(const Fleet& fleet, const Service& service) {
  std::set<int> ports;
  const CodeIndex& index = fleet.index();
  for (const std::string& path : service.modules) {
    const ModuleView& view = index.view(path);
    for (const Call& call : view.module->calls) {
      if (!is_run_call(index.canonical(view, call.callee), call)) continue;
      for (const Keyword& keyword : call.keywords) {
        if (keyword.name != "port") continue;
        const auto function = view.functions.find(call.function);
        const auto value = fleet.values().resolve(
            view, function == view.functions.end() ? nullptr : function->second, keyword.value,
            service.name);
        if (!value) continue;
        int port = 0;
        const auto [end, error] =
            std::from_chars(value->data(), value->data() + value->size(), port);
        if (error == std::errc() && end == value->data() + value->size() && port > 0 &&
            port <= 65535)
          ports.insert(port);
      }
    }
  }
  return ports;
}

}  // namespace tracemesh::audit
