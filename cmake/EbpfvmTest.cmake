# ebpfvm_add_test(): registers golden suites (docs/testing.md) as one CTest
# test that runs `ebpfvm test`, from a project that found the installed
# package (find_package(ebpfc)) or from inside ebpfc's own build tree.
#
#   ebpfvm_add_test(NAME
#     SUITE path ...                  # *.suite.json, *.stf (beside its .p4),
#                                     # or directories of them; relative to
#                                     # the current source dir
#     [ENGINE interp|jit|jit-checked|kernel|all]   # default interp
#     [JUNIT file]                    # also write JUnit XML there
#     [ARGS option ...])              # more `ebpfvm test` options
#
# Suites whose program is a source are compiled by ebpfc::ebpfc when the test
# runs, so a changed program is always tested as it is now. The test fails
# on any failed case or, with ENGINE all, on any disagreement between the
# engines; it is skipped (exit status 77) when the kernel engine is asked
# for alone and bpf() is refused.

include_guard(GLOBAL)

function(ebpfvm_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "ENGINE;JUNIT" "SUITE;ARGS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ebpfvm_add_test(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SUITE)
    message(FATAL_ERROR "ebpfvm_add_test(${name}): give the suites with SUITE path ...")
  endif()
  if(NOT TARGET ebpfc::ebpfvm OR NOT TARGET ebpfc::ebpfc)
    message(FATAL_ERROR "ebpfvm_add_test(${name}): no ebpfc::ebpfvm target; call find_package(ebpfc) first")
  endif()
  if(NOT ARG_ENGINE)
    set(ARG_ENGINE interp)
  endif()
  set(suites)
  foreach(suite IN LISTS ARG_SUITE)
    get_filename_component(suite "${suite}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${suite}")
      message(FATAL_ERROR "ebpfvm_add_test(${name}): no suite '${suite}'")
    endif()
    list(APPEND suites "${suite}")
  endforeach()
  set(junit)
  if(ARG_JUNIT)
    get_filename_component(file "${ARG_JUNIT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    set(junit --junit "${file}")
  endif()
  add_test(NAME ${name}
           COMMAND ebpfc::ebpfvm test ${suites} --engine=${ARG_ENGINE} --ebpfc $<TARGET_FILE:ebpfc::ebpfc>
                   --no-progress --no-color ${junit} ${ARG_ARGS})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()
