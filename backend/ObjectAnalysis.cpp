#include "backend/ObjectAnalysis.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/Endian.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>

namespace ebpfc::backend {

namespace {

// Instruction classes and the opcodes the analysis looks at.
constexpr uint8_t kClassMask = 0x07;
constexpr uint8_t kClassLdx = 0x01;
constexpr uint8_t kClassSt = 0x02;
constexpr uint8_t kClassStx = 0x03;
constexpr uint8_t kClassAlu = 0x04;
constexpr uint8_t kClassAlu64 = 0x07;
constexpr uint8_t kOpcodeLddw = 0x18;
constexpr uint8_t kOpcodeCall = 0x85;
constexpr uint8_t kOpcodeMov64Reg = 0xbf;
constexpr uint8_t kOpcodeAdd64Imm = 0x07;
constexpr uint8_t kOpcodeSub64Imm = 0x17;
constexpr uint8_t kPseudoCall = 1; // src_reg of a BPF-to-BPF call
constexpr int32_t kHelperTailCall = 12;
constexpr unsigned kFramePointer = 10;
constexpr unsigned kSlotSize = 8;

struct SectionCode {
  std::string name;
  std::vector<Instruction> instructions; // in slot order
};

std::vector<Instruction> decode(llvm::ArrayRef<uint8_t> bytes) {
  std::vector<Instruction> out;
  for (size_t at = 0; at + kSlotSize <= bytes.size();) {
    Instruction insn;
    insn.opcode = bytes[at];
    insn.dst = bytes[at + 1] & 0x0f;
    insn.src = bytes[at + 1] >> 4;
    insn.offset = static_cast<int16_t>(llvm::support::endian::read16le(&bytes[at + 2]));
    insn.imm = static_cast<int32_t>(llvm::support::endian::read32le(&bytes[at + 4]));
    insn.slot = static_cast<uint32_t>(at / kSlotSize);
    insn.wide = insn.opcode == kOpcodeLddw && at + 2 * kSlotSize <= bytes.size();
    at += insn.wide ? 2 * kSlotSize : kSlotSize;
    out.push_back(insn);
  }
  return out;
}

// Whether the instruction writes its dst register (so a tracked "r10 + k"
// value there is gone).
bool writesDst(const Instruction &insn) {
  uint8_t cls = insn.opcode & kClassMask;
  return cls == kClassAlu || cls == kClassAlu64 || cls == kClassLdx || insn.opcode == kOpcodeLddw;
}

// The deepest r10-relative access of a function: direct loads and stores
// through r10, and accesses through registers holding r10 plus a constant
// (LLVM materializes stack addresses as "rX = r10; rX += -N").
unsigned stackDepthOf(const std::vector<Instruction> &instructions) {
  std::array<std::optional<int64_t>, 11> frameOffset; // register -> value - r10
  int64_t deepest = 0;
  auto access = [&](int64_t offset) { deepest = std::min(deepest, offset); };
  for (const Instruction &insn : instructions) {
    uint8_t cls = insn.opcode & kClassMask;
    if (cls == kClassLdx && insn.src <= kFramePointer) {
      if (insn.src == kFramePointer) access(insn.offset);
      else if (frameOffset[insn.src]) access(*frameOffset[insn.src] + insn.offset);
    } else if ((cls == kClassSt || cls == kClassStx) && insn.dst <= kFramePointer) {
      if (insn.dst == kFramePointer) access(insn.offset);
      else if (frameOffset[insn.dst]) access(*frameOffset[insn.dst] + insn.offset);
      // A stored stack address may be used later through memory.
      if (cls == kClassStx && insn.src < kFramePointer && frameOffset[insn.src]) access(*frameOffset[insn.src]);
    }
    if (insn.dst >= kFramePointer)
      continue;
    if (insn.opcode == kOpcodeMov64Reg && insn.src == kFramePointer) {
      frameOffset[insn.dst] = 0;
    } else if (insn.opcode == kOpcodeMov64Reg && insn.src < kFramePointer) {
      frameOffset[insn.dst] = frameOffset[insn.src];
    } else if (insn.opcode == kOpcodeAdd64Imm && frameOffset[insn.dst]) {
      *frameOffset[insn.dst] += insn.imm;
      access(*frameOffset[insn.dst]);
    } else if (insn.opcode == kOpcodeSub64Imm && frameOffset[insn.dst]) {
      *frameOffset[insn.dst] -= insn.imm;
      access(*frameOffset[insn.dst]);
    } else if (insn.opcode == kOpcodeCall) {
      // Arguments are read by the callee; r0..r5 are clobbered.
      for (unsigned r = 1; r <= 5; ++r)
        if (frameOffset[r]) access(*frameOffset[r]);
      for (unsigned r = 0; r <= 5; ++r)
        frameOffset[r].reset();
    } else if (writesDst(insn)) {
      frameOffset[insn.dst].reset();
    }
  }
  // The verifier allocates the stack in 8-byte slots and reports depths in
  // whole slots (since 6.x; the combined check rounds to 32 anyway).
  return static_cast<unsigned>((-deepest + 7) / 8 * 8);
}

struct Reloc {
  std::string symbol;
  bool symbolDefined = false;
  bool symbolIsCode = false;
  uint64_t symbolSection = 0; // section index
  uint64_t symbolValue = 0;
};

} // namespace

unsigned roundedFrameSize(unsigned stackDepth) { return (std::max(stackDepth, 1u) + 31) / 32 * 32; }

std::optional<size_t> ObjectAnalysis::find(std::string_view name) const {
  for (size_t i = 0; i < functions.size(); ++i)
    if (functions[i].name == name)
      return i;
  return std::nullopt;
}

std::vector<size_t> ObjectAnalysis::reachableFrom(size_t entry) const {
  std::vector<size_t> order{entry};
  std::vector<bool> seen(functions.size());
  seen[entry] = true;
  for (size_t i = 0; i < order.size(); ++i)
    for (size_t callee : functions[order[i]].callees)
      if (!seen[callee]) {
        seen[callee] = true;
        order.push_back(callee);
      }
  return order;
}

uint64_t ObjectAnalysis::programSlots(size_t entry) const {
  uint64_t total = 0;
  for (size_t f : reachableFrom(entry))
    total += functions[f].slotCount;
  return total;
}

StackChain ObjectAnalysis::deepestStackChain(size_t entry) const {
  // Longest path by rounded frame size; a call back into a function already
  // on the chain (recursion, which the verifier rejects anyway) is skipped.
  std::vector<std::optional<StackChain>> memo(functions.size());
  std::vector<bool> active(functions.size());
  std::function<StackChain(size_t)> visit = [&](size_t f) -> StackChain {
    if (memo[f])
      return *memo[f];
    active[f] = true;
    StackChain best;
    for (size_t callee : functions[f].callees) {
      if (active[callee])
        continue;
      StackChain below = visit(callee);
      if (below.depth > best.depth)
        best = std::move(below);
    }
    active[f] = false;
    best.depth += roundedFrameSize(functions[f].stackDepth);
    best.frames.insert(best.frames.begin(), f);
    memo[f] = best;
    return best;
  };
  return visit(entry);
}

std::vector<size_t> ObjectAnalysis::deepestCallChain(size_t entry) const {
  std::vector<std::optional<std::vector<size_t>>> memo(functions.size());
  std::vector<bool> active(functions.size());
  std::function<std::vector<size_t>(size_t)> visit = [&](size_t f) -> std::vector<size_t> {
    if (memo[f])
      return *memo[f];
    active[f] = true;
    std::vector<size_t> best;
    for (size_t callee : functions[f].callees) {
      if (active[callee])
        continue;
      std::vector<size_t> below = visit(callee);
      if (below.size() > best.size())
        best = std::move(below);
    }
    active[f] = false;
    best.insert(best.begin(), f);
    memo[f] = best;
    return best;
  };
  return visit(entry);
}

std::optional<ObjectAnalysis> analyzeObject(std::string_view elf, std::string &error) {
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(elf.data(), elf.size()), "object", false);
  llvm::Expected<llvm::object::ELF64LEObjectFile> parsed =
      llvm::object::ELF64LEObjectFile::create(buffer->getMemBufferRef());
  if (!parsed) {
    error = llvm::toString(parsed.takeError());
    return std::nullopt;
  }
  const llvm::object::ELF64LEObjectFile &file = *parsed;
  if (file.getELFFile().getHeader().e_machine != llvm::ELF::EM_BPF) {
    error = "not an eBPF object (e_machine " + std::to_string(file.getELFFile().getHeader().e_machine) + ")";
    return std::nullopt;
  }

