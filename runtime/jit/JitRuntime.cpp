// The runtime entry points compiled code calls. Everything here runs
// against the interpreter's RunState (runtime/vm/InterpreterState.h), so
// region lookups, context accessors and fault reports are the
// interpreter's own, word for word.
#include "runtime/jit/JitRuntime.h"

#include "ir/HelperTable.h"
#include "runtime/jit/JitProgram.h"

#include <fmt/format.h>

#include <cstring>

namespace ebpfc::runtime::jit {

namespace {

// Below this, addresses are a null pointer plus a field offset.
constexpr uint64_t kNullPage = 4096;

uint32_t insnOf(uint64_t site) { return uint32_t(site); }
uint32_t depthOf(uint64_t site) { return uint32_t(site >> 32); }

const JitProgram &programOf(const JitProgramData *data) { return *data->program; }

// Brings the run state up to the compiled code's position: the depth and
// call sites (for fault reports and, in checked code, the stack region)
// and the environment of the program running there (tail calls switch it).
interp::RunState &stateAt(JitRun *run, const JitProgramData *data, uint64_t site) {
  interp::RunState &state = runState(run);
  const uint32_t depth = depthOf(site);
  state.depth = depth;
  for (uint32_t d = 1; d < depth; ++d)
    state.frames[d].callSite = run->callSites[d];
  state.environment = &programOf(data).environment();
  return state;
}

// The run state just raised a fault: compiled code must unwind, and the
// first frame to do so records its registers.
void faulted(JitRun *run) {
  run->finished = 1;
  run->registersPending = 1;
}

void raise(JitRun *run, const JitProgramData *data, uint64_t site, FaultKind kind, std::string message) {
  stateAt(run, data, site).raise(kind, std::move(message), programOf(data), insnOf(site), run->faultRegisters);
  faulted(run);
}

std::string helperLabel(int64_t id) {
  if (id >= 0 && id <= UINT32_MAX)
    if (const ir::HelperInfo *info = ir::findHelper(uint32_t(id)))
      return fmt::format("{} ({})", id, info->name);
  return std::to_string(id);
}

class JitHelperCall final : public HelperCall {
public:
  JitHelperCall(JitRun *run, const JitProgramData *data, uint64_t site, const Helper &helper,
                const std::array<uint64_t, 5> &args)
      : HelperCall(args), run_(run), data_(data), site_(site), helper_(helper), state_(runState(run)) {}

  std::optional<std::span<const uint8_t>> readableMemory(uint64_t address, uint64_t size) override {
    if (uint8_t *p = pointer(address, size, false))
      return std::span<const uint8_t>(p, size);
    memoryFault();
    return std::nullopt;
  }
  std::optional<std::span<const uint8_t>> probeReadableMemory(uint64_t address, uint64_t size) override {
    if (uint8_t *p = pointer(address, size, false))
      return std::span<const uint8_t>(p, size);
    return std::nullopt;
  }
  std::optional<std::span<uint8_t>> writableMemory(uint64_t address, uint64_t size) override {
    if (uint8_t *p = pointer(address, size, true))
      return std::span<uint8_t>(p, size);
    memoryFault();
    return std::nullopt;
  }
  void fault(std::string message) override {
    raise(run_, data_, site_, FaultKind::Helper, "helper " + helperName() + ": " + message);
  }
  void stop(uint64_t returnValue) override {
    if (state_.finished())
      return;
    state_.outcome = RunStatus::Stopped;
    state_.stopValue = returnValue;
  }
  std::optional<uint64_t> callFunction(uint64_t function, std::span<const uint64_t> args) override;
  void addRegion(const Region &region) override { state_.addRegion(region); }
  bool replaceRegion(const Region &region) override { return state_.replaceRegion(region); }
  bool removeRegion(uint64_t begin) override { return state_.removeRegion(begin); }
  const LoadedProgram &program() const override { return programOf(data_); }
  void *hostState() const override { return state_.input.hostState; }

private:
  // Checked code checks helpers' memory like its own; trusted code hands
  // helpers what they point at (its frames are not regions the run state
  // knows), except the null page.
  uint8_t *pointer(uint64_t address, uint64_t size, bool write) {
    static uint8_t empty;
    if (size == 0)
      return &empty;
    if (!programOf(data_).checkedMode && address >= kNullPage)
      return reinterpret_cast<uint8_t *>(address);
    return state_.pointerSlow(address, size, write);
  }
  std::string helperName() const { return helper_.name.empty() ? helperLabel(helper_.id) : helper_.name; }
  void memoryFault() {
    const interp::MemoryFailure failure = state_.failure();
    stateAt(run_, data_, site_).raise(failure.kind, "helper " + helperName() + ": " + failure.message,
                                      programOf(data_), insnOf(site_), run_->faultRegisters, failure.access);
    faulted(run_);
  }

