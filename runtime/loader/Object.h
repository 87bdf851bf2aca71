// An eBPF ELF object as the runtime sees it after loading: programs with
// their subprograms appended and every relocation resolved to map indexes,
// plus the specs of the maps to create. Independent of the compiler: objects
// from ebpfc, clang and gcc load alike.
#pragma once

#include "ir/ProgramType.h"
#include "runtime/Insn.h"
#include "runtime/maps/Map.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ebpfc::runtime {

// Source position of an instruction, from .BTF.ext line info.
struct LineInfo {
  uint32_t insn = 0; // index into ProgramImage::insns
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string text; // the source line as recorded in BTF ("" when absent)
};

struct FunctionInfo {
  uint32_t insn = 0; // first instruction of the function in ProgramImage::insns
  std::string name;
};

struct ProgramImage {
  std::string name;    // symbol of the entry function
  std::string section; // ELF section it came from
  ir::ProgramType type = ir::ProgramType::Unspec;
  uint32_t expectedAttachType = 0;
  // The entry function first, then every .text subprogram it reaches, with
  // calls rewritten to pc-relative BPF-to-BPF calls (src = kCallLocal).
  // Map references are ld_imm64 with src = kPseudoMapIdx (imm = map index)
  // or kPseudoMapIdxValue (imm = map index, next imm = offset into value 0);
  // callback addresses are ld_imm64 with src = kPseudoFunc (imm = relative
  // offset, like a call).
  std::vector<Insn> insns;
  std::vector<FunctionInfo> functions; // sorted by insn; functions[0] is the entry
  std::vector<LineInfo> lines;         // sorted by insn; may be empty
};

// Initial prog-array slot: maps[map].slot = programs[program].
struct ProgArrayInit {
  uint32_t map = 0;
  uint32_t slot = 0;
  uint32_t program = 0;
};

// Initial map-in-map slot: maps[outer].slot = maps[inner].
struct MapInMapInit {
  uint32_t outer = 0;
  uint32_t slot = 0;
  uint32_t inner = 0;
};

struct ObjectImage {
  std::string path;
  std::vector<ProgramImage> programs;
  std::vector<MapSpec> maps; // BTF-defined, legacy and global-data maps alike
  std::vector<ProgArrayInit> progArrayInits;
  std::vector<MapInMapInit> mapInMapInits;
  std::string license;
  uint32_t kernelVersion = 0; // "version" section of old objects, 0 if absent

  const ProgramImage *findProgram(const std::string &nameOrSection) const;
};

} // namespace ebpfc::runtime
