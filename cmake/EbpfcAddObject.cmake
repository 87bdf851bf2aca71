# ebpfc_add_object(): compile one restricted-C or P4-16 source to an eBPF
# object with ebpfc, from a project that found the installed package
# (find_package(ebpfc)) or from inside ebpfc's own build tree; both provide
# the executable target ebpfc::ebpfc.
#
#   ebpfc_add_object(NAME
#     SOURCES file.c|file.p4|file.s [included files ...]
#     [COMPILE_OPTIONS option ...]     # e.g. -g -DDEBUG=1 --globals=maps
#     [INCLUDE_DIRECTORIES dir ...]    # relative to the current source dir
#     [TARGET_KERNEL X.Y|native]       # ebpfc's default is 6.1
#     [SKELETON])                      # also NAME.skel.h (ebpfc --skeleton)
#
# Produces ${CMAKE_CURRENT_BINARY_DIR}/NAME.o (and NAME.skel.h) through a
# custom target NAME that is part of `all`. ebpfc writes a depfile, so the
# object is rebuilt when any header it includes changes (Ninja and Makefile
# generators). Target properties EBPFC_OBJECT_FILE and EBPFC_SKELETON_FILE
# give the paths. With SKELETON, the INTERFACE library NAME_skeleton carries
# the header's directory, libbpf and the build order:
#   target_link_libraries(loader PRIVATE NAME_skeleton)
#
# ebpfc writes one object per translation unit: the first of SOURCES is
# compiled; files listed after it are ones it includes (headers, P4
# includes), shown in IDEs and tracked through the depfile either way. To
# build one object from several C files, #include them into one.

# Include guard: the package config and ebpfc's own tree both include this.
include_guard(GLOBAL)

function(ebpfc_add_object name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "SKELETON" "TARGET_KERNEL"
                        "SOURCES;COMPILE_OPTIONS;INCLUDE_DIRECTORIES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ebpfc_add_object(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ebpfc::ebpfc)
    message(FATAL_ERROR "ebpfc_add_object(${name}): no ebpfc::ebpfc target; call find_package(ebpfc) first")
  endif()

  # The first source is the translation unit; the rest are files it
  # includes, listed for IDEs (the depfile tracks them either way).
  set(sources)
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND sources "${source}")
  endforeach()
  list(POP_FRONT sources compiled)
  if(NOT compiled MATCHES "\\.(c|p4|s)$")
    message(FATAL_ERROR "ebpfc_add_object(${name}): the first of SOURCES must be the .c, .p4 or .s file "
                        "to compile (got '${compiled}'); ebpfc compiles one translation unit per object")
  endif()

  set(options ${ARG_COMPILE_OPTIONS})
  foreach(dir IN LISTS ARG_INCLUDE_DIRECTORIES)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND options "-I${dir}")
  endforeach()
  if(ARG_TARGET_KERNEL)
    list(APPEND options "--target-kernel=${ARG_TARGET_KERNEL}")
  endif()

  # Absolute paths everywhere: the depfile then names the object exactly as
  # the OUTPUT below, which both generators need to match the two.
  set(object "${CMAKE_CURRENT_BINARY_DIR}/${name}.o")
  set(depfile "${CMAKE_CURRENT_BINARY_DIR}/${name}.o.d")
  set(outputs "${object}")
  set(skeleton_options)
  if(ARG_SKELETON)
    set(skeleton "${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h")
    list(APPEND outputs "${skeleton}")
    set(skeleton_options --skeleton "${skeleton}")
  endif()

  file(RELATIVE_PATH shown "${CMAKE_BINARY_DIR}" "${object}")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ebpfc::ebpfc ${options} -MD -MF "${depfile}" -c "${compiled}" -o "${object}" ${skeleton_options}
    DEPENDS "${compiled}" ${sources} ebpfc::ebpfc
    DEPFILE "${depfile}"
    COMMENT "Building eBPF object ${shown}"
    COMMAND_EXPAND_LISTS
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${outputs} SOURCES ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES EBPFC_OBJECT_FILE "${object}")

  if(ARG_SKELETON)
    set_target_properties(${name} PROPERTIES EBPFC_SKELETON_FILE "${skeleton}")
    # The generated header includes <bpf/libbpf.h>; loaders link libbpf.
    if(NOT TARGET PkgConfig::EBPFC_SKELETON_LIBBPF)
      find_package(PkgConfig REQUIRED)
      pkg_check_modules(EBPFC_SKELETON_LIBBPF REQUIRED IMPORTED_TARGET GLOBAL libbpf)
    endif()
    add_library(${name}_skeleton INTERFACE)
    target_include_directories(${name}_skeleton INTERFACE "${CMAKE_CURRENT_BINARY_DIR}")
    target_link_libraries(${name}_skeleton INTERFACE PkgConfig::EBPFC_SKELETON_LIBBPF)
    # Followed transitively: whatever links NAME_skeleton builds after NAME.
    add_dependencies(${name}_skeleton ${name})
  endif()
endfunction()
