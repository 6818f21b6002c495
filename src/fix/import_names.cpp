#include "fix/import_names.h"

#include "audit/index/dotted.h"

namespace tracemesh::fix {
namespace {

// "a/b/c.py" → "a.b.c"; "a/b/__init__.py" → "a.b"; from folder `root`.
std::string dotted(const std::string& root, const std::string& path) {
  std::string relative = root.empty() ? path : path.substr(root.size() + 1);
  if (relative.ends_with("/__init__.py")) {
    relative.resize(relative.size() - 12);
  } else if (relative.ends_with(".py")) {
    relative.resize(relative.size() - 3);
  }
  for (char& c : relative) {
    if (c == '/') c = '.';
  }
  return relative;
}

}  // namespace

ImportNames::ImportNames(const audit::Fleet& fleet) : fleet_(fleet) {
  const auto& resolver = fleet.index().resolver();
  for (const audit::PythonModule& module : fleet.repository().modules) {
    for (const audit::Import& import : module.imports) {
      if (import.module.empty() || import.module[0] == '.') continue;
      const std::string file = resolver.resolve(module.path, import);
      if (file.empty()) continue;
      // `from m import name` may name a submodule: the module's own file tells the root.
      const audit::Import as_module{import.module, {}, {}, 0};
      const std::string module_file = resolver.resolve(module.path, as_module);
      if (module_file.empty()) continue;
      for (std::string root = audit::parent_folder(module_file);;
           root = audit::parent_folder(root)) {
        if (dotted(root, module_file) == import.module) {
          for (const std::string& service : fleet.services_of(module.path)) ++roots_[service][root];
          break;
        }
        if (root.empty()) break;
      }
    }
  }
}

std::optional<std::string> ImportNames::module_name(const std::string& importer,
                                                    const std::string& target) const {
  const auto root = root_of(importer, target);
  if (!root) return std::nullopt;
  return dotted(*root, target);
}

std::optional<std::string> ImportNames::root_of(const std::string& importer,
                                                const std::string& target) const {
  // The folders above the importer that hold the target, most used first,
  // then the importer's own folder, then the deepest.
  std::optional<std::string> best;
  int best_score = -1;
  for (std::string root = audit::parent_folder(importer);; root = audit::parent_folder(root)) {
    if (audit::contains(root, target)) {
      int uses = 0;
      for (const std::string& service : fleet_.services_of(importer)) {
        const auto roots = roots_.find(service);
        if (roots == roots_.end()) continue;
        if (const auto used = roots->second.find(root); used != roots->second.end())
          uses += used->second;
      }
      const int score = uses * 2 + (root == audit::parent_folder(importer) ? 1 : 0);
      if (score > best_score || (score == best_score && best && root.size() > best->size())) {
        best = root;
        best_score = score;
      }
    }
    if (root.empty()) break;
  }
  return best;
}

}  // namespace tracemesh::fix
