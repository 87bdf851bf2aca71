// Shared by the JIT tests: the two JIT engines, and runs that hold each of
// them to the interpreter (the reference semantics) on the same program,
// environment and memory.
#pragma once

#include "runtime/jit/JitEngine.h"
#include "tests/runtime/vm/VmTestSupport.h"

namespace ebpfc::runtime::testing {

inline const JitEngine &trustedJit() {
  static const JitEngine engine;
  return engine;
}
inline const JitEngine &checkedJit() {
  static const JitEngine engine(EngineOptions{.checked = true});
  return engine;
}
inline std::vector<const Engine *> jitEngines() { return {&trustedJit(), &checkedJit()}; }

inline std::string faultText(const RunResult &result) { return result.fault ? result.fault->describe() : ""; }

// r0 of a clean exit of the interpreter, after checking that both JIT
// engines exit the same way with the same r0 and leave `memory` the same.
// The checked interpreter is the reference (it zeroes frames, so reading an
// unwritten stack slot is defined).
inline uint64_t runEverywhere(std::string_view text, std::vector<uint8_t> memory = {}) {
  FakeEnvironment environment;
  const Interpreter reference(EngineOptions{.checked = true});
  auto program = loadText(reference, environment, text);
  if (!program)
    return ~uint64_t(0);
  std::vector<uint8_t> expectedMemory = memory;
  const RunResult expected = runWithMemory(reference, *program, expectedMemory);
  EXPECT_EQ(expected.status, RunStatus::Exited) << faultText(expected);
  for (const Engine *engine : jitEngines()) {
    auto compiled = loadText(*engine, environment, text);
    if (!compiled)
      continue;
    std::vector<uint8_t> actualMemory = memory;
    const RunResult actual = runWithMemory(*engine, *compiled, actualMemory);
    EXPECT_EQ(actual.status, expected.status) << engine->name() << ": " << text << "\n" << faultText(actual);
    EXPECT_EQ(actual.returnValue, expected.returnValue) << engine->name() << ": " << text;
    EXPECT_EQ(actualMemory, expectedMemory) << engine->name() << ": " << text;
  }
  return expected.returnValue;
}

// Every field of a fault report the two engines must agree on.
inline void expectSameFault(const Fault &expected, const Fault &actual, const std::string &context) {
  EXPECT_EQ(actual.kind, expected.kind) << context;
  EXPECT_EQ(actual.message, expected.message) << context;
  EXPECT_EQ(actual.program, expected.program) << context;
  EXPECT_EQ(actual.insn, expected.insn) << context;
  EXPECT_EQ(actual.instruction, expected.instruction) << context;
  EXPECT_EQ(actual.access.has_value(), expected.access.has_value()) << context;
  if (actual.access && expected.access) {
    EXPECT_EQ(actual.access->address, expected.access->address) << context;
    EXPECT_EQ(actual.access->size, expected.access->size) << context;
    EXPECT_EQ(actual.access->write, expected.access->write) << context;
  }
  EXPECT_EQ(actual.nearestRegion, expected.nearestRegion) << context;
  EXPECT_EQ(actual.source.has_value(), expected.source.has_value()) << context;
  if (actual.source && expected.source) {
    EXPECT_EQ(actual.source->line, expected.source->line) << context;
  }
  // Each run has its own stack: stack addresses compare relative to r10.
  for (unsigned r = 0; r < kNumRegisters; ++r) {
    const auto relative = [](const Fault &fault, unsigned reg) {
      const uint64_t value = fault.registers[reg];
      const uint64_t fp = fault.registers[kFramePointer];
      return fp - value < 8192 || value - fp < 8192 ? value - fp : value;
    };
    EXPECT_EQ(relative(actual, r), relative(expected, r)) << context << ": r" << r;
  }
  EXPECT_EQ(actual.callStack, expected.callStack) << context;
}

} // namespace ebpfc::runtime::testing
