# tracemesh_warnings(<target>): the project's warning set, as errors when TRACEMESH_WERROR is on.
# Applied to project targets only, never to third-party headers (those are SYSTEM includes).
function(tracemesh_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough
    # GCC 12 warns on designated initializers that omit members with defaults.
    -Wno-missing-field-initializers)
  # GCC 12 at -O2/-O3 reports -Wrestrict on std::string operator+ inside
  # libstdc++ itself (GCC bug 105329), not on anything in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(TRACEMESH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
