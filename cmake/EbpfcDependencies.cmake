# Locates every external dependency once, for all libraries of the project.
# scripts/install-deps.sh installs them on Debian 12.

# LLVM 19 / Clang 19. No version argument: LLVM's config-version check rejects
# "19" against 19.1.7, so the directory is pinned instead.
set(EBPFC_LLVM_DIR "/usr/lib/llvm-19/lib/cmake/llvm" CACHE PATH "LLVM 19 CMake package directory")
set(EBPFC_CLANG_DIR "/usr/lib/llvm-19/lib/cmake/clang" CACHE PATH "Clang 19 CMake package directory")
find_package(LLVM REQUIRED CONFIG PATHS "${EBPFC_LLVM_DIR}" NO_DEFAULT_PATH)
find_package(Clang REQUIRED CONFIG PATHS "${EBPFC_CLANG_DIR}" NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "ebpfc needs LLVM 19, found ${LLVM_PACKAGE_VERSION} in ${LLVM_DIR}")
endif()
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")

# One interface target for "uses LLVM": headers, definitions and the shared
# libLLVM (static component libraries would make every tool ~100 MB).
add_library(ebpfc_llvm INTERFACE)
target_include_directories(ebpfc_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
separate_arguments(_llvm_defs NATIVE_COMMAND "${LLVM_DEFINITIONS}")
target_compile_definitions(ebpfc_llvm INTERFACE ${_llvm_defs})
target_link_libraries(ebpfc_llvm INTERFACE LLVM)

add_library(ebpfc_clang INTERFACE)
target_include_directories(ebpfc_clang SYSTEM INTERFACE ${CLANG_INCLUDE_DIRS})
target_link_libraries(ebpfc_clang INTERFACE clang-cpp ebpfc_llvm)

# LLVM and Clang are built without RTTI; classes derived from theirs must be too.
function(ebpfc_no_rtti target)
  target_compile_options(${target} PRIVATE -fno-rtti)
endfunction()

find_package(fmt REQUIRED)
find_package(GTest REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)
pkg_check_modules(LIBPCAP REQUIRED IMPORTED_TARGET libpcap)

find_program(EBPFC_CLANG19 NAMES clang-19 PATHS /usr/lib/llvm-19/bin)
find_program(EBPFC_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
