# Install rules: headers, the SDK library and its integrations, a CMake package
# (find_package(tracemesh [COMPONENTS curl httplib beast mosquitto spdlog])
# giving tracemesh::sdk and tracemesh::<component>) and a pkg-config file for the SDK.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/tracemesh DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tracemesh_sdk EXPORT tracemeshTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tracemeshTargets NAMESPACE tracemesh::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tracemesh)

# One export set per integration, so the package config loads an integration
# only when its own dependencies are found on the consumer's machine.
foreach(component curl httplib beast mosquitto spdlog)
  install(TARGETS tracemesh_${component} EXPORT tracemesh_${component}Targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT tracemesh_${component}Targets NAMESPACE tracemesh::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tracemesh)
endforeach()

configure_package_config_file(cmake/tracemeshConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/tracemeshConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tracemesh)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tracemeshConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tracemeshConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/tracemeshConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tracemesh)

# Relocatable: the prefix is found from where the .pc file is installed, so
# `cmake --install --prefix DIR` gives a correct file for any DIR.
file(RELATIVE_PATH TRACEMESH_PC_TO_PREFIX
  "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(cmake/tracemesh.pc.in ${CMAKE_CURRENT_BINARY_DIR}/tracemesh.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tracemesh.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
