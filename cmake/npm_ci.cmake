# tracemesh_npm_ci(TARGET SOURCE DESTINATION COMMENT [IGNORE_SCRIPTS]):
# `npm ci` the package.json and package-lock.json of SOURCE into DESTINATION
# (node_modules there), re-run when either changes; TARGET (built by ALL)
# stands for it. Every npm package the build or the tests use comes this way:
# pinned by its lock file, never a floating version.
find_program(TRACEMESH_NPM npm REQUIRED)

function(tracemesh_npm_ci target)
  cmake_parse_arguments(npm "IGNORE_SCRIPTS" "SOURCE;DESTINATION;COMMENT" "" ${ARGN})
  set(scripts "")
  if(npm_IGNORE_SCRIPTS)
    set(scripts --ignore-scripts)
  endif()
  add_custom_command(OUTPUT ${npm_DESTINATION}/node_modules/.package-lock.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${npm_DESTINATION}
    COMMAND ${CMAKE_COMMAND} -E copy ${npm_SOURCE}/package.json ${npm_SOURCE}/package-lock.json
      ${npm_DESTINATION}
    COMMAND ${TRACEMESH_NPM} ci ${scripts} --no-audit --no-fund --loglevel=error
      --prefix ${npm_DESTINATION}
    DEPENDS ${npm_SOURCE}/package.json ${npm_SOURCE}/package-lock.json
    COMMENT "${npm_COMMENT} (npm ci)" VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${npm_DESTINATION}/node_modules/.package-lock.json)
endfunction()
