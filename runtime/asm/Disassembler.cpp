#include "runtime/asm/Disassembler.h"

#include "runtime/asm/Isa.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <vector>

namespace ebpfc::runtime {

std::string_view dialectName(AsmDialect dialect) {
  return dialect == AsmDialect::Llvm ? "llvm" : "conformance";
}

std::optional<AsmDialect> parseDialect(std::string_view name) {
  if (name == "llvm")
    return AsmDialect::Llvm;
  if (name == "conformance")
    return AsmDialect::Conformance;
  return std::nullopt;
}

uint64_t insnWord(const Insn &insn) {
  uint64_t word;
  std::memcpy(&word, &insn, sizeof word);
  return word;
}

Insn insnFromWord(uint64_t word) {
  Insn insn;
  std::memcpy(&insn, &word, sizeof insn);
  return insn;
}

namespace {

// Slot index -> label name, for listings with labels.
using LabelMap = std::map<int64_t, std::string>;

std::string signedHex(int64_t value) {
  if (value < 0)
    return fmt::format("-0x{:x}", uint64_t(0) - uint64_t(value));
  return fmt::format("0x{:x}", value);
}

// Conformance dialect numbers: decimal while short, hex beyond 16 bits.
std::string conformanceNumber(int64_t value) {
  if (value > -0x10000 && value < 0x10000)
    return std::to_string(value);
  return signedHex(value);
}

const char *aluSymbol(AluOp alu) {
  switch (alu) {
  case AluOp::Add: return "+=";
  case AluOp::Sub: return "-=";
  case AluOp::Mul: return "*=";
  case AluOp::Div: return "/=";
  case AluOp::SDiv: return "s/=";
  case AluOp::Or: return "|=";
  case AluOp::And: return "&=";
  case AluOp::Lsh: return "<<=";
  case AluOp::Rsh: return ">>=";
  case AluOp::Mod: return "%=";
  case AluOp::SMod: return "s%=";
  case AluOp::Xor: return "^=";
  case AluOp::Mov: return "=";
  case AluOp::Arsh: return "s>>=";
  }
  return "?";
}

const char *aluMnemonic(AluOp alu) {
  switch (alu) {
  case AluOp::Add: return "add";
  case AluOp::Sub: return "sub";
  case AluOp::Mul: return "mul";
  case AluOp::Div: return "div";
  case AluOp::SDiv: return "sdiv";
  case AluOp::Or: return "or";
  case AluOp::And: return "and";
  case AluOp::Lsh: return "lsh";
  case AluOp::Rsh: return "rsh";
  case AluOp::Mod: return "mod";
  case AluOp::SMod: return "smod";
  case AluOp::Xor: return "xor";
  case AluOp::Mov: return "mov";
  case AluOp::Arsh: return "arsh";
  }
  return "?";
}

const char *condSymbol(JumpCond cond) {
  switch (cond) {
  case JumpCond::Eq: return "==";
  case JumpCond::Gt: return ">";
  case JumpCond::Ge: return ">=";
  case JumpCond::Set: return "&";
  case JumpCond::Ne: return "!=";
  case JumpCond::Sgt: return "s>";
  case JumpCond::Sge: return "s>=";
  case JumpCond::Lt: return "<";
  case JumpCond::Le: return "<=";
  case JumpCond::Slt: return "s<";
  case JumpCond::Sle: return "s<=";
  }
  return "?";
}

const char *condMnemonic(JumpCond cond) {
  switch (cond) {
  case JumpCond::Eq: return "jeq";
  case JumpCond::Gt: return "jgt";
  case JumpCond::Ge: return "jge";
  case JumpCond::Set: return "jset";
  case JumpCond::Ne: return "jne";
  case JumpCond::Sgt: return "jsgt";
  case JumpCond::Sge: return "jsge";
  case JumpCond::Lt: return "jlt";
  case JumpCond::Le: return "jle";
  case JumpCond::Slt: return "jslt";
  case JumpCond::Sle: return "jsle";
  }
  return "?";
}

const char *atomicMnemonic(AtomicOp atomic) {
  switch (atomic) {
  case AtomicOp::Add: return "add";
  case AtomicOp::Or: return "or";
  case AtomicOp::And: return "and";
  case AtomicOp::Xor: return "xor";
  case AtomicOp::Xchg: return "xchg";
  case AtomicOp::CmpXchg: return "cmpxchg";
  }
  return "?";
}

const char *sizeSuffix(unsigned size) {
  switch (size) {
  case 1: return "b";
  case 2: return "h";
  case 4: return "w";
  default: return "dw";
  }
}

class Printer {
public:
  Printer(std::span<const Insn> insns, size_t index, const LabelMap *labels)
      : insns_(insns), index_(index), insn_(insns[index]), labels_(labels) {}

