#include "collector/bearer_token.h"

namespace tracemesh::collector {

bool bearer_token_matches(std::string_view given, const std::optional<std::string>& token) {
  if (!token) return true;
  const std::string expected = "Bearer " + *token;
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return difference == 0;
}

}  // namespace tracemesh::collector
