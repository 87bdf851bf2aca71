# Runs `ebpfvm bench --quick` and checks its report: exit status 0 (every
# engine agreed on every program), and a table row for each program.
execute_process(
  COMMAND ${EBPFVM} bench --quick --output ${OUTPUT}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ebpfvm bench --quick failed (${status}):\n${errors}\n${output}")
endif()
string(REPLACE "," ";" programs "${PROGRAMS}")
foreach(program ${programs})
  if(NOT output MATCHES "\n\\| ${program} \\| [0-9]")
    message(FATAL_ERROR "no row for ${program} in the report:\n${output}")
  endif()
endforeach()
foreach(section "## Targets" "## JIT compile time" "## Machine")
  string(FIND "${output}" "${section}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "the report has no '${section}':\n${output}")
  endif()
endforeach()
if(NOT EXISTS ${OUTPUT})
  message(FATAL_ERROR "--output did not write ${OUTPUT}")
endif()
message(STATUS "ebpfvm bench --quick: every program reported, every engine agreed")
