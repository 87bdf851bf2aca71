// The LLVM BPF assembler syntax (as llvm-objdump prints it), one instruction.
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

class LlvmParser {
public:
  LlvmParser(Cursor &cursor, ProgramBuilder &builder, unsigned line)
      : c_(cursor), b_(builder), line_(line) {}

  void parse();

private:
  Reg reg(const char *what = "a register");
  Reg wideReg() {
    const Token &at = c_.peek();
    Reg r = reg();
    if (!r.wide)
      c_.fail(at, "expected a 64-bit register (rN)");
    return r;
  }
  bool peekReg(size_t ahead = 0) const {
    return c_.peek(ahead).kind == Token::Ident && llvmRegister(c_.peek(ahead).text).has_value();
  }
  // `u8`..`u64` (or `s8`..`s32` when `allowSigned`): the access size in bytes.
  unsigned sizeType(bool allowSigned, bool &isSigned);
  // `(rN + off)` or `(rN - off)`; with `parens` false the parentheses are the caller's.
  std::pair<uint8_t, int16_t> address(bool parens = true);
  // `+0x3` / `-3` / label; then an optional objdump `<sym+0x..>` annotation.
  void jumpTarget(size_t insn, FixupField field);
  void skipAnnotation();

  void parseRegisterStatement();
  void parseAssignment(Reg dst);
  void parseStore();
  void parseLock();
  void parseIf();
  void parseCall();
  void parseLoadPseudo();

  Cursor &c_;
  ProgramBuilder &b_;
  unsigned line_;
};

Reg LlvmParser::reg(const char *what) {
  const Token &token = c_.peek();
  if (token.kind == Token::Ident)
    if (auto r = llvmRegister(token.text)) {
      c_.next();
      return *r;
    }
  c_.failHere(std::string("expected ") + what);
}

unsigned LlvmParser::sizeType(bool allowSigned, bool &isSigned) {
  const Token &token = c_.peek();
  static constexpr struct {
    std::string_view name;
    unsigned size;
    bool isSigned;
  } kTypes[] = {{"u8", 1, false}, {"u16", 2, false}, {"u32", 4, false}, {"u64", 8, false},
                {"s8", 1, true},  {"s16", 2, true},  {"s32", 4, true}};
  if (token.kind == Token::Ident)
    for (const auto &type : kTypes)
      if (token.text == type.name && (allowSigned || !type.isSigned)) {
        c_.next();
        isSigned = type.isSigned;
        return type.size;
      }
  c_.failHere(allowSigned ? "expected an access type (u8, u16, u32, u64, s8, s16, s32)"
                          : "expected an access type (u8, u16, u32, u64)");
}

std::pair<uint8_t, int16_t> LlvmParser::address(bool parens) {
  if (parens)
    c_.expectPunct("(");
  const Reg base = wideReg();
  int16_t offset = 0;
  if (c_.peekPunct("+") || c_.peekPunct("-")) {
    const bool minus = c_.next().text == "-";
    Number n = c_.number("an offset");
    n.negative = minus != n.negative && n.magnitude != 0;
    offset = n.offset16();
  }
  if (parens)
    c_.expectPunct(")");
  return {base.number, offset};
}

void LlvmParser::skipAnnotation() {
  if (!c_.peekPunct("<"))
    return;
  while (!c_.atEnd())
    c_.next();
}

void LlvmParser::jumpTarget(size_t insn, FixupField field) {
  Insn &target = b_.last();
  if (c_.peek().kind == Token::Ident) {
    const Token &label = c_.next();
    b_.referenceLabel(insn, std::string(label.text), field, line_, label.column);
  } else {
    if (!c_.peekPunct("+") && !c_.peekPunct("-"))
      c_.failHere("expected a jump target (+N, -N or a label)");
    const Number n = c_.number("a jump offset");
    if (field == FixupField::Offset16)
      target.offset = n.offset16();
    else
      target.imm = n.signed32();
  }
  skipAnnotation();
  c_.expectEnd();
}

