// The embedder's side of an engine: helpers by id, the values of ld_imm64
// pseudo sources (maps), tail-call targets, and memory outside the run's own
// regions (map values). One environment typically serves all programs of a
// loaded object; per-run state reaches helpers through RunInput::hostState.
#pragma once

#include "runtime/vm/Memory.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace ebpfc::runtime {

class LoadedProgram;

// What a helper sees of the running program. Implemented by each engine.
class HelperCall {
public:
  virtual ~HelperCall() = default;

  // r1..r5 at the call; arg(1) is r1.
  uint64_t arg(unsigned index) const { return args_[index - 1]; }
  const std::array<uint64_t, 5> &args() const { return args_; }

  // Program memory, checked like the program's own accesses: the host bytes
  // of [address, address + size) when the program may read (write) all of
  // them, else nullopt — and the run then ends with a fault naming the
  // helper's access. Size 0 always succeeds with an empty span.
  virtual std::optional<std::span<const uint8_t>> readableMemory(uint64_t address, uint64_t size) = 0;
  virtual std::optional<std::span<uint8_t>> writableMemory(uint64_t address, uint64_t size) = 0;
  // Like readableMemory, but a miss is no fault: nullopt, and the run goes
  // on. For helpers that, like the kernel's, tolerate bad pointers (the
  // strings of bpf_trace_printk's %s, probe reads).
  virtual std::optional<std::span<const uint8_t>> probeReadableMemory(uint64_t address, uint64_t size) = 0;

  // Ends the run with a fault at the calling instruction.
  virtual void fault(std::string message) = 0;
  // Ends the run normally with r0 = returnValue once the helper returns.
  virtual void stop(uint64_t returnValue) = 0;

  // Calls a function of the program (a callback: the value of an ld_imm64
  // with pseudo source kPseudoFunc) with up to five arguments; its r0, or
  // nullopt when the callback faulted or stopped (return at once then).
  virtual std::optional<uint64_t> callFunction(uint64_t function, std::span<const uint64_t> args) = 0;

  // The run's regions, for helpers that move the packet (xdp_adjust_head)
  // or hand out memory (ringbuf_reserve).
  virtual void addRegion(const Region &region) = 0;
  // Replaces the first region of region.kind (e.g. the packet); false if none.
  virtual bool replaceRegion(const Region &region) = 0;
  virtual bool removeRegion(uint64_t begin) = 0;

  virtual const LoadedProgram &program() const = 0;
  // RunInput::hostState of this run.
  virtual void *hostState() const = 0;

protected:
  explicit HelperCall(const std::array<uint64_t, 5> &args) : args_(args) {}

private:
  std::array<uint64_t, 5> args_;
};

// A helper returns r0. It must not keep the HelperCall beyond the call.
using HelperFunction = std::function<uint64_t(HelperCall &call)>;

// A helper's fast path for trusted callers (the JIT's unchecked code, which
// hands helpers the memory they point at anyway): the argument registers as
// they are and the run's RunInput::hostState, no HelperCall. It either
// handles the call ({r0, true}) or declines ({0, false}), and the caller then
// calls the helper's `function`. A fast path never faults or stops the run
// (it declines whenever it would), and does not report the regions it
// changes (a packet it moves): its callers do not check memory.
struct DirectHelperResult {
  uint64_t value;
  uint64_t handled; // 0 or 1; a 16-byte result comes back in two registers
};
using DirectHelperFunction = DirectHelperResult (*)(void *hostState, uint64_t r1, uint64_t r2, uint64_t r3,
                                                    uint64_t r4, uint64_t r5);

struct Helper {
  uint32_t id = 0;
  std::string name;
  HelperFunction function;
  DirectHelperFunction direct = nullptr; // optional
  // The helper is bpf_map_lookup_elem as the kernel defines it, so an
  // engine may inline it on maps whose layout the environment describes
  // (ExecutionEnvironment::arrayLayout), as the kernel's JIT does.
  bool inlinableArrayLookup = false;
};

// An array map's values as an engine may address them itself: the value of
// key k (a u32) lies at values + k * stride for every k below maxEntries.
struct ArrayLayout {
  uint64_t values = 0; // 0: not inlinable
  uint64_t stride = 0;
  uint64_t maxEntries = 0;
};

// ld_imm64 with a pseudo source other than kPseudoFunc (which engines
// resolve themselves): src, imm of the first slot and imm of the second.
struct PseudoLoad {
  uint8_t source = 0;
  int32_t imm = 0;
  int32_t nextImm = 0;
};

class ExecutionEnvironment {
public:
  virtual ~ExecutionEnvironment() = default;

  // The helper with this id, or nullptr: loading a program that calls an
  // unknown helper fails. The Helper must outlive programs loaded with it.
  virtual const Helper *findHelper(uint32_t id) const = 0;

  // The 64-bit value the program sees for a pseudo ld_imm64: a map handle
  // for kPseudoMapIdx/kPseudoMapFd, a pointer into a map value for
  // kPseudoMapIdxValue/kPseudoMapValue. nullopt with `error` when unknown.
  virtual std::optional<uint64_t> resolvePseudoLoad(const PseudoLoad &load, std::string &error) const;

  // The layout of the map behind a map handle from resolvePseudoLoad, when
  // lookups in it may be inlined (an array whose values do not depend on
  // the CPU and never move); nullopt otherwise, and by default.
  virtual std::optional<ArrayLayout> arrayLayout(uint64_t mapHandle) const {
    (void)mapHandle;
    return std::nullopt;
  }

  // bpf_tail_call(ctx, progArray, index): the slot's program (loaded by the
  // same engine). As in the kernel, an index out of range falls through
  // without counting; an empty slot counts toward the 33-call limit and
  // falls through.
  struct TailCallSlot {
    bool indexInRange = false;
    const LoadedProgram *program = nullptr;
  };
  virtual TailCallSlot resolveTailCall(uint64_t progArray, uint64_t index) const;

  // Memory beyond the run's regions the program may access, typically map
  // values (Map::findValueRegion): fills `region` with the whole region
  // containing [address, address + size). Called on a miss of the engine's
  // region cache, so it need not be fast.
  virtual bool findMemoryRegion(uint64_t address, uint64_t size, Region &region) const;
};

} // namespace ebpfc::runtime
