#include "services.h"

#include "dotted.h"

#include <yaml-cpp/yaml.h>

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

std::string parent_folder(const std::string& path) {
  return before_last(path, '/');
}

bool contains(const std::string& root, const std::string& path) {
  return root.empty() || path.rfind(root + "/", 0) == 0;
}

// A path relative to the repository root, normalized, without a trailing
// slash; "" for the root itself.
std::string normal_folder(const fs::path& path) {
  std::string relative = path.lexically_normal().generic_string();
  while (!relative.empty() && relative.back() == '/') relative.pop_back();
  if (relative == ".") relative.clear();
  return relative;
}

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

// A port number from compose or Dockerfile text ("8000", "8000/tcp"); 0 when none.
int port_number(std::string_view text) {
  int port = 0;
  std::size_t digits = 0;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9' && digits < 6; ++digits)
    port = port * 10 + (text[digits] - '0');
  if (digits == 0 || port <= 0 || port > 65535) return 0;
  return port;
}

// Compose `ports` entries: "8001:8000" (published 8001, container 8000),
// "127.0.0.1:8001:8000", "8000" (container only), {published, target}.
void add_compose_ports(const YAML::Node& ports, std::set<int>& published, std::set<int>& internal) {
  if (!ports || !ports.IsSequence()) return;
  for (const YAML::Node& entry : ports) {
    if (entry.IsScalar()) {
      std::vector<std::string_view> parts;
      std::string_view text = entry.Scalar();
      for (std::size_t colon = text.find(':'); colon != std::string_view::npos;
           colon = text.find(':')) {
        parts.push_back(text.substr(0, colon));
        text = text.substr(colon + 1);
      }
      parts.push_back(text);
      if (const int port = port_number(parts.back())) internal.insert(port);
      if (parts.size() >= 2) {
        if (const int port = port_number(parts[parts.size() - 2])) published.insert(port);
      }
    } else if (entry.IsMap()) {
      if (entry["published"] && entry["published"].IsScalar()) {
        if (const int port = port_number(entry["published"].Scalar())) published.insert(port);
      }
      if (entry["target"] && entry["target"].IsScalar()) {
        if (const int port = port_number(entry["target"].Scalar())) internal.insert(port);
      }
    }
  }
}

// A compose `command` or `entrypoint`: a string or a list of words.
std::string command_text(const YAML::Node& command) {
  std::string text;
  if (!command) return text;
  if (command.IsScalar()) text = command.Scalar();
  if (command.IsSequence()) {
    for (const YAML::Node& part : command) text += (part.IsScalar() ? part.Scalar() : "") + " ";
  }
  return text;
}

void add_compose_environment(const YAML::Node& environment,
                             std::map<std::string, std::string>& into) {
  if (!environment) return;
  if (environment.IsMap()) {
    for (const auto& entry : environment) {
      if (entry.second.IsScalar()) into[entry.first.as<std::string>()] = entry.second.Scalar();
    }
  } else if (environment.IsSequence()) {
    for (const YAML::Node& entry : environment) {
      if (!entry.IsScalar()) continue;
      const std::string& text = entry.Scalar();
      const std::size_t equals = text.find('=');
      if (equals != std::string::npos) into[text.substr(0, equals)] = text.substr(equals + 1);
    }
  }
}

// `--port 8000` / `--bind 0.0.0.0:8000` / `-b :8000` in a start command.
void add_command_ports(std::string_view command, std::set<int>& into) {
  for (const std::string_view flag : {"--port", "--bind", "-b", "-p"}) {
    for (std::size_t at = command.find(flag); at != std::string_view::npos;
         at = command.find(flag, at + 1)) {
      std::size_t value = at + flag.size();
      while (value < command.size() && (command[value] == ' ' || command[value] == '=' ||
                                        command[value] == '"' || command[value] == ','))
        ++value;
      std::string_view rest = command.substr(value);
      rest = rest.substr(0, rest.find_first_of(" \"\n,]"));
      if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos)
        rest = rest.substr(colon + 1);
      if (const int port = port_number(rest)) into.insert(port);
    }
  }
}

// Whether a compose entry's command runs a test or lint tool (`pytest`,
// `flake8`...): a development task, not a service.
bool runs_tool(const std::vector<std::string>& commands) {
  static const char* const tools[] = {"pytest", "py.test", "flake8", "mypy", "pylint",
                                      "black",  "tox",     "ruff",   "isort"};
  return std::any_of(commands.begin(), commands.end(), [](const std::string& command) {
    std::istringstream words(command);
    std::string word;
    while (words >> word) {
      word.erase(0, std::min(word.find_first_not_of("[\"'"), word.size()));
      while (!word.empty() && (word.back() == '"' || word.back() == '\'' || word.back() == ',' ||
                               word.back() == ']'))
        word.pop_back();
      if (word == "python" || word == "python3" || word == "-m") continue;
      return std::find(std::begin(tools), std::end(tools), word) != std::end(tools);
    }
    return false;
  });
}

