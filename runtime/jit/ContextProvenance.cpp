#include "runtime/jit/ContextProvenance.h"

#include <algorithm>
#include <cstdint>

namespace ebpfc::runtime::jit {

namespace {

// Bit r set: register r may hold a context pointer.
using RegisterSet = uint16_t;
constexpr RegisterSet bit(unsigned reg) { return RegisterSet(1u << reg); }
constexpr RegisterSet kArguments = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);

struct Analysis {
  const ProgramImage &image;
  const CheckedProgram &checked;
  const std::vector<FunctionShape> &functions;
  bool contextInMemory = false; // some store writes a maybe-context register
  std::vector<RegisterSet> entryState; // per function

  size_t functionIndex(uint32_t entry) const {
    return size_t(std::lower_bound(checked.functionEntries.begin(), checked.functionEntries.end(), entry) -
                  checked.functionEntries.begin());
  }

  RegisterSet loaded(RegisterSet state, unsigned dst) const {
    return contextInMemory ? RegisterSet(state | bit(dst)) : RegisterSet(state & ~bit(dst));
  }

  // The state after `slot`; records call arguments and stored registers.
  RegisterSet transfer(uint32_t slot, RegisterSet state, bool &changedElsewhere) {
    const DecodedInsn &d = checked.decoded[slot];
    const Insn &insn = image.insns[slot];
    auto has = [&](unsigned reg) { return (state & bit(reg)) != 0; };
    auto set = [&](unsigned reg, bool maybe) {
      state = maybe ? RegisterSet(state | bit(reg)) : RegisterSet(state & ~bit(reg));
    };
    switch (d.kind) {
    case InsnKind::Alu:
      if (d.alu == AluOp::Mov)
        set(insn.dst, d.srcIsReg && has(insn.src));
      else if (d.srcIsReg)
        set(insn.dst, has(insn.dst) || has(insn.src));
      break;
    case InsnKind::MovSx:
      set(insn.dst, has(insn.src));
      break;
    case InsnKind::LoadImm64:
      set(insn.dst, false);
      break;
    case InsnKind::LoadPacket:
      set(0, false);
      break;
    case InsnKind::Load:
      state = loaded(state, insn.dst);
      break;
    case InsnKind::StoreReg:
      if (has(insn.src) && !contextInMemory) {
        contextInMemory = true;
        changedElsewhere = true;
      }
      break;
    case InsnKind::Atomic:
      if (has(insn.src) && !contextInMemory) {
        contextInMemory = true;
        changedElsewhere = true;
      }
      if (d.atomic == AtomicOp::CmpXchg)
        state = loaded(state, 0);
      else if (d.fetch)
        state = loaded(state, insn.src);
      break;
    case InsnKind::Call:
      if (d.call == CallKind::Local) {
        const size_t callee = functionIndex(uint32_t(int64_t(slot) + 1 + insn.imm));
        const RegisterSet arguments = RegisterSet(state & kArguments);
        if ((entryState[callee] | arguments) != entryState[callee]) {
          entryState[callee] |= arguments;
          changedElsewhere = true;
        }
        set(0, true); // a subprogram may return what it was given
      } else {
        set(0, false); // helpers return data, map values, packet pointers
      }
      break;
    case InsnKind::CallReg:
      set(0, true);
      break;
    default:
      break; // Neg, Endian, stores of immediates, jumps, exit
    }
    return state;
  }

  // One pass over a function to its fixpoint; true if it changed a state
  // another function depends on.
  bool analyze(size_t index, std::vector<bool> &mayAccessContext) {
    const FunctionShape &shape = functions[index];
    const size_t count = image.insns.size();
    std::vector<RegisterSet> before(count, 0);
    std::vector<bool> seen(count, false);
    std::vector<uint32_t> work = {shape.entry};
    before[shape.entry] = entryState[index];
    seen[shape.entry] = true;
    bool changedElsewhere = false;
    while (!work.empty()) {
      const uint32_t slot = work.back();
      work.pop_back();
      const RegisterSet after = transfer(slot, before[slot], changedElsewhere);
      for (uint32_t successor : successorsOf(image, checked, slot)) {
        const RegisterSet merged = RegisterSet(before[successor] | after);
        if (!seen[successor] || merged != before[successor]) {
          seen[successor] = true;
          before[successor] = merged;
          work.push_back(successor);
        }
      }
    }
    mayAccessContext.assign(count, false);
    for (uint32_t slot = 0; slot < count; ++slot) {
      if (!seen[slot])
        continue;
      const DecodedInsn &d = checked.decoded[slot];
      const Insn &insn = image.insns[slot];
      unsigned base;
      if (d.kind == InsnKind::Load)
        base = insn.src;
      else if (d.kind == InsnKind::StoreImm || d.kind == InsnKind::StoreReg || d.kind == InsnKind::Atomic)
        base = insn.dst;
      else
        continue;
      mayAccessContext[slot] = base != kFramePointer && (before[slot] & bit(base)) != 0;
    }
    return changedElsewhere;
  }
};

} // namespace

std::vector<std::vector<bool>> findContextAccesses(const ProgramImage &image, const CheckedProgram &checked,
                                                   const std::vector<FunctionShape> &functions) {
  Analysis analysis{image, checked, functions, false, std::vector<RegisterSet>(functions.size(), 0)};
  // The program's entry gets the context in r1. Functions whose address is
  // taken (callbacks, callx) get anything from anyone.
  for (size_t i = 0; i < functions.size(); ++i)
    if (functions[i].entry == 0)
      analysis.entryState[i] = bit(1);
  // callx may reach any function through a computed value.
  bool anyCallx = false;
  for (uint32_t slot = 0; slot < image.insns.size(); ++slot) {
    if (!checked.isStart[slot])
      continue;
    anyCallx |= checked.decoded[slot].kind == InsnKind::CallReg;
    if (checked.decoded[slot].kind == InsnKind::LoadImm64 && image.insns[slot].src == op::kPseudoFunc)
      analysis.entryState[analysis.functionIndex(uint32_t(int64_t(slot) + 1 + image.insns[slot].imm))] = kArguments;
  }
  if (anyCallx)
    for (RegisterSet &state : analysis.entryState)
      state |= kArguments;

  std::vector<std::vector<bool>> result(functions.size());
  // Entry states and the memory flag only grow: iterate to the fixpoint.
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < functions.size(); ++i)
      changed |= analysis.analyze(i, result[i]);
  }
  return result;
}

} // namespace ebpfc::runtime::jit
