#include "runtime/loader/ProgramLinker.h"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

namespace ebpfc::runtime {

namespace {

constexpr uint32_t kInsnSize = 8;

} // namespace

Expected<void> validateBtfExt(const ElfFile &elf, const CodeModel &code, const BtfExt &ext) {
  for (const BtfExtSection &info : ext.sections()) {
    const CodeSection *section = nullptr;
    for (const CodeSection &candidate : code.sections)
      if (candidate.name == info.name)
        section = &candidate;
    if (!section) {
      if (info.funcs.empty() && info.lines.empty())
        continue; // only CO-RE relocations, which the runtime does not apply
      return errorIn(elf.file(), fmt::format(".BTF.ext has function or line info for section "
                                             "'{}', which is not a code section of the object",
                                             info.name));
    }
    uint64_t size = section->insns.size() * uint64_t{kInsnSize};
    auto check = [&](std::string_view what, uint32_t offset) -> Expected<void> {
      if (offset % kInsnSize != 0 || offset >= size)
        return errorIn(elf.file(), fmt::format(".BTF.ext {} points to {}, which is not an "
                                               "instruction of section '{}' ({} bytes of code)",
                                               what, elf.describe(section->index, offset),
                                               section->name, size));
      return {};
    };
    for (const BtfFuncRecord &record : info.funcs) {
      if (auto ok = check("func_info", record.insnOffset); !ok)
        return ok;
      if (!code.functionAt(section->index, record.insnOffset / kInsnSize))
        return errorIn(elf.file(), fmt::format(".BTF.ext func_info points to {}, which is not the "
                                               "start of a function",
                                               elf.describe(section->index, record.insnOffset)));
    }
    for (const BtfLineRecord &record : info.lines)
      if (auto ok = check("line_info", record.insnOffset); !ok)
        return ok;
  }
  return {};
}

ProgramImage linkProgram(const CodeModel &code, uint32_t entry, const Btf *btf, const BtfExt *ext) {
  ProgramImage program;
  std::unordered_map<uint32_t, uint32_t> placedAt; // function -> first insn in the program
  std::vector<uint32_t> order;

  auto place = [&](uint32_t function) {
    const CodeFunction &f = code.functions[function];
    const CodeSection &section = *code.findSection(f.section);
    placedAt[function] = static_cast<uint32_t>(program.insns.size());
    order.push_back(function);
    program.insns.insert(program.insns.end(), section.insns.begin() + f.firstInsn,
                         section.insns.begin() + f.firstInsn + f.insnCount);
  };

  // Depth-first, in the order calls appear: a callee is appended when the
  // first call to it is met, and its own callees before the caller goes on.
  struct Frame {
    uint32_t function;
    uint32_t nextInsn; // section-relative
  };
  place(entry);
  std::vector<Frame> stack{{entry, code.functions[entry].firstInsn}};
  while (!stack.empty()) {
    Frame &frame = stack.back();
    const CodeFunction &f = code.functions[frame.function];
    const CodeSection &section = *code.findSection(f.section);
    auto ref = section.functionRefs.lower_bound(frame.nextInsn);
    if (ref == section.functionRefs.end() || ref->first >= f.firstInsn + f.insnCount) {
      stack.pop_back();
      continue;
    }
    frame.nextInsn = ref->first + 1;
    uint32_t callee = ref->second;
    if (!placedAt.contains(callee)) {
      place(callee);
      stack.push_back({callee, code.functions[callee].firstInsn});
    }
  }

  for (uint32_t function : order) {
    const CodeFunction &f = code.functions[function];
    const CodeSection &section = *code.findSection(f.section);
    uint32_t base = placedAt[function];
    auto first = section.functionRefs.lower_bound(f.firstInsn);
    auto last = section.functionRefs.lower_bound(f.firstInsn + f.insnCount);
    for (auto ref = first; ref != last; ++ref) {
      uint32_t at = base + (ref->first - f.firstInsn);
      program.insns[at].imm = static_cast<int32_t>(int64_t{placedAt[ref->second]} - at - 1);
    }
    program.functions.push_back(FunctionInfo{base, f.name, section.name, f.firstInsn * kInsnSize});

    const BtfExtSection *info = ext ? ext->section(section.name) : nullptr;
    if (!info || !btf)
      continue;
    uint64_t begin = uint64_t{f.firstInsn} * kInsnSize;
    uint64_t end = begin + uint64_t{f.insnCount} * kInsnSize;
    for (const BtfLineRecord &record : info->lines) {
      if (record.insnOffset < begin || record.insnOffset >= end)
        continue;
      LineInfo line;
      line.insn = base + static_cast<uint32_t>((record.insnOffset - begin) / kInsnSize);
      line.file = std::string(btf->name(record.fileNameOff));
      line.line = record.line;
      line.column = record.column;
      line.text = std::string(btf->name(record.lineOff));
      program.lines.push_back(std::move(line));
    }
  }
  std::stable_sort(program.lines.begin(), program.lines.end(),
                   [](const LineInfo &a, const LineInfo &b) { return a.insn < b.insn; });
  program.name = code.functions[entry].name;
  program.section = code.findSection(code.functions[entry].section)->name;
  return program;
}

} // namespace ebpfc::runtime