// Whether a Dockerfile builds infrastructure (a database, a broker, a
// proxy) rather than code: its last stage comes from such an image, or its
// start command runs such a server (`CMD ["postgres"]` on alpine).
bool builds_infrastructure(const fs::path& path) {
  static const char* const servers[] = {
      "postgres",      "postgresql", "mysql",           "mysqld",       "mariadb",
      "mongo",         "mongod",     "redis",           "redis-server", "memcached",
      "nginx",         "httpd",      "haproxy",         "envoy",        "traefik",
      "caddy",         "rabbitmq",   "rabbitmq-server", "mosquitto",    "eclipse-mosquitto",
      "elasticsearch", "zookeeper",  "kafka",           "prometheus",   "grafana",
      "consul",        "vault"};
  const auto is_server = [](std::string word) {
    word = word.substr(word.rfind('/') + 1);  // an image's registry and owner, a command's folder
    word = word.substr(0, word.find(':'));    // an image's tag
    return std::find(std::begin(servers), std::end(servers), word) != std::end(servers);
  };
  std::ifstream file(path);
  std::string line;
  std::string image;
  std::string command;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string first;
    if (!(words >> keyword >> first)) continue;
    std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (keyword == "FROM") {
      if (first.rfind("--", 0) == 0 && !(words >> first)) continue;
      image = first;
      command.clear();
    } else if (keyword == "CMD" || keyword == "ENTRYPOINT") {
      first.erase(0, std::min(first.find_first_not_of("[\"'"), first.size()));
      while (!first.empty() && (first.back() == '"' || first.back() == ',' || first.back() == ']'))
        first.pop_back();
      command = first;
    }
  }
  // An app's own start command (python, gunicorn...) on such an image is an app.
  static const char* const python_commands[] = {"python",    "python3", "gunicorn", "uvicorn",
                                                "hypercorn", "uwsgi",   "flask",    "celery"};
  const std::string started = command.substr(command.rfind('/') + 1);
  if (std::find(std::begin(python_commands), std::end(python_commands), started) !=
      std::end(python_commands))
    return false;
  return is_server(image) || (!command.empty() && is_server(command));
}

// Whether a folder (relative to a build context) holds packaging rather
// than code: `docker/app`, `deploy`, `build/docker`.
bool packaging_folder(const std::string& folder) {
  static const char* const names[] = {"docker",     "dockerfiles", ".docker", "deploy",
                                      "deployment", "build",       "ci",      "containers"};
  std::istringstream parts(folder);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (std::find(std::begin(names), std::end(names), part) != std::end(names)) return true;
  }
  return false;
}

