#include "runtime/loader/Relocation.h"

#include "runtime/loader/Bytes.h"

#include <algorithm>
#include <fmt/format.h>
#include <llvm/BinaryFormat/ELF.h>

namespace ebpfc::runtime {

namespace {

constexpr uint8_t kLdImm64 = op::kLd | 0x18; // BPF_LD | BPF_IMM | BPF_DW
constexpr uint8_t kCall = op::kJmp | 0x80;
constexpr uint8_t kExit = op::kJmp | 0x90;
constexpr uint8_t kJa = op::kJmp | 0x00;
constexpr uint8_t kJa32 = op::kJmp32 | 0x00; // gotol: offset in imm
constexpr uint32_t kInsnSize = 8;

std::string describeOpcode(uint8_t opcode) {
  static constexpr const char *kClassNames[] = {"an LD",  "an LDX", "a ST",    "a STX",
                                                "an ALU", "a JMP",  "a JMP32", "an ALU64"};
  if (opcode == kLdImm64)
    return "an ld_imm64";
  if (opcode == kCall)
    return "a call";
  if (opcode == kExit)
    return "an exit";
  return fmt::format("{} instruction (opcode {:#04x})", kClassNames[op::classOf(opcode)], opcode);
}

bool isJump(uint8_t opcode) {
  uint8_t cls = op::classOf(opcode);
  return (cls == op::kJmp || cls == op::kJmp32) && opcode != kCall && opcode != kExit;
}

class CodeRelocator {
public:
  CodeRelocator(const ElfFile &elf, std::span<const MapDefinition> maps) : elf_(elf), maps_(maps) {}

  Expected<CodeModel> run();

private:
  LoadError fail(const std::string &what) const { return errorIn(elf_.file(), what); }
  Expected<void> decodeSections();
  Expected<void> collectFunctions();
  Expected<void> applyRelocations(CodeSection &section);
  Expected<void> resolveUnrelocatedCalls(CodeSection &section);
  Expected<void> relocateLoad(CodeSection &section, uint32_t index,
                              const ElfRelocation &relocation);
  Expected<void> validateFunction(const CodeFunction &function) const;
  Expected<uint32_t> functionTarget(uint32_t section, int64_t byteOffset,
                                    const std::string &where) const;

  std::string where(const CodeSection &section, uint32_t insn) const {
    return elf_.describe(section.index, static_cast<uint64_t>(insn) * kInsnSize);
  }

