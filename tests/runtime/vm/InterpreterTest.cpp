// The interpreter's semantics, instruction class by instruction class,
// with the ISA's edge cases (RFC 9669).
#include "VmTestSupport.h"

#include <cstring>

namespace ebpfc::runtime::testing {
namespace {

// r0 = OP(a, b) for a 64-bit ALU op with a register operand.
uint64_t alu64(const std::string &mnemonic, uint64_t a, uint64_t b) {
  return runText("lddw %r0, " + std::to_string(a) + "\nlddw %r1, " + std::to_string(b) + "\n" + mnemonic +
                 " %r0, %r1\nexit\n");
}

// Same with a 32-bit immediate operand.
uint64_t alu64Imm(const std::string &mnemonic, uint64_t a, int32_t imm) {
  return runText("lddw %r0, " + std::to_string(a) + "\n" + mnemonic + " %r0, " + std::to_string(imm) + "\nexit\n");
}

constexpr uint64_t kIntMin64 = 0x8000000000000000ull;

TEST(InterpreterAlu, ArithmeticAndLogic64) {
  EXPECT_EQ(alu64("add", 0xffffffffffffffff, 2), 1u);
  EXPECT_EQ(alu64("sub", 1, 2), 0xffffffffffffffffull);
  EXPECT_EQ(alu64("mul", 0x100000000, 0x100000000), 0u);
  EXPECT_EQ(alu64("or", 0xf0, 0x0f), 0xffu);
  EXPECT_EQ(alu64("and", 0xf0f0, 0xff00), 0xf000u);
  EXPECT_EQ(alu64("xor", 0xff, 0x0f), 0xf0u);
  EXPECT_EQ(alu64("mov", 5, 0x123456789), 0x123456789u);
  EXPECT_EQ(alu64("div", 100, 7), 14u);
  EXPECT_EQ(alu64("mod", 100, 7), 2u);
  // Immediates are sign-extended to 64 bits.
  EXPECT_EQ(alu64Imm("add", 0, -1), 0xffffffffffffffffull);
  EXPECT_EQ(alu64Imm("mov", 0, -2), 0xfffffffffffffffeull);
}

TEST(InterpreterAlu, ThirtyTwoBitOpsZeroExtend) {
  EXPECT_EQ(runText("lddw %r0, 0xffffffffffffffff\nadd32 %r0, 1\nexit"), 0u);
  EXPECT_EQ(runText("lddw %r0, 0x1234567800000001\nmov32 %r0, %r0\nexit"), 1u);
  EXPECT_EQ(runText("mov32 %r0, -1\nexit"), 0xffffffffu);
  EXPECT_EQ(runText("lddw %r0, 0xffffffff00000003\nmul32 %r0, 3\nexit"), 9u);
  EXPECT_EQ(runText("lddw %r0, 0x100000002\nneg32 %r0\nexit"), 0xfffffffeu);
}

TEST(InterpreterAlu, DivisionAndModuloByZeroFollowTheIsa) {
  // div by zero: dst = 0; mod by zero: dst unchanged (64) or truncated (32). No fault.
  EXPECT_EQ(alu64("div", 42, 0), 0u);
  EXPECT_EQ(alu64Imm("div", 42, 0), 0u);
  EXPECT_EQ(alu64("mod", 42, 0), 42u);
  EXPECT_EQ(alu64Imm("mod", 42, 0), 42u);
  EXPECT_EQ(runText("lddw %r0, 0x100000007\nmov %r1, 0\nmod32 %r0, %r1\nexit"), 7u);
  EXPECT_EQ(runText("lddw %r0, 0x100000007\nmod32 %r0, 0\nexit"), 7u);
  EXPECT_EQ(runText("lddw %r0, 0x100000007\ndiv32 %r0, 0\nexit"), 0u);
  EXPECT_EQ(alu64("sdiv", 42, 0), 0u);
  EXPECT_EQ(alu64Imm("smod", uint64_t(-42), 0), uint64_t(-42));
}

TEST(InterpreterAlu, SignedDivisionAndModulo) {
  EXPECT_EQ(alu64("sdiv", uint64_t(-7), 2), uint64_t(-3)); // truncates toward zero
  EXPECT_EQ(alu64("smod", uint64_t(-7), 2), uint64_t(-1)); // sign of the dividend
  EXPECT_EQ(alu64("smod", 7, uint64_t(-2)), 1u);
  // INT_MIN / -1 wraps, INT_MIN % -1 is 0: no host trap.
  EXPECT_EQ(alu64("sdiv", kIntMin64, uint64_t(-1)), kIntMin64);
  EXPECT_EQ(alu64Imm("sdiv", kIntMin64, -1), kIntMin64);
  EXPECT_EQ(alu64("smod", kIntMin64, uint64_t(-1)), 0u);
  EXPECT_EQ(alu64Imm("smod", kIntMin64, -1), 0u);
  EXPECT_EQ(runText("mov32 %r0, 0x80000000\nmov32 %r1, -1\nsdiv32 %r0, %r1\nexit"), 0x80000000u);
  EXPECT_EQ(runText("mov32 %r0, 0x80000000\nsmod32 %r0, -1\nexit"), 0u);
  EXPECT_EQ(runText("mov32 %r0, -7\nsdiv32 %r0, 2\nexit"), 0xfffffffdu);
}

TEST(InterpreterAlu, ShiftsAreMaskedToTheWidth) {
  EXPECT_EQ(alu64("lsh", 1, 65), 2u);
  EXPECT_EQ(alu64Imm("lsh", 1, 64), 1u);
  EXPECT_EQ(alu64("rsh", 0x8000000000000000, 127), 1u);
  EXPECT_EQ(alu64("arsh", kIntMin64, 63), 0xffffffffffffffffull);
  EXPECT_EQ(runText("mov32 %r0, 1\nlsh32 %r0, 33\nexit"), 2u);
  EXPECT_EQ(runText("mov32 %r0, 0x80000000\narsh32 %r0, 31\nexit"), 0xffffffffu);
  EXPECT_EQ(runText("mov32 %r0, 0x80000000\nmov %r1, 63\nrsh32 %r0, %r1\nexit"), 1u);
}

TEST(InterpreterAlu, NegAndSignExtendingMoves) {
  EXPECT_EQ(runText("mov %r0, 5\nneg %r0\nexit"), uint64_t(-5));
  EXPECT_EQ(runText("lddw %r0, 0x8000000000000000\nneg %r0\nexit"), kIntMin64);
  EXPECT_EQ(runText("mov %r1, 0x80\nmovsx864 %r0, %r1\nexit"), 0xffffffffffffff80ull);
  EXPECT_EQ(runText("mov %r1, 0x8001\nmovsx1664 %r0, %r1\nexit"), 0xffffffffffff8001ull);
  EXPECT_EQ(runText("mov32 %r1, 0x80000001\nmovsx3264 %r0, %r1\nexit"), 0xffffffff80000001ull);
  EXPECT_EQ(runText("mov %r1, 0x80\nmovsx832 %r0, %r1\nexit"), 0xffffff80u);
  EXPECT_EQ(runText("mov %r1, 0x8001\nmovsx1632 %r0, %r1\nexit"), 0xffff8001u);
}

TEST(InterpreterAlu, ByteOrder) {
  const std::string value = "lddw %r0, 0x1122334455667788\n";
  EXPECT_EQ(runText(value + "be16 %r0\nexit"), 0x8877u);
  EXPECT_EQ(runText(value + "be32 %r0\nexit"), 0x88776655u);
  EXPECT_EQ(runText(value + "be64 %r0\nexit"), 0x8877665544332211u);
  EXPECT_EQ(runText(value + "le16 %r0\nexit"), 0x7788u);
  EXPECT_EQ(runText(value + "le32 %r0\nexit"), 0x55667788u);
  EXPECT_EQ(runText(value + "le64 %r0\nexit"), 0x1122334455667788u);
  EXPECT_EQ(runText(value + "bswap16 %r0\nexit"), 0x8877u);
  EXPECT_EQ(runText(value + "bswap32 %r0\nexit"), 0x88776655u);
  EXPECT_EQ(runText(value + "bswap64 %r0\nexit"), 0x8877665544332211u);
}

TEST(InterpreterJumps, UnsignedSignedAnd32BitCompares) {
  // -1 vs 1: unsigned greater, signed less.
  const std::string setup = "mov %r0, 0\nmov %r1, -1\nmov %r2, 1\n";
  EXPECT_EQ(runText(setup + "jgt %r1, %r2, +1\nexit\nmov %r0, 1\nexit"), 1u);
  EXPECT_EQ(runText(setup + "jsgt %r1, %r2, +1\nexit\nmov %r0, 1\nexit"), 0u);
  EXPECT_EQ(runText(setup + "jslt %r1, %r2, +1\nexit\nmov %r0, 1\nexit"), 1u);
  EXPECT_EQ(runText(setup + "jsle %r1, -1, +1\nexit\nmov %r0, 1\nexit"), 1u);
  EXPECT_EQ(runText(setup + "jset %r1, 0x10, +1\nexit\nmov %r0, 1\nexit"), 1u);
  // JMP32 looks at the low 32 bits only.
  EXPECT_EQ(runText("mov %r0, 0\nlddw %r1, 0x100000005\njeq32 %r1, 5, +1\nexit\nmov %r0, 1\nexit"), 1u);
  EXPECT_EQ(runText("mov %r0, 0\nlddw %r1, 0x100000005\njeq %r1, 5, +1\nexit\nmov %r0, 1\nexit"), 0u);
  EXPECT_EQ(runText("mov %r0, 0\nlddw %r1, 0x80000000\njslt32 %r1, 0, +1\nexit\nmov %r0, 1\nexit"), 1u);
}

TEST(InterpreterJumps, JaAndGotol) {
  EXPECT_EQ(runText("mov %r0, 1\nja +1\nmov %r0, 2\nexit"), 1u);
  EXPECT_EQ(runText("mov %r0, 1\nja32 end\nmov %r0, 2\nend:\nexit"), 1u);
  EXPECT_EQ(runText("r0 = 1\ngotol +1\nr0 = 2\nexit"), 1u);
}

TEST(InterpreterMemory, LoadsAndStoresOfEveryWidth) {
  std::vector<uint8_t> memory = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(runText("ldxb %r0, [%r1]\nexit", memory), 0x81u);
  EXPECT_EQ(runText("ldxh %r0, [%r1+1]\nexit", memory), 0x8382u);
  EXPECT_EQ(runText("ldxw %r0, [%r1+4]\nexit", memory), 0x88878685u);
  EXPECT_EQ(runText("ldxdw %r0, [%r1]\nexit", memory), 0x8887868584838281u);
  EXPECT_EQ(runText("ldxsb %r0, [%r1]\nexit", memory), 0xffffffffffffff81ull);
  EXPECT_EQ(runText("ldxsh %r0, [%r1]\nexit", memory), 0xffffffffffff8281ull);
  EXPECT_EQ(runText("ldxsw %r0, [%r1]\nexit", memory), 0xffffffff84838281ull);
  EXPECT_EQ(runText("stb [%r1+8], 0x7f\nsth [%r1+9], -2\nldxdw %r0, [%r1+8]\nexit", memory), 0xfffe7fu);
  EXPECT_EQ(runText("stw [%r1+8], -1\nldxdw %r0, [%r1+8]\nexit", memory), 0xffffffffu);
  EXPECT_EQ(runText("stdw [%r1+8], -1\nldxdw %r0, [%r1+8]\nexit", memory), 0xffffffffffffffffull);
  EXPECT_EQ(runText("lddw %r2, 0x1122334455667788\nstxw [%r1+8], %r2\nstxb [%r1+12], %r2\nstxh [%r1+13], %r2\n"
                    "ldxdw %r0, [%r1+8]\nexit",
                    memory),
            0x0077888855667788u);
}

TEST(InterpreterMemory, StackThroughPointersAndFramePointer) {
  EXPECT_EQ(runText("mov %r1, %r10\nadd %r1, -16\nstdw [%r1], 7\nldxdw %r0, [%r10-16]\nexit"), 7u);
  EXPECT_EQ(runText("stxdw [%r10-512], %r10\nldxdw %r0, [%r10-512]\nsub %r0, %r10\nexit"), 0u);
}

TEST(InterpreterMemory, Atomics) {
  const std::string init = "lddw %r2, 0x100000010\nstxdw [%r10-8], %r2\n";
  EXPECT_EQ(runText(init + "mov %r1, 5\nlock add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x100000015u);
  EXPECT_EQ(runText(init + "mov %r1, 5\nlock fetch add [%r10-8], %r1\nmov %r0, %r1\nexit"), 0x100000010u);
  EXPECT_EQ(runText(init + "mov %r1, -1\nlock add32 [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x10000000fu);
  EXPECT_EQ(runText(init + "mov %r1, 3\nlock fetch or32 [%r10-8], %r1\nmov %r0, %r1\nexit"), 0x10u);
  EXPECT_EQ(runText(init + "mov %r1, 0xff\nlock and [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x10u);
  EXPECT_EQ(runText(init + "mov %r1, 0x11\nlock fetch xor [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"), 0x100000001u);
  EXPECT_EQ(runText(init + "mov %r1, 9\nlock xchg [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit"),
            0x100000019u);
  // cmpxchg: r0 gets the old value; the store happens only when r0 matched.
  EXPECT_EQ(runText(init + "mov %r1, 9\nmov %r0, 1\nlock cmpxchg [%r10-8], %r1\nldxdw %r3, [%r10-8]\nsub %r0, %r3\nexit"),
            0u);
  EXPECT_EQ(runText(init + "mov %r1, 9\nlddw %r0, 0x100000010\nlock cmpxchg [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"),
            9u);
  EXPECT_EQ(runText(init + "mov %r1, 9\nmov32 %r0, 0x10\nlock cmpxchg32 [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit"),
            0x100000009u);
  // Misaligned atomics still compute the same result.
  EXPECT_EQ(runText("stdw [%r10-16], 0\nstdw [%r10-8], 0\nmov %r1, 7\nlock add [%r10-13], %r1\n"
                    "lock add [%r10-13], %r1\nldxdw %r0, [%r10-13]\nexit"),
            14u);
}

TEST(InterpreterMemory, LoadImm64AndPseudoSources) {
  EXPECT_EQ(runText("lddw %r0, 0xfedcba9876543210\nexit"), 0xfedcba9876543210u);
  Interpreter interpreter;
  FakeEnvironment environment;
  environment.setPseudoValue(op::kPseudoMapIdx, 3, 0x5000);
  environment.setPseudoValue(op::kPseudoMapIdxValue, 3, 0x9000);
  auto program = loadText(interpreter, environment, "ld_pseudo r1, 5, 3\nld_pseudo r0, 6, 3, 8\nr0 += r1\nexit");
  ASSERT_TRUE(program);
  std::vector<uint8_t> none;
  EXPECT_EQ(runWithMemory(interpreter, *program, none).returnValue, 0x5000u + 0x9008u);
  EXPECT_NE(loadError(interpreter, environment, assembleText("ld_pseudo r1, 5, 4\nr0 = 0\nexit")), "");
}

TEST(InterpreterMemory, LegacyPacketLoads) {
  Interpreter interpreter;
  FakeEnvironment environment;
  std::vector<uint8_t> packet = {0x11, 0x22, 0x33, 0x44, 0x55};
  const Region regions[] = {hostRegion(packet.data(), packet.size(), RegionKind::Packet, "packet")};
  RunInput input;
  input.regions = regions;
  auto program = loadText(interpreter, environment, "r0 = *(u32 *)skb[0x1]\nexit");
  ASSERT_TRUE(program);
  RunResult result = interpreter.run(*program, input);
  EXPECT_EQ(result.returnValue, 0x22334455u); // network byte order
  // Out of bounds: the program ends with 0, like the kernel's.
  program = loadText(interpreter, environment, "r1 = 4\nr0 = *(u16 *)skb[r1]\nr0 = 7\nexit");
  ASSERT_TRUE(program);
  result = interpreter.run(*program, input);
  EXPECT_EQ(result.status, RunStatus::Stopped);
  EXPECT_EQ(result.returnValue, 0u);
}

TEST(InterpreterRun, RegistersStartZeroedAndCountsInstructions) {
  Interpreter interpreter;
  FakeEnvironment environment;
  auto program = loadText(interpreter, environment, "mov %r0, %r6\nmov %r1, 3\nloop:\nsub %r1, 1\njne %r1, 0, loop\nexit");
  ASSERT_TRUE(program);
  std::vector<uint8_t> none;
  RunResult result = runWithMemory(interpreter, *program, none);
  EXPECT_EQ(result.returnValue, 0u);
  EXPECT_EQ(result.instructions, 2u + 3 * 2 + 1);
}

} // namespace
} // namespace ebpfc::runtime::testing
