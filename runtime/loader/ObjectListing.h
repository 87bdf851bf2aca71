// Human-readable listings of a loaded object, for `ebpfvm disasm` and
// diagnostics: what the loader made of each ELF section, the maps with their
// attributes, the programs with their functions, the initial slots, and
// source positions of instructions.
#pragma once

#include "runtime/loader/Object.h"

#include <string>

namespace ebpfc::runtime {

// The whole summary, one item per line, ending with a newline:
//   sections (index, name, kind, size), maps (index, name, type, key/value
//   sizes, max_entries, flags, pinning, inner template), programs (name,
//   section, type, instruction count, functions at their instruction
//   indexes, line-info count, and with `withLines` every line entry:
//   instruction, file:line:column, source text), initial prog-array /
//   map-in-map slots, warnings.
std::string formatObjectSummary(const ObjectImage &image, bool withLines = false);

// "hash key 8 value 4 max_entries 128 flags 0x1" (type by bpftool's name).
std::string describeMap(const MapSpec &spec);

// "file.c:12:5" (column omitted when 0).
std::string describeSourcePosition(const LineInfo &line);

} // namespace ebpfc::runtime
