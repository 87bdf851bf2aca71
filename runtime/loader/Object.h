// An eBPF ELF object as the runtime sees it after loading: programs with
// their subprograms appended and every relocation resolved to map indexes,
// plus the specs of the maps to create. Independent of the compiler: objects
// from ebpfc, clang and gcc load alike. runtime/loader/Loader.h produces it.
#pragma once

#include "ir/ProgramType.h"
#include "runtime/Insn.h"
#include "runtime/loader/Btf.h"
#include "runtime/maps/Map.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
  std::string section;        // ELF section the function was taken from
  uint32_t sectionOffset = 0; // its byte offset in that section
};

struct ProgramImage {
  std::string name;    // symbol of the entry function
  std::string section; // ELF section it came from
  // From the section name as libbpf 1.1 derives it, or from LoadOptions;
  // Unspec when neither gives one (selectProgram() then reports it).
  ir::ProgramType type = ir::ProgramType::Unspec;
  uint32_t expectedAttachType = 0;
  // The entry function first, then every subprogram it reaches (depth-first
  // in call order, like libbpf), with calls rewritten to pc-relative
  // BPF-to-BPF calls (src = kCallLocal).
  // Map references are ld_imm64 with src = kPseudoMapIdx (imm = map index)
  // or kPseudoMapIdxValue (imm = map index, next imm = offset into value 0);
  // callback addresses are ld_imm64 with src = kPseudoFunc (imm = relative
  // offset, like a call).
  std::vector<Insn> insns;
  std::vector<FunctionInfo> functions; // sorted by insn; functions[0] is the entry
  std::vector<LineInfo> lines;         // sorted by insn; may be empty

  // The function containing instruction `insn`, or nullptr past the end.
  const FunctionInfo *functionFor(uint32_t insn) const;
  // The source line of instruction `insn`: the last line entry at or before
  // it within its function (the whole program when `functions` is empty);
  // nullptr when there is no line info for it.
  const LineInfo *lineFor(uint32_t insn) const;
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

// What the loader made of an ELF section (for listings such as ebpfvm disasm).
enum class SectionKind {
  Program,     // code of one or more programs
  Subprograms, // .text: functions programs call
  BtfMaps,     // .maps
  LegacyMaps,  // maps (struct bpf_map_def / struct bpf_elf_map)
  Data,        // .data, .data.*
  Rodata,      // .rodata, .rodata.*
  Bss,         // .bss, .bss.*
  License,
  Version,
  Btf,
  BtfExt,
  Relocations,
  Symbols,
  Strings,
  Debug, // DWARF
  Ignored,
};
std::string_view sectionKindName(SectionKind kind);

struct SectionInfo {
  uint32_t index = 0; // in the ELF section header table
  std::string name;
  SectionKind kind = SectionKind::Ignored;
  uint64_t size = 0;
};

struct ObjectImage {
  std::string path;
  std::vector<ProgramImage> programs; // in section order, then by offset
  std::vector<MapSpec> maps;          // legacy maps, then BTF-defined maps, then global data
  std::vector<ProgArrayInit> progArrayInits;
  std::vector<MapInMapInit> mapInMapInits;
  std::string license;
  // The object's .BTF, when it has one: what MapSpec::btfKeyType and
  // btfValueType refer to (a golden suite's STF tables are laid out by it).
  std::shared_ptr<const Btf> btf;
  uint32_t kernelVersion = 0;        // "version" section of old objects, 0 if absent
  std::vector<SectionInfo> sections; // every ELF section but the null one
  // Things loaded but not honoured, e.g. CO-RE relocations left as compiled.
  std::vector<std::string> warnings;

  // By entry function name first, then by section name (the first program
  // of that section); nullptr when there is none.
  const ProgramImage *findProgram(const std::string &nameOrSection) const;
  // Index of the map named `name` in `maps`, or -1.
  int findMap(std::string_view name) const;
};

} // namespace ebpfc::runtime
