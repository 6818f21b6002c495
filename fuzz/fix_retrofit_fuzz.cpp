// Fuzz `tracemesh fix` on one fuzzed module (services/a/main.py, beside a
// service b it can call): the audit, every idiom the planner tries, the
// edits, the helper module and the unified diff. Never crash; a file that
// parsed before the patch parses after it; every changed file has a diff.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh;
  const std::string source(reinterpret_cast<const char*>(data), size);  // NOLINT
  const fix::PythonFile alone(source);
  (void)fix::unified_diff("a.py", source, alone.text() + "x\n");
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
    if (change.after != change.before &&
        fix::unified_diff(change.path, change.before, change.after, change.created).empty())
      std::abort();
  }
  (void)retrofit.patch();
  return 0;
}