void read_compose(const Repository& repository, const std::string& compose,
                  std::vector<Service>& services, std::vector<Infrastructure>& infrastructure,
                  std::map<std::string, bool>& used_dockerfiles,
                  std::map<std::string, std::string>& compose_folders,
                  std::vector<Problem>& problems) {
  try {
    const YAML::Node root = YAML::LoadFile((repository.root / compose).string());
    const YAML::Node entries = root["services"];
    if (!entries || !entries.IsMap()) return;
    const fs::path folder = fs::path(parent_folder(compose));
    for (const auto& entry : entries) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node build = entry.second["build"];
      std::set<int> published;
      std::set<int> ports;
      add_compose_ports(entry.second["ports"], published, ports);
      add_compose_ports(entry.second["expose"], published, ports);
      std::vector<std::string> commands;
      for (const char* key : {"command", "entrypoint"}) {
        std::string text = command_text(entry.second[key]);
        if (text.empty()) continue;
        add_command_ports(text, ports);
        commands.push_back(std::move(text));
      }
      std::string context;
      if (build && build.IsScalar()) {
        context = build.Scalar();
      } else if (build && build.IsMap() && build["context"] && build["context"].IsScalar()) {
        context = build["context"].Scalar();
      } else {
        // An image: infrastructure, not code in this repository.
        const YAML::Node image = entry.second["image"];
        infrastructure.push_back(
            {name, image && image.IsScalar() ? image.Scalar() : std::string(), ports, published});
        continue;
      }
      std::string relative = normal_folder(folder / context);
      if (relative.rfind("..", 0) == 0) continue;  // outside the repository
      const std::string dockerfile =
          normal_folder(fs::path(relative) /
                        (build.IsMap() && build["dockerfile"] && build["dockerfile"].IsScalar()
                             ? build["dockerfile"].Scalar()
                             : std::string("Dockerfile")));
      used_dockerfiles.emplace(dockerfile, false);
      if (runs_tool(commands)) continue;
      const bool python_beside = std::any_of(
          repository.modules.begin(), repository.modules.end(), [&](const PythonModule& module) {
            return parent_folder(module.path) == parent_folder(dockerfile);
          });
      if (!python_beside && builds_infrastructure(repository.root / dockerfile)) {
        // A database or proxy built from a local Dockerfile.
        infrastructure.push_back({name, "built from " + dockerfile, ports, published});
        used_dockerfiles[dockerfile] = true;
        continue;
      }
      // A context above the service (the repository root, so that a shared
      // folder can be copied in) with the Dockerfile beside the service's
      // code: the service lives where its Dockerfile does. Not when the
      // Dockerfile sits in a packaging folder (`docker/app/Dockerfile`).
      const std::string home = parent_folder(dockerfile);
      const bool code_at_home =
          std::any_of(repository.modules.begin(), repository.modules.end(),
                      [&](const PythonModule& module) { return contains(home, module.path); });
      if (home != relative && contains(relative, home) && code_at_home &&
          !packaging_folder(relative.empty() ? home : home.substr(relative.size() + 1)))
        relative = home;
      Service service{name, relative, "compose", {}, false, {}, {}, ports, published, commands};
      add_compose_environment(entry.second["environment"], service.environment);
      // The same service in several compose files of one folder (an
      // override, a production variant), or built from the same root, is one
      // service: what each file says of it adds up, later files winning.
      const auto same = std::find_if(services.begin(), services.end(), [&](const Service& known) {
        if (known.found_by != "compose" || known.name != name) return false;
        const auto first = compose_folders.find(name);
        return known.root == relative ||
               (first != compose_folders.end() && first->second == folder.generic_string());
      });
      if (same == services.end()) {
        // Another project's service of the same name keeps its own, by its root.
        const bool taken = std::any_of(services.begin(), services.end(),
                                       [&](const Service& known) { return known.name == name; });
        if (taken && !relative.empty()) service.name = relative;
        compose_folders.emplace(service.name, folder.generic_string());
        services.push_back(std::move(service));
        continue;
      }
      same->ports.insert(service.ports.begin(), service.ports.end());
      same->published_ports.insert(service.published_ports.begin(), service.published_ports.end());
      for (std::string& command : service.commands) {
        if (std::find(same->commands.begin(), same->commands.end(), command) ==
            same->commands.end())
          same->commands.push_back(std::move(command));
      }
      for (auto& [variable, value] : service.environment)
        same->environment.insert_or_assign(variable, std::move(value));
    }
  } catch (const YAML::Exception& error) {
    problems.push_back({compose, std::string("not a readable compose file: ") + error.what()});
  }
}

// ENV and EXPOSE lines, and ports in the start command, of a Dockerfile.
void read_dockerfile(const fs::path& path, Service& service) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    const std::string upper = line.substr(0, line.find(' '));
    if (upper == "EXPOSE") {
      std::istringstream words(line.substr(6));
      std::string word;
      while (words >> word) {
        if (const int port = port_number(word)) service.ports.insert(port);
      }
    } else if (upper == "ENV") {
      std::string rest = line.substr(3);
      rest = rest.substr(std::min(rest.find_first_not_of(' '), rest.size()));
      const std::size_t equals = rest.find('=');
      const std::size_t space = rest.find(' ');
      if (equals != std::string::npos && (space == std::string::npos || equals < space)) {
        std::istringstream words(rest);
        std::string word;
        while (words >> word) {
          const std::size_t at = word.find('=');
          if (at == std::string::npos) continue;
          std::string value = word.substr(at + 1);
          if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
          service.environment.emplace(word.substr(0, at), value);
        }
      } else if (space != std::string::npos) {
        service.environment.emplace(rest.substr(0, space), rest.substr(space + 1));
      }
    } else if (upper == "CMD" || upper == "ENTRYPOINT") {
      add_command_ports(line, service.ports);
      service.commands.push_back(line);
    }
  }
}