void LlvmParser::parse() {
  const Token &first = c_.peek();
  if (first.kind == Token::Punct && first.text == "*")
    return parseStore();
  if (first.kind != Token::Ident)
    c_.failHere("expected an instruction");
  if (peekReg())
    return parseRegisterStatement();

  const std::string_view word = first.text;
  if (word == "exit") {
    c_.next();
    c_.expectEnd();
    return b_.emit(makeInsn(op::kExitOpcode));
  }
  if (word == "goto" || word == "gotol") {
    c_.next();
    const size_t at = b_.size();
    const bool longJump = word == "gotol";
    b_.emit(makeInsn(longJump ? uint8_t(op::kJmp32 | op::kJa) : uint8_t(op::kJmp | op::kJa)));
    return jumpTarget(at, longJump ? FixupField::Imm32 : FixupField::Offset16);
  }
  if (word == "if")
    return parseIf();
  if (word == "call")
    return parseCall();
  if (word == "callx") {
    c_.next();
    const Reg target = wideReg();
    c_.expectEnd();
    return b_.emit(makeInsn(op::kCallReg, target.number));
  }
  if (word == "lock")
    return parseLock();
  if (word == "ld_pseudo")
    return parseLoadPseudo();
  c_.failHere("unknown instruction '" + std::string(word) + "'");
}

void LlvmParser::parseRegisterStatement() {
  const Reg dst = reg();
  const uint8_t cls = dst.wide ? op::kAlu64 : op::kAlu;
  if (c_.acceptPunct("="))
    return parseAssignment(dst);

  // Compound assignment: `rD op= rS|imm`, with `s` prefixing the signed forms.
  const bool isSigned = c_.acceptIdent("s");
  const Token &opToken = c_.peek();
  if (opToken.kind != Token::Punct)
    c_.failHere("expected an assignment operator");
  struct AluSymbol {
    std::string_view text;
    uint8_t operation;
    bool isSigned;
  };
  static constexpr AluSymbol kSymbols[] = {
      {"+=", op::kAdd, false},  {"-=", op::kSub, false},  {"*=", op::kMul, false},
      {"/=", op::kDiv, false},  {"|=", op::kOr, false},   {"&=", op::kAnd, false},
      {"<<=", op::kLsh, false}, {">>=", op::kRsh, false}, {"%=", op::kMod, false},
      {"^=", op::kXor, false},  {"/=", op::kDiv, true},   {"%=", op::kMod, true},
      {">>=", op::kArsh, true}};
  const AluSymbol *symbol = nullptr;
  for (const AluSymbol &s : kSymbols)
    if (s.text == opToken.text && s.isSigned == isSigned)
      symbol = &s;
  if (!symbol)
    c_.failHere("unknown operator '" + std::string(isSigned ? "s" : "") + std::string(opToken.text) + "'");
  c_.next();
  const int16_t offset = isSigned && symbol->operation != op::kArsh ? op::kSignedDivMod : 0;
  if (peekReg()) {
    const Token &at = c_.peek();
    const Reg src = reg();
    if (src.wide != dst.wide)
      c_.fail(at, "operands must both be rN or both be wN");
    c_.expectEnd();
    return b_.emit(makeInsn(cls | op::kSrcReg | symbol->operation, dst.number, src.number, offset));
  }
  const Number imm = c_.number("a register or an immediate");
  c_.expectEnd();
  b_.emit(makeInsn(cls | op::kSrcImm | symbol->operation, dst.number, 0, offset, imm.imm32()));
}