  JitRun *run_;
  const JitProgramData *data_;
  uint64_t site_;
  const Helper &helper_;
  interp::RunState &state_;
};

std::optional<uint64_t> JitHelperCall::callFunction(uint64_t function, std::span<const uint64_t> args) {
  if (state_.finished())
    return std::nullopt;
  const JitProgram &program = programOf(data_);
  if (!interp::isFunctionRef(function) || !program.isFunctionEntry(uint32_t(function))) {
    raise(run_, data_, site_, FaultKind::BadCallTarget,
          fmt::format("helper {}: callback {:#x} is not a function of the program", helperName(), function));
    return std::nullopt;
  }
  if (args.size() > 5) {
    fault("a callback takes at most 5 arguments");
    return std::nullopt;
  }
  const uint32_t depth = depthOf(site_);
  if (depth >= kMaxCallFrames) {
    raise(run_, data_, site_, FaultKind::CallDepth,
          fmt::format("helper {}: calling the callback would exceed {} nested frames", helperName(), kMaxCallFrames));
    return std::nullopt;
  }
  uint64_t a[5] = {};
  std::copy(args.begin(), args.end(), a);
  run_->callSites[depth] = insnOf(site_);
  if (program.checkedMode)
    ebpfc_jit_enter_frame(run_, depth + 1);
  const uint64_t r0 = program.code->function(uint32_t(function))(run_, data_, a[0], a[1], a[2], a[3], a[4], depth + 1);
  if (run_->finished)
    return std::nullopt;
  if (program.checkedMode)
    ebpfc_jit_leave_frame(run_, depth);
  return r0;
}

uint64_t callHelper(JitRun *run, const JitProgramData *data, const Helper &helper, uint64_t site,
                    const std::array<uint64_t, 5> &args) {
  interp::RunState &state = stateAt(run, data, site);
  JitHelperCall call(run, data, site, helper, args);
  const uint64_t r0 = helper.function(call);
  if (state.finished())
    run->finished = 1;
  return r0;
}

template <class T>
uint64_t misalignedUpdate(uint8_t *address, int32_t operation, uint64_t operandValue, uint64_t expected) {
  const T operand = T(operandValue);
  T old;
  std::memcpy(&old, address, sizeof(T));
  T updated;
  switch (operation & ~op::kAtomicFetch) {
  case op::kAdd: updated = T(old + operand); break;
  case op::kOr: updated = T(old | operand); break;
  case op::kAnd: updated = T(old & operand); break;
  case op::kXor: updated = T(old ^ operand); break;
  case op::kAtomicXchg & ~op::kAtomicFetch: updated = operand; break;
  default: updated = old == T(expected) ? operand : old; break; // cmpxchg
  }
  std::memcpy(address, &updated, sizeof(T));
  return old;
}

} // namespace

interp::RunState &runState(JitRun *run) {
  interp::RunState *state = run->stateStorage->get();
  if (!state) {
    state = &run->stateStorage->create(*run->options, *run->input, run->stack);
    std::fill(std::begin(run->faultRegisters), std::end(run->faultRegisters), 0);
  }
  return *state;
}

extern "C" {

uint64_t ebpfc_jit_call_helper(JitRun *run, const JitProgramData *program, const Helper *helper, uint64_t site,
                               uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
  return callHelper(run, program, *helper, site, {r1, r2, r3, r4, r5});
}

uint64_t ebpfc_jit_callx_helper(JitRun *run, const JitProgramData *program, uint64_t target, uint64_t site,
                                uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
  if (target <= UINT32_MAX && target != uint64_t(op::kTailCallHelper))
    if (const Helper *helper = programOf(program).environment().findHelper(uint32_t(target)))
      return callHelper(run, program, *helper, site, {r1, r2, r3, r4, r5});
  ebpfc_jit_raise(run, program, site, uint32_t(CompiledFault::BadCallTarget), target);
  return 0;
}

uint64_t ebpfc_jit_load(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address, uint32_t size) {
  uint64_t value = 0;
  // Trusted code's context fields: straight to the accessor.
  if (run->contextAccessor && address - run->contextBegin < run->contextSize &&
      run->contextAccessor->load(address - run->contextBegin, size, value))
    return value;
  interp::RunState &state = stateAt(run, program, site);
  if (state.loadSlow(address, size, value))
    return value;
  state.raiseMemoryFault(programOf(program), insnOf(site), run->faultRegisters);
  faulted(run);
  return 0;
}

void ebpfc_jit_store(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address, uint32_t size,
                     uint64_t value) {
  if (run->contextAccessor && address - run->contextBegin < run->contextSize &&
      run->contextAccessor->store(address - run->contextBegin, size, value))
    return;
  interp::RunState &state = stateAt(run, program, site);
  if (state.storeSlow(address, size, value))
    return;
  state.raiseMemoryFault(programOf(program), insnOf(site), run->faultRegisters);
  faulted(run);
}

void *ebpfc_jit_atomic_pointer(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address,
                               uint32_t size) {
  interp::RunState &state = stateAt(run, program, site);
  if (uint8_t *p = state.pointerSlow(address, size, true))
    return p;
  state.raiseMemoryFault(programOf(program), insnOf(site), run->faultRegisters);
  faulted(run);
  return nullptr;
}

uint64_t ebpfc_jit_misaligned_atomic(void *address, uint32_t size, int32_t operation, uint64_t operand,
                                     uint64_t expected) {
  auto *bytes = static_cast<uint8_t *>(address);
  return size == 8 ? misalignedUpdate<uint64_t>(bytes, operation, operand, expected)
                   : misalignedUpdate<uint32_t>(bytes, operation, operand, expected);
}

uint64_t ebpfc_jit_legacy_packet_load(JitRun *run, const JitProgramData *program, uint64_t site, int64_t offset,
                                      uint32_t size) {
  interp::RunState &state = stateAt(run, program, site);
  const Region *packet = state.findRegionOfKind(RegionKind::Packet);
  if (!packet || packet->accessor) {
    raise(run, program, site, FaultKind::MemoryAccess, "a legacy packet load needs a packet region in the run's input");
    return 0;
  }
  if (offset < 0 || uint64_t(offset) + size > packet->size) {
    // As in the kernel: the program ends, returning 0.
    state.outcome = RunStatus::Stopped;
    state.stopValue = 0;
    run->finished = 1;
    return 0;
  }
  const uint8_t *bytes = reinterpret_cast<const uint8_t *>(packet->begin) + offset;
  uint64_t value = 0;
  for (uint32_t i = 0; i < size; ++i)
    value = value << 8 | bytes[i];
  return value;
}

TailCallTarget ebpfc_jit_tail_call(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t progArray,
                                   uint64_t index) {
  interp::RunState &state = stateAt(run, program, site);
  const ExecutionEnvironment::TailCallSlot slot = state.environment->resolveTailCall(progArray, index);
  if (!slot.indexInRange || state.tailCalls >= kMaxTailCalls)
    return {nullptr, nullptr};
  state.tailCalls += 1;
  if (!slot.program)
    return {nullptr, nullptr};
  const auto *target = dynamic_cast<const JitProgram *>(slot.program);
  // Checked and trusted code keep different frames: they cannot mix.
  if (!target || target->checkedMode != programOf(program).checkedMode) {
    raise(run, program, site, FaultKind::EngineMismatch, "the tail-call target was loaded by another engine");
    return {nullptr, nullptr};
  }
  if (target->contextIsPlainMemory && run->contextAccessor) {
    raise(run, program, site, FaultKind::EngineMismatch,
          "the tail-call target was compiled for a context of plain memory, but an accessor serves this run's");
    return {nullptr, nullptr};
  }
  return {target->entry, &target->data};
}

void ebpfc_jit_raise(JitRun *run, const JitProgramData *program, uint64_t site, uint32_t kind, uint64_t detail) {
  switch (CompiledFault(kind)) {
  case CompiledFault::CallDepth:
    raise(run, program, site, FaultKind::CallDepth,
          fmt::format("the call would exceed {} nested frames", kMaxCallFrames));
    break;
  case CompiledFault::InstructionBudget:
    raise(run, program, site, FaultKind::InstructionBudget,
          fmt::format("the instruction budget of {} ran out (an endless loop?)", run->budgetTotal));
    break;
  case CompiledFault::BadCallTarget:
    raise(run, program, site, FaultKind::BadCallTarget,
          fmt::format("callx target {:#x} is neither a function of the program nor a known helper", detail));
    break;
  }
}

void ebpfc_jit_enter_frame(JitRun *run, uint32_t depth) {
  interp::RunState &state = runState(run);
  state.depth = depth;
  state.enterFrame();
}

void ebpfc_jit_leave_frame(JitRun *run, uint32_t depth) {
  interp::RunState &state = runState(run);
  state.depth = depth;
  state.leaveFrame();
}

void ebpfc_jit_unwind(JitRun *run, uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                      uint64_t r6, uint64_t r7, uint64_t r8, uint64_t r9, uint64_t r10) {
  if (!run->registersPending)
    return;
  const uint64_t registers[kNumRegisters] = {r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10};
  std::copy(std::begin(registers), std::end(registers), run->faultRegisters);
  run->registersPending = 0;
}

} // extern "C"

std::vector<RuntimeSymbol> runtimeSymbols() {
  return {
      {"ebpfc_jit_call_helper", reinterpret_cast<const void *>(&ebpfc_jit_call_helper)},
      {"ebpfc_jit_callx_helper", reinterpret_cast<const void *>(&ebpfc_jit_callx_helper)},
      {"ebpfc_jit_load", reinterpret_cast<const void *>(&ebpfc_jit_load)},
      {"ebpfc_jit_store", reinterpret_cast<const void *>(&ebpfc_jit_store)},
      {"ebpfc_jit_atomic_pointer", reinterpret_cast<const void *>(&ebpfc_jit_atomic_pointer)},
      {"ebpfc_jit_misaligned_atomic", reinterpret_cast<const void *>(&ebpfc_jit_misaligned_atomic)},
      {"ebpfc_jit_legacy_packet_load", reinterpret_cast<const void *>(&ebpfc_jit_legacy_packet_load)},
      {"ebpfc_jit_tail_call", reinterpret_cast<const void *>(&ebpfc_jit_tail_call)},
      {"ebpfc_jit_raise", reinterpret_cast<const void *>(&ebpfc_jit_raise)},
      {"ebpfc_jit_enter_frame", reinterpret_cast<const void *>(&ebpfc_jit_enter_frame)},
      {"ebpfc_jit_leave_frame", reinterpret_cast<const void *>(&ebpfc_jit_leave_frame)},
      {"ebpfc_jit_unwind", reinterpret_cast<const void *>(&ebpfc_jit_unwind)},
  };
}

} // namespace ebpfc::runtime::jit
