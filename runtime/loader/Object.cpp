#include "runtime/loader/Object.h"

#include <algorithm>

namespace ebpfc::runtime {

const FunctionInfo *ProgramImage::functionFor(uint32_t insn) const {
  if (insn >= insns.size() || functions.empty())
    return nullptr;
  auto after = std::upper_bound(functions.begin(), functions.end(), insn,
                                [](uint32_t i, const FunctionInfo &f) { return i < f.insn; });
  return after == functions.begin() ? nullptr : &*std::prev(after);
}

const LineInfo *ProgramImage::lineFor(uint32_t insn) const {
  if (insn >= insns.size())
    return nullptr;
  auto after = std::upper_bound(lines.begin(), lines.end(), insn,
                                [](uint32_t i, const LineInfo &l) { return i < l.insn; });
  if (after == lines.begin())
    return nullptr;
  const LineInfo &line = *std::prev(after);
  // Images built without function info (e.g. by the assembler) are one function.
  const FunctionInfo *function = functionFor(insn);
  return !function || line.insn >= function->insn ? &line : nullptr;
}

const ProgramImage *ObjectImage::findProgram(const std::string &nameOrSection) const {
  for (const ProgramImage &program : programs)
    if (program.name == nameOrSection)
      return &program;
  for (const ProgramImage &program : programs)
    if (program.section == nameOrSection)
      return &program;
  return nullptr;
}

int ObjectImage::findMap(std::string_view name) const {
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].name == name)
      return static_cast<int>(i);
  return -1;
}

std::string_view sectionKindName(SectionKind kind) {
  switch (kind) {
  case SectionKind::Program: return "program";
  case SectionKind::Subprograms: return "subprograms";
  case SectionKind::BtfMaps: return "BTF maps";
  case SectionKind::LegacyMaps: return "legacy maps";
  case SectionKind::Data: return "data";
  case SectionKind::Rodata: return "read-only data";
  case SectionKind::Bss: return "zeroed data";
  case SectionKind::License: return "license";
  case SectionKind::Version: return "kernel version";
  case SectionKind::Btf: return "BTF";
  case SectionKind::BtfExt: return "BTF.ext";
  case SectionKind::Relocations: return "relocations";
  case SectionKind::Symbols: return "symbols";
  case SectionKind::Strings: return "strings";
  case SectionKind::Debug: return "debug info";
  case SectionKind::Ignored: return "ignored";
  }
  return "ignored";
}

} // namespace ebpfc::runtime
