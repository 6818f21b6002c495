#include "audit/rules/services.h"

#include "audit/index/dotted.h"
#include "audit/rules/deployment.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;

// The name of the folder at `path` ("." and "dir/" name the folder itself).
std::string folder_name(const fs::path& path) {
  // Not canonical: a checkout reached through a symlink keeps the link's name.
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  absolute = (error ? path : absolute).lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute.filename().string();
}

// The service folder `.../services/<name>` holding `path`; "" when there is
// none: the `services` folder must not be inside a Python package or a
// test folder.
std::string services_folder(const std::string& path,
                            const std::unordered_set<std::string>& packages) {
  const std::string slashed = "/" + path;
  const std::size_t at = slashed.rfind("/services/");
  if (at == std::string::npos) return {};
  const std::size_t end = slashed.find('/', at + 10);
  if (end == std::string::npos) return {};  // a file directly in services/
  const std::string parent = at == 0 ? std::string() : slashed.substr(1, at - 1);
  if (in_test_folder(parent + "/") || packages.contains(parent)) return {};
  return slashed.substr(1, end - 1);
}

// The framework a module's imports name, most specific first.
std::string imported_framework(const PythonModule& module) {
  static const char* const order[] = {"fastapi", "starlette", "aiohttp",
                                      "flask",   "quart",     "django"};
  for (const char* framework : order) {
    for (const Import& import : module.imports) {
      const std::string top = import.module.substr(0, import.module.find('.'));
      if (top == framework) return framework;
    }
  }
  return {};
}

}  // namespace

std::string app_framework(const std::string& callee) {
  const std::string_view last = std::string_view(callee).substr(callee.rfind('.') + 1);
  if (last == "FastAPI") return "fastapi";
  if (last == "Starlette") return "starlette";
  if (last == "Flask") return "flask";
  if (last == "Quart") return "quart";
  if (last == "Application" &&
      (callee == "web.Application" || callee.ends_with("aiohttp.web.Application"))) {
    return "aiohttp";
  }
  // Django builds its application from settings: the WSGI/ASGI entry or manage.py.
  if (last == "get_wsgi_application" || last == "get_asgi_application" ||
      last == "execute_from_command_line")
    return "django";
  return {};
}

std::string_view language_name(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"python", "Python"}, {"cpp", "C++"},   {"javascript", "JavaScript"},
      {"go", "Go"},         {"rust", "Rust"}, {"java", "Java"}};
  for (const auto& [known, name] : names) {
    if (known == id) return name;
  }
  return {};
}