  ObjectAnalysis analysis;
  // Code sections by section index, and the functions in each.
  std::map<uint64_t, SectionCode> code;
  for (const llvm::object::SectionRef &section : file.sections()) {
    if (llvm::Expected<llvm::StringRef> name = section.getName()) {
      for (llvm::StringRef prefix : {".data", ".bss", ".rodata"})
        if ((*name == prefix || name->starts_with((prefix + ".").str())) && section.getSize() != 0)
          analysis.dataSections.push_back({name->str(), section.getSize()});
    } else {
      llvm::consumeError(name.takeError());
    }
    if (!section.isText() || section.getSize() == 0)
      continue;
    llvm::Expected<llvm::StringRef> contents = section.getContents();
    llvm::Expected<llvm::StringRef> name = section.getName();
    if (!contents || !name) {
      error = "unreadable code section";
      if (!contents) llvm::consumeError(contents.takeError());
      if (!name) llvm::consumeError(name.takeError());
      return std::nullopt;
    }
    code[section.getIndex()] = {name->str(), decode(llvm::arrayRefFromStringRef(*contents))};
  }

  struct FunctionSymbol {
    std::string name;
    uint64_t section;
    uint64_t value;
    uint64_t size;
    bool global;
  };
  std::vector<FunctionSymbol> symbols;
  for (const llvm::object::ELFSymbolRef &symbol : file.symbols()) {
    llvm::Expected<llvm::object::SymbolRef::Type> type = symbol.getType();
    llvm::Expected<llvm::object::section_iterator> section = symbol.getSection();
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    llvm::Expected<uint64_t> value = symbol.getValue();
    if (!type || !section || !name || !value) {
      if (!type) llvm::consumeError(type.takeError());
      if (!section) llvm::consumeError(section.takeError());
      if (!name) llvm::consumeError(name.takeError());
      if (!value) llvm::consumeError(value.takeError());
      continue;
    }
    if (*type != llvm::object::SymbolRef::ST_Function || *section == file.section_end() ||
        !code.count((*section)->getIndex()))
      continue;
    symbols.push_back({name->str(), (*section)->getIndex(), *value, symbol.getSize(),
                       symbol.getBinding() == llvm::ELF::STB_GLOBAL});
  }
  std::sort(symbols.begin(), symbols.end(), [](const FunctionSymbol &a, const FunctionSymbol &b) {
    return std::tie(a.section, a.value) < std::tie(b.section, b.value);
  });

