// Internals of the interpreter: the pre-decoded program and the state of
// one run (frames, budget, the memory check with its region cache).
#pragma once

#include "runtime/vm/Engine.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime::interp {

enum MicroOpCode : uint16_t {
#define MICRO_OP(name) k##name,
#include "runtime/vm/MicroOps.def"
#undef MICRO_OP
  kMicroOpCount
};

// One pre-decoded instruction slot (16 bytes).
struct MicroOp {
  uint16_t code;
  uint8_t dst;
  uint8_t src;
  // Memory ops: the offset; jumps and local calls: the target's byte
  // offset from the first micro-op (slot * 16), ready to add to the base.
  int32_t offset;
  // The sign-extended immediate, the ld_imm64 value, or the Helper*.
  uint64_t imm;
};
static_assert(sizeof(MicroOp) == 16);

// ld_imm64 with pseudo source kPseudoFunc yields tag | slot index: a value
// no host pointer and no helper id can take, so callx and helpers taking
// callbacks can tell functions from anything else.
inline constexpr uint64_t kFunctionRefTag = 0xebfc'0000'0000'0000ull;
inline constexpr uint64_t functionRef(uint32_t slot) { return kFunctionRefTag | slot; }
inline constexpr bool isFunctionRef(uint64_t value) { return (value >> 32) == (kFunctionRefTag >> 32); }

class InterpretedProgram final : public LoadedProgram {
public:
  InterpretedProgram(const Engine &engine, ProgramImage image, ExecutionEnvironment &environment)
      : LoadedProgram(engine, std::move(image), environment) {}

  std::vector<MicroOp> ops; // one per slot
  std::vector<uint32_t> functionEntries; // sorted
  bool isFunctionEntry(uint64_t slot) const;
};

// Left uninitialized: every call writes its frame before anything reads it,
// and zeroing RunState::frames was a cost of every run (interpreter and JIT).
struct Frame {
  const MicroOp *returnOp; // nullptr: returns to the host (a callback)
  const InterpretedProgram *program;
  uint64_t savedRegisters[4]; // r6..r9
  uint32_t callSite;
};

// Outcome of a memory check that failed, completed into a Fault by the caller.
struct MemoryFailure {
  FaultKind kind = FaultKind::MemoryAccess;
  MemoryAccess access;
  std::string message;
};

class RunState {
public:
  RunState(const EngineOptions &options, const RunInput &input, uint8_t *stack);

  // --- memory ---
  // Fast path: the address when [address, address + N) lies in a cached region.
  template <unsigned N>
  uint8_t *readable(uint64_t address) const {
    for (const CachedRegion &entry : cache_) {
      const uint64_t relative = address - entry.begin;
      if (relative < entry.size && entry.size - relative >= N)
        return reinterpret_cast<uint8_t *>(address);
    }
    return nullptr;
  }
  template <unsigned N>
  uint8_t *writable(uint64_t address) const {
    for (const CachedRegion &entry : cache_) {
      const uint64_t relative = address - entry.begin;
      if (relative < entry.size && entry.size - relative >= N && entry.writable)
        return reinterpret_cast<uint8_t *>(address);
    }
    return nullptr;
  }
  // Slow paths: look the address up in every region (caching what they
  // find), go through context accessors; false with failure() set.
  bool loadSlow(uint64_t address, unsigned size, uint64_t &value);
  bool storeSlow(uint64_t address, unsigned size, uint64_t value);
  // Host memory for atomics and helpers (never through an accessor).
  uint8_t *pointerSlow(uint64_t address, uint64_t size, bool write);
  const MemoryFailure &failure() const { return failure_; }

  void addRegion(const Region &region);
  bool replaceRegion(const Region &region);
  bool removeRegion(uint64_t begin);
  // The first region of a kind (the packet for legacy packet loads).
  const Region *findRegionOfKind(RegionKind kind) const;

  // --- frames ---
  uint64_t stackTop() const { return stackTop_; }
  uint64_t framePointer(unsigned depth) const { return stackTop_ - uint64_t(kStackFrameSize) * (depth - 1); }
  // Called whenever depth changes: checked mode limits the stack to live frames.
  void enterFrame() {
    if (options.checked)
      limitStackToLiveFrames(true);
  }
  void leaveFrame() {
    if (options.checked)
      limitStackToLiveFrames(false);
  }

