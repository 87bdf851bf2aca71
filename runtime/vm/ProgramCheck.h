// The structural checks every engine makes before running a program, so
// that no engine ever meets an undecodable instruction, a jump out of the
// program or into the middle of ld_imm64, a write to r10, or a path that
// runs past the last instruction.
#pragma once

#include "runtime/asm/Isa.h"
#include "runtime/loader/Object.h"

#include <string>
#include <vector>

namespace ebpfc::runtime {

// Programs longer than this many slots are refused (the kernel's limit for
// privileged programs, BPF_COMPLEXITY_LIMIT_INSNS).
inline constexpr size_t kMaxProgramSlots = 1'000'000;

struct CheckedProgram {
  std::vector<DecodedInsn> decoded; // per slot (ld_imm64 tails: Invalid)
  std::vector<bool> isStart;        // slot begins an instruction
  // Functions: the entry, every local call target and every kPseudoFunc
  // target, sorted. callx may only enter these.
  std::vector<uint32_t> functionEntries;
};

// false with `error` ("instruction 7: ...: <disassembly>") when the program is malformed.
bool checkProgram(const ProgramImage &image, CheckedProgram &out, std::string &error);

// "instruction 7: <message>: <LLVM disassembly>"
std::string describeInsnError(const std::vector<Insn> &insns, size_t index, const std::string &message);

} // namespace ebpfc::runtime
