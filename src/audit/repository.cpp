#include "audit/repository.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "audit/python/parser.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;

std::string relative_path(const fs::path& path, const fs::path& root) {
  return path.lexically_relative(root).generic_string();
}

bool excluded(const std::string& path, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) {
    if (prefix.empty()) return false;
    std::string folder = prefix;
    if (folder.back() == '/') folder.pop_back();
    return path == folder || path.rfind(folder + "/", 0) == 0;
  });
}

bool is_compose_file(const std::string& name) {
  return name == "docker-compose.yml" || name == "docker-compose.yaml" || name == "compose.yml" ||
         name == "compose.yaml" ||
         (name.rfind("docker-compose.", 0) == 0 &&
          (name.ends_with(".yml") || name.ends_with(".yaml")));
}

// An error's text without the leading "PATH: " (a Problem names the file itself).
std::string without_path(std::string_view text, const std::string& path) {
  if (text.rfind(path + ": ", 0) == 0) text.remove_prefix(path.size() + 2);
  return std::string(text);
}

Expected<std::string> read_source(const fs::path& path, const std::string& shown) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) return Error{ErrorCode::io_error, shown + ": " + error.message()};
  if (size > max_python_file_bytes) {
    return Error{
        ErrorCode::invalid_input,
        shown + ": larger than " + std::to_string(max_python_file_bytes >> 20) + " MiB, skipped"};
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error{ErrorCode::io_error, shown + ": cannot be read"};
  std::string content(static_cast<std::size_t>(size), '\0');
  if (!file.read(content.data(), static_cast<std::streamsize>(size))) {
    return Error{ErrorCode::io_error, shown + ": reading failed"};
  }
  return content;
}

}  // namespace

std::string_view build_file_language(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> files[] = {
      {"CMakeLists.txt", "cpp"}, {"meson.build", "cpp"},      {"package.json", "javascript"},
      {"go.mod", "go"},          {"Cargo.toml", "rust"},      {"pom.xml", "java"},
      {"build.gradle", "java"},  {"build.gradle.kts", "java"}};
  for (const auto& [name, language] : files) {
    if (name == file_name) return language;
  }
  return {};
}

bool is_skipped_folder(std::string_view name) {
  static constexpr std::string_view skipped[] = {
      ".git",        ".hg",           ".svn",          "node_modules", "__pycache__", ".venv",
      "venv",        "env",           ".env",          ".tox",         ".nox",        ".mypy_cache",
      ".ruff_cache", ".pytest_cache", "site-packages", "dist",         "build",       ".eggs"};
  return std::find(std::begin(skipped), std::end(skipped), name) != std::end(skipped) ||
         name.ends_with(".egg-info");
}

bool in_test_folder(std::string_view path) {
  const std::string full = "/" + std::string(path);
  return full.find("/tests/") != std::string::npos || full.find("/test/") != std::string::npos;
}

bool is_test_file(std::string_view path) {
  if (in_test_folder(path)) return true;
  const std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  return name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py";
}

Expected<Repository> scan_repository(const fs::path& root, const ScanOptions& options) {
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    return Error{ErrorCode::io_error, root.string() + " is not a readable folder"};
  }
  Repository repository;
  repository.root = root;
  std::vector<std::pair<fs::path, std::string>> python;  // absolute, relative
  fs::recursive_directory_iterator walk(root, fs::directory_options::skip_permission_denied, error);
  if (error) return Error{ErrorCode::io_error, root.string() + ": " + error.message()};
  for (auto it = fs::begin(walk); it != fs::end(walk); it.increment(error)) {
    if (error) {
      repository.problems.push_back({"(walking the folders)", error.message()});
      break;
    }
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    const std::string shown = relative_path(path, root);
    std::error_code type_error;
    if (it->is_directory(type_error)) {
      if (is_skipped_folder(name) || excluded(shown, options.excluded) || it->is_symlink()) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (excluded(shown, options.excluded) || !it->is_regular_file(type_error)) continue;
    if (name.ends_with(".py")) {
      python.emplace_back(path, shown);
    } else if (is_compose_file(name)) {
      repository.compose_files.push_back(shown);
    } else if (name == "Dockerfile" || name.rfind("Dockerfile.", 0) == 0 ||
               name.ends_with(".Dockerfile")) {
      repository.dockerfiles.push_back(shown);
    } else if (!build_file_language(name).empty()) {
      repository.build_files.push_back(shown);
    }
  }
  std::sort(python.begin(), python.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::sort(repository.compose_files.begin(), repository.compose_files.end());
  std::sort(repository.dockerfiles.begin(), repository.dockerfiles.end());
  std::sort(repository.build_files.begin(), repository.build_files.end());

  // Parse in parallel: each worker takes the next file; results keep the sorted order.
  std::vector<std::optional<PythonModule>> parsed(python.size());
  std::vector<std::optional<Problem>> failed(python.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> bytes{0};
  const unsigned threads = std::max(
      1u,
      std::min<unsigned>(options.threads ? options.threads : std::thread::hardware_concurrency(),
                         static_cast<unsigned>(std::max<std::size_t>(python.size(), 1))));
  const auto work = [&] {
    for (std::size_t i = next++; i < python.size(); i = next++) {
      const auto& [path, shown] = python[i];
      auto source = read_source(path, shown);
      if (!source) {
        failed[i] = Problem{shown, without_path(source.error().text(), shown)};
      } else {
        bytes += source->size();
        auto module = parse_python(shown, *source);
        if (module) {
          parsed[i] = std::move(*module);
        } else {
          failed[i] = Problem{shown, without_path(module.error().text(), shown)};
        }
      }
      ++done;
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work);
  if (options.progress) {
    // One more worker parses while this thread reports progress.
    std::thread reporter_work(work);
    while (done < python.size()) {
      options.progress(done, python.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    reporter_work.join();
    options.progress(python.size(), python.size());
  } else {
    work();
  }
  for (std::thread& worker : workers) worker.join();
  for (std::size_t i = 0; i < python.size(); ++i) {
    if (parsed[i]) {
      if (parsed[i]->has_syntax_errors) {
        repository.problems.push_back(
            {python[i].second, "syntax errors: parsed with recovery, findings may be partial"});
      }
      repository.modules.push_back(std::move(*parsed[i]));
    } else if (failed[i]) {
      repository.problems.push_back(std::move(*failed[i]));
    }
  }
  repository.python_bytes = bytes;
  return repository;
}

}  // namespace tracemesh::audit
