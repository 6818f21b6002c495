// CodeLocation: where in the caller's code a call was made, captured by a
// defaulted parameter (`CodeLocation where = CodeLocation::current()`), as
// std::source_location does. Its own type because std::source_location is
// missing from some C++20 toolchains (clang before 15 with libstdc++); it
// converts from one where it exists. The traced HTTP client and MQTT publish
// record it on their spans as OpenTelemetry's code.file.path,
// code.line.number and code.function.name.
#pragma once

#include <cstdint>

#if __has_include(<source_location>)
#include <source_location>
#endif

namespace tracemesh {

struct CodeLocation {
  const char* file = "";      // as the compiler names it: usually an absolute path
  std::uint32_t line = 0;     // 1-based; 0 when unknown
  const char* function = "";  // the enclosing function's name

  // The location of the call this is the default argument of (or of this
  // call itself when called directly).
  static constexpr CodeLocation current(const char* file = __builtin_FILE(),
                                        std::uint32_t line = __builtin_LINE(),
                                        const char* function = __builtin_FUNCTION()) noexcept {
    return CodeLocation{file, line, function};
  }

#if defined(__cpp_lib_source_location)
  // From a std::source_location (a wrapper passing its own caller's through).
  static constexpr CodeLocation from(const std::source_location& where) noexcept {
    return CodeLocation{where.file_name(), where.line(), where.function_name()};
  }
#endif
};

}  // namespace tracemesh