  std::string llvm(const DecodedInsn &d) const;
  std::string conformance(const DecodedInsn &d) const;
  std::string raw() const { return fmt::format(".quad 0x{:016x}", insnWord(insn_)); }

private:
  std::string reg(unsigned r, bool wide) const { return fmt::format("{}{}", wide ? 'r' : 'w', r); }
  std::string pct(unsigned r) const { return fmt::format("%r{}", r); }
  // `(r1 + 0x4)` / `(r10 - 0x8)`
  std::string llvmAddress(unsigned base) const {
    return fmt::format("(r{} {} {})", base, insn_.offset < 0 ? '-' : '+',
                       signedHex(insn_.offset < 0 ? -int64_t(insn_.offset) : insn_.offset));
  }
  // `[%r1+4]` / `[%r10-8]` / `[%r1]`
  std::string conformanceAddress(unsigned base) const {
    if (insn_.offset == 0)
      return fmt::format("[%r{}]", base);
    return fmt::format("[%r{}{}{}]", base, insn_.offset < 0 ? '-' : '+',
                       conformanceNumber(insn_.offset < 0 ? -int64_t(insn_.offset) : insn_.offset));
  }
  std::optional<std::string> labelAt(int64_t relative) const {
    if (!labels_)
      return std::nullopt;
    auto it = labels_->find(int64_t(index_) + 1 + relative);
    if (it == labels_->end())
      return std::nullopt;
    return it->second;
  }
  std::string llvmTarget(int64_t relative) const {
    if (auto label = labelAt(relative))
      return *label;
    return fmt::format("{}{}", relative < 0 ? "" : "+", signedHex(relative));
  }
  std::string conformanceTarget(int64_t relative) const {
    if (auto label = labelAt(relative))
      return *label;
    return fmt::format("{}{}", relative < 0 ? "" : "+", relative);
  }
  std::string llvmLoadImm64() const;
  std::string conformanceLoadImm64() const;