// One entry per image-run compose service, however many compose files name
// it; none for a name that another file builds from source (a production
// file runs the image that the development file builds).
void merge_infrastructure(std::vector<Infrastructure>& infrastructure,
                          const std::vector<Service>& services) {
  std::vector<Infrastructure> merged;
  for (Infrastructure& entry : infrastructure) {
    const bool built = std::any_of(services.begin(), services.end(), [&](const Service& service) {
      return service.found_by == "compose" && service.name == entry.name;
    });
    if (built) continue;
    const auto same = std::find_if(merged.begin(), merged.end(), [&](const Infrastructure& known) {
      return known.name == entry.name;
    });
    if (same == merged.end()) {
      merged.push_back(std::move(entry));
      continue;
    }
    same->ports.insert(entry.ports.begin(), entry.ports.end());
    same->published_ports.insert(entry.published_ports.begin(), entry.published_ports.end());
  }
  infrastructure = std::move(merged);
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

namespace {

// The last folder name in the string literals of a sys.path entry's source
// text: "/app/shared" and os.path.join(HERE, "..", "shared") both give "shared".
std::string path_entry_name(const std::string& arguments) {
  std::string name;
  std::size_t at = 0;
  while ((at = arguments.find_first_of("\"'", at)) != std::string::npos) {
    const std::size_t end = arguments.find(arguments[at], at + 1);
    if (end == std::string::npos) break;
    std::string_view literal(arguments.data() + at + 1, end - at - 1);
    while (!literal.empty() && literal.back() == '/') literal.remove_suffix(1);
    const std::string_view last = literal.substr(literal.rfind('/') + 1);
    if (!last.empty() && last != "." && last != ".." &&
        last.find_first_of("{}\\ ") == std::string_view::npos)
      name = std::string(last);
    at = end + 1;
  }
  return name;
}

}  // namespace

ImportResolver::ImportResolver(const Repository& repository) {
  for (const PythonModule& module : repository.modules) {
    paths_.insert(module.path);
    for (const Call& call : module.calls) {
      if (call.callee != "sys.path.insert" && call.callee != "sys.path.append") continue;
      std::string arguments;
      for (const std::string& argument : call.arguments) arguments += argument + ",";
      std::string name = path_entry_name(arguments);
      if (name.empty()) {
        // A module-level name (`APPS_DIR = BASE_DIR / "apps"`) stands for its value.
        std::string spaced = arguments;
        for (char& c : spaced) {
          if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') c = ' ';
        }
        std::istringstream words(spaced);
        std::string word;
        std::string values;
        while (words >> word) {
          if (const auto value = module.assignments.find(word); value != module.assignments.end())
            values += value->second + ",";
        }
        name = path_entry_name(values);
      }
      if (name.empty()) continue;
      auto& names = path_entries_[parent_folder(module.path)];
      if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(std::move(name));
    }
  }
}

std::string ImportResolver::resolve(const std::string& module_path, const Import& import) const {
  // Candidate files are built in one buffer: imports are resolved by the
  // thousand, each trying several folders.
  std::string candidate;
  const auto append_dotted = [&](std::string_view dotted) {
    if (dotted.empty()) return;
    if (!candidate.empty()) candidate += '/';
    for (const char c : dotted) candidate += c == '.' ? '/' : c;
  };
  // FOLDER/FIRST/SECOND as a module file or a package.
  const auto module_file = [&](std::string_view folder, std::string_view first,
                               std::string_view second) {
    candidate.assign(folder);
    append_dotted(first);
    append_dotted(second);
    const std::size_t base = candidate.size();
    candidate += ".py";
    if (paths_.contains(candidate)) return true;
    candidate.resize(base);
    candidate += "/__init__.py";
    return paths_.contains(candidate);
  };
  // The folders an import may be rooted at, nearest first, as prefixes of module_path.
  const std::string_view path = module_path;
  std::string_view dotted = import.module;
  std::vector<std::string_view> folders;
  if (!dotted.empty() && dotted.front() == '.') {
    std::string_view folder = view_before_last(path, '/');
    std::size_t dots = 0;
    while (dots < dotted.size() && dotted[dots] == '.') ++dots;
    for (std::size_t up = 1; up < dots; ++up) folder = view_before_last(folder, '/');
    dotted.remove_prefix(dots);
    folders.push_back(folder);
  } else {
    // An absolute import may be rooted at any folder above the importer.
    for (std::string_view folder = view_before_last(path, '/');;
         folder = view_before_last(folder, '/')) {
      folders.push_back(folder);
      if (folder.empty()) break;
    }
  }
  const auto found_in = [&](std::string_view folder) {
    // `from package import submodule` first, then the package itself.
    return (!import.name.empty() && import.name != "*" &&
            module_file(folder, dotted, import.name)) ||
           module_file(folder, dotted, {});
  };
  for (const std::string_view folder : folders) {
    if (found_in(folder)) return candidate;
  }
  if (import.module.empty() || import.module.front() == '.') return {};
  const auto entries = path_entries_.find(std::string(view_before_last(path, '/')));
  if (entries == path_entries_.end()) return {};
  for (const std::string_view folder : folders) {
    for (const std::string& name : entries->second) {
      const std::string entry = folder.empty() ? name : std::string(folder) + "/" + name;
      if (found_in(entry)) return candidate;
    }
  }
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
