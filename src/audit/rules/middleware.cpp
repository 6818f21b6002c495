#include "audit/rules/middleware.h"

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
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

// Middleware of third-party packages that read an inbound trace or request
// id header, by the dotted name of the class or setup function.
struct KnownMiddleware {
  std::string_view prefix;
  std::string_view reads;
};
constexpr KnownMiddleware known_middleware[] = {
    {"opentelemetry.instrumentation.wsgi.OpenTelemetryMiddleware", "OpenTelemetry WSGI middleware"},
    {"opentelemetry.instrumentation.asgi.OpenTelemetryMiddleware", "OpenTelemetry ASGI middleware"},
    {"asgi_correlation_id.", "asgi-correlation-id: reads X-Request-ID"},
    {"flask_request_id_header.", "flask-request-id-header: reads X-Request-ID"},
    {"django_guid.", "django-guid: reads Correlation-ID"},
    {"aiozipkin.setup", "aiozipkin middleware: reads B3 headers"},
    {"beeline.middleware.", "Honeycomb beeline middleware: reads trace headers"},
    {"ddtrace.contrib.", "Datadog middleware: reads trace headers"},
};

// What a known package's middleware `name` (dotted) reads; "" when unknown.
std::string known_reads(const std::string& name) {
  for (const KnownMiddleware& known : known_middleware) {
    if (name == known.prefix || (known.prefix.back() == '.' && name.starts_with(known.prefix)))
      return std::string(known.reads);
  }
  // Imported by its class name alone from a package we do not list.
  if (name.ends_with("OpenTelemetryMiddleware")) return "OpenTelemetry middleware";
  return {};
}

// The string literals of a piece of source text.
std::vector<std::string> string_literals(std::string_view text) {
  std::vector<std::string> found;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '"' && text[at] != '\'') continue;
    const std::size_t end = text.find(text[at], at + 1);
    if (end == std::string_view::npos) break;
    found.emplace_back(text.substr(at + 1, end - at - 1));
    at = end;
  }
  return found;
}

// The lines of a file (empty when it cannot be read).
std::vector<std::string> file_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

// The 1-based line of the first line holding `entry` quoted either way, or 0.
int quoted_line(const std::vector<std::string>& lines, const std::string& entry) {
  for (const std::string& quoted : {"'" + entry + "'", "\"" + entry + "\""}) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find(quoted) != std::string::npos) return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

class Finder {
 public:
  Finder(const CodeIndex& index, std::filesystem::path root)
      : index_(index), root_(std::move(root)) {}

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
      if ((call.callee.ends_with(".middleware(\"http\")") ||
           call.callee.ends_with(".middleware('http')")) &&
          !call.arguments.empty()) {
        // app.middleware("http")(function): the decorator applied by hand.
        found.push_back({path, call.line, "http middleware",
                         named_evidence(view, call.arguments[0]), call.arguments[0]});
      } else if (call.callee.ends_with(".add_middleware") && !call.arguments.empty()) {
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
      } else if (std::string reads = known_reads(name); !reads.empty() &&
                                                        !index_.imported(view, call.callee) &&
                                                        is_middleware_constructor(name)) {
        // A package's middleware wrapped around the app (`app.wsgi_app =
        // OpenTelemetryMiddleware(app.wsgi_app)`, `RequestID(app)`) or set up on it.
        found.push_back({path, call.line, "library middleware", std::move(reads), call.callee});
      }
    }
    add_django_settings(view, found);
    return found;
  }

 private:
  // Django's middleware is listed by dotted name in the settings module
  // (MIDDLEWARE, or a list of the project's that is added to it): each
  // entry of a package we know, or a project class or function that reads a
  // trace header, is a registration.
  void add_django_settings(const ModuleView& view, std::vector<Registration>& found) const {
    const PythonModule& module = *view.module;
    if (!module.assignments.contains("ROOT_URLCONF") &&
        !module.assignments.contains("INSTALLED_APPS"))
      return;                        // not a settings module
    std::vector<std::string> lines;  // read once, for the entries' lines
    for (const auto& [name, value] : module.assignments) {
      if (!name.ends_with("MIDDLEWARE") && name != "MIDDLEWARE_CLASSES") continue;
      for (const std::string& entry : string_literals(value)) {
        const std::size_t dot = entry.rfind('.');
        if (dot == std::string::npos) continue;
        std::string evidence = known_reads(entry);
        if (evidence.empty()) {
          const Import import{entry.substr(0, dot), entry.substr(dot + 1), entry.substr(dot + 1),
                              0};
          const std::string file = index_.resolver().resolve(module.path, import);
          if (file.empty()) continue;
          const ModuleView& home = index_.view(file);
          evidence = index_.class_read_evidence(home, import.name).how;
          if (const auto function = home.functions.find(import.name);
              evidence.empty() && function != home.functions.end())
            evidence = index_.read_evidence(home, *function->second).how;
        }
        if (lines.empty()) lines = file_lines(root_ / module.path);
        found.push_back({module.path, quoted_line(lines, entry), "django MIDDLEWARE",
                         std::move(evidence), entry});
      }
    }
  }

  // A package's middleware built around or set up on the app: a class named
  // *Middleware, or a known setup (`aiozipkin.setup`, `RequestID(app)`); not
  // the package's other classes (a logging filter, a traced session).
  static bool is_middleware_constructor(const std::string& name) {
    const std::string last = after_last(name);
    return last.ends_with("Middleware") || name == "aiozipkin.setup" ||
           name == "flask_request_id_header.middleware.RequestID";
  }

  static bool is_server_instrumentor(const std::string& callee) {
    static const char* const names[] = {"FastAPIInstrumentor", "StarletteInstrumentor",
                                        "AioHttpServerInstrumentor", "FlaskInstrumentor",
                                        "DjangoInstrumentor"};
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
    if (!index_.imported(view, name)) {
      if (std::string reads = known_reads(index_.canonical(view, name)); !reads.empty())
        return reads;
    }
    if (std::string found = index_.class_read_evidence(view, name).how; !found.empty())
      return found;
    const auto bound = view.bound.find(name);
    if (bound == view.bound.end() || bound->second.name.empty()) return {};
    const std::string file = index_.resolver().resolve(view.module->path, bound->second);
    if (file.empty()) return {};
    return index_.class_read_evidence(index_.view(file), bound->second.name).how;
  }

  const CodeIndex& index_;
  std::filesystem::path root_;
};

}  // namespace

std::vector<InboundMiddleware> find_inbound_middleware(const Fleet& fleet) {
  const ServiceMap& services = fleet.services();
  const Finder finder(fleet.index(), fleet.repository().root);
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
    const std::set<std::string>& served = fleet.served(service.name);
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
