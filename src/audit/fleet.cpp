#include "audit/fleet.h"

#include <algorithm>

#include "audit/index/dotted.h"

namespace tracemesh::audit {
namespace {

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Module references in a start command: "app.main:app" (uvicorn, gunicorn,
// hypercorn), "-m pkg.mod", "worker.py"; as path suffixes to match.
std::vector<std::string> command_targets(const std::string& text) {
  std::vector<std::string> targets;
  std::size_t at = 0;
  while (at < text.size()) {
    if (!word_char(text[at])) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() &&
           (word_char(text[end]) || text[end] == '.' || text[end] == '/' || text[end] == '-')) {
      ++end;
    }
    std::string token = text.substr(at, end - at);
    if (token.ends_with(".py")) {
      targets.push_back(token);
    } else if (end < text.size() && text[end] == ':' && end + 1 < text.size() &&
               word_char(text[end + 1]) && token.find('/') == std::string::npos) {
      std::replace(token.begin(), token.end(), '.', '/');
      targets.push_back(token + ".py");
      targets.push_back(token + "/__init__.py");
    }
    at = end;
  }
  for (std::size_t m = text.find("-m "); m != std::string::npos; m = text.find("-m ", m + 3)) {
    std::size_t start = m + 3;
    while (start < text.size() && text[start] == ' ') ++start;
    std::size_t end = start;
    while (end < text.size() && (word_char(text[end]) || text[end] == '.')) ++end;
    std::string module = text.substr(start, end - start);
    std::replace(module.begin(), module.end(), '.', '/');
    if (!module.empty()) {
      targets.push_back(module + ".py");
      targets.push_back(module + "/__main__.py");
    }
  }
  return targets;
}

// The package __init__ modules above `path` that the repository holds.
std::vector<std::string> packages_of(const std::string& path, const CodeIndex& index) {
  std::vector<std::string> packages;
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string init = path.substr(0, slash) + "/__init__.py";
    if (init != path && index.views().contains(init)) packages.push_back(init);
  }
  return packages;
}

}  // namespace

Fleet::Fleet(const Repository& repository, const ServiceMap& services, const TraceHeaders& headers,
             std::vector<std::string> trusted_wrappers)
    : Fleet(repository, services, CodeIndex(repository, headers), std::move(trusted_wrappers)) {}

Fleet::Fleet(const Repository& repository, const ServiceMap& services, CodeIndex index,
             std::vector<std::string> trusted_wrappers)
    : repository_(repository),
      services_(services),
      index_(std::move(index)),
      values_(index_,
              [&] {
                std::map<std::string, std::map<std::string, std::string>> environment;
                for (const Service& service : services.services)
                  environment[service.name] = service.environment;
                return environment;
              }()),
      trusted_wrappers_(std::move(trusted_wrappers)) {
  for (const Service& service : services.services) {
    for (const std::string& path : service.modules) services_by_path_[path] = {service.name};
  }
  for (const SharedLibrary& library : services.libraries) {
    for (const std::string& path : library.modules) services_by_path_[path] = library.used_by;
  }
  for (const Service& service : services.services) served_[service.name] = compute_served(service);
}

const std::vector<std::string>& Fleet::services_of(const std::string& path) const {
  static const std::vector<std::string> none;
  const auto found = services_by_path_.find(path);
  return found == services_by_path_.end() ? none : found->second;
}

const std::set<std::string>& Fleet::served(const std::string& service) const {
  static const std::set<std::string> none;
  const auto found = served_.find(service);
  return found == served_.end() ? none : found->second;
}

bool Fleet::trusted_wrapper(const std::string& path, const std::string& function) const {
  std::string dotted = path.substr(0, path.size() - (path.ends_with(".py") ? 3 : 0));
  if (dotted.ends_with("/__init__")) dotted.resize(dotted.size() - 9);
  std::replace(dotted.begin(), dotted.end(), '/', '.');
  const std::string qualified = dotted + "." + function;
  return std::any_of(
      trusted_wrappers_.begin(), trusted_wrappers_.end(), [&](const std::string& trusted) {
        return trusted == function || qualified == trusted || qualified.ends_with("." + trusted);
      });
}

bool starts_server(const std::string& name, const Call& call) {
  return name == "uvicorn.run" || name == "aiohttp.web.run_app" ||
         name == "hypercorn.asyncio.serve" ||
         (call.function.empty() && call.callee.ends_with(".run") &&
          call.callee.find('(') == std::string::npos && call.callee != "asyncio.run");
}

std::set<std::string> Fleet::compute_served(const Service& service) const {
  const CodeIndex& index = index_;
  std::vector<std::string> entries;
  const auto add_matches = [&](const std::string& suffix) {
    for (const std::string& path : service.modules) {
      if (path == suffix || ("/" + path).ends_with("/" + suffix)) entries.push_back(path);
    }
  };
  for (const std::string& command : service.commands) {
    for (const std::string& target : command_targets(command)) add_matches(target);
  }
  for (const std::string& path : service.modules) {
    const ModuleView& view = index.view(path);
    for (const Call& call : view.module->calls) {
      if (starts_server(index.canonical(view, call.callee), call)) entries.push_back(path);
    }
  }
  for (const std::string& path : service.modules) {
    if (index.view(path).module->has_main_block) entries.push_back(path);
  }
  if (entries.empty()) {
    for (const std::string& path : service.modules) {
      const ModuleView& view = index.view(path);
      if (std::any_of(view.module->calls.begin(), view.module->calls.end(), [&](const Call& call) {
            return !app_framework(index.canonical(view, call.callee)).empty();
          })) {
        entries.push_back(path);
      }
    }
  }
  // Django loads settings, URLconfs, views and middleware by dotted name, out of
  // sight of the import graph: all of a Django service's modules run.
  if (entries.empty() || service.framework == "django") entries = service.modules;
  std::erase_if(entries, [](const std::string& path) { return is_test_file(path); });
  std::set<std::string> served(entries.begin(), entries.end());
  std::vector<std::string> pending(entries.begin(), entries.end());
  while (!pending.empty()) {
    const std::string path = pending.back();
    pending.pop_back();
    for (const Import& import : index.view(path).module->imports) {
      const std::string target = index.resolver().resolve(path, import);
      if (target.empty()) continue;
      // Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
      for (const std::string& package : packages_of(target, index)) {
        if (served.insert(package).second) pending.push_back(package);
      }
      if (served.insert(target).second) pending.push_back(target);
    }
  }
  return served;
}

}  // namespace tracemesh::audit
