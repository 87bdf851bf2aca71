// The shape of a validated program as the JIT compiles it: one compiled
// function per function entry (the program's entry, local-call targets,
// functions referenced by ld_imm64), each made of the instructions
// reachable from its entry without following calls. Code reachable from two
// entries (a program that jumps across function boundaries, which the
// kernel's verifier refuses but the interpreter runs) is compiled into both.
//
// Also the order of the constants compiled code reads from
// JitProgramData::constants, fixed by the bytecode alone so that compiled
// code can be shared between loads of the same program in different
// environments.
#pragma once

#include "runtime/vm/ProgramCheck.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace ebpfc::runtime::jit {

// What a slot's constant is (ConstantPlan::kinds).
enum class ConstantKind : uint8_t {
  PseudoLoad, // a resolved ld_imm64 pseudo value
  Helper,     // the const Helper * a call instruction calls
};

struct ConstantPlan {
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> indexOfSlot; // per slot: its constant's index, or kNone
  std::vector<uint32_t> slotOfIndex; // per constant: the slot that needs it
  std::vector<ConstantKind> kinds;   // per constant
  // Per constant: for a call of helper 1 (bpf_map_lookup_elem) whose r1 a
  // map ld_imm64 sets earlier in the same straight-line code, that
  // ld_imm64's slot (the map is known once it is resolved); kNone otherwise.
  std::vector<uint32_t> lookupMapSlot;
};
ConstantPlan planConstants(const ProgramImage &image, const CheckedProgram &checked);

struct FunctionShape {
  uint32_t entry = 0;
  std::vector<bool> reachable; // per slot
  std::vector<bool> leader;    // per slot: starts a basic block
};

// The instruction after `slot` in straight-line order (ld_imm64 takes two).
inline uint32_t nextSlot(const ProgramImage &image, uint32_t slot) { return slot + slotsOf(image.insns[slot]); }

// Where control can go from `slot` within its function (calls return to the
// next instruction; exit goes nowhere).
std::vector<uint32_t> successorsOf(const ProgramImage &image, const CheckedProgram &checked, uint32_t slot);

std::vector<FunctionShape> shapeFunctions(const ProgramImage &image, const CheckedProgram &checked);

} // namespace ebpfc::runtime::jit
