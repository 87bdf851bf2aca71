# Warnings for the project's own code (never for generated or third-party code).
add_library(ebpfc_warnings INTERFACE)
target_compile_options(ebpfc_warnings INTERFACE
  -Wall -Wextra -Wno-unused-parameter -Werror=return-type -Wimplicit-fallthrough
  # GCC 12 reports std::string members of brace-initialized aggregates falsely.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-restrict>)
