// Execution engines behind one interface: load(program image, environment)
// validates and prepares a program once; run(program, input) executes it
// on one input. The interpreter is the reference; a JIT implements the same
// interface (issue 8), so tools and suites choose an engine by name.
#pragma once

#include "runtime/loader/Object.h"
#include "runtime/vm/ExecutionEnvironment.h"
#include "runtime/vm/Memory.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime {

class Engine;

// A program validated and prepared by an engine, bound to its environment.
// Immutable: one loaded program may run concurrently on many inputs.
class LoadedProgram {
public:
  virtual ~LoadedProgram() = default;
  const ProgramImage &image() const { return image_; }
  ExecutionEnvironment &environment() const { return *environment_; }
  const Engine &engine() const { return *engine_; }
  // Source position of an instruction (from the image's line info), or null.
  const LineInfo *lineOf(uint32_t insn) const;

protected:
  LoadedProgram(const Engine &engine, ProgramImage image, ExecutionEnvironment &environment)
      : engine_(&engine), image_(std::move(image)), environment_(&environment) {}

private:
  const Engine *engine_;
  ProgramImage image_;
  ExecutionEnvironment *environment_;
};

struct RunInput {
  // r1..r5 at entry (r1: the context pointer).
  std::array<uint64_t, 5> args{};
  // Memory of this run besides the stack and the environment's map values:
  // the context, the packet, ... Must stay valid during the run.
  std::span<const Region> regions;
  // Passed through to helpers (HelperCall::hostState).
  void *hostState = nullptr;
  // Instructions the run may execute; 0 takes the engine's budget.
  uint64_t instructionBudget = 0;
};

enum class FaultKind : uint8_t {
  MemoryAccess,      // outside every region, or straddling a region's end
  ReadOnlyWrite,     // a write into a read-only region
  ContextAccess,     // a context field the embedder's accessor refused
  CallDepth,         // more than kMaxCallFrames nested calls
  InstructionBudget, // the run's instruction budget ran out (an endless loop?)
  BadCallTarget,     // callx through a value that is no function and no helper
  Helper,            // a helper reported a fault
  EngineMismatch,    // a program (or tail-call target) loaded by another engine
};
std::string_view faultKindName(FaultKind kind);

// Why a run ended early, with everything a reader needs to find the bug.
struct Fault {
  FaultKind kind = FaultKind::MemoryAccess;
  std::string message;      // one line: what went wrong
  std::string program;      // name of the program running at the fault
  uint32_t insn = 0;        // index of the faulting instruction
  std::string instruction;  // its disassembly (LLVM syntax)
  std::optional<MemoryAccess> access;
  // For memory faults: where the address lies relative to the nearest region.
  std::string nearestRegion;
  std::optional<LineInfo> source; // from the program's line info
  std::array<uint64_t, 11> registers{};
  // Call sites (instruction indexes) of the frames below the faulting one.
  std::vector<uint32_t> callStack;

  // A multi-line report: message, instruction, access, source line, registers.
  std::string describe() const;
};

enum class RunStatus : uint8_t {
  Exited,  // the program executed exit (or a legacy packet load ended it)
  // Ended early without a fault: a helper stopped it (HelperCall::stop), or
  // a legacy packet load went out of bounds (which exits with r0 = 0).
  Stopped,
  Faulted,
};

struct RunResult {
  RunStatus status = RunStatus::Exited;
  uint64_t returnValue = 0; // r0
  uint64_t instructions = 0; // instruction slots executed
  // Set when status is Faulted. A pointer, not an optional: a Fault is ~400
  // bytes, and zeroing them in every result was a cost of every run.
  std::shared_ptr<Fault> fault;

  bool faulted() const { return status == RunStatus::Faulted; }
};

struct EngineOptions {
  // Checked mode: besides the host-safety checks every mode makes, hold
  // stack accesses to the live frames (no access below r10 - 512 of the
  // current frame) — the kernel's frame discipline.
  bool checked = false;
  uint64_t instructionBudget = 1'000'000'000;
  // Every run passes r1 as plain memory, never as a context whose fields an
  // accessor serves (conformance vectors, benchmarks on a raw input). The
  // trusted JIT then compiles accesses through r1 as plain loads and stores
  // instead of testing each against the context at run time, and refuses
  // (EngineMismatch) a run whose input has an accessor region. The
  // interpreter and the checked JIT serve both kinds of input either way.
  bool contextIsPlainMemory = false;
};

class Engine {
public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  const EngineOptions &options() const { return options_; }

  // Validates the image (encodings, registers, jump and call targets),
  // resolves helpers and pseudo loads through `environment` (which must
  // outlive the program) and prepares it. nullptr with `error` naming the
  // offending instruction when the program cannot run.
  virtual std::shared_ptr<const LoadedProgram> load(const ProgramImage &image, ExecutionEnvironment &environment,
                                                    std::string &error) const = 0;

  // Runs a program this engine loaded. Never crashes on any program: bad
  // behavior ends in RunStatus::Faulted. Safe to call concurrently.
  virtual RunResult run(const LoadedProgram &program, const RunInput &input) const = 0;

protected:
  explicit Engine(EngineOptions options) : options_(options) {}

private:
  EngineOptions options_;
};

// Engines by name ("interp", and whatever registerEngine added); nullptr
// with `error` listing the known names.
std::unique_ptr<Engine> createEngine(std::string_view name, const EngineOptions &options, std::string &error);
std::span<const std::string_view> engineNames();

// Adds an engine that lives in another library (the JIT registers "jit" and
// "jit-checked" when its library is linked in), so that every tool choosing
// engines by name offers it. `name` must stay valid (a literal); false when
// the name is taken. Meant for static initialization, before any lookup.
using EngineFactory = std::unique_ptr<Engine> (*)(const EngineOptions &options);
bool registerEngine(std::string_view name, EngineFactory factory);

} // namespace ebpfc::runtime
