// What compiled programs and the C++ runtime share: the state of one run
// as compiled code sees it (JitRun, read and written at fixed offsets), the
// per-load data of a program (JitProgramData), the signature of every
// compiled function, and the runtime entry points compiled code calls for
// everything that is not plain computation: helpers, tail calls, memory
// checks that miss the region cache, context accessors, frames and faults.
//
// Sites: runtime entry points take a `site` = depth << 32 | instruction
// index, so that a fault names the instruction and the call stack.
//
// Faults: an entry point that ends the run (fault or helper stop) sets
// JitRun::finished; a fault raised by the runtime also sets
// registersPending, and the compiled code, on seeing `finished`, hands its
// registers to ebpfc_jit_unwind (which records them once, for the innermost
// frame) and returns, frame by frame, to run().
#pragma once

#include "runtime/vm/InterpreterState.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

namespace ebpfc::runtime::jit {

class JitProgram;
struct JitProgramData;
struct JitRun;

// Every compiled function: the program's entry, its subprograms, callback
// targets. r0 is the result; `depth` is the frame's depth (1 = the entry).
using CompiledFunction = uint64_t (*)(JitRun *run, const JitProgramData *program, uint64_t r1, uint64_t r2,
                                      uint64_t r3, uint64_t r4, uint64_t r5, uint32_t depth);

// Room for a run state that is constructed only when needed. Not a
// std::optional: GCC zeroes an optional's whole storage (~800 bytes) on
// construction, which was a cost of every run.
class LazyRunState {
public:
  LazyRunState() {}
  ~LazyRunState() {
    if (created_)
      state_.~RunState();
  }
  LazyRunState(const LazyRunState &) = delete;
  LazyRunState &operator=(const LazyRunState &) = delete;

  interp::RunState &create(const EngineOptions &options, const RunInput &input, uint8_t *stack) {
    new (&state_) interp::RunState(options, input, stack);
    created_ = true;
    return state_;
  }
  interp::RunState *get() { return created_ ? &state_ : nullptr; }

private:
  union {
    interp::RunState state_;
  };
  bool created_ = false;
};

struct JitRun {
  uint8_t finished = 0;         // the run ended (fault or stop): unwind
  uint8_t registersPending = 0; // a runtime fault awaits the registers of its frame
  // Call site (instruction index) of the call that entered frame d + 1.
  // Not initialized: compiled code writes entry d before entering frame
  // d + 1, and only entries below the current depth are read.
  uint32_t callSites[kMaxCallFrames + 1];
  // Checked code: slots of back-edge budget left (charged per taken
  // backward jump, so endless loops end in a fault).
  int64_t budget = 0;
  // Unchecked code: the context region served by an accessor ([0, 0) if
  // none): accesses that may hit it go through the accessor.
  uint64_t contextBegin = 0;
  uint64_t contextSize = 0;
  // Checked code: r10 of frame 1 (frames lie below it, 512 bytes each),
  // and the run state's region cache (entry 0: the live frames).
  uint64_t stackTop = 0;
  const interp::RunState::CachedRegion *regionCache = nullptr;
  // Unchecked code: RunInput::hostState, for helpers' fast paths.
  void *hostState = nullptr;
  // Zeroed with the run state (runState), before any fault can need them.
  uint64_t faultRegisters[kNumRegisters];

