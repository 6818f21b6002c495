// The repository an audit reads: every Python file under the root (minus
// virtualenvs, caches, vendored and excluded folders), compose files and
// Dockerfiles, parsed in parallel. Unreadable or unparsable files are
// reported and skipped, never fatal.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "audit/python/module.h"
#include "tracemesh/expected.h"

namespace tracemesh::audit {

// A file the audit could not use, and why.
struct Problem {
  std::string path;  // relative to the root
  std::string message;
};

struct Repository {
  std::filesystem::path root;
  std::vector<PythonModule> modules;       // sorted by path
  std::vector<std::string> compose_files;  // relative paths
  std::vector<std::string> dockerfiles;    // relative paths
  // Other languages' build files (CMakeLists.txt, package.json...): relative paths, sorted.
  std::vector<std::string> build_files;
  std::vector<Problem> problems;  // skipped files
  std::size_t python_bytes = 0;   // source read
};

struct ScanOptions {
  std::vector<std::string> excluded;  // relative path prefixes ("legacy/", "tests/fixtures")
  unsigned threads = 0;               // 0: one per hardware thread
  // Called now and then from the scanning thread: files parsed, files in all.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

// The language id a build file of this name stands for ("CMakeLists.txt" ->
// "cpp", "package.json" -> "javascript"...), or "".
std::string_view build_file_language(std::string_view file_name);

// Folders never audited: version control, virtualenvs, caches, build output.
bool is_skipped_folder(std::string_view name);

// Whether a relative path is inside a tests/ or test/ folder.
bool in_test_folder(std::string_view path);

// Tests are audited for route coverage, never as service code: files
// under tests/ or test/ folders, test_*.py, *_test.py, conftest.py.
bool is_test_file(std::string_view path);

// Scan and parse the repository at `root`. An Error only when the root
// itself cannot be read.
Expected<Repository> scan_repository(const std::filesystem::path& root, const ScanOptions& options);

}  // namespace tracemesh::audit
