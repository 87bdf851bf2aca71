# Installation and packaging: `cmake --install` puts under the prefix
#   bin/ebpfc, bin/ebpfvm
#   share/ebpfc/p4include/*.p4            the P4 architecture files
#   <libdir>/cmake/ebpfc/                 the CMake package (find_package(ebpfc))
#   share/doc/ebpfc/                      README and build-integration guide
# Every path is relative to the prefix, so an installed tree can be moved.
# `cpack -G DEB` (run in the build directory) makes ebpfc_<version>_<arch>.deb.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# frontend/p4 finds the architecture files at <ebpfc's directory>/../share/
# ebpfc/p4include, so these two stay fixed whatever GNUInstallDirs says.
set(EBPFC_INSTALL_BINDIR bin)
set(EBPFC_INSTALL_P4INCLUDEDIR share/ebpfc/p4include)
set(EBPFC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ebpfc)

if(EXISTS ${PROJECT_SOURCE_DIR}/p4include)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/p4include/
          DESTINATION ${EBPFC_INSTALL_P4INCLUDEDIR}
          FILES_MATCHING PATTERN "*.p4")
endif()

install(EXPORT ebpfcTargets
        NAMESPACE ebpfc::
        DESTINATION ${EBPFC_INSTALL_CMAKEDIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/ebpfcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/ebpfcConfig.cmake
  INSTALL_DESTINATION ${EBPFC_INSTALL_CMAKEDIR}
  PATH_VARS EBPFC_INSTALL_P4INCLUDEDIR)
# 0.x: a minor version may change the interface.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/package/ebpfcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
set(EBPFC_PACKAGE_MODULES ${PROJECT_SOURCE_DIR}/cmake/EbpfcAddObject.cmake ${PROJECT_SOURCE_DIR}/cmake/EbpfvmTest.cmake)
install(FILES
          ${PROJECT_BINARY_DIR}/package/ebpfcConfig.cmake
          ${PROJECT_BINARY_DIR}/package/ebpfcConfigVersion.cmake
          ${EBPFC_PACKAGE_MODULES}
        DESTINATION ${EBPFC_INSTALL_CMAKEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/build-integration.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package. Shared-library dependencies come from dpkg-shlibdeps
# (libllvm19, libclang-cpp19, libbpf1, libpcap0.8, libantlr4-runtime4.9,
# libfmt9, ...); the rest are what ebpfc needs at run time but does not link:
# clang's resource headers (stddef.h, stdint.h for BPF), found through
# /usr/lib/llvm-19/bin/clang, and the kernel's UAPI headers (asm/types.h,
# linux/bpf.h) that every eBPF program includes.
set(CPACK_PACKAGE_NAME ebpfc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "compiler from restricted C and P4-16 to eBPF objects, and a user-space eBPF runtime")
set(CPACK_PACKAGE_DESCRIPTION "ebpfc compiles restricted C and P4-16 to eBPF ELF objects that the kernel, libbpf, bpftool and iproute2 load unchanged; ebpfvm runs eBPF objects on packets in user space. Includes a CMake package (find_package(ebpfc)) with ebpfc_add_object() and ebpfvm_add_test().")
set(CPACK_PACKAGE_CONTACT "ebpfc developers <ebpfc@invalid.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libclang-common-19-dev, linux-libc-dev")
# bpf/bpf_helpers.h for programs and bpf/libbpf.h for skeleton loaders;
# pkg-config and cmake for ebpfc_add_object(... SKELETON).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libbpf-dev, pkg-config, cmake")
set(CPACK_STRIP_FILES ON)
include(CPack)