void LlvmParser::parseAssignment(Reg dst) {
  const uint8_t cls = dst.wide ? op::kAlu64 : op::kAlu;
  // rD = -rD
  if (c_.peekPunct("-") && peekReg(1)) {
    c_.next();
    const Token &at = c_.peek();
    const Reg src = reg();
    if (src.number != dst.number || src.wide != dst.wide)
      c_.fail(at, "negation must name the destination register");
    c_.expectEnd();
    return b_.emit(makeInsn(cls | op::kNeg, dst.number));
  }
  // rD = (s8)rS
  if (c_.acceptPunct("(")) {
    const Token &type = c_.peek();
    bool isSigned = false;
    const unsigned size = sizeType(true, isSigned);
    if (!isSigned || (!dst.wide && size == 4))
      c_.fail(type, dst.wide ? "expected s8, s16 or s32" : "expected s8 or s16");
    c_.expectPunct(")");
    const Token &at = c_.peek();
    const Reg src = reg();
    if (src.wide != dst.wide)
      c_.fail(at, "operands must both be rN or both be wN");
    c_.expectEnd();
    return b_.emit(makeInsn(cls | op::kSrcReg | op::kMov, dst.number, src.number, int16_t(size * 8)));
  }
  // Loads: rD = *(u32 *)(rS + off), rD = *(s8 *)(...), r0 = *(u32 *)skb[...]
  if (c_.acceptPunct("*")) {
    c_.expectPunct("(");
    const Token &typeToken = c_.peek();
    bool isSigned = false;
    const unsigned size = sizeType(true, isSigned);
    c_.expectPunct("*");
    c_.expectPunct(")");
    const uint8_t sizeField = size == 1 ? op::kSizeB : size == 2 ? op::kSizeH : size == 4 ? op::kSizeW : op::kSizeDW;
    if (c_.acceptIdent("skb")) {
      if (isSigned || size == 8)
        c_.fail(typeToken, "packet loads take u8, u16 or u32");
      if (dst.number != 0 || !dst.wide)
        c_.fail(typeToken, "packet loads write r0");
      c_.expectPunct("[");
      if (peekReg()) {
        const Reg index = wideReg();
        int32_t imm = 0;
        if (c_.peekPunct("+") || c_.peekPunct("-")) {
          const bool minus = c_.next().text == "-";
          Number n = c_.number("an offset");
          n.negative = minus != n.negative && n.magnitude != 0;
          imm = n.imm32();
        }
        c_.expectPunct("]");
        c_.expectEnd();
        return b_.emit(makeInsn(op::kLd | op::kModeInd | sizeField, 0, index.number, 0, imm));
      }
      const Number imm = c_.number("an offset");
      c_.expectPunct("]");
      c_.expectEnd();
      return b_.emit(makeInsn(op::kLd | op::kModeAbs | sizeField, 0, 0, 0, imm.imm32()));
    }
    if (size == 8 && !dst.wide)
      c_.fail(typeToken, "a 64-bit load needs an rN destination");
    if (isSigned && !dst.wide)
      c_.fail(typeToken, "sign-extending loads need an rN destination");
    const auto [base, offset] = address();
    c_.expectEnd();
    const uint8_t mode = isSigned ? op::kModeMemSx : op::kModeMem;
    return b_.emit(makeInsn(op::kLdx | mode | sizeField, dst.number, base, offset));
  }
  if (c_.peek().kind == Token::Ident && !peekReg()) {
    const Token &word = c_.next();
    const std::string_view name = word.text;
    // Byte order: rD = be16 rD / le32 rD / bswap64 rD
    for (std::string_view prefix : {"be", "le", "bswap"}) {
      if (!name.starts_with(prefix))
        continue;
      const std::string_view width = name.substr(prefix.size());
      if (width != "16" && width != "32" && width != "64")
        continue;
      const Token &at = c_.peek();
      const Reg src = reg();
      if (src.number != dst.number || !src.wide || !dst.wide)
        c_.fail(at, "byte swaps take the form rN = " + std::string(name) + " rN");
      c_.expectEnd();
      const uint8_t opcode = prefix == "bswap" ? op::kAlu64 | op::kEnd
                             : prefix == "be"  ? op::kAlu | op::kEnd | op::kToBigEndian
                                               : op::kAlu | op::kEnd | op::kToLittleEndian;
      return b_.emit(makeInsn(opcode, dst.number, 0, 0, std::stoi(std::string(width))));
    }
    const uint8_t atomicClass = op::kStx | op::kModeAtomic;
    // rD = atomic_fetch_add((u64 *)(rB + off), rD)
    if (name.starts_with("atomic_fetch_")) {
      const std::string_view operation = name.substr(13);
      int32_t imm;
      if (operation == "add") imm = op::kAdd;
      else if (operation == "and") imm = op::kAnd;
      else if (operation == "or") imm = op::kOr;
      else if (operation == "xor") imm = op::kXor;
      else c_.fail(word, "unknown atomic operation '" + std::string(name) + "'");
      c_.expectPunct("(");
      c_.expectPunct("(");
      const Token &typeToken = c_.peek();
      bool isSigned = false;
      const unsigned size = sizeType(false, isSigned);
      if (size != 4 && size != 8)
        c_.fail(typeToken, "atomic operations take u32 or u64");
      c_.expectPunct("*");
      c_.expectPunct(")");
      const auto [base, offset] = address();
      c_.expectPunct(",");
      const Token &at = c_.peek();
      const Reg src = reg();
      if (src.number != dst.number || (size == 8 && (!src.wide || !dst.wide)))
        c_.fail(at, "the fetched register must be the destination");
      c_.expectPunct(")");
      c_.expectEnd();
      return b_.emit(makeInsn(atomicClass | (size == 8 ? op::kSizeDW : op::kSizeW), base, src.number,
                              offset, imm | op::kAtomicFetch));
    }
    // rD = xchg_64(rB + off, rD) / wD = xchg32_32(...)
    if (name == "xchg_64" || name == "xchg32_32") {
      const bool is64 = name == "xchg_64";
      c_.expectPunct("(");
      const auto [base, offset] = address(false);
      c_.expectPunct(",");
      const Token &at = c_.peek();
      const Reg src = reg();
      if (src.number != dst.number || src.wide != is64 || dst.wide != is64)
        c_.fail(at, is64 ? "xchg_64 exchanges an rN with itself as destination"
                         : "xchg32_32 exchanges a wN with itself as destination");
      c_.expectPunct(")");
      c_.expectEnd();
      return b_.emit(makeInsn(atomicClass | (is64 ? op::kSizeDW : op::kSizeW), base, src.number, offset,
                              op::kAtomicXchg));
    }
    // r0 = cmpxchg_64(rB + off, r0, rS) / w0 = cmpxchg32_32(...)
    if (name == "cmpxchg_64" || name == "cmpxchg32_32") {
      const bool is64 = name == "cmpxchg_64";
      if (dst.number != 0 || dst.wide != is64)
        c_.fail(word, is64 ? "cmpxchg_64 writes r0" : "cmpxchg32_32 writes w0");
      c_.expectPunct("(");
      const auto [base, offset] = address(false);
      c_.expectPunct(",");
      const Token &expectedAt = c_.peek();
      const Reg expected = reg();
      if (expected.number != 0 || expected.wide != is64)
        c_.fail(expectedAt, is64 ? "the compared value is r0" : "the compared value is w0");
      c_.expectPunct(",");
      const Token &at = c_.peek();
      const Reg src = reg();
      if (src.wide != is64)
        c_.fail(at, is64 ? "expected an rN register" : "expected a wN register");
      c_.expectPunct(")");
      c_.expectEnd();
      return b_.emit(makeInsn(atomicClass | (is64 ? op::kSizeDW : op::kSizeW), base, src.number, offset,
                              op::kAtomicCmpXchg));
    }
    c_.fail(word, "unknown expression '" + std::string(name) + "'");
  }
  // rD = rS
  if (peekReg()) {
    const Token &at = c_.peek();
    const Reg src = reg();
    if (src.wide != dst.wide)
      c_.fail(at, "operands must both be rN or both be wN");
    c_.expectEnd();
    return b_.emit(makeInsn(cls | op::kSrcReg | op::kMov, dst.number, src.number));
  }
  // rD = imm / rD = imm ll
  const Number imm = c_.number("a register, an immediate or an expression");
  if (c_.acceptIdent("ll")) {
    if (!dst.wide)
      c_.failHere("a 64-bit immediate needs an rN destination");
    c_.expectEnd();
    return b_.emitLoadImm64(dst.number, 0, imm.imm64());
  }
  c_.expectEnd();
  b_.emit(makeInsn(cls | op::kSrcImm | op::kMov, dst.number, 0, 0, imm.imm32()));
}

