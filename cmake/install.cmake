# Install rules: headers, the SDK library, a CMake package (find_package(tracemesh)
# giving tracemesh::sdk) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/tracemesh DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tracemesh_sdk EXPORT tracemeshTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tracemeshTargets NAMESPACE tracemesh::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tracemesh)

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
