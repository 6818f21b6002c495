#include "middleware.h"

#include <algorithm>
#include <map>

namespace tracemesh::audit {
namespace {

struct Registration {
  std::string file;
  int line = 0;
  std::string kind;
  std::string evidence;  // non-empty when it reads a trace header or is an instrumentor
  std::string what;      // what was registered, for messages
};

class Finder {
 public:
  explicit Finder(const CodeIndex& index) : index_(index) {}

  std::vector<Registration> registrations(const std::string& path) const {
    const ModuleView& view = index_.view(path);
    std::vector<Registration> found;
    for (const Function& function : view.module->functions) {
      for (std::size_t at = 0; at < function.decorators.size(); ++at) {
        const std::string& decorator = function.decorators[at];
        const bool http = decorator.find(".middleware(") != std::string::npos;
        const bool before = decorator.ends_with(".before_request");
        if (!http && !before) continue;
        found.push_back({path, function.decorator_lines[at],
                         http ? "http middleware" : "before_request",
                         index_.read_evidence(view, function).how, function.qualified});
      }
    }
    for (const Call& call : view.module->calls) {
      const std::string name = index_.canonical(view, call.callee);
      if (call.callee.ends_with(".add_middleware") && !call.arguments.empty()) {
        found.push_back({path, call.line, "add_middleware", class_evidence(view, call.arguments[0]),
                         call.arguments[0]});
      } else if (call.callee.ends_with(".middlewares.append") && !call.arguments.empty()) {
        found.push_back({path, call.line, "aiohttp middlewares",
                         named_evidence(view, call.arguments[0]), call.arguments[0]});
      } else if (call.callee.ends_with(".before_request") && !call.arguments.empty()) {
        found.push_back({path, call.line, "before_request", named_evidence(view, call.arguments[0]),
                         call.arguments[0]});
      } else if (app_framework(name) == "aiohttp") {
        for (const Keyword& keyword : call.keywords) {
          if (keyword.name != "middlewares") continue;
          for (const auto& [item, called] : identifiers(keyword.value)) {
            found.push_back(
                {path, call.line, "aiohttp middlewares", named_evidence(view, item), item});
          }
        }
      } else if (is_server_instrumentor(call.callee)) {
        found.push_back({path, call.line, "opentelemetry instrumentor",
                         "OpenTelemetry " + call.callee.substr(0, call.callee.find_first_of("(.")),
                         call.callee});
      }
    }
    return found;
  }

 private:
  static bool is_server_instrumentor(const std::string& callee) {
    static const char* const names[] = {"FastAPIInstrumentor", "StarletteInstrumentor",
                                        "AioHttpServerInstrumentor", "FlaskInstrumentor"};
    return std::any_of(std::begin(names), std::end(names),
                       [&](const char* name) { return callee.find(name) != std::string::npos; }) &&
           (callee.ends_with(".instrument_app") || callee.ends_with(".instrument"));
  }

  std::string named_evidence(const ModuleView& view, const std::string& name) const {
    const auto function = index_.function_named(view, name);
    if (!function) return {};
    return index_.read_evidence(*function->first, *function->second).how;
  }

  // A middleware class (local or imported): OpenTelemetry's, or methods that read a header.
  std::string class_evidence(const ModuleView& view, const std::string& name) const {
    if (name.find("OpenTelemetryMiddleware") != std::string::npos)
      return "OpenTelemetry ASGI middleware";
    if (std::string found = index_.class_read_evidence(view, name).how; !found.empty())
      return found;
    const auto bound = view.bound.find(name);
    if (bound == view.bound.end() || bound->second.name.empty()) return {};
    const std::string file = index_.resolver().resolve(view.module->path, bound->second);
    if (file.empty()) return {};
    return index_.class_read_evidence(index_.view(file), bound->second.name).how;
  }

  const CodeIndex& index_;
};

}  // namespace

std::vector<InboundMiddleware> find_inbound_middleware(const AuditContext& context) {
  const ServiceMap& services = context.services();
  const Finder finder(context.index());
  // A shared library's registrations count for each service using it: find them once.
  std::map<std::string, std::vector<Registration>> library_registrations;
  for (const SharedLibrary& library : services.libraries) {
    for (const std::string& path : library.modules)
      library_registrations[path] = finder.registrations(path);
  }
  std::vector<InboundMiddleware> results;
  for (const Service& service : services.services) {
    InboundMiddleware result;
    result.service = service.name;
    if (!service.audited()) {
      result.detail = "not audited: a " + std::string(language_name(service.language)) + " service";
      results.push_back(std::move(result));
      continue;
    }
    const std::set<std::string>& served = context.served(service.name);
    std::vector<Registration> found;
    for (const std::string& path : service.modules) {
      if (is_test_file(path)) continue;
      auto registrations = finder.registrations(path);
      found.insert(found.end(), registrations.begin(), registrations.end());
    }
    for (const SharedLibrary& library : services.libraries) {
      if (std::find(library.used_by.begin(), library.used_by.end(), service.name) ==
          library.used_by.end())
        continue;
      for (const std::string& path : library.modules) {
        const auto& registrations = library_registrations.at(path);
        found.insert(found.end(), registrations.begin(), registrations.end());
      }
    }
    if (service.has_http_server && service.auto_instrumented()) {
      result.present = true;
      result.kind = "opentelemetry-instrument";
      result.detail = "started by the opentelemetry-instrument launcher";
      results.push_back(std::move(result));
      continue;
    }
    const Registration* best = nullptr;
    for (const Registration& registration : found) {
      if (!registration.evidence.empty() && served.contains(registration.file)) {
        result.present = true;
        result.file = registration.file;
        result.line = registration.line;
        result.kind = registration.kind;
        result.detail = registration.what + ": " + registration.evidence;
        break;
      }
      if (best == nullptr || (!registration.evidence.empty() && best->evidence.empty()))
        best = &registration;
    }
    if (!result.present) {
      if (best == nullptr) {
        result.detail = service.has_http_server ? "no middleware registered" : "no HTTP server";
      } else {
        result.file = best->file;
        result.line = best->line;
        result.kind = best->kind;
        result.detail = best->evidence.empty() ? best->what + " reads no trace header"
                                               : best->what + " is registered in " + best->file +
                                                     ", which no module the service serves imports";
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace tracemesh::audit
