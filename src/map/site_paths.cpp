#include "map/site_paths.h"

#include <fstream>
#include <vector>

namespace tracemesh::map {
namespace {

bool has_line(const std::filesystem::path& file, int line) {
  std::ifstream in(file, std::ios::binary);
  std::string text;
  int lines = 0;
  while (lines < line && std::getline(in, text)) ++lines;
  return lines >= line;
}

}  // namespace

std::optional<std::string> repository_file(const std::filesystem::path& root,
                                           std::string_view recorded, int line) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  for (;;) {
    const std::size_t slash = recorded.find_first_of("/\\", at);
    const std::string_view part =
        recorded.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    if (!part.empty() && part != ".") parts.push_back(part);
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  const std::size_t fewest = parts.size() == 1 ? 1 : 2;
  for (std::size_t take = parts.size(); take >= fewest && take > 0; --take) {
    std::string relative;
    bool climbs = false;
    for (std::size_t i = parts.size() - take; i < parts.size(); ++i) {
      climbs = climbs || parts[i] == "..";
      relative += (relative.empty() ? "" : "/") + std::string(parts[i]);
    }
    if (climbs) continue;  // never outside the repository
    std::error_code error;
    const std::filesystem::path candidate = root / relative;
    if (std::filesystem::is_regular_file(candidate, error) && has_line(candidate, line))
      return relative;
  }
  return std::nullopt;
}

}  // namespace tracemesh::map