  // (section index, first slot) -> function index, for resolving calls.
  std::map<std::pair<uint64_t, uint32_t>, size_t> functionAt;
  std::vector<uint64_t> functionSection;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const FunctionSymbol &symbol = symbols[i];
    const SectionCode &section = code[symbol.section];
    uint64_t sectionSlots = section.instructions.empty()
                                ? 0
                                : section.instructions.back().slot + (section.instructions.back().wide ? 2 : 1);
    uint64_t first = symbol.value / kSlotSize;
    uint64_t end = symbol.size ? first + symbol.size / kSlotSize : sectionSlots;
    // Without a size (hand-written assembly), a function ends where the next begins.
    if (!symbol.size && i + 1 < symbols.size() && symbols[i + 1].section == symbol.section)
      end = symbols[i + 1].value / kSlotSize;
    end = std::min(end, sectionSlots);
    ObjectFunction function;
    function.name = symbol.name;
    function.section = section.name;
    function.global = symbol.global;
    function.firstSlot = static_cast<uint32_t>(first);
    function.slotCount = static_cast<uint32_t>(end > first ? end - first : 0);
    for (const Instruction &insn : section.instructions)
      if (insn.slot >= first && insn.slot < end)
        function.instructions.push_back(insn);
    function.stackDepth = stackDepthOf(function.instructions);
    functionAt[{symbol.section, function.firstSlot}] = analysis.functions.size();
    functionSection.push_back(symbol.section);
    analysis.functions.push_back(std::move(function));
  }

  // Relocations of code sections, by (section index, byte offset).
  std::map<std::pair<uint64_t, uint64_t>, Reloc> relocs;
  for (const llvm::object::SectionRef &section : file.sections()) {
    llvm::Expected<llvm::object::section_iterator> target = section.getRelocatedSection();
    if (!target) {
      llvm::consumeError(target.takeError());
      continue;
    }
    if (*target == file.section_end() || !code.count((*target)->getIndex()))
      continue;
    for (const llvm::object::RelocationRef &relocation : section.relocations()) {
      Reloc reloc;
      llvm::object::symbol_iterator symbol = relocation.getSymbol();
      if (symbol != file.symbol_end()) {
        llvm::Expected<llvm::StringRef> name = symbol->getName();
        llvm::Expected<llvm::object::section_iterator> symbolSection = symbol->getSection();
        llvm::Expected<uint64_t> value = symbol->getValue();
        if (name) reloc.symbol = name->str(); else llvm::consumeError(name.takeError());
        if (value) reloc.symbolValue = *value; else llvm::consumeError(value.takeError());
        if (symbolSection && *symbolSection != file.section_end()) {
          reloc.symbolDefined = true;
          reloc.symbolIsCode = code.count((*symbolSection)->getIndex()) != 0;
          reloc.symbolSection = (*symbolSection)->getIndex();
        } else if (!symbolSection) {
          llvm::consumeError(symbolSection.takeError());
        }
      }
      relocs[{(*target)->getIndex(), relocation.getOffset()}] = std::move(reloc);
    }
  }

  auto functionContaining = [&](uint64_t section, uint32_t slot) -> std::optional<size_t> {
    auto it = functionAt.upper_bound({section, slot});
    if (it == functionAt.begin())
      return std::nullopt;
    --it;
    const ObjectFunction &f = analysis.functions[it->second];
    if (it->first.first != section || slot >= f.firstSlot + f.slotCount)
      return std::nullopt;
    return it->second;
  };

  for (size_t index = 0; index < analysis.functions.size(); ++index) {
    ObjectFunction &function = analysis.functions[index];
    uint64_t section = functionSection[index];
    auto addCallee = [&](std::optional<size_t> callee) {
      if (callee && std::find(function.callees.begin(), function.callees.end(), *callee) == function.callees.end())
        function.callees.push_back(*callee);
    };
    for (const Instruction &insn : function.instructions) {
      auto reloc = relocs.find({section, uint64_t(insn.slot) * kSlotSize});
      bool relocated = reloc != relocs.end();
      if (insn.opcode == kOpcodeCall && insn.src == 0 && insn.imm == kHelperTailCall) {
        function.callsTailCall = true;
      } else if (insn.opcode == kOpcodeCall && insn.src == kPseudoCall) {
        if (!relocated) {
          addCallee(functionContaining(section, static_cast<uint32_t>(insn.slot + insn.imm + 1)));
        } else if (!reloc->second.symbolDefined) {
          if (std::find(function.externalCalls.begin(), function.externalCalls.end(), reloc->second.symbol) ==
              function.externalCalls.end())
            function.externalCalls.push_back(reloc->second.symbol);
        } else if (reloc->second.symbolIsCode) {
          // libbpf: target = symbol value / 8 + imm + 1.
          int64_t target = int64_t(reloc->second.symbolValue / kSlotSize) + insn.imm + 1;
          addCallee(functionContaining(reloc->second.symbolSection, static_cast<uint32_t>(target)));
        }
      } else if (insn.opcode == kOpcodeLddw && relocated && reloc->second.symbolIsCode) {
        // The address of a function (a callback): symbol value + imm, in bytes.
        int64_t target = (int64_t(reloc->second.symbolValue) + insn.imm) / int64_t(kSlotSize);
        addCallee(functionContaining(reloc->second.symbolSection, static_cast<uint32_t>(target)));
      }
    }
  }
  return analysis;
}

} // namespace ebpfc::backend
