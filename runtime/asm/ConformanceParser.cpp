// The bpf_conformance assembler dialect (`mov %r0, 1`, `ldxw %r0, [%r1+2]`,
// `jne32 %r1, 5, label`, `lock fetch add [%r10-8], %r1`), one instruction.
#include "runtime/asm/AsmParser.h"

namespace ebpfc::runtime::asmparse {

namespace {

Insn makeInsn(uint8_t opcode, uint8_t dst = 0, uint8_t src = 0, int16_t offset = 0, int32_t imm = 0) {
  Insn insn{};
  insn.opcode = opcode;
  insn.dst = dst & 0xf;
  insn.src = src & 0xf;
  insn.offset = offset;
  insn.imm = imm;
  return insn;
}

struct AluMnemonic {
  std::string_view name;
  uint8_t operation;
  int16_t offset; // 1 for the signed div/mod forms
};
constexpr AluMnemonic kAluMnemonics[] = {
    {"add", op::kAdd, 0}, {"sub", op::kSub, 0},   {"mul", op::kMul, 0},   {"div", op::kDiv, 0},
    {"sdiv", op::kDiv, 1}, {"or", op::kOr, 0},    {"and", op::kAnd, 0},   {"lsh", op::kLsh, 0},
    {"rsh", op::kRsh, 0}, {"mod", op::kMod, 0},   {"smod", op::kMod, 1},  {"xor", op::kXor, 0},
    {"mov", op::kMov, 0}, {"arsh", op::kArsh, 0}};

struct JumpMnemonic {
  std::string_view name;
  uint8_t operation;
};
constexpr JumpMnemonic kJumpMnemonics[] = {
    {"jeq", op::kJeq},   {"jgt", op::kJgt},   {"jge", op::kJge},   {"jset", op::kJset},
    {"jne", op::kJne},   {"jsgt", op::kJsgt}, {"jsge", op::kJsge}, {"jlt", op::kJlt},
    {"jle", op::kJle},   {"jslt", op::kJslt}, {"jsle", op::kJsle}};

std::optional<uint8_t> sizeFieldOfSuffix(std::string_view suffix) {
  if (suffix == "b") return op::kSizeB;
  if (suffix == "h") return op::kSizeH;
  if (suffix == "w") return op::kSizeW;
  if (suffix == "dw") return op::kSizeDW;
  return std::nullopt;
}

class ConformanceParser {
public:
  ConformanceParser(Cursor &cursor, ProgramBuilder &builder, unsigned line)
      : c_(cursor), b_(builder), line_(line) {}

  void parse();

private:
  uint8_t reg();
  bool peekReg() const { return c_.peek().kind == Token::Register; }
  std::pair<uint8_t, int16_t> memory();
  void target(size_t insn, FixupField field);
  void comma() { c_.expectPunct(","); }

  bool parseAlu(std::string_view mnemonic);
  bool parseJump(std::string_view mnemonic);
  bool parseMemory(std::string_view mnemonic);
  void parseLock();
  void parseCall();

