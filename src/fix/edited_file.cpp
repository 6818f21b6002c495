#include "fix/edited_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tracemesh::fix {
namespace {

// `name` reached through module `module` as it is bound: "tracing.trace_headers".
std::string qualified(const std::string& module, const std::string& name) {
  std::string out = module;
  out += '.';
  out += name;
  return out;
}

}  // namespace

std::optional<std::string> read_source(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return {std::move(text).str()};
}

EditedFile::EditedFile(std::string path, std::string text, const audit::ModuleView& view)
    : path_(std::move(path)),
      file_(std::move(text)),
      view_(view),
      line_break_(line_break_of(file_.text())),
      imports_before_(file_.import_position()) {}

void EditedFile::add(std::size_t begin, std::size_t end, const std::string& text) {
  edits_.push_back({begin, end, with_line_breaks(text, line_break_)});
}

void EditedFile::add_module_statement(std::size_t begin, const std::string& text) {
  add(begin, begin, text);
  imports_before_ = std::min(imports_before_, begin);
}

bool EditedFile::taken(const std::string& name) const {
  const audit::PythonModule& module = *view_.module;
  return view_.bound.contains(name) || module.assignments.contains(name) ||
         module.constants.contains(name) || view_.functions.contains(name);
}

void EditedFile::add_import(const std::string& module, const std::string& name) {
  const auto same = std::find_if(imports_.begin(), imports_.end(),
                                 [&](const auto& line) { return line.first == module; });
  if (same != imports_.end()) {
    same->second.push_back(name);
  } else {
    imports_.push_back({module, {name}});
  }
  imported_.insert(name);
}

std::string EditedFile::bind(const ImportNames& names, const std::string& home,
                             const std::string& name) {
  if (home == path_) return name;
  for (const auto& [local, file] : view_.bound_files) {
    if (file != home) continue;
    const audit::Import& import = view_.bound.at(local);
    if (import.name == name) return local;
    if (import.name.empty() || home.ends_with(import.name + ".py") ||
        home.ends_with(import.name + "/__init__.py"))
      return qualified(local, name);  // the module itself is bound
  }
  if (imported_.contains(name)) return name;
  if (taken(name)) return {};
  const auto dotted = names.module_name(path_, home);
  if (!dotted) return {};
  add_import(*dotted, name);
  return name;
}

std::string EditedFile::bind_external(const std::string& module, const std::string& name) {
  for (const auto& [local, import] : view_.bound) {
    if (import.module == module && import.name == name) return local;
    if (import.name.empty() && import.module == module && local == module)
      return qualified(local, name);
  }
  if (imported_.contains(name)) return name;
  if (taken(name)) return {};
  add_import(module, name);
  return name;
}

void EditedFile::restore(const Checkpoint& checkpoint) {
  edits_.resize(checkpoint.edits);
  imports_before_ = checkpoint.imports_before;
  imports_ = checkpoint.imports;
  imported_ = checkpoint.imported;
}

bool EditedFile::after(std::string& out) const {
  std::vector<TextEdit> edits = edits_;
  if (!imports_.empty()) {
    const std::size_t at = imports_before_;
    // After a last line with no line break, the imports start a line of their own.
    std::string lines = at > 0 && file_.text()[at - 1] != '\n' ? "\n" : "";
    for (const auto& [module, imported] : imports_) {
      std::string joined;
      for (const std::string& name : imported) joined += (joined.empty() ? "" : ", ") + name;
      lines.append("from ").append(module).append(" import ").append(joined).append("\n");
    }
    // First among the edits at that place: before a statement that uses them.
    edits.insert(edits.begin(), {at, at, with_line_breaks(lines, line_break_)});
  }
  return apply_edits(file_.text(), std::move(edits), out);
}

}  // namespace tracemesh::fix
