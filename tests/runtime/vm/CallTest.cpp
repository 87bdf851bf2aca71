// Helper calls, BPF-to-BPF calls and their frames, callx, callbacks and
// tail calls through an embedder's environment.
#include "VmTestSupport.h"

namespace ebpfc::runtime::testing {
namespace {

RunResult runProgram(const Engine &engine, const LoadedProgram &program) {
  std::vector<uint8_t> none;
  return runWithMemory(engine, program, none);
}

TEST(Calls, HelpersGetArgumentsAndReturnR0) {
  Interpreter interpreter;
  FakeEnvironment environment;
  environment.addHelper(7, "sum", [](HelperCall &call) {
    return call.arg(1) + call.arg(2) + call.arg(3) + call.arg(4) + call.arg(5);
  });
  auto program = loadText(interpreter, environment,
                          "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 7\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(interpreter, *program).returnValue, 15u);
}

TEST(Calls, UnknownHelperIsALoadErrorNamingIt) {
  Interpreter interpreter;
  FakeEnvironment environment;
  const std::string error = loadError(interpreter, environment, assembleText("call 1\nexit"));
  EXPECT_NE(error.find("unknown helper 1 (bpf_map_lookup_elem)"), std::string::npos) << error;
  EXPECT_NE(error.find("instruction 0"), std::string::npos) << error;
}

TEST(Calls, HelpersReadAndWriteProgramMemoryThroughChecks) {
  Interpreter interpreter;
  FakeEnvironment environment;
  environment.addHelper(1, "fill", [](HelperCall &call) -> uint64_t {
    auto bytes = call.writableMemory(call.arg(1), call.arg(2));
    if (!bytes)
      return 1;
    for (uint8_t &byte : *bytes)
      byte = 0xab;
    return 0;
  });
  auto program = loadText(interpreter, environment,
                          "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\ncall 1\nldxdw %r0, [%r10-8]\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(interpreter, *program).returnValue, 0xababababababababu);

  // A helper asked to write outside the program's memory faults the run.
  program = loadText(interpreter, environment, "mov %r1, 0\nmov %r2, 8\ncall 1\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->message.find("helper fill"), std::string::npos) << result.fault->describe();
  EXPECT_NE(result.fault->message.find("null pointer"), std::string::npos) << result.fault->describe();
}

TEST(Calls, HelperCanStopOrFaultTheProgram) {
  Interpreter interpreter;
  FakeEnvironment environment;
  environment.addHelper(5, "unwind", [](HelperCall &call) {
    if (call.arg(1) == 0)
      call.stop(0);
    return call.arg(1);
  });
  environment.addHelper(6, "broken", [](HelperCall &call) -> uint64_t {
    call.fault("bad argument");
    return 0;
  });
  auto program = loadText(interpreter, environment, "mov %r1, 0\ncall 5\nmov %r0, 9\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  EXPECT_EQ(result.status, RunStatus::Stopped);
  EXPECT_EQ(result.returnValue, 0u);

  program = loadText(interpreter, environment, "call 6\nexit");
  ASSERT_TRUE(program);
  result = runProgram(interpreter, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::Helper);
  EXPECT_EQ(result.fault->message, "helper broken: bad argument");
  EXPECT_EQ(result.fault->insn, 0u);
}

TEST(Calls, LocalCallsPreserveCalleeSavedRegistersAndHaveTheirOwnStack) {
  // The callee clobbers r6-r9 and writes its own r10-8; the caller's survive.
  EXPECT_EQ(runText("mov %r6, 6\nmov %r7, 7\nmov %r8, 8\nmov %r9, 9\nstdw [%r10-8], 100\n"
                    "mov %r1, %r10\n"
                    "call local f\n"
                    "ldxdw %r2, [%r10-8]\nadd %r0, %r2\nadd %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit\n"
                    "f:\nmov %r6, 0\nmov %r7, 0\nmov %r8, 0\nmov %r9, 0\nstdw [%r10-8], 1000\n"
                    "mov %r0, %r1\nsub %r0, %r10\nexit"),
            512u + 100 + 6 + 7 + 8 + 9);
}

TEST(Calls, CalleeMayUseTheCallersStackThroughAPointer) {
  EXPECT_EQ(runText("stdw [%r10-8], 41\nmov %r1, %r10\nadd %r1, -8\ncall local f\nldxdw %r0, [%r10-8]\nexit\n"
                    "f:\nldxdw %r2, [%r1]\nadd %r2, 1\nstxdw [%r1], %r2\nexit",
                    {}, EngineOptions{.checked = true}),
            42u);
}

// A chain of `depth` nested calls (main counts as frame 1).
std::string nestedCalls(unsigned depth) {
  std::string text = "mov %r0, 0\ncall local f1\nexit\n";
  for (unsigned i = 1; i < depth; ++i)
    text += "f" + std::to_string(i) + ":\nadd %r0, 1\n" +
            (i + 1 < depth ? "call local f" + std::to_string(i + 1) + "\n" : "") + "exit\n";
  return text;
}

TEST(Calls, CallDepthIsLimitedToEightFrames) {
  EXPECT_EQ(runText(nestedCalls(8)), 7u);
  Interpreter interpreter;
  FakeEnvironment environment;
  auto program = loadText(interpreter, environment, nestedCalls(9));
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::CallDepth);
  EXPECT_EQ(result.fault->callStack.size(), 7u);
}

TEST(Calls, UnboundedRecursionFaultsAtTheDepthLimit) {
  Interpreter interpreter;
  FakeEnvironment environment;
  auto program = loadText(interpreter, environment, "f:\ncall local f\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::CallDepth);
}

TEST(Calls, CallxThroughAFunctionValueOrAHelperId) {
  Interpreter interpreter;
  FakeEnvironment environment;
  environment.addHelper(3, "three", [](HelperCall &) -> uint64_t { return 3; });
  // ld_pseudo source 4 names a function; callx calls it.
  auto program = loadText(interpreter, environment,
                          "ld_pseudo %r2, 4, f\ncall %r2\nmov %r3, 3\ncall %r3\nadd %r0, %r6\nexit\n"
                          "f:\nmov %r6, 0\nmov %r0, 40\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  EXPECT_EQ(result.returnValue, 3u) << (result.fault ? result.fault->describe() : "");

  program = loadText(interpreter, environment, "ld_pseudo %r2, 4, f\ncall %r2\nexit\nf:\nmov %r0, 40\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(interpreter, *program).returnValue, 40u);

  for (const char *target : {"mov %r2, 99", "mov %r2, %r10", "ld_pseudo %r2, 4, f\nadd %r2, 1"}) {
    program = loadText(interpreter, environment, std::string(target) + "\ncall %r2\nexit\nf:\nmov %r0, 1\nmov %r0, 2\nexit");
    ASSERT_TRUE(program);
    result = runProgram(interpreter, *program);
    ASSERT_TRUE(result.faulted()) << target;
    EXPECT_EQ(result.fault->kind, FaultKind::BadCallTarget) << target;
  }
}

TEST(Calls, HelpersCallBackIntoTheProgram) {
  Interpreter interpreter;
  FakeEnvironment environment;
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
  auto program = loadText(interpreter, environment,
                          "mov %r6, 1000\nmov %r1, 4\nld_pseudo %r2, 4, cb\ncall 181\nadd %r0, %r6\nexit\n"
                          "cb:\nmov %r6, 0\nmov %r0, %r1\nmul %r0, 10\nstxdw [%r10-8], %r0\nexit");
  ASSERT_TRUE(program);
  RunResult result = runProgram(interpreter, *program);
  EXPECT_EQ(result.returnValue, 1000u + 0 + 10 + 20 + 30) << (result.fault ? result.fault->describe() : "");
}

class TailCalls : public ::testing::Test {
protected:
  static constexpr uint64_t kProgArray = 0x7000;
  Interpreter interpreter;
  FakeEnvironment environment;
  // Tail-calls slot r6 of the prog array, then returns 1000 + r0 (only if the call fell through).
  const std::string caller = "mov %r0, 7\nlddw %r2, 0x7000\nmov %r3, %r6\ncall 12\nadd %r0, 1000\nexit";
};

TEST_F(TailCalls, JumpIntoTheSlotsProgram) {
  auto target = loadText(interpreter, environment, "mov %r0, 42\nexit", "target");
  environment.setProgArray(kProgArray, {nullptr, target.get()});
  auto program = loadText(interpreter, environment, "mov %r6, 1\n" + caller);
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(interpreter, *program).returnValue, 42u);
}

TEST_F(TailCalls, EmptySlotOrBadIndexFallsThrough) {
  auto target = loadText(interpreter, environment, "mov %r0, 42\nexit", "target");
  environment.setProgArray(kProgArray, {nullptr, target.get()});
  for (const char *index : {"mov %r6, 0", "mov %r6, 2", "mov %r6, -1"}) {
    auto program = loadText(interpreter, environment, std::string(index) + "\n" + caller);
    ASSERT_TRUE(program);
    RunResult result = runProgram(interpreter, *program);
    EXPECT_EQ(result.status, RunStatus::Exited) << index;
    EXPECT_EQ(result.returnValue, 1007u) << index;
  }
}

TEST_F(TailCalls, AtMost33TailCallsPerRun) {
  // A program that tail-calls itself, counting in a stack slot it keeps.
  const std::string self = "ldxdw %r0, [%r10-8]\nadd %r0, 1\nstxdw [%r10-8], %r0\n"
                           "lddw %r2, 0x7000\nmov %r3, 0\ncall 12\nexit";
  auto program = loadText(interpreter, environment, self, "self");
  ASSERT_TRUE(program);
  environment.setProgArray(kProgArray, {program.get()});
  Interpreter checked(EngineOptions{.checked = true}); // zeroes the frame: the count starts at 0
  RunResult result = runProgram(checked, *program);
  EXPECT_EQ(result.returnValue, 34u); // the first run plus 33 tail calls
}

TEST_F(TailCalls, TailCallFromASubprogramReturnsToItsCaller) {
  auto target = loadText(interpreter, environment, "mov %r0, 5\nexit", "target");
  environment.setProgArray(kProgArray, {target.get()});
  auto program = loadText(interpreter, environment,
                          "call local f\nadd %r0, 100\nexit\nf:\nlddw %r2, 0x7000\nmov %r3, 0\ncall 12\nmov %r0, 1\nexit");
  ASSERT_TRUE(program);
  EXPECT_EQ(runProgram(interpreter, *program).returnValue, 105u);
}

} // namespace
} // namespace ebpfc::runtime::testing