  const ElfFile &elf_;
  std::span<const MapDefinition> maps_;
  CodeModel model_;
};

Expected<void> CodeRelocator::decodeSections() {
  for (const ElfSection &section : elf_.sections()) {
    if (!section.executable() || section.size == 0)
      continue;
    if (section.size % kInsnSize != 0)
      return fail(fmt::format("code section '{}' is {} bytes, not a whole number of 8-byte "
                              "instructions",
                              section.name, section.size));
    CodeSection code;
    code.index = section.index;
    code.name = section.name;
    code.insns.reserve(section.size / kInsnSize);
    for (size_t offset = 0; offset < section.size; offset += kInsnSize)
      code.insns.push_back(decodeInsn(section.bytes, offset));
    model_.sections.push_back(std::move(code));
  }
  return {};
}

Expected<void> CodeRelocator::collectFunctions() {
  for (const ElfSymbol &symbol : elf_.symbols()) {
    if (symbol.type != llvm::ELF::STT_FUNC)
      continue;
    const CodeSection *section = model_.findSection(symbol.section);
    if (!section) {
      if (symbol.section == 0)
        continue; // an extern function (kfunc), reported where it is called
      return fail(fmt::format("function '{}' is in section #{}, which does not hold code",
                              symbol.name, symbol.section));
    }
    uint64_t sectionSize = section->insns.size() * uint64_t{kInsnSize};
    if (symbol.value % kInsnSize != 0 || symbol.size % kInsnSize != 0 ||
        !rangeFits(symbol.value, symbol.size, sectionSize) || symbol.value == sectionSize)
      return fail(fmt::format("function '{}' at {} with size {} does not lie on instruction "
                              "boundaries inside section '{}' ({} bytes)",
                              symbol.name, elf_.describe(symbol.section, symbol.value), symbol.size,
                              section->name, sectionSize));
    CodeFunction function;
    function.name = symbol.name;
    function.section = symbol.section;
    function.firstInsn = static_cast<uint32_t>(symbol.value / kInsnSize);
    function.insnCount = static_cast<uint32_t>(symbol.size / kInsnSize);
    function.global = symbol.binding != llvm::ELF::STB_LOCAL;
    model_.functions.push_back(std::move(function));
  }
  auto &functions = model_.functions;
  std::sort(functions.begin(), functions.end(), [](const CodeFunction &a, const CodeFunction &b) {
    return std::tie(a.section, a.firstInsn) < std::tie(b.section, b.firstInsn);
  });
  for (size_t i = 0; i < functions.size(); ++i) {
    CodeFunction &function = functions[i];
    bool lastInSection = i + 1 == functions.size() || functions[i + 1].section != function.section;
    uint32_t end = lastInSection
                       ? static_cast<uint32_t>(model_.findSection(function.section)->insns.size())
                       : functions[i + 1].firstInsn;
    // Hand-written assembly may leave st_size 0: the function then runs to
    // the next function or the end of the section.
    if (function.insnCount == 0)
      function.insnCount = end - function.firstInsn;
    if (function.insnCount == 0 || function.firstInsn + function.insnCount > end)
      return fail(fmt::format("functions '{}' and '{}' overlap in section '{}'", function.name,
                              functions[i + 1].name, model_.findSection(function.section)->name));
  }
  return {};
}

Expected<uint32_t> CodeRelocator::functionTarget(uint32_t section, int64_t byteOffset,
                                                 const std::string &where) const {
  const CodeSection *target = model_.findSection(section);
  if (byteOffset < 0 || byteOffset % kInsnSize != 0 || !target ||
      static_cast<uint64_t>(byteOffset) >= target->insns.size() * uint64_t{kInsnSize})
    return fail(fmt::format("{}: the call or function address targets {}, which is not an "
                            "instruction of a code section",
                            where, elf_.describe(section, static_cast<uint64_t>(byteOffset))));
  auto function = model_.functionAt(section, static_cast<uint32_t>(byteOffset / kInsnSize));
  if (!function)
    return fail(fmt::format("{}: the call or function address targets {}, which is not the start "
                            "of a function",
                            where, elf_.describe(section, static_cast<uint64_t>(byteOffset))));
  return *function;
}

Expected<void> CodeRelocator::relocateLoad(CodeSection &section, uint32_t index,
                                           const ElfRelocation &relocation) {
  const ElfSymbol &symbol = elf_.symbols()[relocation.symbol];
  std::string at = where(section, index);
  Insn &insn = section.insns[index];
  Insn &second = section.insns[index + 1];

  if (model_.findSection(symbol.section)) {
    // A callback: the address of a function (bpf_loop, for_each_map_elem...).
    auto target = functionTarget(symbol.section, static_cast<int64_t>(symbol.value) + insn.imm, at);
    if (!target)
      return target.takeError();
    insn.src = op::kPseudoFunc;
    insn.imm = 0;
    second.imm = 0;
    section.functionRefs[index] = *target;
    return {};
  }

  bool sectionSymbol = symbol.type == llvm::ELF::STT_SECTION;
  for (uint32_t mapIndex = 0; mapIndex < maps_.size(); ++mapIndex) {
    const MapDefinition &map = maps_[mapIndex];
    if (map.section != symbol.section)
      continue;
    if (map.globalData) {
      // REL relocations keep the addend in the instruction: S + A. gcc 12
      // writes the symbol's own section offset into the instruction too, so
      // for its objects the immediate already is the offset in the section.
      int64_t offset = static_cast<int64_t>(symbol.value) + insn.imm;
      if (!sectionSymbol && elf_.builtByGcc() && insn.imm >= 0 &&
          static_cast<uint64_t>(insn.imm) >= symbol.value)
        offset = insn.imm;
      if (offset < 0 || static_cast<uint64_t>(offset) > map.size)
        return fail(fmt::format("relocation at {} refers to offset {} of '{}' ({} bytes), "
                                "outside it",
                                at, offset, map.spec.name, map.size));
      insn.src = op::kPseudoMapIdxValue;
      insn.imm = static_cast<int32_t>(mapIndex);
      second.imm = static_cast<int32_t>(offset);
      return {};
    }
    // A map definition: the symbol names it (its immediate is 0 for clang and
    // the symbol's offset again for gcc, so it is ignored like libbpf does);
    // a section symbol plus immediate gives its offset.
    uint64_t offset =
        sectionSymbol ? static_cast<uint64_t>(static_cast<uint32_t>(insn.imm)) : symbol.value;
    if (map.offset == offset) {
      insn.src = op::kPseudoMapIdx;
      insn.imm = static_cast<int32_t>(mapIndex);
      second.imm = 0;
      return {};
    }
  }

  const ElfSection &target = elf_.sections()[symbol.section];
  bool mapSection = std::any_of(maps_.begin(), maps_.end(), [&](const MapDefinition &map) {
    return map.section == symbol.section;
  });
  if (mapSection)
    return fail(fmt::format("relocation at {} refers to '{}' at offset {} of section '{}', where "
                            "no map definition starts",
                            at, symbol.name, sectionSymbol ? insn.imm : symbol.value, target.name));
  return fail(fmt::format("relocation at {} refers to symbol '{}' in section '{}', which is not a "
                          "map, global-data or code section",
                          at, symbol.name, target.name));
}

Expected<void> CodeRelocator::applyRelocations(CodeSection &section) {
  std::vector<bool> relocated(section.insns.size(), false);
  for (const ElfRelocation &relocation : elf_.relocationsFor(section.index)) {
    if (relocation.type == reloc::kNone)
      continue;
    const ElfSymbol &symbol = elf_.symbols()[relocation.symbol];
    std::string at = elf_.describe(section.index, relocation.offset);
    if (relocation.offset % kInsnSize != 0)
      return fail(fmt::format("relocation at {} (to '{}') is not at an instruction boundary", at,
                              symbol.name));
    uint32_t index = static_cast<uint32_t>(relocation.offset / kInsnSize);
    if (relocated[index])
      return fail(fmt::format("two relocations apply to the instruction at {}", at));
    relocated[index] = true;
    Insn &insn = section.insns[index];
    const std::string symbolName = symbol.name.empty() ? "<unnamed>" : symbol.name;

    if (insn.opcode == kCall) {
      if (relocation.type != reloc::k64_32)
        return fail(fmt::format("relocation at {} has type {}, but calls take R_BPF_64_32", at,
                                reloc::name(relocation.type)));
      if (symbol.section == 0)
        return fail(fmt::format("{} calls extern function '{}' (a kfunc); the runtime does not "
                                "provide kernel functions",
                                at, symbolName));
      if (insn.src != op::kCallLocal)
        return fail(fmt::format("relocation at {} (to '{}') applies to a helper call; only "
                                "BPF-to-BPF calls (src_reg 1) are relocated",
                                at, symbolName));
      if (!model_.findSection(symbol.section))
        return fail(fmt::format("{} calls '{}', which is not in a code section", at, symbolName));
      // Global functions: the symbol is the callee and imm is -1; static ones:
      // the symbol is the section and imm + 1 counts instructions to the callee.
      int64_t target = static_cast<int64_t>(symbol.value) + (int64_t{insn.imm} + 1) * kInsnSize;
      auto function = functionTarget(symbol.section, target, at);
      if (!function)
        return function.takeError();
      section.functionRefs[index] = *function;
      continue;
    }
    if (insn.opcode == kLdImm64) {
      if (relocation.type != reloc::k64_64 && relocation.type != reloc::kAbs64 &&
          relocation.type != reloc::kNoDyld32)
        return fail(fmt::format("relocation at {} has type {}, which does not apply to ld_imm64 "
                                "(R_BPF_64_64 does)",
                                at, reloc::name(relocation.type)));
      if (index + 1 >= section.insns.size())
        return fail(fmt::format("ld_imm64 at {} is missing its second half (it is the last "
                                "instruction of section '{}')",
                                at, section.name));
      if (symbol.section == 0)
        return fail(fmt::format("{} refers to extern variable '{}' (.kconfig or .ksyms); the "
                                "runtime does not provide externs",
                                at, symbolName));
      if (symbol.section >= llvm::ELF::SHN_LORESERVE)
        return fail(fmt::format("{} refers to '{}' in a special section ({:#x}); an uninitialized "
                                "global in a common block? compile with -fno-common or "
                                "initialize it",
                                at, symbolName, symbol.section));
      if (auto ok = relocateLoad(section, index, relocation); !ok)
        return ok;
      continue;
    }
    return fail(fmt::format("relocation at {} ({} to '{}') applies to {}; relocations must be on "
                            "ld_imm64 or call instructions",
                            at, reloc::name(relocation.type), symbolName,
                            describeOpcode(insn.opcode)));
  }
  return {};
}

Expected<void> CodeRelocator::resolveUnrelocatedCalls(CodeSection &section) {
  for (uint32_t index = 0; index < section.insns.size(); ++index) {
    const Insn &insn = section.insns[index];
    if (section.functionRefs.contains(index))
      continue;
    if (insn.opcode == kCall && insn.src == op::kCallLocal) {
      // A call within the section, already pc-relative.
      int64_t target = (int64_t{index} + insn.imm + 1) * kInsnSize;
      auto function = functionTarget(section.index, target, where(section, index));
      if (!function)
        return function.takeError();
      section.functionRefs[index] = *function;
    } else if (insn.opcode == kLdImm64 && insn.src == op::kPseudoFunc) {
      return fail(fmt::format("{}: ld_imm64 of a function address without a relocation; the "
                              "object is corrupt, recompile it",
                              where(section, index)));
    }
  }
  return {};
}

Expected<void> CodeRelocator::validateFunction(const CodeFunction &function) const {
  const CodeSection &section = *model_.findSection(function.section);
  uint32_t begin = function.firstInsn;
  uint32_t end = begin + function.insnCount;
  std::vector<bool> secondHalf(function.insnCount, false);
  for (uint32_t pc = begin; pc < end; ++pc) {
    if (section.insns[pc].opcode != kLdImm64)
      continue;
    if (pc + 1 >= end)
      return fail(fmt::format("ld_imm64 at {} in function '{}' is missing its second half: the "
                              "function ends after its first half",
                              where(section, pc), function.name));
    const Insn &next = section.insns[pc + 1];
    if (next.opcode != 0 || next.dst != 0 || next.src != 0 || next.offset != 0)
      return fail(fmt::format("ld_imm64 at {} in function '{}' is missing its second half: the "
                              "next instruction is {}",
                              where(section, pc), function.name, describeOpcode(next.opcode)));
    secondHalf[pc + 1 - begin] = true;
    ++pc;
  }
  for (uint32_t pc = begin; pc < end; ++pc) {
    const Insn &insn = section.insns[pc];
    if (secondHalf[pc - begin] || !isJump(insn.opcode))
      continue;
    int64_t target = int64_t{pc} + 1 + (insn.opcode == kJa32 ? insn.imm : insn.offset);
    if (target < begin || target >= end)
      return fail(fmt::format("jump at {} in function '{}' goes to instruction {}, outside the "
                              "function (instructions {}..{} of section '{}')",
                              where(section, pc), function.name, target, begin, end - 1,
                              section.name));
    if (secondHalf[target - begin])
      return fail(fmt::format("jump at {} in function '{}' lands in the middle of an ld_imm64",
                              where(section, pc), function.name));
  }
  const Insn &last = section.insns[end - 1];
  if (secondHalf[end - 1 - begin] ||
      (last.opcode != kExit && last.opcode != kJa && last.opcode != kJa32))
    return fail(fmt::format("function '{}' does not end with exit or a jump (its last instruction "
                            "at {} is {}): execution would run off its end",
                            function.name, where(section, end - 1),
                            secondHalf[end - 1 - begin] ? "the second half of an ld_imm64"
                                                        : describeOpcode(last.opcode)));
  return {};
}

Expected<CodeModel> CodeRelocator::run() {
  if (auto ok = decodeSections(); !ok)
    return ok.takeError();
  if (auto ok = collectFunctions(); !ok)
    return ok.takeError();
  for (CodeSection &section : model_.sections) {
    if (auto ok = applyRelocations(section); !ok)
      return ok.takeError();
    if (auto ok = resolveUnrelocatedCalls(section); !ok)
      return ok.takeError();
  }
  for (const CodeFunction &function : model_.functions)
    if (auto ok = validateFunction(function); !ok)
      return ok.takeError();
  return std::move(model_);
}

} // namespace

Insn decodeInsn(std::span<const uint8_t> bytes, size_t offset) {
  Insn insn;
  insn.opcode = bytes[offset];
  insn.dst = bytes[offset + 1] & 0x0f;
  insn.src = bytes[offset + 1] >> 4;
  insn.offset = static_cast<int16_t>(readLe16(bytes, offset + 2));
  insn.imm = static_cast<int32_t>(readLe32(bytes, offset + 4));
  return insn;
}

const CodeSection *CodeModel::findSection(uint32_t elfIndex) const {
  for (const CodeSection &section : sections)
    if (section.index == elfIndex)
      return &section;
  return nullptr;
}

std::optional<uint32_t> CodeModel::functionAt(uint32_t elfIndex, uint32_t insn) const {
  auto it = std::lower_bound(functions.begin(), functions.end(), std::pair(elfIndex, insn),
                             [](const CodeFunction &f, const std::pair<uint32_t, uint32_t> &key) {
                               return std::pair(f.section, f.firstInsn) < key;
                             });
  if (it == functions.end() || it->section != elfIndex || it->firstInsn != insn)
    return std::nullopt;
  return static_cast<uint32_t>(it - functions.begin());
}

Expected<CodeModel> relocateCode(const ElfFile &elf, std::span<const MapDefinition> maps) {
  return CodeRelocator(elf, maps).run();
}

} // namespace ebpfc::runtime
