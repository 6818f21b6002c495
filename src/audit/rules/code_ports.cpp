#include "audit/rules/code_ports.h"

#include <charconv>

namespace tracemesh::audit {

std::set<int> code_ports(const Fleet& fleet, const Service& service) {
  std::set<int> ports;
  const CodeIndex& index = fleet.index();
  for (const std::string& path : service.modules) {
    const ModuleView& view = index.view(path);
    for (const Call& call : view.module->calls) {
      if (!starts_server(index.canonical(view, call.callee), call)) continue;
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
