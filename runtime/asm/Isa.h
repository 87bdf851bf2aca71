// What an eBPF instruction means: one decoding of the encoding (RFC 9669 up
// to ISA v4, plus the legacy packet loads) that the disassembler, the
// assembler's tests, the interpreter and the JIT share, so that they agree on
// which encodings are valid.
#pragma once

#include "runtime/Insn.h"

#include <cstdint>
#include <string>

namespace ebpfc::runtime {

enum class InsnKind : uint8_t {
  Invalid,
  Alu,          // dst = dst OP src|imm (64-bit or 32-bit)
  Neg,          // dst = -dst
  MovSx,        // dst = (sign-extended low `bits` of src)
  Endian,       // byte-order conversion or unconditional swap of `bits`
  LoadImm64,    // dst = imm64 (two slots); `pseudo` names a pseudo source
  LoadPacket,   // legacy r0 = ntoh(packet[imm (+ src)]) (LD_ABS / LD_IND)
  Load,         // dst = *(size *)(src + offset), optionally sign-extending
  StoreImm,     // *(size *)(dst + offset) = imm
  StoreReg,     // *(size *)(dst + offset) = src
  Atomic,       // atomic read-modify-write of *(size *)(dst + offset)
  Jump,         // unconditional: ja (16-bit offset) or gotol (32-bit imm)
  CondJump,     // if (dst COND src|imm) goto +offset
  Call,         // helper by id, local function (pc-relative), or kfunc
  CallReg,      // callx: call through the value of dst
  Exit,
};

enum class AluOp : uint8_t { Add, Sub, Mul, Div, SDiv, Or, And, Lsh, Rsh, Mod, SMod, Xor, Mov, Arsh };
enum class JumpCond : uint8_t { Eq, Gt, Ge, Set, Ne, Sgt, Sge, Lt, Le, Slt, Sle };
enum class ByteOrder : uint8_t { ToLittle, ToBig, Swap };
enum class AtomicOp : uint8_t { Add, Or, And, Xor, Xchg, CmpXchg };
enum class CallKind : uint8_t { Helper, Local, Kfunc };

struct DecodedInsn {
  InsnKind kind = InsnKind::Invalid;
  bool is64 = false;     // ALU64 / JMP class (vs ALU / JMP32); for atomics, DW size
  bool srcIsReg = false; // operand from src register (vs imm)
  uint8_t size = 0;      // bytes accessed by loads, stores, atomics (1, 2, 4, 8)
  uint8_t bits = 0;      // MovSx: 8/16/32; Endian: 16/32/64
  bool signExtend = false;  // Load: ldxs{b,h,w}
  bool fetch = false;       // Atomic: old value returned in src (r0 for cmpxchg)
  bool indirect = false;    // LoadPacket: LD_IND (adds src)
  bool longJump = false;    // Jump: gotol (JMP32 class, target in imm)
  AluOp alu = AluOp::Add;
  JumpCond cond = JumpCond::Eq;
  ByteOrder order = ByteOrder::ToLittle;
  AtomicOp atomic = AtomicOp::Add;
  CallKind call = CallKind::Helper;
  std::string invalidReason; // why, when kind == Invalid
};

// Decodes one slot. A valid decoding also means every field the instruction
// does not use is zero and every register it uses is r0..r10, as the kernel
// requires; ld_imm64's second slot is checked by checkLoadImm64Tail.
DecodedInsn decodeInsn(const Insn &insn);
// Whether `tail` is a well-formed second slot of ld_imm64 ("" if so).
std::string checkLoadImm64Tail(const Insn &tail);

// Instruction slots the instruction starting with `insn` occupies (1 or 2).
inline unsigned slotsOf(const Insn &insn) { return insn.opcode == op::kLdImm64 ? 2 : 1; }

// Relative jump distance of a Jump/CondJump (offset or, for gotol, imm).
inline int64_t jumpOffsetOf(const Insn &insn, const DecodedInsn &d) {
  return d.kind == InsnKind::Jump && d.longJump ? insn.imm : insn.offset;
}

// The 64-bit immediate of ld_imm64 from its two slots.
inline uint64_t loadImm64Value(const Insn &first, const Insn &second) {
  return uint64_t(uint32_t(first.imm)) | uint64_t(uint32_t(second.imm)) << 32;
}

// The register the instruction writes, or -1 (calls clobber r0..r5; this
// names r0). Engines refuse writes to the read-only frame pointer r10.
int writtenRegister(const Insn &insn, const DecodedInsn &d);

} // namespace ebpfc::runtime
