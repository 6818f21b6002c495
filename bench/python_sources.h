// Every .py file under a folder, read into memory: the sources the audit
// benchmarks parse (audit_bench's repository, python_density's corpora).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace tracemesh::bench {

// The contents of every regular *.py file under `folder`, in walk order;
// `error` is set (and the files read so far returned) when the walk fails.
inline std::vector<std::string> read_python_sources(const std::filesystem::path& folder,
                                                    std::error_code& error) {
  std::vector<std::string> sources;
  for (std::filesystem::recursive_directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_regular_file() || it->path().extension() != ".py") continue;
    std::ifstream file(it->path(), std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    sources.push_back(text.str());
  }
  return sources;
}

}  // namespace tracemesh::bench
