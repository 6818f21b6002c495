// Resolves a module's imports to the repository's own files, the way the
// services run them: from each folder above the importer (absolute imports),
// from the importer's package (relative ones), and from folders the
// importer's folder puts on sys.path.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "audit/repository.h"

namespace tracemesh::audit {

// Resolves imports to the repository's own files.
class ImportResolver {
 public:
  explicit ImportResolver(const Repository& repository);
  // The file that `import` in the module at `module_path` refers to, or ""
  // when it is not in the repository (third-party or standard library).
  // Absolute imports are tried from each folder above the importer; then,
  // when the importer's folder puts a folder on `sys.path`
  // (`sys.path.insert(0, "/app/shared")`, `os.path.join(HERE, "..", "common")`),
  // from a folder of that name beside each folder above it: the layout the
  // service has once its Dockerfile copied the shared code in.
  std::string resolve(const std::string& module_path, const Import& import) const;

 private:
  std::unordered_set<std::string> paths_;
  // Folder of modules → the last names of the folders they put on sys.path.
  std::unordered_map<std::string, std::vector<std::string>> path_entries_;
};

}  // namespace tracemesh::audit