ServiceMap discover_services(const Repository& repository,
                             const std::vector<ConfiguredService>& configured) {
  ServiceMap map;
  std::vector<Service> found;
  std::set<std::string> configured_language;  // services whose language the config names
  for (const ConfiguredService& service : configured) {
    found.push_back({service.name, service.root, "config", {}, false, {}, {}, {}});
    if (!service.language.empty()) {
      found.back().language = service.language;
      configured_language.insert(service.name);
    }
  }
  // The Dockerfiles compose services build, true for those of infrastructure.
  std::map<std::string, bool> used_dockerfiles;
  std::map<std::string, std::string> compose_folders;  // service → its first compose file's folder
  for (const std::string& compose : repository.compose_files) {
    read_compose(repository, compose, found, map.infrastructure, used_dockerfiles, compose_folders,
                 map.problems);
  }
  merge_infrastructure(map.infrastructure, found);
  const auto has_root = [&](const std::string& root) {
    return std::any_of(found.begin(), found.end(),
                       [&](const Service& service) { return service.root == root; });
  };
  const auto has_name = [&](const std::string& name) {
    return std::any_of(found.begin(), found.end(),
                       [&](const Service& service) { return service.name == name; });
  };
  const auto add = [&](const std::string& root, const char* how) {
    if (has_root(root)) return;
    std::string name = root.empty() ? folder_name(repository.root) : after_last(root, '/');
    if (name.empty()) name = "app";                                   // the file system's root
    if (has_name(name)) name = root.empty() ? name + "-root" : root;  // keep names unique
    found.push_back({name, root, how, {}, false, {}, {}, {}});
  };
  for (const std::string& dockerfile : repository.dockerfiles) {
    if (!used_dockerfiles.contains(dockerfile)) add(parent_folder(dockerfile), "dockerfile");
  }
  // Each Dockerfile describes the deepest service containing it.
  for (const std::string& dockerfile : repository.dockerfiles) {
    Service* owner = nullptr;
    for (Service& service : found) {
      if (contains(service.root, dockerfile) &&
          (owner == nullptr || service.root.size() > owner->root.size()))
        owner = &service;
    }
    const auto used = used_dockerfiles.find(dockerfile);
    if (used != used_dockerfiles.end() && used->second) continue;  // a database's, not the code's
    if (owner != nullptr) read_dockerfile(repository.root / dockerfile, *owner);
  }
  // Folders that are Python packages: a `services/` folder inside one is a
  // subpackage of an application (neutron/services/qos), not a fleet.
  std::unordered_set<std::string> packages;
  for (const PythonModule& module : repository.modules) {
    if (after_last(module.path, '/') == "__init__.py") packages.insert(parent_folder(module.path));
  }
  std::set<std::string> service_folders;
  std::set<std::string> app_folders;
  bool app_at_root = false;
  for (const PythonModule& module : repository.modules) {
    if (const std::string folder = services_folder(module.path, packages); !folder.empty())
      service_folders.insert(folder);
    if (is_test_file(module.path)) continue;  // a test app (TestClient(FastAPI())) is no service
    for (const Call& call : module.calls) {
      if (app_framework(call.callee).empty()) continue;
      const std::size_t slash = module.path.find('/');
      if (slash == std::string::npos)
        app_at_root = true;
      else
        app_folders.insert(module.path.substr(0, slash));
    }
  }
  // A folder of services/ that nothing runs (no Dockerfile, no app, no
  // `__main__` block) and that code elsewhere imports is code the services
  // share, not a service.
  const ImportResolver resolver(repository);
  // Every import of the repository resolved once: (importer, imported file).
  std::vector<std::pair<const std::string*, std::string>> imports;
  for (const PythonModule& module : repository.modules) {
    for (const Import& import : module.imports) {
      std::string target = resolver.resolve(module.path, import);
      if (!target.empty()) imports.emplace_back(&module.path, std::move(target));
    }
  }
  const auto imported_from_outside = [&](const std::string& folder) {
    return std::any_of(imports.begin(), imports.end(), [&](const auto& import) {
      return !is_test_file(*import.first) && !contains(folder, *import.first) &&
             contains(folder, import.second);
    });
  };
  // Modules that run by themselves: an app, a worker app, a `__main__` block.
  std::unordered_set<std::string> running;
  for (const PythonModule& module : repository.modules) {
    if (is_test_file(module.path)) continue;
    const bool starts = module.has_main_block ||
                        std::any_of(module.calls.begin(), module.calls.end(), [](const Call& call) {
                          return !app_framework(call.callee).empty() ||
                                 after_last(call.callee) == "Celery" ||
                                 call.callee.ends_with("faust.App");
                        });
    if (starts) running.insert(module.path);
  }
  const auto runs = [&](const std::string& folder) {
    return std::any_of(
               repository.dockerfiles.begin(), repository.dockerfiles.end(),
               [&](const std::string& dockerfile) { return contains(folder, dockerfile); }) ||
           std::any_of(running.begin(), running.end(),
                       [&](const std::string& path) { return contains(folder, path); });
  };
  for (const std::string& folder : service_folders) {
    if (runs(folder) || !imported_from_outside(folder)) add(folder, "services-folder");
  }
  for (const std::string& folder : app_folders) {
    const bool inside = std::any_of(found.begin(), found.end(), [&](const Service& service) {
      return !service.root.empty() &&
             (contains(service.root, folder) || contains(folder, service.root));
    });
    if (!inside) add(folder, "app-folder");
  }
  // A runnable app module above other services' folders (a backend/app.py
  // beside backend/services/*) is a service of its own, rooted at its folder.
  for (const PythonModule& module : repository.modules) {
    if (is_test_file(module.path) || !module.has_main_block ||
        module.path.find('/') == std::string::npos)
      continue;
    const bool constructs_app =
        std::any_of(module.calls.begin(), module.calls.end(),
                    [](const Call& call) { return !app_framework(call.callee).empty(); });
    const bool owned = std::any_of(found.begin(), found.end(), [&](const Service& service) {
      return contains(service.root, module.path);
    });
    // Only above other services: elsewhere the app folders above found it.
    const std::string folder = parent_folder(module.path);
    const bool above = std::any_of(found.begin(), found.end(), [&](const Service& service) {
      return service.root != folder && contains(folder, service.root);
    });
    if (constructs_app && !owned && above) add(folder, "app-folder");
  }
  if (app_at_root) add("", "root-app");
  // No service holding Python code (none found, or only a frontend's
  // Dockerfile): the repository is the service (nova, a single-app
  // repository whose framework the audit does not know).
  const bool python_owned = std::any_of(found.begin(), found.end(), [&](const Service& service) {
    return std::any_of(
        repository.modules.begin(), repository.modules.end(),
        [&](const PythonModule& module) { return contains(service.root, module.path); });
  });
  if (!python_owned && !repository.modules.empty()) add("", "repository");

  // Each module belongs to the deepest service root that contains it.
  std::vector<std::string> owner(repository.modules.size());
  for (std::size_t i = 0; i < repository.modules.size(); ++i) {
    const std::string& path = repository.modules[i].path;
    const Service* best = nullptr;
    for (const Service& service : found) {
      if (contains(service.root, path) &&
          (best == nullptr || service.root.size() > best->root.size())) {
        best = &service;
      }
    }
    if (best != nullptr) owner[i] = best->name;
  }
  // Code in a service's folder that a service nested inside it imports is
  // shared by them (backend/shared beside backend/services/*), not the outer
  // service's own.
  {
    std::unordered_map<std::string_view, std::size_t> index_of;
    for (std::size_t i = 0; i < repository.modules.size(); ++i)
      index_of.emplace(repository.modules[i].path, i);
    std::unordered_map<std::string_view, std::string_view> root_of;
    for (const Service& service : found) root_of.emplace(service.name, service.root);
    std::vector<std::size_t> shared;
    for (const auto& [importer, file] : imports) {
      const std::size_t i = index_of.at(*importer);
      const auto target = index_of.find(file);
      if (owner[i].empty() || target == index_of.end() || owner[target->second].empty() ||
          owner[target->second] == owner[i] || running.contains(file))
        continue;  // an entry point or app module stays its service's
      const std::string outer(root_of.at(owner[target->second]));
      const std::string inner(root_of.at(owner[i]));
      if (outer != inner && contains(outer, inner + "/")) shared.push_back(target->second);
    }
    for (const std::size_t i : shared) owner[i].clear();
  }
  std::map<std::string, Service*> by_name;
  for (Service& service : found) by_name[service.name] = &service;
  std::map<std::string, std::string> owner_of;
  std::map<std::string, std::string> imported_by;  // service → framework its imports name
  for (std::size_t i = 0; i < repository.modules.size(); ++i) {
    const PythonModule& module = repository.modules[i];
    if (owner[i].empty()) continue;
    owner_of[module.path] = owner[i];
    Service& service = *by_name[owner[i]];
    service.modules.push_back(module.path);
    if (imported_by[service.name].empty()) imported_by[service.name] = imported_framework(module);
    for (const Call& call : module.calls) {
      const std::string framework = app_framework(call.callee);
      if (framework.empty()) continue;
      service.has_http_server = true;
      if (service.framework.empty()) service.framework = framework;
    }
  }
  // Without an app constructor, the first of its modules importing a framework names it.
  for (Service& service : found) {
    if (service.framework.empty()) service.framework = imported_by[service.name];
  }
  // A service with no Python file is in the language of the build file in its root.
  for (Service& service : found) {
    if (!service.modules.empty() || configured_language.contains(service.name)) continue;
    for (const std::string& build_file : repository.build_files) {
      if (parent_folder(build_file) == service.root) {
        service.language = std::string(build_file_language(after_last(build_file, '/')));
        break;
      }
    }
  }

  // Code outside every service: a shared library when a service imports it.
  std::map<std::string, SharedLibrary> libraries;
  for (std::size_t i = 0; i < repository.modules.size(); ++i) {
    if (!owner[i].empty()) continue;
    const std::string& path = repository.modules[i].path;
    const std::string root =
        path.find('/') == std::string::npos ? "" : path.substr(0, path.find('/'));
    libraries[root].root = root;
    libraries[root].modules.push_back(path);
  }
  for (std::size_t i = 0; i < repository.modules.size(); ++i) {
    if (owner[i].empty()) continue;
    for (const Import& import : repository.modules[i].imports) {
      const std::string target = resolver.resolve(repository.modules[i].path, import);
      if (target.empty() || owner_of.contains(target)) continue;
      const std::string root =
          target.find('/') == std::string::npos ? "" : target.substr(0, target.find('/'));
      auto& users = libraries[root].used_by;
      if (std::find(users.begin(), users.end(), owner[i]) == users.end()) users.push_back(owner[i]);
    }
  }
  for (auto& [root, library] : libraries) {
    if (library.used_by.empty()) {
      map.unowned.insert(map.unowned.end(), library.modules.begin(), library.modules.end());
      continue;
    }
    std::sort(library.used_by.begin(), library.used_by.end());
    map.libraries.push_back(std::move(library));
  }
  std::sort(found.begin(), found.end(),
            [](const Service& a, const Service& b) { return a.name < b.name; });
  map.services = std::move(found);
  std::sort(map.infrastructure.begin(), map.infrastructure.end(),
            [](const Infrastructure& a, const Infrastructure& b) { return a.name < b.name; });
  return map;
}

}  // namespace tracemesh::audit