  // Runtime only. The run state is what the runtime's slow paths (helpers,
  // accessors, faults) work on; trusted code creates it on first need
  // (runState), so that a run that needs none does not pay for it.
  LazyRunState *stateStorage = nullptr;
  const EngineOptions *options = nullptr;
  const RunInput *input = nullptr;
  uint8_t *stack = nullptr; // kMaxCallFrames * kStackFrameSize bytes
  ContextAccessor *contextAccessor = nullptr; // unchecked code: the context's accessor
  uint64_t budgetTotal = 0;                   // for the budget fault's message
};
static_assert(std::is_standard_layout_v<JitRun>, "compiled code addresses JitRun fields by offset");
static_assert(std::is_standard_layout_v<interp::RunState::CachedRegion>);

// Per loaded program: the values compiled code cannot know when it is
// compiled (and cached for any environment): resolved pseudo loads, the
// helpers it calls, the direct-lookup layout of array maps.
struct JitProgramData {
  const uint64_t *constants = nullptr; // compiled code reads the first three
  // Per constant: a helper constant's Helper::direct (trusted code calls it
  // before the helper's function), 0 for the others.
  const uint64_t *directHelpers = nullptr;
  // Per constant: for a bpf_map_lookup_elem call on a known map
  // (ConstantPlan::lookupMapSlot), the array's layout when trusted code may
  // inline the lookup; values == 0 otherwise.
  const ArrayLayout *arrayLayouts = nullptr;
  const JitProgram *program = nullptr;
};
static_assert(std::is_standard_layout_v<ArrayLayout>);
static_assert(std::is_standard_layout_v<JitProgramData>);
static_assert(offsetof(JitProgramData, constants) == 0);

// The run's state, created on first need.
interp::RunState &runState(JitRun *run);

// Where a tail call goes: nullptr entry when it falls through.
struct TailCallTarget {
  CompiledFunction entry;
  const JitProgramData *program;
};

// Kinds of faults compiled code raises itself (ebpfc_jit_raise's `kind`).
enum class CompiledFault : uint32_t {
  CallDepth,
  InstructionBudget,
  BadCallTarget, // detail: the callx target
};

extern "C" {
uint64_t ebpfc_jit_call_helper(JitRun *run, const JitProgramData *program, const Helper *helper, uint64_t site,
                               uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
// callx through a value that is no function of the program: a helper by id,
// or a BadCallTarget fault.
uint64_t ebpfc_jit_callx_helper(JitRun *run, const JitProgramData *program, uint64_t target, uint64_t site,
                                uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
// Loads and stores the inline checks did not settle: a region beyond the
// cache, a context accessor, or a fault.
uint64_t ebpfc_jit_load(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address, uint32_t size);
void ebpfc_jit_store(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address, uint32_t size,
                     uint64_t value);
// Host memory for an atomic (never through an accessor); null after a fault.
void *ebpfc_jit_atomic_pointer(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t address,
                               uint32_t size);
// A misaligned atomic (the kernel refuses them): a plain read-modify-write.
// Returns the old value.
uint64_t ebpfc_jit_misaligned_atomic(void *address, uint32_t size, int32_t operation, uint64_t operand,
                                     uint64_t expected);
// Legacy LD_ABS/LD_IND: the big-endian value; an offset out of the packet
// stops the run with r0 = 0, as in the kernel.
uint64_t ebpfc_jit_legacy_packet_load(JitRun *run, const JitProgramData *program, uint64_t site, int64_t offset,
                                      uint32_t size);
TailCallTarget ebpfc_jit_tail_call(JitRun *run, const JitProgramData *program, uint64_t site, uint64_t progArray,
                                   uint64_t index);
void ebpfc_jit_raise(JitRun *run, const JitProgramData *program, uint64_t site, uint32_t kind, uint64_t detail);
// Checked code: the live frames change (the stack region shrinks or grows
// and a new frame starts zeroed, like the interpreter's).
void ebpfc_jit_enter_frame(JitRun *run, uint32_t depth);
void ebpfc_jit_leave_frame(JitRun *run, uint32_t depth);
// Records the registers of the frame a runtime fault happened in.
void ebpfc_jit_unwind(JitRun *run, uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                      uint64_t r6, uint64_t r7, uint64_t r8, uint64_t r9, uint64_t r10);
}

// The runtime entry points by symbol name, for the JIT's linker.
struct RuntimeSymbol {
  const char *name;
  const void *address;
};
std::vector<RuntimeSymbol> runtimeSymbols();

inline uint64_t makeSite(uint32_t depth, uint32_t insn) { return uint64_t(depth) << 32 | insn; }

} // namespace ebpfc::runtime::jit
