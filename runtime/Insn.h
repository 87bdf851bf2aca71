// The eBPF instruction encoding (RFC 9669), shared by the loader, the
// interpreter, the assembler and the JIT.
#pragma once

#include <cstdint>

namespace ebpfc::runtime {

struct Insn {
  uint8_t opcode;
  uint8_t dst : 4;
  uint8_t src : 4;
  int16_t offset;
  int32_t imm;
};
static_assert(sizeof(Insn) == 8);

namespace op {
// Instruction classes (low 3 bits of the opcode).
inline constexpr uint8_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04,
                         kJmp = 0x05, kJmp32 = 0x06, kAlu64 = 0x07;
inline constexpr uint8_t classOf(uint8_t opcode) { return opcode & 0x07; }

// ALU and JMP classes: operand source (bit 3) and operation (high 4 bits).
inline constexpr uint8_t kSrcImm = 0x00, kSrcReg = 0x08;
inline constexpr uint8_t sourceOf(uint8_t opcode) { return opcode & 0x08; }
inline constexpr uint8_t operationOf(uint8_t opcode) { return opcode & 0xf0; }

inline constexpr uint8_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40,
                         kAnd = 0x50, kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90,
                         kXor = 0xa0, kMov = 0xb0, kArsh = 0xc0, kEnd = 0xd0;
// BPF_END in the ALU class: the source bit selects the target byte order
// (to little endian = 0, to big endian = 1); in ALU64 it is the
// unconditional byte swap of ISA v4. imm is the width: 16, 32 or 64.
inline constexpr uint8_t kToLittleEndian = 0x00, kToBigEndian = 0x08;
// `offset` of ALU instructions: 1 selects the signed forms of div and mod;
// 8, 16 or 32 select mov with sign extension (movsx) of that many bits.
inline constexpr int16_t kSignedDivMod = 1;

inline constexpr uint8_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40,
                         kJne = 0x50, kJsgt = 0x60, kJsge = 0x70, kCall = 0x80, kExit = 0x90,
                         kJlt = 0xa0, kJle = 0xb0, kJslt = 0xc0, kJsle = 0xd0;

// Load and store classes: access size (bits 3-4) and mode (high 3 bits).
inline constexpr uint8_t kSizeW = 0x00, kSizeH = 0x08, kSizeB = 0x10, kSizeDW = 0x18;
inline constexpr uint8_t sizeFieldOf(uint8_t opcode) { return opcode & 0x18; }
inline constexpr unsigned sizeInBytes(uint8_t opcode) {
  switch (sizeFieldOf(opcode)) {
  case kSizeW: return 4;
  case kSizeH: return 2;
  case kSizeB: return 1;
  default: return 8;
  }
}
inline constexpr uint8_t kModeImm = 0x00, kModeAbs = 0x20, kModeInd = 0x40, kModeMem = 0x60,
                         kModeMemSx = 0x80, kModeAtomic = 0xc0;
inline constexpr uint8_t modeOf(uint8_t opcode) { return opcode & 0xe0; }

// imm of atomic instructions: an ALU operation, optionally with the fetch
// flag, or one of the exchange forms (which always fetch).
inline constexpr int32_t kAtomicFetch = 0x01;
inline constexpr int32_t kAtomicXchg = 0xe0 | kAtomicFetch, kAtomicCmpXchg = 0xf0 | kAtomicFetch;

// Complete opcodes used on their own.
inline constexpr uint8_t kLdImm64 = kLd | kModeImm | kSizeDW; // 0x18, two slots
inline constexpr uint8_t kCallOpcode = kJmp | kCall;          // 0x85
inline constexpr uint8_t kCallReg = kJmp | kCall | kSrcReg;   // 0x8d, callx
inline constexpr uint8_t kExitOpcode = kJmp | kExit;          // 0x95

// ld_imm64 src_reg values (pseudo sources, as the kernel defines them).
inline constexpr uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2, kPseudoBtfId = 3,
                         kPseudoFunc = 4, kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
// call src_reg values.
inline constexpr uint8_t kCallHelper = 0, kCallLocal = 1, kCallKfunc = 2;

// Helper ids the execution engines treat specially (BPF_FUNC_tail_call).
inline constexpr int32_t kTailCallHelper = 12;
} // namespace op

// Registers: r0..r9 general purpose, r10 the read-only frame pointer.
inline constexpr unsigned kNumRegisters = 11;
inline constexpr unsigned kFramePointer = 10;
// Stack bytes per frame and the deepest call chain, as in the kernel.
inline constexpr unsigned kStackFrameSize = 512;
inline constexpr unsigned kMaxCallFrames = 8;
// Successful tail calls per program run (the kernel's MAX_TAIL_CALL_CNT).
inline constexpr unsigned kMaxTailCalls = 33;

} // namespace ebpfc::runtime
