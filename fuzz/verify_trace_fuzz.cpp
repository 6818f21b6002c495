// Fuzz verify's reader of the collector's trace JSON (network input): never
// crash; what parses goes through every built-in check and a path check.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verify/api_trace.h"
#include "verify/builtin_checks.h"
#include "verify/path_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto trace = tracemesh::verify::read_api_trace(text);
  if (!trace) return 0;
  for (const auto check : tracemesh::verify::all_builtins) {
    (void)tracemesh::verify::run_builtin(check, *trace, 0);
  }
  tracemesh::verify::ServicePath path;
  path.services = {"a", "b", "a"};
  path.hops = {{true, ""}, {false, ""}};
  (void)tracemesh::verify::check_path(path, *trace);
  return 0;
}
