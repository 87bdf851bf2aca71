#include "runtime/jit/ProgramShape.h"

namespace ebpfc::runtime::jit {

namespace {

// Slots control can reach other than from the instruction before: jump
// targets and function entries.
std::vector<bool> findJoinPoints(const ProgramImage &image, const CheckedProgram &checked) {
  std::vector<bool> joins(image.insns.size(), false);
  for (uint32_t entry : checked.functionEntries)
    joins[entry] = true;
  for (uint32_t slot = 0; slot < image.insns.size(); ++slot) {
    if (!checked.isStart[slot])
      continue;
    const InsnKind kind = checked.decoded[slot].kind;
    if (kind == InsnKind::Jump || kind == InsnKind::CondJump)
      for (uint32_t successor : successorsOf(image, checked, slot))
        if (successor != nextSlot(image, slot))
          joins[successor] = true;
  }
  return joins;
}

// Whether the instruction certainly leaves r1 alone (conservative: calls,
// jumps and legacy packet loads do not qualify).
bool keepsR1(const DecodedInsn &d, const Insn &insn) {
  switch (d.kind) {
  case InsnKind::StoreImm:
  case InsnKind::StoreReg:
    return true;
  case InsnKind::Alu:
  case InsnKind::MovSx:
  case InsnKind::Neg:
  case InsnKind::Endian:
  case InsnKind::Load:
  case InsnKind::LoadImm64:
    return insn.dst != 1;
  case InsnKind::Atomic:
    return !(d.fetch && insn.src == 1);
  default:
    return false;
  }
}

// The map ld_imm64 that sets r1 for the call at `call`, in the straight-line
// code before it; kNone when there is none or control may join in between.
uint32_t mapLoadBefore(const ProgramImage &image, const CheckedProgram &checked, const std::vector<bool> &joins,
                       uint32_t call) {
  uint32_t slot = call;
  while (!joins[slot] && slot > 0) {
    do
      --slot;
    while (slot > 0 && !checked.isStart[slot]);
    const DecodedInsn &d = checked.decoded[slot];
    const Insn &insn = image.insns[slot];
    if (d.kind == InsnKind::LoadImm64 && insn.dst == 1)
      return insn.src == op::kPseudoMapFd || insn.src == op::kPseudoMapIdx ? slot : ConstantPlan::kNone;
    if (!keepsR1(d, insn))
      return ConstantPlan::kNone;
  }
  return ConstantPlan::kNone;
}

} // namespace

ConstantPlan planConstants(const ProgramImage &image, const CheckedProgram &checked) {
  const std::vector<bool> joins = findJoinPoints(image, checked);
  ConstantPlan plan;
  plan.indexOfSlot.assign(image.insns.size(), ConstantPlan::kNone);
  for (uint32_t slot = 0; slot < image.insns.size(); ++slot) {
    if (!checked.isStart[slot])
      continue;
    const DecodedInsn &d = checked.decoded[slot];
    const Insn &insn = image.insns[slot];
    ConstantKind kind;
    if (d.kind == InsnKind::LoadImm64 && insn.src != 0 && insn.src != op::kPseudoFunc)
      kind = ConstantKind::PseudoLoad;
    else if (d.kind == InsnKind::Call && d.call == CallKind::Helper && insn.imm != op::kTailCallHelper)
      kind = ConstantKind::Helper;
    else
      continue;
    plan.indexOfSlot[slot] = uint32_t(plan.slotOfIndex.size());
    plan.slotOfIndex.push_back(slot);
    plan.kinds.push_back(kind);
    plan.lookupMapSlot.push_back(kind == ConstantKind::Helper && insn.imm == 1
                                     ? mapLoadBefore(image, checked, joins, slot)
                                     : ConstantPlan::kNone);
  }
  return plan;
}

std::vector<uint32_t> successorsOf(const ProgramImage &image, const CheckedProgram &checked, uint32_t slot) {
  const DecodedInsn &d = checked.decoded[slot];
  const Insn &insn = image.insns[slot];
  const int64_t next = int64_t(slot) + 1;
  switch (d.kind) {
  case InsnKind::Exit:
    return {};
  case InsnKind::Jump:
    return {uint32_t(next + jumpOffsetOf(insn, d))};
  case InsnKind::CondJump:
    return {uint32_t(next), uint32_t(next + insn.offset)};
  default:
    return {nextSlot(image, slot)};
  }
}

std::vector<FunctionShape> shapeFunctions(const ProgramImage &image, const CheckedProgram &checked) {
  const size_t count = image.insns.size();
  std::vector<FunctionShape> functions;
  for (uint32_t entry : checked.functionEntries) {
    FunctionShape shape;
    shape.entry = entry;
    shape.reachable.assign(count, false);
    shape.leader.assign(count, false);
    shape.leader[entry] = true;
    std::vector<uint32_t> work = {entry};
    shape.reachable[entry] = true;
    while (!work.empty()) {
      const uint32_t slot = work.back();
      work.pop_back();
      const DecodedInsn &d = checked.decoded[slot];
      const bool branches = d.kind == InsnKind::Jump || d.kind == InsnKind::CondJump;
      for (uint32_t successor : successorsOf(image, checked, slot)) {
        if (branches)
          shape.leader[successor] = true;
        if (!shape.reachable[successor]) {
          shape.reachable[successor] = true;
          work.push_back(successor);
        }
      }
    }
    functions.push_back(std::move(shape));
  }
  return functions;
}

} // namespace ebpfc::runtime::jit
