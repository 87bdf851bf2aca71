#include "runtime/jit/ProgramShape.h"

namespace ebpfc::runtime::jit {

ConstantPlan planConstants(const ProgramImage &image, const CheckedProgram &checked) {
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
