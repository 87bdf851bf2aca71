#include "runtime/jit/JitEngine.h"

#include "ir/HelperTable.h"
#include "runtime/jit/JitProgram.h"

#include <fmt/format.h>

#include <algorithm>
#include <typeinfo>

namespace ebpfc::runtime {

namespace {

std::string helperLabel(int64_t id) {
  if (id >= 0 && id <= UINT32_MAX)
    if (const ir::HelperInfo *info = ir::findHelper(uint32_t(id)))
      return fmt::format("{} ({})", id, info->name);
  return std::to_string(id);
}

// Resolves what this load of the program needs beyond its bytecode, in
// constant order; refuses what the interpreter refuses at load, with its
// words.
bool resolveConstants(const ProgramImage &image, const CheckedProgram &checked, const jit::ConstantPlan &plan,
                      const ExecutionEnvironment &environment, std::vector<uint64_t> &constants,
                      std::vector<uint64_t> &directHelpers, std::vector<ArrayLayout> &arrayLayouts,
                      std::string &error) {
  auto fail = [&](size_t slot, const std::string &message) {
    error = describeInsnError(image.insns, slot, message);
    return false;
  };
  constants.assign(plan.slotOfIndex.size(), 0);
  directHelpers.assign(plan.slotOfIndex.size(), 0);
  arrayLayouts.assign(plan.slotOfIndex.size(), ArrayLayout{});
  for (size_t slot = 0; slot < image.insns.size(); ++slot) {
    if (!checked.isStart[slot])
      continue;
    const DecodedInsn &d = checked.decoded[slot];
    const Insn &insn = image.insns[slot];
    if (d.kind == InsnKind::Call && d.call == CallKind::Kfunc)
      return fail(slot, "kfunc calls are not supported by this runtime");
    const uint32_t index = plan.indexOfSlot[slot];
    if (index == jit::ConstantPlan::kNone)
      continue;
    if (plan.kinds[index] == jit::ConstantKind::Helper) {
      if (insn.imm < 0)
        return fail(slot, "unknown helper " + helperLabel(insn.imm));
      const Helper *helper = environment.findHelper(uint32_t(insn.imm));
      if (!helper)
        return fail(slot, "unknown helper " + helperLabel(insn.imm) + ": the runtime does not provide it");
      constants[index] = reinterpret_cast<uint64_t>(helper);
      directHelpers[index] = reinterpret_cast<uint64_t>(helper->direct);
    } else {
      std::string why;
      const std::optional<uint64_t> value =
          environment.resolvePseudoLoad({insn.src, insn.imm, image.insns[slot + 1].imm}, why);
      if (!value)
        return fail(slot, why.empty() ? "unresolved pseudo load" : why);
      constants[index] = *value;
    }
  }
  // Lookups in arrays the environment lays out, by helpers that allow it.
  for (uint32_t index = 0; index < plan.slotOfIndex.size(); ++index) {
    const uint32_t mapSlot = plan.lookupMapSlot[index];
    if (mapSlot == jit::ConstantPlan::kNone ||
        !reinterpret_cast<const Helper *>(constants[index])->inlinableArrayLookup)
      continue;
    if (std::optional<ArrayLayout> layout = environment.arrayLayout(constants[plan.indexOfSlot[mapSlot]]))
      arrayLayouts[index] = *layout;
  }
  return true;
}

} // namespace

std::shared_ptr<const LoadedProgram> JitEngine::load(const ProgramImage &image, ExecutionEnvironment &environment,
                                                     std::string &error) const {
  using namespace jit;
  CheckedProgram checked;
  if (!checkProgram(image, checked, error))
    return nullptr;
  const ConstantPlan plan = planConstants(image, checked);
  auto program = std::make_shared<JitProgram>(*this, image, environment, options().checked,
                                              options().contextIsPlainMemory && !options().checked);
  if (!resolveConstants(image, checked, plan, environment, program->constants, program->directHelpers,
                        program->arrayLayouts, error))
    return nullptr;
  program->data.arrayLayouts = program->arrayLayouts.data();
  program->data.constants = program->constants.data();
  program->data.directHelpers = program->directHelpers.data();
  program->functionEntries = checked.functionEntries;
  program->code = compileProgram({image, checked, plan, options().checked, program->contextIsPlainMemory},
                                 program->compileInfo, error);
  if (!program->code)
    return nullptr;
  program->entry = program->code->function(0);
  return program;
}

RunResult JitEngine::run(const LoadedProgram &loaded, const RunInput &input) const {
  using namespace jit;
  RunResult result;
  // typeid, not dynamic_cast: JitProgram is final, and this is every run's cost.
  const auto *program = typeid(loaded) == typeid(JitProgram) ? static_cast<const JitProgram *>(&loaded) : nullptr;
  auto mismatch = [&](std::string message) {
    result.status = RunStatus::Faulted;
    Fault fault;
    fault.kind = FaultKind::EngineMismatch;
    fault.program = loaded.image().name;
    fault.message = std::move(message);
    result.fault = std::make_shared<Fault>(std::move(fault));
    return result;
  };
  if (!program || program->checkedMode != options().checked)
    return mismatch(fmt::format("the program was loaded by the '{}' engine, not the '{}' engine",
                                loaded.engine().name(), name()));

  // Checked code's frames, on the host stack like the interpreter's (4 KiB);
  // trusted code keeps its frames in its own host frames.
  alignas(16) uint8_t stack[kMaxCallFrames * kStackFrameSize];
  LazyRunState lazyState;
  JitRun run;
  run.stateStorage = &lazyState;
  run.options = &options();
  run.input = &input;
  run.stack = stack;
  if (options().checked) {
    interp::RunState &created = runState(&run);
    run.budgetTotal = input.instructionBudget ? input.instructionBudget : options().instructionBudget;
    run.budget = int64_t(std::min<uint64_t>(run.budgetTotal, INT64_MAX));
    run.stackTop = created.stackTop();
    run.regionCache = created.regionCache();
  } else {
    run.hostState = input.hostState;
    auto context = std::find_if(input.regions.begin(), input.regions.end(),
                                [](const Region &region) { return region.accessor != nullptr; });
    if (context != input.regions.end()) {
      if (program->contextIsPlainMemory)
        return mismatch("the program was compiled for runs whose context is plain memory "
                        "(EngineOptions::contextIsPlainMemory), but this run's context is served by an accessor");
      run.contextBegin = context->begin;
      run.contextSize = context->size;
      run.contextAccessor = context->accessor;
    }
  }

  const uint64_t r0 = program->entry(&run, &program->data, input.args[0], input.args[1], input.args[2],
                                       input.args[3], input.args[4], 1);
  interp::RunState *state = lazyState.get();
  if (!state) {
    result.returnValue = r0;
    return result;
  }
  result.status = state->outcome;
  switch (state->outcome) {
  case RunStatus::Exited:
    result.returnValue = r0;
    break;
  case RunStatus::Stopped:
    result.returnValue = state->stopValue;
    break;
  case RunStatus::Faulted:
    result.fault = std::move(state->fault);
    std::copy(std::begin(run.faultRegisters), std::end(run.faultRegisters), result.fault->registers.begin());
    break;
  }
  return result;
}

void setJitCacheDirectory(const std::filesystem::path &directory) { jit::setDiskCacheDirectory(directory); }

std::optional<JitCompileInfo> jitCompileInfo(const LoadedProgram &program) {
  if (const auto *compiled = dynamic_cast<const jit::JitProgram *>(&program))
    return compiled->compileInfo;
  return std::nullopt;
}

} // namespace ebpfc::runtime
