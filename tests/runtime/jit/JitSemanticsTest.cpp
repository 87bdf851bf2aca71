// The JIT's semantics, instruction class by instruction class, with the
// ISA's edge cases (RFC 9669): every case runs on the interpreter, the JIT
// and the checked JIT, which must agree on r0 and memory.
#include "JitTestSupport.h"

namespace ebpfc::runtime::testing {
namespace {

std::string lddw(uint64_t value) { return "lddw %r0, " + std::to_string(value) + "\n"; }

// r0 = OP(a, b) for a 64-bit ALU op with a register operand.
uint64_t alu64(const std::string &mnemonic, uint64_t a, uint64_t b) {
  return runEverywhere(lddw(a) + "lddw %r1, " + std::to_string(b) + "\n" + mnemonic + " %r0, %r1\nexit\n");
}
uint64_t alu64Imm(const std::string &mnemonic, uint64_t a, int32_t imm) {
  return runEverywhere(lddw(a) + mnemonic + " %r0, " + std::to_string(imm) + "\nexit\n");
}
uint64_t alu32(const std::string &mnemonic, uint64_t a, uint64_t b) {
  return runEverywhere(lddw(a) + "lddw %r1, " + std::to_string(b) + "\n" + mnemonic + "32 %r0, %r1\nexit\n");
}

constexpr uint64_t kIntMin64 = 0x8000000000000000ull;

TEST(JitAlu, ArithmeticAndLogic64) {
  EXPECT_EQ(alu64("add", 0xffffffffffffffff, 2), 1u);
  EXPECT_EQ(alu64("sub", 1, 2), 0xffffffffffffffffull);
  EXPECT_EQ(alu64("mul", 0x100000000, 0x100000000), 0u);
  EXPECT_EQ(alu64("or", 0xf0, 0x0f), 0xffu);
  EXPECT_EQ(alu64("and", 0xf0f0, 0xff00), 0xf000u);
  EXPECT_EQ(alu64("xor", 0xff, 0x0f), 0xf0u);
  EXPECT_EQ(alu64("mov", 5, 0x123456789), 0x123456789u);
  EXPECT_EQ(alu64("div", 100, 7), 14u);
  EXPECT_EQ(alu64("mod", 100, 7), 2u);
  EXPECT_EQ(alu64Imm("add", 0, -1), 0xffffffffffffffffull);
  EXPECT_EQ(alu64Imm("mov", 0, -2), 0xfffffffffffffffeull);
  EXPECT_EQ(alu64Imm("mul", 3, -3), uint64_t(-9));
  EXPECT_EQ(alu64Imm("xor", 0xff, -1), ~uint64_t(0xff));
}

TEST(JitAlu, ThirtyTwoBitOpsZeroExtend) {
  EXPECT_EQ(runEverywhere("lddw %r0, 0xffffffffffffffff\nadd32 %r0, 1\nexit"), 0u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0x1234567800000001\nmov32 %r0, %r0\nexit"), 1u);
  EXPECT_EQ(runEverywhere("mov32 %r0, -1\nexit"), 0xffffffffu);
  EXPECT_EQ(runEverywhere("lddw %r0, 0xffffffff00000003\nmul32 %r0, 3\nexit"), 9u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0x100000002\nneg32 %r0\nexit"), 0xfffffffeu);
  EXPECT_EQ(alu32("sub", 0x100000001, 2), 0xffffffffu);
  EXPECT_EQ(alu32("or", 0xffffffff00000000, 1), 1u);
  EXPECT_EQ(alu32("xor", 0xff000000ff, 0xf), 0xf0u);
  EXPECT_EQ(alu32("and", 0x1ffffffff, 0x10000000f), 0xfu);
}

TEST(JitAlu, DivisionAndModuloByZeroFollowTheIsa) {
  EXPECT_EQ(alu64("div", 42, 0), 0u);
  EXPECT_EQ(alu64Imm("div", 42, 0), 0u);
  EXPECT_EQ(alu64("mod", 42, 0), 42u);
  EXPECT_EQ(alu64Imm("mod", 42, 0), 42u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0x100000007\nmov %r1, 0\nmod32 %r0, %r1\nexit"), 7u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0x100000007\nmod32 %r0, 0\nexit"), 7u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0x100000007\ndiv32 %r0, 0\nexit"), 0u);
  EXPECT_EQ(alu64("sdiv", 42, 0), 0u);
  EXPECT_EQ(alu64Imm("smod", uint64_t(-42), 0), uint64_t(-42));
  EXPECT_EQ(alu32("div", 0x100000000, 0x100000000), 0u); // the divisor's low half is 0
  EXPECT_EQ(alu32("mod", 0x100000009, 0x100000000), 9u);
  // Large unsigned values are not negative.
  EXPECT_EQ(alu64("div", 0xffffffffffffffff, 0x8000000000000000), 1u);
  EXPECT_EQ(alu64Imm("div", 0xffffffffffffffff, -1), 1u);
  EXPECT_EQ(alu64Imm("mod", 7, -1), 7u);
}

TEST(JitAlu, SignedDivisionAndModulo) {
  EXPECT_EQ(alu64("sdiv", uint64_t(-7), 2), uint64_t(-3));
  EXPECT_EQ(alu64("smod", uint64_t(-7), 2), uint64_t(-1));
  EXPECT_EQ(alu64("smod", 7, uint64_t(-2)), 1u);
  EXPECT_EQ(alu64("sdiv", kIntMin64, uint64_t(-1)), kIntMin64);
  EXPECT_EQ(alu64Imm("sdiv", kIntMin64, -1), kIntMin64);
  EXPECT_EQ(alu64("smod", kIntMin64, uint64_t(-1)), 0u);
  EXPECT_EQ(alu64Imm("smod", kIntMin64, -1), 0u);
  EXPECT_EQ(runEverywhere("mov32 %r0, 0x80000000\nmov32 %r1, -1\nsdiv32 %r0, %r1\nexit"), 0x80000000u);
  EXPECT_EQ(runEverywhere("mov32 %r0, 0x80000000\nsmod32 %r0, -1\nexit"), 0u);
  EXPECT_EQ(runEverywhere("mov32 %r0, -7\nsdiv32 %r0, 2\nexit"), 0xfffffffdu);
  EXPECT_EQ(runEverywhere("mov32 %r0, -7\nmov %r1, 0\nsmod32 %r0, %r1\nexit"), 0xfffffff9u);
}

TEST(JitAlu, ShiftsAreMaskedToTheWidth) {
  EXPECT_EQ(alu64("lsh", 1, 65), 2u);
  EXPECT_EQ(alu64Imm("lsh", 1, 64), 1u);
  EXPECT_EQ(alu64("rsh", 0x8000000000000000, 127), 1u);
  EXPECT_EQ(alu64("arsh", kIntMin64, 63), 0xffffffffffffffffull);
  EXPECT_EQ(runEverywhere("mov32 %r0, 1\nlsh32 %r0, 33\nexit"), 2u);
  EXPECT_EQ(runEverywhere("mov32 %r0, 0x80000000\narsh32 %r0, 31\nexit"), 0xffffffffu);
  EXPECT_EQ(runEverywhere("mov32 %r0, 0x80000000\nmov %r1, 63\nrsh32 %r0, %r1\nexit"), 1u);
  EXPECT_EQ(runEverywhere("lddw %r0, 0xffffffff80000000\narsh32 %r0, 4\nexit"), 0xf8000000u);
}

TEST(JitAlu, NegAndSignExtendingMoves) {
  EXPECT_EQ(runEverywhere("mov %r0, 5\nneg %r0\nexit"), uint64_t(-5));
  EXPECT_EQ(runEverywhere("lddw %r0, 0x8000000000000000\nneg %r0\nexit"), kIntMin64);
  EXPECT_EQ(runEverywhere("mov %r1, 0x80\nmovsx864 %r0, %r1\nexit"), 0xffffffffffffff80ull);
  EXPECT_EQ(runEverywhere("mov %r1, 0x8001\nmovsx1664 %r0, %r1\nexit"), 0xffffffffffff8001ull);
  EXPECT_EQ(runEverywhere("mov32 %r1, 0x80000001\nmovsx3264 %r0, %r1\nexit"), 0xffffffff80000001ull);
  EXPECT_EQ(runEverywhere("mov %r1, 0x80\nmovsx832 %r0, %r1\nexit"), 0xffffff80u);
  EXPECT_EQ(runEverywhere("mov %r1, 0x8001\nmovsx1632 %r0, %r1\nexit"), 0xffff8001u);
}

TEST(JitAlu, ByteOrder) {
  const std::string value = "lddw %r0, 0x1122334455667788\n";
  EXPECT_EQ(runEverywhere(value + "be16 %r0\nexit"), 0x8877u);
  EXPECT_EQ(runEverywhere(value + "be32 %r0\nexit"), 0x88776655u);
  EXPECT_EQ(runEverywhere(value + "be64 %r0\nexit"), 0x8877665544332211u);
  EXPECT_EQ(runEverywhere(value + "le16 %r0\nexit"), 0x7788u);
  EXPECT_EQ(runEverywhere(value + "le32 %r0\nexit"), 0x55667788u);
  EXPECT_EQ(runEverywhere(value + "le64 %r0\nexit"), 0x1122334455667788u);
  EXPECT_EQ(runEverywhere(value + "bswap16 %r0\nexit"), 0x8877u);
  EXPECT_EQ(runEverywhere(value + "bswap32 %r0\nexit"), 0x88776655u);
  EXPECT_EQ(runEverywhere(value + "bswap64 %r0\nexit"), 0x8877665544332211u);
}

TEST(JitJumps, EveryConditionBothWidthsBothOperandKinds) {
  const char *conditions[] = {"jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "jlt", "jle", "jslt", "jsle"};
  const uint64_t values[] = {0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000005, 0xffffffffffffffff,
                             0x8000000000000000};
  // One program per condition and width: r0 folds in every outcome.
  for (const char *condition : conditions)
    for (const char *width : {"", "32"}) {
      std::string text = "mov %r0, 0\n";
      auto compare = [&](const std::string &setup, const std::string &operand) {
        text += setup + "mul %r0, 31\n" + condition + width + " %r1, " + operand + ", +1\nja +1\nadd %r0, 1\n";
      };
      for (uint64_t a : values) {
        const std::string setA = "lddw %r1, " + std::to_string(a) + "\n";
        for (uint64_t b : values)
          compare(setA + "lddw %r2, " + std::to_string(b) + "\n", "%r2");
        for (int32_t imm : {0, 5, -1, int32_t(0x80000000)})
          compare(setA, std::to_string(imm));
      }
      runEverywhere(text + "exit");
    }
}

TEST(JitJumps, JaGotolAndLoops) {
  EXPECT_EQ(runEverywhere("mov %r0, 1\nja +1\nmov %r0, 2\nexit"), 1u);
  EXPECT_EQ(runEverywhere("mov %r0, 1\nja32 end\nmov %r0, 2\nend:\nexit"), 1u);
  EXPECT_EQ(runEverywhere("r0 = 1\ngotol +1\nr0 = 2\nexit"), 1u);
  // Sum of 1..100 in a loop, and a loop entered from the middle.
  EXPECT_EQ(runEverywhere("mov %r0, 0\nmov %r1, 100\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit"), 5050u);
  EXPECT_EQ(runEverywhere("mov %r0, 0\nmov %r1, 3\nja mid\nloop:\nadd %r0, 10\nmid:\nsub %r1, 1\njsgt %r1, -1, loop\n"
                          "exit"),
            30u);
}

TEST(JitMemory, LoadsAndStoresOfEveryWidth) {
  std::vector<uint8_t> memory = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(runEverywhere("ldxb %r0, [%r1]\nexit", memory), 0x81u);
  EXPECT_EQ(runEverywhere("ldxh %r0, [%r1+1]\nexit", memory), 0x8382u);
  EXPECT_EQ(runEverywhere("ldxw %r0, [%r1+4]\nexit", memory), 0x88878685u);
  EXPECT_EQ(runEverywhere("ldxdw %r0, [%r1]\nexit", memory), 0x8887868584838281u);
  EXPECT_EQ(runEverywhere("ldxsb %r0, [%r1]\nexit", memory), 0xffffffffffffff81ull);
  EXPECT_EQ(runEverywhere("ldxsh %r0, [%r1]\nexit", memory), 0xffffffffffff8281ull);
  EXPECT_EQ(runEverywhere("ldxsw %r0, [%r1]\nexit", memory), 0xffffffff84838281ull);
  EXPECT_EQ(runEverywhere("stb [%r1+8], 0x7f\nsth [%r1+9], -2\nldxdw %r0, [%r1+8]\nexit", memory), 0xfffe7fu);
  EXPECT_EQ(runEverywhere("stw [%r1+8], -1\nldxdw %r0, [%r1+8]\nexit", memory), 0xffffffffu);
  EXPECT_EQ(runEverywhere("stdw [%r1+8], -1\nldxdw %r0, [%r1+8]\nexit", memory), 0xffffffffffffffffull);
  EXPECT_EQ(runEverywhere("lddw %r2, 0x1122334455667788\nstxw [%r1+8], %r2\nstxb [%r1+12], %r2\n"
                          "stxh [%r1+13], %r2\nldxdw %r0, [%r1+8]\nexit",
                          memory),
            0x0077888855667788u);
  // Misaligned accesses are fine.
  EXPECT_EQ(runEverywhere("stdw [%r1+3], 0x1234\nldxdw %r0, [%r1+3]\nexit", memory), 0x1234u);
}

TEST(JitMemory, StackThroughPointersAndFramePointer) {
  EXPECT_EQ(runEverywhere("mov %r1, %r10\nadd %r1, -16\nstdw [%r1], 7\nldxdw %r0, [%r10-16]\nexit"), 7u);
  EXPECT_EQ(runEverywhere("stxdw [%r10-512], %r10\nldxdw %r0, [%r10-512]\nsub %r0, %r10\nexit"), 0u);
  EXPECT_EQ(runEverywhere("stb [%r10-1], 0x5\nstxw [%r10-8], %r10\nldxb %r0, [%r10-1]\nexit"), 5u);
  // Unwritten stack reads as zero in every engine (frames start zeroed).
  EXPECT_EQ(runEverywhere("ldxdw %r0, [%r10-256]\nexit"), 0u);
}

TEST(JitMemory, Atomics) {
  const std::string init = "lddw %r2, 0x100000010\nstxdw [%r10-8], %r2\n";
  EXPECT_EQ(runEverywhere(init + "mov %r1, 5\nlock add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x100000015u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 5\nlock fetch add [%r10-8], %r1\nmov %r0, %r1\nexit"), 0x100000010u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, -1\nlock add32 [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x10000000fu);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 3\nlock fetch or32 [%r10-8], %r1\nmov %r0, %r1\nexit"), 0x10u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 0xff\nlock and [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x10u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 0x11\nlock fetch xor [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"),
            0x100000001u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 9\nlock xchg [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit"),
            0x100000019u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 9\nmov %r0, 1\nlock cmpxchg [%r10-8], %r1\nldxdw %r3, [%r10-8]\n"
                                 "sub %r0, %r3\nexit"),
            0u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 9\nlddw %r0, 0x100000010\nlock cmpxchg [%r10-8], %r1\n"
                                 "ldxdw %r0, [%r10-8]\nexit"),
            9u);
  EXPECT_EQ(runEverywhere(init + "mov %r1, 9\nmov32 %r0, 0x10\nlock cmpxchg32 [%r10-8], %r1\nldxdw %r0, [%r10-8]\n"
                                 "exit"),
            0x100000009u);
  // Through a pointer into program memory, aligned and misaligned.
  std::vector<uint8_t> memory(24, 0);
  EXPECT_EQ(runEverywhere("mov %r2, 7\nlock add [%r1+8], %r2\nlock fetch add [%r1+8], %r2\nmov %r0, %r2\nexit",
                          memory),
            7u);
  EXPECT_EQ(runEverywhere("mov %r2, 7\nlock add [%r1+3], %r2\nlock add32 [%r1+13], %r2\nmov %r2, 1\n"
                          "lock fetch xor [%r1+3], %r2\nldxw %r0, [%r1+13]\nadd %r0, %r2\nexit",
                          memory),
            14u);
  EXPECT_EQ(runEverywhere("stdw [%r10-16], 0\nstdw [%r10-8], 0\nmov %r1, 7\nlock add [%r10-13], %r1\n"
                          "lock add [%r10-13], %r1\nldxdw %r0, [%r10-13]\nexit"),
            14u);
}

TEST(JitMemory, LoadImm64AndPseudoSources) {
  EXPECT_EQ(runEverywhere("lddw %r0, 0xfedcba9876543210\nexit"), 0xfedcba9876543210u);
  FakeEnvironment environment;
  environment.setPseudoValue(op::kPseudoMapIdx, 3, 0x5000);
  environment.setPseudoValue(op::kPseudoMapIdxValue, 3, 0x9000);
  for (const Engine *engine : jitEngines()) {
    auto program = loadText(*engine, environment, "ld_pseudo r1, 5, 3\nld_pseudo r0, 6, 3, 8\nr0 += r1\nexit");
    ASSERT_TRUE(program);
    std::vector<uint8_t> none;
    EXPECT_EQ(runWithMemory(*engine, *program, none).returnValue, 0x5000u + 0x9008u);
    EXPECT_NE(loadError(*engine, environment, assembleText("ld_pseudo r1, 5, 4\nr0 = 0\nexit")), "");
  }
  // A function reference is the same value in every engine.
  EXPECT_EQ(runEverywhere("ld_pseudo %r0, 4, f\nexit\nf:\nmov %r0, 1\nexit"), 0xebfc000000000003u);
}

TEST(JitMemory, LegacyPacketLoads) {
  FakeEnvironment environment;
  std::vector<uint8_t> packet = {0x11, 0x22, 0x33, 0x44, 0x55};
  const Region regions[] = {hostRegion(packet.data(), packet.size(), RegionKind::Packet, "packet")};
  RunInput input;
  input.regions = regions;
  for (const Engine *engine : jitEngines()) {
    auto program = loadText(*engine, environment, "r0 = *(u32 *)skb[0x1]\nexit");
    ASSERT_TRUE(program);
    RunResult result = engine->run(*program, input);
    EXPECT_EQ(result.returnValue, 0x22334455u) << engine->name();
    program = loadText(*engine, environment, "r1 = 2\nr0 = *(u16 *)skb[r1]\nexit");
    EXPECT_EQ(engine->run(*program, input).returnValue, 0x3344u) << engine->name();
    program = loadText(*engine, environment, "r1 = 4\nr0 = *(u16 *)skb[r1]\nr0 = 7\nexit");
    ASSERT_TRUE(program);
    result = engine->run(*program, input);
    EXPECT_EQ(result.status, RunStatus::Stopped) << engine->name();
    EXPECT_EQ(result.returnValue, 0u) << engine->name();
  }
}

TEST(JitRun, RegistersStartZeroedAndNamesTheEngine) {
  EXPECT_EQ(runEverywhere("mov %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit"), 0u);
  EXPECT_EQ(trustedJit().name(), "jit");
  EXPECT_EQ(checkedJit().name(), "jit-checked");
  std::string error;
  for (const char *name : {"jit", "jit-checked"}) {
    auto engine = createEngine(name, {}, error);
    ASSERT_TRUE(engine) << error;
    EXPECT_EQ(engine->name(), name);
  }
}

TEST(JitRun, ProgramsOfAnotherEngineAreRefused) {
  FakeEnvironment environment;
  Interpreter interpreter;
  auto interpreted = loadText(interpreter, environment, "mov %r0, 1\nexit");
  auto compiled = loadText(trustedJit(), environment, "mov %r0, 1\nexit");
  ASSERT_TRUE(interpreted && compiled);
  std::vector<uint8_t> none;
  RunResult result = runWithMemory(trustedJit(), *interpreted, none);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::EngineMismatch);
  result = runWithMemory(checkedJit(), *compiled, none);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::EngineMismatch);
}

} // namespace
} // namespace ebpfc::runtime::testing
