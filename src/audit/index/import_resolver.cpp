#include "audit/index/import_resolver.h"

#include "audit/index/dotted.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace tracemesh::audit {
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
      auto& names = path_entries_[before_last(module.path, '/')];
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

}  // namespace tracemesh::audit