  Cursor &c_;
  ProgramBuilder &b_;
  unsigned line_;
};

uint8_t ConformanceParser::reg() {
  const Token &token = c_.peek();
  if (token.kind != Token::Register)
    c_.failHere("expected a register (%r0..%r10)");
  const std::string_view name = token.text.substr(1);
  if (name == "r10") {
    c_.next();
    return 10;
  }
  if (name.size() == 2 && name[0] == 'r' && name[1] >= '0' && name[1] <= '9') {
    c_.next();
    return uint8_t(name[1] - '0');
  }
  c_.failHere("invalid register '" + std::string(token.text) + "'");
}

std::pair<uint8_t, int16_t> ConformanceParser::memory() {
  c_.expectPunct("[");
  const uint8_t base = reg();
  int16_t offset = 0;
  if (c_.peekPunct("+") || c_.peekPunct("-")) {
    const bool minus = c_.next().text == "-";
    Number n = c_.number("an offset");
    n.negative = minus != n.negative && n.magnitude != 0;
    offset = n.offset16();
  }
  c_.expectPunct("]");
  return {base, offset};
}

void ConformanceParser::target(size_t insn, FixupField field) {
  if (c_.peek().kind == Token::Ident) {
    const Token &label = c_.next();
    c_.expectEnd();
    return b_.referenceLabel(insn, std::string(label.text), field, line_, label.column);
  }
  const Number n = c_.number("a jump target (+N, -N or a label)");
  c_.expectEnd();
  Insn &jump = b_.last();
  if (field == FixupField::Offset16)
    jump.offset = n.offset16();
  else
    jump.imm = n.signed32();
}

void ConformanceParser::parse() {
  const Token &first = c_.peek();
  if (first.kind != Token::Ident)
    c_.failHere("expected a mnemonic");
  const std::string_view mnemonic = c_.next().text;

  if (mnemonic == "exit") {
    c_.expectEnd();
    return b_.emit(makeInsn(op::kExitOpcode));
  }
  if (mnemonic == "ja" || mnemonic == "ja32") {
    const bool longJump = mnemonic == "ja32";
    const size_t at = b_.size();
    b_.emit(makeInsn(longJump ? uint8_t(op::kJmp32 | op::kJa) : uint8_t(op::kJmp | op::kJa)));
    return target(at, longJump ? FixupField::Imm32 : FixupField::Offset16);
  }
  if (mnemonic == "call")
    return parseCall();
  if (mnemonic == "lock")
    return parseLock();
  if (mnemonic == "lddw") {
    const uint8_t dst = reg();
    comma();
    const Number value = c_.number("a 64-bit immediate");
    c_.expectEnd();
    return b_.emitLoadImm64(dst, 0, value.imm64());
  }
  if (mnemonic == "ld_pseudo") {
    const uint8_t dst = reg();
    comma();
    const Token &srcToken = c_.peek();
    const Number source = c_.number("a pseudo source");
    if (source.negative || source.magnitude == 0 || source.magnitude > op::kPseudoMapIdxValue)
      c_.fail(srcToken, "pseudo source must be 1..6");
    comma();
    const size_t at = b_.size();
    if (c_.peek().kind == Token::Ident) {
      const Token &label = c_.next();
      c_.expectEnd();
      b_.emitLoadImm64(dst, uint8_t(source.magnitude), 0, 0);
      return b_.referenceLabel(at, std::string(label.text), FixupField::Imm32, line_, label.column);
    }
    const int32_t imm = c_.number("an immediate").imm32();
    int32_t second = 0;
    if (c_.acceptPunct(","))
      second = c_.number("a second immediate").imm32();
    c_.expectEnd();
    return b_.emitLoadImm64(dst, uint8_t(source.magnitude), imm, second);
  }
  if (parseMemory(mnemonic) || parseJump(mnemonic) || parseAlu(mnemonic))
    return;
  c_.fail(first, "unknown mnemonic '" + std::string(mnemonic) + "'");
}

bool ConformanceParser::parseAlu(std::string_view mnemonic) {
  // Byte order: be16 / le32 / bswap64 (swap64 is bpf_conformance's older name).
  for (std::string_view prefix : {"be", "le", "bswap", "swap"}) {
    if (!mnemonic.starts_with(prefix))
      continue;
    const std::string_view width = mnemonic.substr(prefix.size());
    if (width != "16" && width != "32" && width != "64")
      continue;
    const uint8_t dst = reg();
    c_.expectEnd();
    const uint8_t opcode = prefix == "be"   ? op::kAlu | op::kEnd | op::kToBigEndian
                           : prefix == "le" ? op::kAlu | op::kEnd | op::kToLittleEndian
                                            : op::kAlu64 | op::kEnd;
    b_.emit(makeInsn(opcode, dst, 0, 0, width == "16" ? 16 : width == "32" ? 32 : 64));
    return true;
  }
  // movsx{8,16,32}{32,64}: sign-extending register move.
  if (mnemonic.starts_with("movsx")) {
    static constexpr struct {
      std::string_view name;
      bool is64;
      int16_t bits;
    } kMovSx[] = {{"movsx832", false, 8}, {"movsx1632", false, 16}, {"movsx864", true, 8},
                  {"movsx1664", true, 16}, {"movsx3264", true, 32}};
    for (const auto &form : kMovSx) {
      if (form.name != mnemonic)
        continue;
      const uint8_t dst = reg();
      comma();
      const uint8_t src = reg();
      c_.expectEnd();
      b_.emit(makeInsn((form.is64 ? op::kAlu64 : op::kAlu) | op::kSrcReg | op::kMov, dst, src, form.bits));
      return true;
    }
    return false;
  }

  std::string_view base = mnemonic;
  bool is64 = true;
  if (base.ends_with("32")) {
    base.remove_suffix(2);
    is64 = false;
  } else if (base.ends_with("64")) {
    base.remove_suffix(2);
  }
  const uint8_t cls = is64 ? op::kAlu64 : op::kAlu;
  if (base == "neg") {
    const uint8_t dst = reg();
    c_.expectEnd();
    b_.emit(makeInsn(cls | op::kNeg, dst));
    return true;
  }
  for (const AluMnemonic &alu : kAluMnemonics) {
    if (alu.name != base)
      continue;
    const uint8_t dst = reg();
    comma();
    if (peekReg()) {
      const uint8_t src = reg();
      c_.expectEnd();
      b_.emit(makeInsn(cls | op::kSrcReg | alu.operation, dst, src, alu.offset));
    } else {
      const int32_t imm = c_.number("a register or an immediate").imm32();
      c_.expectEnd();
      b_.emit(makeInsn(cls | op::kSrcImm | alu.operation, dst, 0, alu.offset, imm));
    }
    return true;
  }
  return false;
}

bool ConformanceParser::parseJump(std::string_view mnemonic) {
  std::string_view base = mnemonic;
  const bool is32 = base.ends_with("32");
  if (is32)
    base.remove_suffix(2);
  for (const JumpMnemonic &jump : kJumpMnemonics) {
    if (jump.name != base)
      continue;
    const uint8_t cls = is32 ? op::kJmp32 : op::kJmp;
    const uint8_t dst = reg();
    comma();
    const size_t at = b_.size();
    if (peekReg()) {
      const uint8_t src = reg();
      b_.emit(makeInsn(cls | op::kSrcReg | jump.operation, dst, src));
    } else {
      const int32_t imm = c_.number("a register or an immediate").imm32();
      b_.emit(makeInsn(cls | op::kSrcImm | jump.operation, dst, 0, 0, imm));
    }
    comma();
    target(at, FixupField::Offset16);
    return true;
  }
  return false;
}

bool ConformanceParser::parseMemory(std::string_view mnemonic) {
  auto suffixAfter = [&](std::string_view prefix) -> std::optional<uint8_t> {
    if (!mnemonic.starts_with(prefix))
      return std::nullopt;
    return sizeFieldOfSuffix(mnemonic.substr(prefix.size()));
  };
  if (auto size = suffixAfter("ldxs"); size && *size != op::kSizeDW) {
    const uint8_t dst = reg();
    comma();
    const auto [base, offset] = memory();
    c_.expectEnd();
    b_.emit(makeInsn(op::kLdx | op::kModeMemSx | *size, dst, base, offset));
    return true;
  }
  if (auto size = suffixAfter("ldx")) {
    const uint8_t dst = reg();
    comma();
    const auto [base, offset] = memory();
    c_.expectEnd();
    b_.emit(makeInsn(op::kLdx | op::kModeMem | *size, dst, base, offset));
    return true;
  }
  if (auto size = suffixAfter("stx")) {
    const auto [base, offset] = memory();
    comma();
    const uint8_t src = reg();
    c_.expectEnd();
    b_.emit(makeInsn(op::kStx | op::kModeMem | *size, base, src, offset));
    return true;
  }
  if (auto size = suffixAfter("st")) {
    const auto [base, offset] = memory();
    comma();
    const int32_t imm = c_.number("an immediate").imm32();
    c_.expectEnd();
    b_.emit(makeInsn(op::kSt | op::kModeMem | *size, base, 0, offset, imm));
    return true;
  }
  if (auto size = suffixAfter("ldabs"); size && *size != op::kSizeDW) {
    const int32_t imm = c_.number("a packet offset").imm32();
    c_.expectEnd();
    b_.emit(makeInsn(op::kLd | op::kModeAbs | *size, 0, 0, 0, imm));
    return true;
  }
  if (auto size = suffixAfter("ldind"); size && *size != op::kSizeDW) {
    const uint8_t src = reg();
    comma();
    const int32_t imm = c_.number("a packet offset").imm32();
    c_.expectEnd();
    b_.emit(makeInsn(op::kLd | op::kModeInd | *size, 0, src, 0, imm));
    return true;
  }
  return false;
}

void ConformanceParser::parseLock() {
  // lock [fetch] OP[32] [%rB+off], %rS
  const bool fetch = c_.acceptIdent("fetch");
  const Token &opToken = c_.peek();
  if (opToken.kind != Token::Ident)
    c_.failHere("expected an atomic operation (add, and, or, xor, xchg, cmpxchg)");
  std::string_view name = c_.next().text;
  const bool is32 = name.ends_with("32");
  if (is32)
    name.remove_suffix(2);
  int32_t imm;
  if (name == "add") imm = op::kAdd;
  else if (name == "and") imm = op::kAnd;
  else if (name == "or") imm = op::kOr;
  else if (name == "xor") imm = op::kXor;
  else if (name == "xchg") imm = op::kAtomicXchg;
  else if (name == "cmpxchg") imm = op::kAtomicCmpXchg;
  else c_.fail(opToken, "unknown atomic operation '" + std::string(opToken.text) + "'");
  const bool exchange = imm == op::kAtomicXchg || imm == op::kAtomicCmpXchg;
  if (fetch && exchange)
    c_.fail(opToken, std::string(name) + " always fetches; drop 'fetch'");
  if (fetch)
    imm |= op::kAtomicFetch;
  const auto [base, offset] = memory();
  comma();
  const uint8_t src = reg();
  c_.expectEnd();
  b_.emit(makeInsn(op::kStx | op::kModeAtomic | (is32 ? op::kSizeW : op::kSizeDW), base, src, offset, imm));
}

void ConformanceParser::parseCall() {
  // call N | call helper N | call %rN | call local LABEL|+N | call runtime N[, module]
  const size_t at = b_.size();
  if (c_.acceptIdent("local")) {
    b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallLocal));
    return target(at, FixupField::Imm32);
  }
  if (c_.acceptIdent("runtime")) {
    const int32_t id = c_.number("a runtime function id").imm32();
    int16_t module = 0;
    if (c_.acceptPunct(","))
      module = c_.number("a BTF object index").offset16();
    c_.expectEnd();
    return b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallKfunc, module, id));
  }
  c_.acceptIdent("helper");
  if (peekReg()) {
    const uint8_t target = reg();
    c_.expectEnd();
    return b_.emit(makeInsn(op::kCallReg, target));
  }
  const int32_t id = c_.number("a helper id, local LABEL or a register").imm32();
  c_.expectEnd();
  b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallHelper, 0, id));
}

} // namespace

void parseConformanceInsn(Cursor &cursor, ProgramBuilder &builder, unsigned line) {
  ConformanceParser(cursor, builder, line).parse();
}

} // namespace ebpfc::runtime::asmparse