  std::span<const Insn> insns_;
  size_t index_;
  const Insn &insn_;
  const LabelMap *labels_;
};

std::string Printer::llvmLoadImm64() const {
  const Insn &tail = insns_[index_ + 1];
  if (insn_.src == 0)
    return fmt::format("r{} = {} ll", insn_.dst, signedHex(int64_t(loadImm64Value(insn_, tail))));
  if (insn_.src == op::kPseudoFunc) {
    if (auto label = labelAt(insn_.imm))
      return fmt::format("ld_pseudo r{}, 0x{:x}, {}", insn_.dst, insn_.src, *label);
  }
  std::string text = fmt::format("ld_pseudo r{}, 0x{:x}, {}", insn_.dst, insn_.src, signedHex(insn_.imm));
  if (tail.imm != 0)
    text += ", " + signedHex(tail.imm);
  return text;
}

std::string Printer::conformanceLoadImm64() const {
  const Insn &tail = insns_[index_ + 1];
  if (insn_.src == 0)
    return fmt::format("lddw %r{}, 0x{:x}", insn_.dst, loadImm64Value(insn_, tail));
  if (insn_.src == op::kPseudoFunc) {
    if (auto label = labelAt(insn_.imm))
      return fmt::format("ld_pseudo %r{}, {}, {}", insn_.dst, insn_.src, *label);
  }
  std::string text =
      fmt::format("ld_pseudo %r{}, {}, {}", insn_.dst, insn_.src, conformanceNumber(insn_.imm));
  if (tail.imm != 0)
    text += ", " + conformanceNumber(tail.imm);
  return text;
}

std::string Printer::llvm(const DecodedInsn &d) const {
  const Insn &i = insn_;
  switch (d.kind) {
  case InsnKind::Invalid:
    return raw();
  case InsnKind::Alu:
    return fmt::format("{} {} {}", reg(i.dst, d.is64), aluSymbol(d.alu),
                       d.srcIsReg ? reg(i.src, d.is64) : signedHex(i.imm));
  case InsnKind::Neg:
    return fmt::format("{} = -{}", reg(i.dst, d.is64), reg(i.dst, d.is64));
  case InsnKind::MovSx:
    return fmt::format("{} = (s{}){}", reg(i.dst, d.is64), d.bits, reg(i.src, d.is64));
  case InsnKind::Endian: {
    const char *name = d.order == ByteOrder::ToLittle ? "le" : d.order == ByteOrder::ToBig ? "be" : "bswap";
    return fmt::format("r{} = {}{} r{}", i.dst, name, d.bits, i.dst);
  }
  case InsnKind::LoadImm64:
    return llvmLoadImm64();
  case InsnKind::LoadPacket:
    if (!d.indirect)
      return fmt::format("r0 = *(u{} *)skb[{}]", d.size * 8, signedHex(i.imm));
    if (i.imm == 0)
      return fmt::format("r0 = *(u{} *)skb[r{}]", d.size * 8, i.src);
    return fmt::format("r0 = *(u{} *)skb[r{} + {}]", d.size * 8, i.src, signedHex(i.imm));
  case InsnKind::Load:
    if (d.signExtend)
      return fmt::format("r{} = *(s{} *){}", i.dst, d.size * 8, llvmAddress(i.src));
    return fmt::format("{} = *(u{} *){}", reg(i.dst, d.size == 8), d.size * 8, llvmAddress(i.src));
  case InsnKind::StoreImm:
    return fmt::format("*(u{} *){} = {}", d.size * 8, llvmAddress(i.dst), signedHex(i.imm));
  case InsnKind::StoreReg:
    return fmt::format("*(u{} *){} = {}", d.size * 8, llvmAddress(i.dst), reg(i.src, d.size == 8));
  case InsnKind::Atomic: {
    const unsigned bits = d.size * 8;
    const std::string value = reg(i.src, d.is64);
    switch (d.atomic) {
    case AtomicOp::Xchg:
      return fmt::format("{} = {}(r{} {} {}, {})", value, d.is64 ? "xchg_64" : "xchg32_32", i.dst,
                         i.offset < 0 ? '-' : '+',
                         signedHex(i.offset < 0 ? -int64_t(i.offset) : i.offset), value);
    case AtomicOp::CmpXchg:
      return fmt::format("{} = {}(r{} {} {}, {}, {})", reg(0, d.is64),
                         d.is64 ? "cmpxchg_64" : "cmpxchg32_32", i.dst, i.offset < 0 ? '-' : '+',
                         signedHex(i.offset < 0 ? -int64_t(i.offset) : i.offset), reg(0, d.is64),
                         value);
    default:
      break;
    }
    if (d.fetch)
      return fmt::format("{} = atomic_fetch_{}((u{} *){}, {})", value, atomicMnemonic(d.atomic), bits,
                         llvmAddress(i.dst), value);
    const char *symbol = d.atomic == AtomicOp::Add ? "+=" : d.atomic == AtomicOp::Or ? "|="
                         : d.atomic == AtomicOp::And ? "&=" : "^=";
    return fmt::format("lock *(u{} *){} {} {}", bits, llvmAddress(i.dst), symbol, value);
  }
  case InsnKind::Jump:
    return fmt::format("{} {}", d.longJump ? "gotol" : "goto", llvmTarget(jumpOffsetOf(i, d)));
  case InsnKind::CondJump:
    return fmt::format("if {} {} {} goto {}", reg(i.dst, d.is64), condSymbol(d.cond),
                       d.srcIsReg ? reg(i.src, d.is64) : signedHex(i.imm), llvmTarget(i.offset));
  case InsnKind::Call:
    switch (d.call) {
    case CallKind::Helper: return fmt::format("call {}", signedHex(i.imm));
    case CallKind::Local:
      if (auto label = labelAt(i.imm))
        return fmt::format("call {}", *label);
      return fmt::format("call pc{}{}", i.imm < 0 ? "" : "+", signedHex(i.imm));
    case CallKind::Kfunc:
      if (i.offset != 0)
        return fmt::format("call kfunc {}, {}", signedHex(i.imm), signedHex(i.offset));
      return fmt::format("call kfunc {}", signedHex(i.imm));
    }
    break;
  case InsnKind::CallReg:
    return fmt::format("callx r{}", i.dst);
  case InsnKind::Exit:
    return "exit";
  }
  return raw();
}

std::string Printer::conformance(const DecodedInsn &d) const {
  const Insn &i = insn_;
  const char *suffix32 = d.is64 ? "" : "32";
  switch (d.kind) {
  case InsnKind::Invalid:
    return raw();
  case InsnKind::Alu:
    return fmt::format("{}{} %r{}, {}", aluMnemonic(d.alu), suffix32, i.dst,
                       d.srcIsReg ? pct(i.src) : conformanceNumber(i.imm));
  case InsnKind::Neg:
    return fmt::format("neg{} %r{}", suffix32, i.dst);
  case InsnKind::MovSx:
    return fmt::format("movsx{}{} %r{}, %r{}", d.bits, d.is64 ? 64 : 32, i.dst, i.src);
  case InsnKind::Endian: {
    const char *name = d.order == ByteOrder::ToLittle ? "le" : d.order == ByteOrder::ToBig ? "be" : "bswap";
    return fmt::format("{}{} %r{}", name, d.bits, i.dst);
  }
  case InsnKind::LoadImm64:
    return conformanceLoadImm64();
  case InsnKind::LoadPacket:
    if (d.indirect)
      return fmt::format("ldind{} %r{}, {}", sizeSuffix(d.size), i.src, conformanceNumber(i.imm));
    return fmt::format("ldabs{} {}", sizeSuffix(d.size), conformanceNumber(i.imm));
  case InsnKind::Load:
    return fmt::format("ldx{}{} %r{}, {}", d.signExtend ? "s" : "", sizeSuffix(d.size), i.dst,
                       conformanceAddress(i.src));
  case InsnKind::StoreImm:
    return fmt::format("st{} {}, {}", sizeSuffix(d.size), conformanceAddress(i.dst), conformanceNumber(i.imm));
  case InsnKind::StoreReg:
    return fmt::format("stx{} {}, %r{}", sizeSuffix(d.size), conformanceAddress(i.dst), i.src);
  case InsnKind::Atomic: {
    const bool showFetch = d.fetch && d.atomic != AtomicOp::Xchg && d.atomic != AtomicOp::CmpXchg;
    return fmt::format("lock {}{}{} {}, %r{}", showFetch ? "fetch " : "", atomicMnemonic(d.atomic),
                       suffix32, conformanceAddress(i.dst), i.src);
  }
  case InsnKind::Jump:
    return fmt::format("{} {}", d.longJump ? "ja32" : "ja", conformanceTarget(jumpOffsetOf(i, d)));
  case InsnKind::CondJump:
    return fmt::format("{}{} %r{}, {}, {}", condMnemonic(d.cond), suffix32, i.dst,
                       d.srcIsReg ? pct(i.src) : conformanceNumber(i.imm), conformanceTarget(i.offset));
  case InsnKind::Call:
    switch (d.call) {
    case CallKind::Helper: return fmt::format("call {}", i.imm);
    case CallKind::Local: return fmt::format("call local {}", conformanceTarget(i.imm));
    case CallKind::Kfunc:
      if (i.offset != 0)
        return fmt::format("call runtime {}, {}", i.imm, i.offset);
      return fmt::format("call runtime {}", i.imm);
    }
    break;
  case InsnKind::CallReg:
    return fmt::format("call %r{}", i.dst);
  case InsnKind::Exit:
    return "exit";
  }
  return raw();
}

// Decodes, treating a malformed ld_imm64 (truncated or bad second slot) as invalid.
DecodedInsn decodeAt(std::span<const Insn> insns, size_t index) {
  DecodedInsn d = decodeInsn(insns[index]);
  if (d.kind == InsnKind::LoadImm64 &&
      (index + 1 >= insns.size() || !checkLoadImm64Tail(insns[index + 1]).empty()))
    d.kind = InsnKind::Invalid;
  return d;
}

std::string render(std::span<const Insn> insns, size_t index, AsmDialect dialect, const LabelMap *labels) {
  const DecodedInsn d = decodeAt(insns, index);
  Printer printer(insns, index, labels);
  return dialect == AsmDialect::Llvm ? printer.llvm(d) : printer.conformance(d);
}

} // namespace

std::string disassembleInsn(std::span<const Insn> insns, size_t index, AsmDialect dialect) {
  if (index >= insns.size())
    return "<out of range>";
  return render(insns, index, dialect, nullptr);
}

std::string disassembleProgram(std::span<const Insn> insns, const ListingOptions &options) {
  LabelMap labels;
  if (options.labels) {
    // Only instruction starts get labels: a target inside ld_imm64 keeps its offset.
    std::vector<bool> isStart(insns.size(), false);
    for (size_t i = 0; i < insns.size(); i += decodeAt(insns, i).kind == InsnKind::LoadImm64 ? 2 : 1)
      isStart[i] = true;
    for (size_t i = 0; i < insns.size(); i += 1) {
      const DecodedInsn d = decodeAt(insns, i);
      std::optional<int64_t> relative;
      if (d.kind == InsnKind::Jump || d.kind == InsnKind::CondJump)
        relative = jumpOffsetOf(insns[i], d);
      else if ((d.kind == InsnKind::Call && d.call == CallKind::Local) ||
               (d.kind == InsnKind::LoadImm64 && insns[i].src == op::kPseudoFunc))
        relative = insns[i].imm;
      if (relative) {
        const int64_t target = int64_t(i) + 1 + *relative;
        if (target >= 0 && target < int64_t(insns.size()) && isStart[size_t(target)])
          labels.emplace(target, fmt::format("L{}", target));
      }
      if (d.kind == InsnKind::LoadImm64)
        i += 1;
    }
  }

  std::string text;
  for (size_t i = 0; i < insns.size(); i += 1) {
    if (auto it = labels.find(int64_t(i)); it != labels.end())
      text += it->second + ":\n";
    if (options.indexes)
      text += fmt::format("{:>8}:\t", i);
    text += render(insns, i, options.dialect, options.labels ? &labels : nullptr);
    text += '\n';
    if (decodeAt(insns, i).kind == InsnKind::LoadImm64)
      i += 1;
  }
  return text;
}

} // namespace ebpfc::runtime
