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

// ld_imm64 src_reg values (pseudo sources, as the kernel defines them).
inline constexpr uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2, kPseudoBtfId = 3,
                         kPseudoFunc = 4, kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
// call src_reg values.
inline constexpr uint8_t kCallHelper = 0, kCallLocal = 1, kCallKfunc = 2;
} // namespace op

} // namespace ebpfc::runtime
