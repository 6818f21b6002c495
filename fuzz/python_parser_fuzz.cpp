// Fuzz the audit's Python reader (tree-sitter plus fact extraction): never
// crash; every fact's line lies inside the input.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/python/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto module = tracemesh::audit::parse_python("fuzz.py", source);
  if (!module) return 0;
  const auto lines = static_cast<int>(std::count(source.begin(), source.end(), '\n')) + 1;
  for (const auto& call : module->calls) {
    if (call.line < 1 || call.line > lines) std::abort();
  }
  for (const auto& function : module->functions) {
    if (function.line < 1 || function.end_line < function.line || function.end_line > lines) {
      std::abort();
    }
  }
  return 0;
}
