// What the fixer tests share: a fixture repository (tests/fixtures/fix/)
// copied into a temporary git work tree, planned, patched with the real
// `git apply`, compiled with `python3 -m py_compile` and audited again.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "child_process.h"
#include "collector_process.h"
#include "fix/retrofit.h"

namespace tracemesh::fix::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `program` found on PATH (posix_spawn takes a path).
inline std::string on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path == nullptr ? "/usr/bin" : path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    const fs::path candidate = fs::path(folder) / program;
    if (fs::exists(candidate)) return candidate.string();
  }
  return "/usr/bin/" + program;
}

// The Debian python3 the services run on (its fastapi and httpx), else python3 on PATH.
inline std::string system_python() {
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : on_path("python3");
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

class FixedRepository {
 public:
  // tests/fixtures/fix/<fixture>, copied into a git work tree of its own.
  explicit FixedRepository(const std::string& fixture) {
    fs::copy(fs::path(TRACEMESH_SOURCE_DIR) / "tests/fixtures/fix" / fixture, root(),
             fs::copy_options::recursive);
    EXPECT_EQ(run({on_path("git"), "-C", root().string(), "init", "-q"}).exit_code, 0);
  }

  // A repository written from `files` (relative path → text), a git work tree.
  explicit FixedRepository(const std::map<std::string, std::string>& files) {
    for (const auto& [relative, text] : files) {
      const fs::path path = root() / relative;
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << text;
    }
    EXPECT_EQ(run({on_path("git"), "-C", root().string(), "init", "-q"}).exit_code, 0);
  }

  fs::path root() const { return directory_.path() / "repository"; }
  std::string text(const std::string& relative) const { return read_text(root() / relative); }

  std::unique_ptr<audit::AuditedFleet> audit() const {
    auto audited = audit::audit_fleet(root(), {});
    EXPECT_TRUE(audited) << (audited ? "" : std::string(audited.error().text()));
    return audited ? std::move(*audited) : nullptr;
  }

  Retrofit plan(const FixOptions& options = {}) const {
    const auto audited = audit();
    return audited ? plan_retrofit(*audited, options) : Retrofit{};
  }

  // The patch applied by `git apply` (by `patch -p1` with `with_patch`),
  // then each patched Python file compiled.
  void apply(const Retrofit& retrofit, bool with_patch = false) const {
    const fs::path patch = directory_.path() / ("fix-" + std::to_string(++patches_) + ".patch");
    std::ofstream(patch, std::ios::binary) << retrofit.patch();
    const auto applied =
        with_patch ? run({on_path("patch"), "-p1", "-d", root().string(), "-i", patch.string()})
                   : run({on_path("git"), "-C", root().string(), "apply", patch.string()});
    ASSERT_EQ(applied.exit_code, 0) << applied.output << retrofit.patch();
    for (const FileChange& change : retrofit.files) {
      if (!change.path.ends_with(".py")) continue;
      const auto compiled =
          run({on_path("python3"), "-m", "py_compile", (root() / change.path).string()});
      EXPECT_EQ(compiled.exit_code, 0) << change.path << ": " << compiled.output;
    }
  }

  // The untraced sites to internal services the audit finds, as "file:line".
  std::vector<std::string> untraced_internal_sites() const {
    std::vector<std::string> sites;
    const auto audited = audit();
    if (!audited) return sites;
    for (const audit::OutboundCall& call : audited->result.outbound_calls) {
      if (call.target_kind == "service" && !call.propagates_trace && call.unresolved.empty())
        sites.push_back(call.file + ":" + std::to_string(call.line));
    }
    return sites;
  }

  // `script` run by the Debian python3 with `folder` (under the root) first on sys.path.
  ::tracemesh::testing::Finished python(const std::string& folder,
                                        const std::string& script) const {
    return run({system_python(), "-c",
                "import sys\nsys.path.insert(0, '" + (root() / folder).string() + "')\n" + script});
  }

  ::tracemesh::testing::Finished run(const std::vector<std::string>& argv) const {
    const auto log = directory_.path() / ("run-" + std::to_string(++runs_) + ".log");
    return ::tracemesh::testing::run_to_completion(argv, log.string(), 60s);
  }

 private:
  ::tracemesh::testing::TemporaryDirectory directory_;
  mutable int runs_ = 0;
  mutable int patches_ = 0;
};

// The change of the file at `path`, or nullptr.
inline const FileChange* change_of(const Retrofit& retrofit, const std::string& path) {
  for (const FileChange& change : retrofit.files) {
    if (change.path == path) return &change;
  }
  return nullptr;
}

// The idioms of the fixed sites, as "file:line idiom".
inline std::vector<std::string> fixed_sites(const Retrofit& retrofit) {
  std::vector<std::string> sites;
  for (const FixedSite& site : retrofit.fixed)
    sites.push_back(site.file + ":" + std::to_string(site.line) + " " + site.idiom);
  return sites;
}

inline std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++found;
  return found;
}

}  // namespace tracemesh::fix::testing
