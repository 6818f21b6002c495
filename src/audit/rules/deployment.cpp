#include "audit/rules/deployment.h"

#include "audit/index/dotted.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;

// A path relative to the repository root, normalized, without a trailing
// slash; "" for the root itself.
std::string normal_folder(const fs::path& path) {
  std::string relative = path.lexically_normal().generic_string();
  while (!relative.empty() && relative.back() == '/') relative.pop_back();
  if (relative == ".") relative.clear();
  return relative;
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

}  // namespace

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

}  // namespace tracemesh::audit
