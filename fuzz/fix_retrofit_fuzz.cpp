// Fuzz `tracemesh fix` on one fuzzed module (services/a/main.py, beside a
// service b it can call): the audit, every idiom the planner tries, the
// edits, the helper module and the unified diff. Never crash; a file that
// parsed before the patch parses after it; each file's diff, applied to the
// file as it was (by the small applier below), gives the file as patched.
// The diff writer is also fuzzed alone: the input against itself with a
// line changed, added and dropped.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fix/python_file.h"
#include "fix/retrofit.h"
#include "fix/unified_diff.h"

namespace {

namespace fs = std::filesystem;

// A repository in a folder of its own, made once per process.
fs::path repository() {
  static const fs::path root = [] {
    std::string pattern = (fs::temp_directory_path() / "tracemesh-fix-fuzz.XXXXXX").string();
    const fs::path made = mkdtemp(pattern.data());
    fs::create_directories(made / "services/a");
    fs::create_directories(made / "services/b");
    std::ofstream(made / "services/b/main.py")
        << "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/items\")\n"
           "async def items():\n    return []\n";
    return made;
  }();
  return root;
}

// `diff` (one file's unified diff, as unified_diff writes it) applied to
// `before`; nullopt when it does not apply.
std::optional<std::string> apply_diff(std::string_view before, std::string_view diff) {
  std::vector<std::string> old_lines;  // each with its line break, if any
  for (std::size_t at = 0; at < before.size();) {
    const std::size_t end = std::min(before.find('\n', at), before.size() - 1) + 1;
    old_lines.emplace_back(before.substr(at, end - at));
    at = end;
  }
  std::vector<std::string> lines;  // the diff's lines, without their '\n'
  for (std::size_t at = 0; at < diff.size();) {
    std::size_t end = diff.find('\n', at);
    if (end == std::string_view::npos) end = diff.size();
    lines.emplace_back(diff.substr(at, end - at));
    at = end + 1;
  }
  std::string out;
  std::size_t next_old = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {  // after the --- and +++ lines
    const std::string& line = lines[i];
    if (line.starts_with("@@ -")) {
      const std::size_t start = std::stoul(line.substr(4));
      const std::size_t comma = line.find(',');
      const bool empty_side = comma < line.find(' ', 4) && line.compare(comma + 1, 2, "0 ") == 0;
      const std::size_t index = empty_side || start == 0 ? start : start - 1;
      if (index < next_old || index > old_lines.size()) return std::nullopt;
      for (; next_old < index; ++next_old) out += old_lines[next_old];
      continue;
    }
    if (line.empty() || (line[0] != ' ' && line[0] != '-' && line[0] != '+')) return std::nullopt;
    std::string content = line.substr(1) + "\n";
    if (i + 1 < lines.size() && lines[i + 1] == "\\ No newline at end of file") {
      content.pop_back();
      ++i;
    }
    if (line[0] == '+') {
      out += content;
      continue;
    }
    if (next_old >= old_lines.size() || old_lines[next_old] != content) return std::nullopt;
    if (line[0] == ' ') out += content;
    ++next_old;
  }
  for (; next_old < old_lines.size(); ++next_old) out += old_lines[next_old];
  return out;
}

void check_diff(std::string_view path, std::string_view before, std::string_view after,
                bool created) {
  const std::string diff = tracemesh::fix::unified_diff(path, before, after, created);
  if (before == after && !created) {
    if (!diff.empty()) std::abort();
    return;
  }
  const auto applied = apply_diff(created ? std::string_view() : before, diff);
  if (!applied || *applied != after) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh;
  const std::string source(reinterpret_cast<const char*>(data), size);  // NOLINT
  const fix::PythonFile alone(source);
  // The diff writer alone: the input with its middle line changed, a line
  // added at the end, and its first line dropped.
  const std::size_t middle = source.find('\n', source.size() / 2);
  std::string changed = source;
  if (middle != std::string::npos) changed.insert(middle, "changed");
  check_diff("a.py", source, changed + "added\n", false);
  check_diff("a.py", source, source.substr(std::min(source.size(), source.find('\n') + 1)), false);
  check_diff("a.py", "", source, true);
  const fs::path root = repository();
  std::ofstream(root / "services/a/main.py", std::ios::binary | std::ios::trunc) << source;
  audit::AuditOptions options;
  options.threads = 1;
  const auto audited = audit::audit_fleet(root, options);
  if (!audited) return 0;
  fix::FixOptions fix_options;
  fix_options.include_external = true;
  fix_options.middleware = true;
  const fix::Retrofit retrofit = fix::plan_retrofit(**audited, fix_options);
  for (const fix::FileChange& change : retrofit.files) {
    if (fix::PythonFile(change.after).has_errors() &&
        (change.created || !fix::PythonFile(change.before).has_errors()))
      std::abort();
    check_diff(change.path, change.before, change.after, change.created);
  }
  (void)retrofit.patch();
  return 0;
}
