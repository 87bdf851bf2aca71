#include "runtime/vm/ProgramCheck.h"

#include "runtime/asm/Disassembler.h"

#include <algorithm>

namespace ebpfc::runtime {

std::string describeInsnError(const std::vector<Insn> &insns, size_t index, const std::string &message) {
  return "instruction " + std::to_string(index) + ": " + message + ": " +
         disassembleInsn(insns, index, AsmDialect::Llvm);
}

bool checkProgram(const ProgramImage &image, CheckedProgram &out, std::string &error) {
  const std::vector<Insn> &insns = image.insns;
  const size_t count = insns.size();
  if (count == 0) {
    error = "the program has no instructions";
    return false;
  }
  if (count > kMaxProgramSlots) {
    error = "the program has " + std::to_string(count) + " instructions, more than the limit of " +
            std::to_string(kMaxProgramSlots);
    return false;
  }
  out.decoded.assign(count, DecodedInsn{});
  out.isStart.assign(count, false);
  out.functionEntries = {0};
  auto fail = [&](size_t index, const std::string &message) {
    error = describeInsnError(insns, index, message);
    return false;
  };

  // Decode every instruction start.
  size_t last = 0;
  for (size_t i = 0; i < count; i += slotsOf(insns[i])) {
    out.isStart[i] = true;
    last = i;
    DecodedInsn d = decodeInsn(insns[i]);
    if (d.kind == InsnKind::Invalid)
      return fail(i, d.invalidReason);
    if (d.kind == InsnKind::LoadImm64) {
      if (i + 1 >= count)
        return fail(i, "ld_imm64 is missing its second slot");
      if (std::string tail = checkLoadImm64Tail(insns[i + 1]); !tail.empty())
        return fail(i, tail);
    }
    if (writtenRegister(insns[i], d) == int(kFramePointer))
      return fail(i, "r10 (the frame pointer) is read-only");
    out.decoded[i] = std::move(d);
  }

  // Control flow stays inside the program and lands on instruction starts.
  auto targetOk = [&](int64_t target) {
    return target >= 0 && target < int64_t(count) && out.isStart[size_t(target)];
  };
  for (size_t i = 0; i < count; ++i) {
    if (!out.isStart[i])
      continue;
    const DecodedInsn &d = out.decoded[i];
    const Insn &insn = insns[i];
    const int64_t next = int64_t(i) + 1;
    switch (d.kind) {
    case InsnKind::Jump:
    case InsnKind::CondJump: {
      const int64_t target = next + jumpOffsetOf(insn, d);
      if (!targetOk(target))
        return fail(i, "jump target " + std::to_string(target) +
                           (target < 0 || target >= int64_t(count) ? " is outside the program"
                                                                   : " is inside an ld_imm64"));
      break;
    }
    case InsnKind::Call:
      if (d.call == CallKind::Local) {
        if (!targetOk(next + insn.imm))
          return fail(i, "call target " + std::to_string(next + insn.imm) + " is not an instruction of the program");
        out.functionEntries.push_back(uint32_t(next + insn.imm));
      }
      break;
    case InsnKind::LoadImm64:
      if (insn.src == op::kPseudoFunc) {
        if (!targetOk(next + insn.imm))
          return fail(i, "function address " + std::to_string(next + insn.imm) +
                             " is not an instruction of the program");
        out.functionEntries.push_back(uint32_t(next + insn.imm));
      }
      break;
    default:
      break;
    }
  }

  // The last instruction must not fall through past the end.
  const DecodedInsn &final = out.decoded[last];
  if (final.kind != InsnKind::Exit && final.kind != InsnKind::Jump)
    return fail(last, "the last instruction must be exit or an unconditional jump, or the program runs off its end");

  std::sort(out.functionEntries.begin(), out.functionEntries.end());
  out.functionEntries.erase(std::unique(out.functionEntries.begin(), out.functionEntries.end()),
                            out.functionEntries.end());
  return true;
}

} // namespace ebpfc::runtime
