// Helper calls, BPF-to-BPF calls and their frames, callx, callbacks and
// tail calls in compiled code, on both JIT variants.
#include "JitTestSupport.h"

#include <array>
#include <cstring>

namespace ebpfc::runtime::testing {
namespace {

RunResult runProgram(const Engine &engine, const LoadedProgram &program) {
  std::vector<uint8_t> none;
  return runWithMemory(engine, program, none);
}

class JitCalls : public ::testing::TestWithParam<bool> {
protected:
  const Engine &engine() const { return GetParam() ? static_cast<const Engine &>(checkedJit()) : trustedJit(); }
  FakeEnvironment environment;
};

INSTANTIATE_TEST_SUITE_P(Variants, JitCalls, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) { return info.param ? "checked" : "trusted"; });

TEST_P(JitCalls, HelpersGetArgumentsAndReturnR0) {
  environment.addHelper(7, "sum", [](HelperCall &call) {
    return call.arg(1) + call.arg(2) * 10 + call.arg(3) * 100 + call.arg(4) * 1000 + call.arg(5) * 10000;
  });
  auto program =
      loadText(engine(), environment, "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 7\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 54321u);
}

TEST_P(JitCalls, HelperArgumentsSurviveTheCall) {
  // Like the interpreter: a helper call changes r0 only.
  environment.addHelper(2, "no_op", [](HelperCall &) -> uint64_t { return 100; });
  auto program = loadText(engine(), environment, "mov %r1, 1\nmov %r5, 5\ncall 2\nadd %r0, %r1\nadd %r0, %r5\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 106u);
}

TEST_P(JitCalls, UnknownHelperIsALoadErrorNamingIt) {
  const std::string error = loadError(engine(), environment, assembleText("call 1\nexit"));
  EXPECT_NE(error.find("unknown helper 1 (bpf_map_lookup_elem)"), std::string::npos) << error;
  EXPECT_NE(error.find("instruction 0"), std::string::npos) << error;
  EXPECT_EQ(error, loadError(Interpreter(), environment, assembleText("call 1\nexit")));
}

TEST_P(JitCalls, HelpersReadAndWriteProgramMemory) {
  environment.addHelper(1, "fill", [](HelperCall &call) -> uint64_t {
    auto bytes = call.writableMemory(call.arg(1), call.arg(2));
    if (!bytes)
      return 1;
    for (uint8_t &byte : *bytes)
      byte = 0xab;
    return 0;
  });
  auto program =
      loadText(engine(), environment, "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\ncall 1\nldxdw %r0, [%r10-8]\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 0xababababababababu);

  // A helper asked to write at a null pointer faults the run in both variants.
  program = loadText(engine(), environment, "mov %r1, 0\nmov %r2, 8\ncall 1\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->message.find("helper fill"), std::string::npos) << result.fault->describe();
  EXPECT_NE(result.fault->message.find("null pointer"), std::string::npos) << result.fault->describe();
  EXPECT_EQ(result.fault->insn, 2u);
  EXPECT_EQ(result.fault->registers[1], 0u);
  EXPECT_EQ(result.fault->registers[2], 8u);
}

TEST_P(JitCalls, HelperCanStopOrFaultTheProgram) {
  environment.addHelper(5, "unwind", [](HelperCall &call) {
    if (call.arg(1) == 0)
      call.stop(0);
    return call.arg(1);
  });
  environment.addHelper(6, "broken", [](HelperCall &call) -> uint64_t {
    call.fault("bad argument");
    return 0;
  });
  auto program = loadText(engine(), environment, "mov %r1, 0\ncall 5\nmov %r0, 9\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  EXPECT_EQ(result.status, RunStatus::Stopped);
  EXPECT_EQ(result.returnValue, 0u);

  program = loadText(engine(), environment, "mov %r1, 3\ncall 5\nexit");
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 3u);

  program = loadText(engine(), environment, "mov %r7, 77\ncall 6\nexit");
  ASSERT_TRUE(program);
  result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::Helper);
  EXPECT_EQ(result.fault->message, "helper broken: bad argument");
  EXPECT_EQ(result.fault->insn, 1u);
  EXPECT_EQ(result.fault->registers[7], 77u);
}

TEST_P(JitCalls, LocalCallsPreserveCalleeSavedRegistersAndHaveTheirOwnStack) {
  auto program = loadText(engine(), environment,
                          "mov %r6, 6\nmov %r7, 7\nmov %r8, 8\nmov %r9, 9\nstdw [%r10-8], 100\n"
                          "mov %r1, %r10\n"
                          "call local f\n"
                          "ldxdw %r2, [%r10-8]\nadd %r0, %r2\nadd %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\n"
                          "exit\n"
                          "f:\nmov %r6, 0\nmov %r7, 0\nmov %r8, 0\nmov %r9, 0\nstdw [%r10-8], 1000\n"
                          "mov %r0, 512\njne %r1, %r10, +1\nmov %r0, 0\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 512u + 100 + 6 + 7 + 8 + 9);
}

TEST_P(JitCalls, CalleeMayUseTheCallersStackThroughAPointer) {
  auto program = loadText(engine(), environment,
                          "stdw [%r10-8], 41\nmov %r1, %r10\nadd %r1, -8\ncall local f\nldxdw %r0, [%r10-8]\nexit\n"
                          "f:\nldxdw %r2, [%r1]\nadd %r2, 1\nstxdw [%r1], %r2\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 42u);
}

// A chain of `depth` nested calls (main counts as frame 1), each passing
// its depth on in r1; the deepest returns it.
std::string nestedCalls(unsigned depth) {
  std::string text = "mov %r1, 0\ncall local f1\nexit\n";
  for (unsigned i = 1; i < depth; ++i)
    text += "f" + std::to_string(i) + ":\nadd %r1, 1\nmov %r0, %r1\n" +
            (i + 1 < depth ? "call local f" + std::to_string(i + 1) + "\n" : "") + "exit\n";
  return text;
}

TEST_P(JitCalls, CallDepthIsLimitedToEightFrames) {
  auto program = loadText(engine(), environment, nestedCalls(8));
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 7u);
  program = loadText(engine(), environment, nestedCalls(9));
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::CallDepth);
  EXPECT_EQ(result.fault->callStack.size(), 7u);
  // The same report as the interpreter's.
  Interpreter interpreter(EngineOptions{.checked = GetParam()});
  auto interpreted = loadText(interpreter, environment, nestedCalls(9));
  expectSameFault(*runProgram(interpreter, *interpreted).fault, *result.fault, "depth 9");
}

TEST_P(JitCalls, UnboundedRecursionFaultsAtTheDepthLimit) {
  auto program = loadText(engine(), environment, "f:\ncall local f\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::CallDepth);
}

TEST_P(JitCalls, CallxThroughAFunctionValueOrAHelperId) {
  environment.addHelper(3, "three", [](HelperCall &) -> uint64_t { return 3; });
  auto program = loadText(engine(), environment,
                          "ld_pseudo %r2, 4, f\ncall %r2\nmov %r6, %r0\nmov %r3, 3\ncall %r3\nadd %r0, %r6\nexit\n"
                          "f:\nmov %r0, 40\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  EXPECT_EQ(result.returnValue, 43u) << faultText(result);

  for (const char *target : {"mov %r2, 99", "mov %r2, %r10", "ld_pseudo %r2, 4, f\nadd %r2, 1", "mov %r2, 12"}) {
    program = loadText(engine(), environment,
                       std::string(target) + "\ncall %r2\nexit\nf:\nmov %r0, 1\nmov %r0, 2\nexit");
    ASSERT_TRUE(program);
    result = runProgram(engine(), *program);
    ASSERT_TRUE(result.faulted()) << target;
    EXPECT_EQ(result.fault->kind, FaultKind::BadCallTarget) << target;
    if (std::string_view(target).find("r10") != std::string_view::npos)
      continue; // the message names a stack address, different in every run
    Interpreter interpreter(EngineOptions{.checked = GetParam()});
    auto interpreted = loadText(interpreter, environment,
                                std::string(target) + "\ncall %r2\nexit\nf:\nmov %r0, 1\nmov %r0, 2\nexit");
    expectSameFault(*runProgram(interpreter, *interpreted).fault, *result.fault, target);
  }
}

TEST_P(JitCalls, HelpersCallBackIntoTheProgram) {
  // loop(n, callback): calls callback(i) for i < n, sums the results.
  environment.addHelper(181, "loop", [](HelperCall &call) -> uint64_t {
    uint64_t total = 0;
    for (uint64_t i = 0; i < call.arg(1); ++i) {
      const uint64_t args[] = {i};
      std::optional<uint64_t> r0 = call.callFunction(call.arg(2), args);
      if (!r0)
        return 0;
      total += *r0;
    }
    return total;
  });
  auto program = loadText(engine(), environment,
                          "mov %r6, 1000\nmov %r1, 4\nld_pseudo %r2, 4, cb\ncall 181\nadd %r0, %r6\nexit\n"
                          "cb:\nmov %r6, 0\nmov %r0, %r1\nmul %r0, 10\nstxdw [%r10-8], %r0\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  EXPECT_EQ(result.returnValue, 1000u + 0 + 10 + 20 + 30) << faultText(result);

  // Checked code: a fault inside a callback ends the whole run, reported in
  // the callback. (Trusted code does not check the access.)
  if (!GetParam())
    return;
  program = loadText(engine(), environment,
                     "mov %r1, 2\nld_pseudo %r2, 4, cb\ncall 181\nexit\n"
                     "cb:\nmov %r7, 7\nmov %r2, 0\nldxdw %r0, [%r2+8]\nexit");
  ASSERT_TRUE(program);
  result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->insn, 7u);
  EXPECT_EQ(result.fault->registers[7], 7u);
  EXPECT_EQ(result.fault->callStack, std::vector<uint32_t>{3});
}

TEST_P(JitCalls, TailCallsJumpIntoTheSlotsProgram) {
  constexpr uint64_t kProgArray = 0x7000;
  // Tail-calls slot r6, then returns 1000 + r0 (only if the call fell through).
  const std::string caller = "mov %r0, 7\nlddw %r2, 0x7000\nmov %r3, %r6\ncall 12\nadd %r0, 1000\nexit";
  auto target = loadText(engine(), environment, "mov %r0, 42\nexit", "target");
  environment.setProgArray(kProgArray, {nullptr, target.get()});
  auto program = loadText(engine(), environment, "mov %r6, 1\n" + caller);
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 42u);
  for (const char *index : {"mov %r6, 0", "mov %r6, 2", "mov %r6, -1"}) {
    program = loadText(engine(), environment, std::string(index) + "\n" + caller);
    ASSERT_TRUE(program);
    RunResult result = runProgram(engine(), *program);
    EXPECT_EQ(result.status, RunStatus::Exited) << index;
    EXPECT_EQ(result.returnValue, 1007u) << index;
  }
}

TEST_P(JitCalls, AtMost33TailCallsPerRun) {
  // Counts in a global: the program tail-calls itself until the limit.
  std::vector<uint8_t> counter(8, 0);
  environment.setPseudoValue(op::kPseudoMapIdxValue, 0, reinterpret_cast<uint64_t>(counter.data()));
  environment.addMemoryRegion(hostRegion(counter.data(), counter.size(), RegionKind::MapValue, "counter"));
  auto program = loadText(engine(), environment,
                          "ld_pseudo %r6, 6, 0, 0\nldxdw %r0, [%r6]\nadd %r0, 1\nstxdw [%r6], %r0\n"
                          "lddw %r2, 0x7000\nmov %r3, 0\ncall 12\nexit",
                          "self");
  ASSERT_TRUE(program);
  environment.setProgArray(0x7000, {program.get()});
  RunResult result = runProgram(engine(), *program);
  EXPECT_EQ(result.returnValue, 34u) << faultText(result); // the first run plus 33 tail calls
}

TEST_P(JitCalls, TailCallFromASubprogramReturnsToItsCaller) {
  auto target = loadText(engine(), environment, "mov %r0, 5\nexit", "target");
  environment.setProgArray(0x7000, {target.get()});
  auto program = loadText(engine(), environment,
                          "call local f\nadd %r0, 100\nexit\nf:\nlddw %r2, 0x7000\nmov %r3, 0\ncall 12\nmov %r0, 1\n"
                          "exit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(engine(), *program).returnValue, 105u);
}

TEST_P(JitCalls, TailCallIntoAnotherEnginesProgramFaults) {
  Interpreter interpreter;
  auto target = loadText(interpreter, environment, "mov %r0, 5\nexit", "target");
  environment.setProgArray(0x7000, {target.get()});
  auto program = loadText(engine(), environment, "lddw %r2, 0x7000\nmov %r3, 0\ncall 12\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(engine(), *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::EngineMismatch);
  EXPECT_EQ(result.fault->insn, 3u);
}

// An environment whose map 0 is an array the JIT may address itself, with a
// bpf_map_lookup_elem that counts its calls.
class ArrayEnvironment final : public FakeEnvironment {
public:
  static constexpr uint64_t kHandle = 0x7000;
  ArrayEnvironment() {
    setPseudoValue(op::kPseudoMapIdx, 0, kHandle);
    lookup_.id = 1;
    lookup_.name = "bpf_map_lookup_elem";
    lookup_.function = [this](HelperCall &call) -> uint64_t {
      ++calls;
      const auto key = call.readableMemory(call.arg(2), 4);
      uint32_t index = 0;
      if (key)
        std::memcpy(&index, key->data(), 4);
      return index < 3 ? reinterpret_cast<uint64_t>(values.data() + index * 16) : 0;
    };
    lookup_.inlinableArrayLookup = true;
    addMemoryRegion(hostRegion(values.data(), values.size(), RegionKind::MapValue, "array"));
  }
  const Helper *findHelper(uint32_t id) const override { return id == 1 ? &lookup_ : nullptr; }
  std::optional<ArrayLayout> arrayLayout(uint64_t handle) const override {
    if (!laidOut || handle != kHandle)
      return std::nullopt;
    return ArrayLayout{reinterpret_cast<uint64_t>(values.data()), 16, 3};
  }

  std::array<uint8_t, 48> values{};
  bool laidOut = true;
  mutable int calls = 0;

private:
  Helper lookup_;
};

std::string lookupOf(uint32_t index) {
  return "*(u32 *)(r10 - 0x4) = " + std::to_string(index) +
         "\nr2 = r10\nr2 += -4\nld_pseudo r1, 0x5, 0x0\ncall 0x1\nexit";
}

TEST(JitCalls, ArrayLookupsAreInlinedInTrustedCodeWhereTheEnvironmentLaysTheArrayOut) {
  ArrayEnvironment environment;
  const uint64_t base = reinterpret_cast<uint64_t>(environment.values.data());
  for (uint32_t index : {0u, 2u, 3u, 0xffffffffu}) {
    auto program = loadText(trustedJit(), environment, lookupOf(index));
    ASSERT_TRUE(program);
    RunResult result = runProgram(trustedJit(), *program);
    ASSERT_FALSE(result.faulted()) << faultText(result);
    EXPECT_EQ(result.returnValue, index < 3 ? base + index * 16 : 0u) << index;
  }
  EXPECT_EQ(environment.calls, 0); // every lookup was inlined

  // The checked JIT, and the trusted one without a layout, call the helper.
  auto checked = loadText(checkedJit(), environment, lookupOf(1));
  ASSERT_TRUE(checked);
  EXPECT_EQ(runProgram(checkedJit(), *checked).returnValue, base + 16);
  EXPECT_EQ(environment.calls, 1);
  environment.laidOut = false;
  auto unlaid = loadText(trustedJit(), environment, lookupOf(2));
  ASSERT_TRUE(unlaid);
  EXPECT_EQ(runProgram(trustedJit(), *unlaid).returnValue, base + 32);
  EXPECT_EQ(environment.calls, 2);
}

TEST(JitCalls, AnArrayLookupIsNotInlinedWhenR1MayComeFromElsewhere) {
  ArrayEnvironment environment;
  // r1 is set before a jump target: control may reach the call with another
  // r1, so the lookup goes through the helper.
  const char *joined = "*(u32 *)(r10 - 0x4) = 1\nr2 = r10\nr2 += -4\nld_pseudo r1, 0x5, 0x0\n"
                       "if r2 == 0 goto l\nl:\ncall 0x1\nexit";
  auto program = loadText(trustedJit(), environment, joined);
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(trustedJit(), *program).returnValue, reinterpret_cast<uint64_t>(environment.values.data()) + 16);
  EXPECT_EQ(environment.calls, 1);
}

} // namespace
} // namespace ebpfc::runtime::testing
