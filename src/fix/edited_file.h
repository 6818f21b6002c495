// One Python file as the retrofit edits it: its syntax, the edits planned
// on it so far, and the imports they need. Names from other modules are
// bound here: reused when the module imports them already, else imported
// (`from MODULE import NAME, ...` after its last top-level import) when
// the name is free. A checkpoint lets an idiom that fails half-way be
// undone, so a site is never half-edited.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "audit/index/code_index.h"
#include "fix/import_names.h"
#include "fix/python_file.h"
#include "fix/text_edits.h"

namespace tracemesh::fix {

// The file at `path` read whole, bytes as they are; nullopt when it cannot be read.
std::optional<std::string> read_source(const std::filesystem::path& path);

class EditedFile {
 public:
  EditedFile(std::string path, std::string text, const audit::ModuleView& view);

  const std::string& path() const { return path_; }
  const PythonFile& file() const { return file_; }
  const audit::ModuleView& view() const { return view_; }
  bool edited() const { return !edits_.empty() || !imports_.empty(); }

  // Replace [begin, end) of the original by `text` ("\n" turned into the file's line break).
  void add(std::size_t begin, std::size_t end, const std::string& text);
  // The same for a module-level statement that uses imported names: the
  // imports then go no later than `begin` (a line start).
  void add_module_statement(std::size_t begin, const std::string& text);
  void add(const TextEdit& edit) { add(edit.begin, edit.end, edit.text); }

  // The name `name` of the project module at `home` goes by here, imported
  // when it is not yet; "" when the module cannot be named from here or the
  // name is taken by something else.
  std::string bind(const ImportNames& names, const std::string& home, const std::string& name);
  // Whether `name` is free for a new module-level definition.
  bool available(const std::string& name) const {
    return !taken(name) && !imported_.contains(name);
  }

  // The same for `name` of an installed module ("opentelemetry.propagate").
  std::string bind_external(const std::string& module, const std::string& name);

  struct Checkpoint {
    std::size_t edits = 0;
    std::size_t imports_before = 0;
    std::vector<std::pair<std::string, std::vector<std::string>>> imports;
    std::set<std::string> imported;
  };
  Checkpoint checkpoint() const { return {edits_.size(), imports_before_, imports_, imported_}; }
  void restore(const Checkpoint& checkpoint);

  // The edited text; false when the edits overlap.
  bool after(std::string& out) const;

  std::set<std::size_t> fixed;  // the retrofit's indices of the sites with edits here

 private:
  bool taken(const std::string& name) const;
  void add_import(const std::string& module, const std::string& name);

  std::string path_;
  PythonFile file_;
  const audit::ModuleView& view_;
  std::string line_break_;
  std::vector<TextEdit> edits_;
  // The `from MODULE import NAME, ...` lines to add, in the order first needed.
  std::vector<std::pair<std::string, std::vector<std::string>>> imports_;
  std::set<std::string> imported_;  // the names they bind
  std::size_t imports_before_;      // where the imports go at the latest
};

}  // namespace tracemesh::fix