void LlvmParser::parseStore() {
  c_.expectPunct("*");
  c_.expectPunct("(");
  bool isSigned = false;
  const unsigned size = sizeType(false, isSigned);
  c_.expectPunct("*");
  c_.expectPunct(")");
  const auto [base, offset] = address();
  c_.expectPunct("=");
  const uint8_t sizeField = size == 1 ? op::kSizeB : size == 2 ? op::kSizeH : size == 4 ? op::kSizeW : op::kSizeDW;
  if (peekReg()) {
    const Token &at = c_.peek();
    const Reg src = reg();
    if (size == 8 && !src.wide)
      c_.fail(at, "a 64-bit store takes an rN register");
    c_.expectEnd();
    return b_.emit(makeInsn(op::kStx | op::kModeMem | sizeField, base, src.number, offset));
  }
  const Number imm = c_.number("a register or an immediate");
  c_.expectEnd();
  b_.emit(makeInsn(op::kSt | op::kModeMem | sizeField, base, 0, offset, imm.imm32()));
}

void LlvmParser::parseLock() {
  c_.expectIdent("lock");
  c_.expectPunct("*");
  c_.expectPunct("(");
  const Token &typeToken = c_.peek();
  bool isSigned = false;
  const unsigned size = sizeType(false, isSigned);
  if (size != 4 && size != 8)
    c_.fail(typeToken, "atomic operations take u32 or u64");
  c_.expectPunct("*");
  c_.expectPunct(")");
  const auto [base, offset] = address();
  const Token &opToken = c_.next();
  int32_t imm;
  if (opToken.text == "+=") imm = op::kAdd;
  else if (opToken.text == "|=") imm = op::kOr;
  else if (opToken.text == "&=") imm = op::kAnd;
  else if (opToken.text == "^=") imm = op::kXor;
  else c_.fail(opToken, "expected +=, |=, &= or ^=");
  const Token &at = c_.peek();
  const Reg src = reg();
  if (size == 8 && !src.wide)
    c_.fail(at, "a 64-bit atomic operation takes an rN register");
  c_.expectEnd();
  b_.emit(makeInsn(op::kStx | op::kModeAtomic | (size == 8 ? op::kSizeDW : op::kSizeW), base, src.number,
                   offset, imm));
}

