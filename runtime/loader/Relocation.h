// Code relocation: decodes every executable section, finds its functions,
// applies the relocations of its instructions and validates each function's
// control flow.
//  - ld_imm64 of a map        -> src = kPseudoMapIdx, imm = map index
//  - ld_imm64 of global data  -> src = kPseudoMapIdxValue, imm = map index,
//                                second imm = offset into the value
//  - ld_imm64 of a function   -> src = kPseudoFunc, target recorded
//  - call of a function       -> target recorded (R_BPF_64_32, or none for a
//                                call within the same section)
// Call and callback immediates are left for the program linker, which knows
// where each callee lands in the linked program.
#pragma once

#include "runtime/Insn.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/MapDefinition.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

struct CodeFunction {
  std::string name;
  uint32_t section = 0;   // ELF section index
  uint32_t firstInsn = 0; // index of the first instruction in the section
  uint32_t insnCount = 0;
  bool global = false;
};

struct CodeSection {
  uint32_t index = 0; // ELF section index
  std::string name;
  std::vector<Insn> insns; // relocated
  // Calls and callback loads by instruction index -> callee (an index into
  // CodeModel::functions).
  std::map<uint32_t, uint32_t> functionRefs;
};

struct CodeModel {
  std::vector<CodeSection> sections;
  std::vector<CodeFunction> functions; // sorted by section, then first instruction

  const CodeSection *findSection(uint32_t elfIndex) const;
  // The function starting at instruction `insn` of section `elfIndex`.
  std::optional<uint32_t> functionAt(uint32_t elfIndex, uint32_t insn) const;
};

// `maps` is the object's whole map table (ld_imm64 immediates index it).
Expected<CodeModel> relocateCode(const ElfFile &elf, std::span<const MapDefinition> maps);

// Decodes one instruction from its 8-byte little-endian encoding.
Insn decodeInsn(std::span<const uint8_t> bytes, size_t offset);

} // namespace ebpfc::runtime
