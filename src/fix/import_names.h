// How one module of a repository imports another: the dotted name that
// resolves, from the importer, to the target file the way the services run
// it. The sys.path roots are learnt from the repository's own absolute
// imports (`from app.services.x import y` in services/a/app/main.py puts
// services/a on the path), service by service, so a new import reads like the ones beside it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "audit/fleet.h"

namespace tracemesh::fix {

class ImportNames {
 public:
  explicit ImportNames(const audit::Fleet& fleet);

  // The dotted module name the module at `importer` imports the file at
  // `target` by (both relative to the root, '/' separators). `target` may
  // be a file still to be written. nullopt when no folder above the
  // importer holds the target.
  std::optional<std::string> module_name(const std::string& importer,
                                         const std::string& target) const;

  // The folder above `importer` (holding `target`) that name is relative to.
  std::optional<std::string> root_of(const std::string& importer, const std::string& target) const;

 private:
  const audit::Fleet& fleet_;
  // By service: folder ("" the root) → its modules' absolute imports resolved from there.
  std::map<std::string, std::map<std::string, int>> roots_;
};

}  // namespace tracemesh::fix
