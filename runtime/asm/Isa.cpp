#include "runtime/asm/Isa.h"

#include <cstdio>

namespace ebpfc::runtime {

namespace {

std::string hex8(unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", value);
  return buf;
}

DecodedInsn invalid(std::string reason) {
  DecodedInsn d;
  d.invalidReason = std::move(reason);
  return d;
}

// Field checks shared by every class: the reason the encoding is invalid, or "".
struct FieldRules {
  const Insn &insn;
  std::string reason;

  void registerField(unsigned value, const char *field) {
    if (reason.empty() && value > 10)
      reason = std::string("invalid ") + field + " register r" + std::to_string(value);
  }
  void zero(bool isZero, const char *field) {
    if (reason.empty() && !isZero)
      reason = std::string("reserved field ") + field + " must be zero";
  }
  void dst() { registerField(insn.dst, "dst"); }
  void src() { registerField(insn.src, "src"); }
  void noDst() { zero(insn.dst == 0, "dst"); }
  void noSrc() { zero(insn.src == 0, "src"); }
  void noOffset() { zero(insn.offset == 0, "offset"); }
  void noImm() { zero(insn.imm == 0, "imm"); }
};

DecodedInsn finish(DecodedInsn d, const FieldRules &rules) {
  if (!rules.reason.empty())
    return invalid(rules.reason);
  return d;
}

DecodedInsn decodeAlu(const Insn &insn) {
  const bool is64 = op::classOf(insn.opcode) == op::kAlu64;
  const bool srcIsReg = op::sourceOf(insn.opcode) == op::kSrcReg;
  FieldRules rules{insn, {}};
  DecodedInsn d;
  d.is64 = is64;
  d.srcIsReg = srcIsReg;
  rules.dst();
  // Register operand: src names it and imm is unused; immediate: the reverse.
  auto operand = [&] {
    if (srcIsReg) {
      rules.src();
      rules.noImm();
    } else {
      rules.noSrc();
    }
  };

  const uint8_t operation = op::operationOf(insn.opcode);
  switch (operation) {
  case op::kNeg:
    if (srcIsReg)
      return invalid("neg takes no source operand");
    d.kind = InsnKind::Neg;
    rules.noSrc();
    rules.noOffset();
    rules.noImm();
    return finish(d, rules);
  case op::kEnd:
    d.kind = InsnKind::Endian;
    if (is64) {
      if (srcIsReg)
        return invalid("unknown opcode " + hex8(insn.opcode));
      d.order = ByteOrder::Swap;
    } else {
      d.order = srcIsReg ? ByteOrder::ToBig : ByteOrder::ToLittle;
    }
    d.srcIsReg = false;
    if (insn.imm != 16 && insn.imm != 32 && insn.imm != 64)
      return invalid("byte swap width must be 16, 32 or 64, not " + std::to_string(insn.imm));
    d.bits = uint8_t(insn.imm);
    rules.noSrc();
    rules.noOffset();
    return finish(d, rules);
  case op::kMov:
    operand();
    if (insn.offset != 0) {
      const bool validWidth =
          srcIsReg && (insn.offset == 8 || insn.offset == 16 || (is64 && insn.offset == 32));
      if (!validWidth)
        return invalid("invalid movsx width " + std::to_string(insn.offset));
      d.kind = InsnKind::MovSx;
      d.bits = uint8_t(insn.offset);
      return finish(d, rules);
    }
    d.kind = InsnKind::Alu;
    d.alu = AluOp::Mov;
    return finish(d, rules);
  case op::kDiv:
  case op::kMod: {
    operand();
    if (insn.offset != 0 && insn.offset != op::kSignedDivMod)
      return invalid("offset of div/mod must be 0 or 1, not " + std::to_string(insn.offset));
    const bool isSigned = insn.offset == op::kSignedDivMod;
    d.kind = InsnKind::Alu;
    d.alu = operation == op::kDiv ? (isSigned ? AluOp::SDiv : AluOp::Div)
                                  : (isSigned ? AluOp::SMod : AluOp::Mod);
    return finish(d, rules);
  }
  default:
    break;
  }

  static constexpr struct {
    uint8_t operation;
    AluOp alu;
  } kPlain[] = {{op::kAdd, AluOp::Add}, {op::kSub, AluOp::Sub},   {op::kMul, AluOp::Mul},
                {op::kOr, AluOp::Or},   {op::kAnd, AluOp::And},   {op::kLsh, AluOp::Lsh},
                {op::kRsh, AluOp::Rsh}, {op::kXor, AluOp::Xor},   {op::kArsh, AluOp::Arsh}};
  for (const auto &entry : kPlain) {
    if (entry.operation != operation)
      continue;
    d.kind = InsnKind::Alu;
    d.alu = entry.alu;
    operand();
    rules.noOffset();
    return finish(d, rules);
  }
  return invalid("unknown opcode " + hex8(insn.opcode));
}

DecodedInsn decodeJump(const Insn &insn) {
  const bool is64 = op::classOf(insn.opcode) == op::kJmp;
  const bool srcIsReg = op::sourceOf(insn.opcode) == op::kSrcReg;
  FieldRules rules{insn, {}};
  DecodedInsn d;
  d.is64 = is64;
  d.srcIsReg = srcIsReg;
  const uint8_t operation = op::operationOf(insn.opcode);
  switch (operation) {
  case op::kJa:
    if (srcIsReg)
      return invalid("unknown opcode " + hex8(insn.opcode));
    d.kind = InsnKind::Jump;
    d.longJump = !is64;
    rules.noDst();
    rules.noSrc();
    if (d.longJump)
      rules.noOffset();
    else
      rules.noImm();
    return finish(d, rules);
  case op::kCall:
    if (!is64)
      return invalid("unknown opcode " + hex8(insn.opcode));
    if (srcIsReg) {
      d.kind = InsnKind::CallReg;
      rules.dst();
      rules.noSrc();
      rules.noOffset();
      rules.noImm();
      return finish(d, rules);
    }
    d.kind = InsnKind::Call;
    rules.noDst();
    if (insn.src == op::kCallHelper) {
      d.call = CallKind::Helper;
      rules.noOffset();
    } else if (insn.src == op::kCallLocal) {
      d.call = CallKind::Local;
      rules.noOffset();
    } else if (insn.src == op::kCallKfunc) {
      // offset selects the BTF object (module) the kfunc id refers to.
      d.call = CallKind::Kfunc;
    } else {
      return invalid("unknown call kind (src " + std::to_string(insn.src) + ")");
    }
    return finish(d, rules);
  case op::kExit:
    if (!is64 || srcIsReg)
      return invalid("unknown opcode " + hex8(insn.opcode));
    d.kind = InsnKind::Exit;
    rules.noDst();
    rules.noSrc();
    rules.noOffset();
    rules.noImm();
    return finish(d, rules);
  default:
    break;
  }

  static constexpr struct {
    uint8_t operation;
    JumpCond cond;
  } kConds[] = {{op::kJeq, JumpCond::Eq},   {op::kJgt, JumpCond::Gt},   {op::kJge, JumpCond::Ge},
                {op::kJset, JumpCond::Set}, {op::kJne, JumpCond::Ne},   {op::kJsgt, JumpCond::Sgt},
                {op::kJsge, JumpCond::Sge}, {op::kJlt, JumpCond::Lt},   {op::kJle, JumpCond::Le},
                {op::kJslt, JumpCond::Slt}, {op::kJsle, JumpCond::Sle}};
  for (const auto &entry : kConds) {
    if (entry.operation != operation)
      continue;
    d.kind = InsnKind::CondJump;
    d.cond = entry.cond;
    rules.dst();
    if (srcIsReg) {
      rules.src();
      rules.noImm();
    } else {
      rules.noSrc();
    }
    return finish(d, rules);
  }
  return invalid("unknown opcode " + hex8(insn.opcode));
}

DecodedInsn decodeMemory(const Insn &insn) {
  const uint8_t cls = op::classOf(insn.opcode);
  const uint8_t mode = op::modeOf(insn.opcode);
  FieldRules rules{insn, {}};
  DecodedInsn d;
  d.size = uint8_t(op::sizeInBytes(insn.opcode));
  const std::string unknown = "unknown opcode " + hex8(insn.opcode);

  switch (cls) {
  case op::kLd:
    if (insn.opcode == op::kLdImm64) {
      d.kind = InsnKind::LoadImm64;
      d.is64 = true;
      rules.dst();
      rules.noOffset();
      if (insn.src > op::kPseudoMapIdxValue)
        return invalid("unknown ld_imm64 pseudo source " + std::to_string(insn.src));
      return finish(d, rules);
    }
    if ((mode == op::kModeAbs || mode == op::kModeInd) && d.size != 8) {
      d.kind = InsnKind::LoadPacket;
      d.indirect = mode == op::kModeInd;
      rules.noDst();
      rules.noOffset();
      if (d.indirect)
        rules.src();
      else
        rules.noSrc();
      return finish(d, rules);
    }
    return invalid(unknown);
  case op::kLdx:
    if (mode == op::kModeMem || (mode == op::kModeMemSx && d.size != 8)) {
      d.kind = InsnKind::Load;
      d.signExtend = mode == op::kModeMemSx;
      rules.dst();
      rules.src();
      rules.noImm();
      return finish(d, rules);
    }
    return invalid(unknown);
  case op::kSt:
    if (mode != op::kModeMem)
      return invalid(unknown);
    d.kind = InsnKind::StoreImm;
    rules.dst();
    rules.noSrc();
    return finish(d, rules);
  case op::kStx:
    if (mode == op::kModeMem) {
      d.kind = InsnKind::StoreReg;
      rules.dst();
      rules.src();
      rules.noImm();
      return finish(d, rules);
    }
    if (mode == op::kModeAtomic && (d.size == 4 || d.size == 8)) {
      d.kind = InsnKind::Atomic;
      d.is64 = d.size == 8;
      rules.dst();
      rules.src();
      switch (insn.imm) {
      case op::kAtomicXchg: d.atomic = AtomicOp::Xchg; d.fetch = true; break;
      case op::kAtomicCmpXchg: d.atomic = AtomicOp::CmpXchg; d.fetch = true; break;
      default: {
        d.fetch = (insn.imm & op::kAtomicFetch) != 0;
        switch (insn.imm & ~op::kAtomicFetch) {
        case op::kAdd: d.atomic = AtomicOp::Add; break;
        case op::kOr: d.atomic = AtomicOp::Or; break;
        case op::kAnd: d.atomic = AtomicOp::And; break;
        case op::kXor: d.atomic = AtomicOp::Xor; break;
        default: return invalid("unknown atomic operation " + hex8(unsigned(insn.imm)));
        }
      }
      }
      return finish(d, rules);
    }
    return invalid(unknown);
  default:
    return invalid(unknown);
  }
}

} // namespace

DecodedInsn decodeInsn(const Insn &insn) {
  switch (op::classOf(insn.opcode)) {
  case op::kAlu:
  case op::kAlu64:
    return decodeAlu(insn);
  case op::kJmp:
  case op::kJmp32:
    return decodeJump(insn);
  default:
    return decodeMemory(insn);
  }
}

std::string checkLoadImm64Tail(const Insn &tail) {
  if (tail.opcode != 0 || tail.dst != 0 || tail.src != 0 || tail.offset != 0)
    return "second slot of ld_imm64 must have opcode, registers and offset zero";
  return "";
}

int writtenRegister(const Insn &insn, const DecodedInsn &d) {
  switch (d.kind) {
  case InsnKind::Alu:
  case InsnKind::Neg:
  case InsnKind::MovSx:
  case InsnKind::Endian:
  case InsnKind::LoadImm64:
  case InsnKind::Load:
    return insn.dst;
  case InsnKind::Atomic:
    if (d.atomic == AtomicOp::CmpXchg)
      return 0;
    return d.fetch ? insn.src : -1;
  case InsnKind::LoadPacket:
  case InsnKind::Call:
  case InsnKind::CallReg:
    return 0;
  default:
    return -1;
  }
}

} // namespace ebpfc::runtime