void LlvmParser::parseIf() {
  c_.expectIdent("if");
  const Reg dst = reg();
  const bool isSigned = c_.acceptIdent("s");
  const Token &opToken = c_.peek();
  struct CondSymbol {
    std::string_view text;
    uint8_t operation;
    bool isSigned;
  };
  static constexpr CondSymbol kConds[] = {
      {"==", op::kJeq, false}, {"!=", op::kJne, false}, {">", op::kJgt, false}, {">=", op::kJge, false},
      {"<", op::kJlt, false},  {"<=", op::kJle, false}, {"&", op::kJset, false}, {">", op::kJsgt, true},
      {">=", op::kJsge, true}, {"<", op::kJslt, true},  {"<=", op::kJsle, true}};
  const CondSymbol *cond = nullptr;
  if (opToken.kind == Token::Punct)
    for (const CondSymbol &s : kConds)
      if (s.text == opToken.text && s.isSigned == isSigned)
        cond = &s;
  if (!cond)
    c_.failHere("expected a comparison (==, !=, >, >=, <, <=, &, s>, s>=, s<, s<=)");
  c_.next();
  const uint8_t cls = dst.wide ? op::kJmp : op::kJmp32;
  const size_t at = b_.size();
  if (peekReg()) {
    const Token &srcToken = c_.peek();
    const Reg src = reg();
    if (src.wide != dst.wide)
      c_.fail(srcToken, "operands must both be rN or both be wN");
    b_.emit(makeInsn(cls | op::kSrcReg | cond->operation, dst.number, src.number));
  } else {
    const Number imm = c_.number("a register or an immediate");
    b_.emit(makeInsn(cls | op::kSrcImm | cond->operation, dst.number, 0, 0, imm.imm32()));
  }
  c_.expectIdent("goto");
  jumpTarget(at, FixupField::Offset16);
}

void LlvmParser::parseCall() {
  c_.expectIdent("call");
  const size_t at = b_.size();
  // call pc+N: a local call (bpftool's notation)
  if (c_.peekIdent("pc") && (c_.peekPunct("+", 1) || c_.peekPunct("-", 1))) {
    c_.next();
    const Number n = c_.number("a call offset");
    c_.expectEnd();
    return b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallLocal, 0, n.signed32()));
  }
  if (c_.acceptIdent("kfunc")) {
    const Number id = c_.number("a kfunc BTF id");
    int16_t module = 0;
    if (c_.acceptPunct(","))
      module = c_.number("a BTF object index").offset16();
    c_.expectEnd();
    return b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallKfunc, module, id.imm32()));
  }
  if (c_.peek().kind == Token::Ident) {
    const Token &label = c_.next();
    c_.expectEnd();
    b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallLocal));
    return b_.referenceLabel(at, std::string(label.text), FixupField::Imm32, line_, label.column);
  }
  const Number id = c_.number("a helper id, pc+N or a function label");
  c_.expectEnd();
  b_.emit(makeInsn(op::kCallOpcode, 0, op::kCallHelper, 0, id.imm32()));
}

void LlvmParser::parseLoadPseudo() {
  c_.expectIdent("ld_pseudo");
  const Reg dst = wideReg();
  c_.expectPunct(",");
  const Token &srcToken = c_.peek();
  const Number source = c_.number("a pseudo source");
  if (source.negative || source.magnitude == 0 || source.magnitude > op::kPseudoMapIdxValue)
    c_.fail(srcToken, "pseudo source must be 1..6");
  c_.expectPunct(",");
  const size_t at = b_.size();
  if (c_.peek().kind == Token::Ident) {
    const Token &label = c_.next();
    c_.expectEnd();
    b_.emitLoadImm64(dst.number, uint8_t(source.magnitude), 0, 0);
    return b_.referenceLabel(at, std::string(label.text), FixupField::Imm32, line_, label.column);
  }
  const int32_t imm = c_.number("an immediate").imm32();
  int32_t second = 0;
  if (c_.acceptPunct(","))
    second = c_.number("a second immediate").imm32();
  c_.expectEnd();
  b_.emitLoadImm64(dst.number, uint8_t(source.magnitude), imm, second);
}

} // namespace

void parseLlvmInsn(Cursor &cursor, ProgramBuilder &builder, unsigned line) {
  LlvmParser(cursor, builder, line).parse();
}

} // namespace ebpfc::runtime::asmparse
