// Which services a repository holds, and which code belongs to which:
// services come from compose files (build contexts), Dockerfiles,
// `services/<name>/` folders, top-level folders that hold an app and an app
// at the root; failing all of these, the repository is one service;
// shared libraries (code outside every service that services import) are
// recognised as such, with the services that use them.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "audit/index/import_resolver.h"
#include "audit/repository.h"

namespace tracemesh::audit {

struct Service {
  std::string name;
  std::string root;       // folder relative to the repository root; "" for the root itself
  std::string found_by;   // "config", "compose", "dockerfile", "services-folder", "app-folder",
                          // "root-app" (an app module at the root), "repository" (no layout)
  std::string framework;  // "fastapi", "starlette", "aiohttp", "flask", "quart"; "" when none
  bool has_http_server = false;      // constructs an app of a web framework
  std::vector<std::string> modules;  // its own Python files
  // Its deployment: variables set by compose `environment` and Dockerfile
  // ENV; the ports it listens on (compose container ports and `expose`,
  // EXPOSE, `--port` flags) and the host ports compose publishes them on;
  // its start commands (compose command/entrypoint, Dockerfile CMD/ENTRYPOINT).
  std::map<std::string, std::string> environment;
  std::set<int> ports;
  std::set<int> published_ports;
  std::vector<std::string> commands;
  // "python" (audited), or the language of a service the audit lists but
  // cannot read: "cpp", "javascript", "go", "rust", "java" — from the config
  // file, or from a build file (CMakeLists.txt, package.json, go.mod,
  // Cargo.toml, pom.xml, build.gradle) in the root of a service holding no
  // Python file.
  std::string language = "python";

  bool audited() const noexcept { return language == "python"; }

  // Whether it starts under OpenTelemetry's `opentelemetry-instrument`
  // launcher, which instruments the server and every client library the
  // process loads.
  bool auto_instrumented() const {
    static constexpr std::string_view launcher = "opentelemetry-instrument";
    return std::any_of(commands.begin(), commands.end(), [](const std::string& command) {
      // The command word itself, not a package such as opentelemetry-instrumentation-flask.
      for (std::size_t at = command.find(launcher); at != std::string::npos;
           at = command.find(launcher, at + 1)) {
        const std::size_t end = at + launcher.size();
        if (end == command.size() || command[end] == ' ' || command[end] == '"' ||
            command[end] == '\'' || command[end] == ',')
          return true;
      }
      return false;
    });
  }
};

// How a report names a language id ("cpp" -> "C++"); "" for an unknown id.
std::string_view language_name(std::string_view id);

// A compose service run from an image (a database, a broker): internal
// infrastructure that calls may target.
struct Infrastructure {
  std::string name;
  std::string image;
  std::set<int> ports;
  std::set<int> published_ports;
};

struct SharedLibrary {
  std::string root;
  std::vector<std::string> modules;
  std::vector<std::string> used_by;  // services importing it, sorted
};

struct ServiceMap {
  std::vector<Service> services;               // sorted by name
  std::vector<SharedLibrary> libraries;        // sorted by root
  std::vector<Infrastructure> infrastructure;  // sorted by name
  std::vector<std::string> unowned;            // Python files in no service and no library
  std::vector<Problem> problems;               // compose files that could not be read
};

// A service named in the config file: NAME at ROOT, in LANGUAGE (a
// language id; "" to tell from its files).
struct ConfiguredService {
  std::string name;
  std::string root;
  std::string language;
};

ServiceMap discover_services(const Repository& repository,
                             const std::vector<ConfiguredService>& configured = {});

// The web framework whose app constructor `callee` is ("FastAPI",
// "fastapi.FastAPI", "web.Application", "Flask"...), or "".
std::string app_framework(const std::string& callee);

}  // namespace tracemesh::audit