  std::array<Frame, kMaxCallFrames + 1> frames; // frames[1..depth-1] are valid
  unsigned depth = 1; // active frames; frames[d] records the caller of frame d + 1

  // --- budget and outcome ---
  // Instruction slots left, counted in bytes of micro-ops (slots * 16) so
  // that charging a straight-line run is one pointer subtraction.
  int64_t budget;
  uint64_t budgetTotal; // in slots
  uint64_t executedSlots() const {
    const int64_t used = int64_t(budgetTotal * sizeof(MicroOp)) - budget;
    return std::min(budgetTotal, uint64_t(used) / sizeof(MicroOp));
  }
  unsigned tailCalls = 0;
  RunStatus outcome = RunStatus::Exited; // Stopped/Faulted end the run early
  bool finished() const { return outcome != RunStatus::Exited; }
  uint64_t stopValue = 0;
  std::shared_ptr<Fault> fault;

  void raise(FaultKind kind, std::string message, const InterpretedProgram &program, const MicroOp *op,
             const uint64_t *registers, std::optional<MemoryAccess> access = std::nullopt) {
    raise(kind, std::move(message), program, uint32_t(op - program.ops.data()), registers, access);
  }
  // The same for any engine's program (the JIT shares this run state).
  void raise(FaultKind kind, std::string message, const LoadedProgram &program, uint32_t insn,
             const uint64_t *registers, std::optional<MemoryAccess> access = std::nullopt);
  void raiseMemoryFault(const LoadedProgram &program, uint32_t insn, const uint64_t *registers) {
    raise(failure_.kind, failure_.message, program, insn, registers, failure_.access);
  }
  void raiseMemoryFault(const InterpretedProgram &program, const MicroOp *op, const uint64_t *registers) {
    raise(failure_.kind, failure_.message, program, op, registers, failure_.access);
  }

  const RunInput &input;
  const EngineOptions &options;
  // Of the program running now (tail calls may switch it).
  ExecutionEnvironment *environment = nullptr;

  // The region cache behind readable()/writable(), which compiled code
  // (the checked JIT) reads directly: entries change on every slow path.
  struct CachedRegion {
    uint64_t begin = 0;
    uint64_t size = 0;
    bool writable = false;
  };
  static constexpr unsigned kCacheSize = 4; // [0]: the stack; the rest round-robin
  const CachedRegion *regionCache() const { return cache_.data(); }

private:

  // The region holding the whole access, looking beyond the cache; false
  // with failure_ describing why (nothing there, read-only, straddling).
  bool lookup(uint64_t address, uint64_t size, bool write, Region &found);
  void remember(const Region &region);
  // Checked mode: the stack cache entry covers the frames of depth..1; a
  // new frame starts zeroed so that reading it unwritten is deterministic.
  void limitStackToLiveFrames(bool zeroNewFrame);
  void fail(FaultKind kind, uint64_t address, uint64_t size, bool write, std::string message);
  std::string describeNeighborhood(uint64_t address, uint64_t size) const;
  Region stackRegion() const;
  std::span<const Region> regions() const { return ownsRegions_ ? std::span<const Region>(ownedRegions_) : regions_; }
  void invalidateCache();

  // Not value-initialized: the constructor empties the entries (size 0
  // matches nothing) without the block clear GCC emits for a whole array,
  // whose start-up cost was a large part of every run's.
  std::array<CachedRegion, kCacheSize> cache_;
  unsigned nextCacheSlot_ = 1;
  uint64_t stackBottom_;
  uint64_t stackTop_;
  std::span<const Region> regions_;
  std::vector<Region> ownedRegions_; // copy of the input's once helpers change them
  bool ownsRegions_ = false;
  std::vector<Region> discovered_; // environment regions met this run (for reports)
  MemoryFailure failure_;
};

// Runs from `start` until the frame at `stopDepth` exits or the run ends
// early (state.finished()). r0 is left in registers[0].
void execute(RunState &state, const InterpretedProgram *program, const MicroOp *start, uint64_t *registers,
             unsigned stopDepth);

} // namespace ebpfc::runtime::interp
