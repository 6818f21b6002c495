#include "cli/token_file.h"

#include <fstream>
#include <sstream>

namespace tracemesh::cli {

Expected<std::optional<std::string>> read_token(const std::string& path, const char* flag) {
  if (path.empty()) return std::optional<std::string>();
  std::ifstream file(path);
  if (!file) return Error{ErrorCode::io_error, std::string(flag) + ": cannot read " + path};
  std::stringstream content;
  content << file.rdbuf();
  std::string token = content.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty())
    return Error{ErrorCode::invalid_input, std::string(flag) + ": " + path + " is empty"};
  return std::optional<std::string>(std::move(token));
}

}  // namespace tracemesh::cli
