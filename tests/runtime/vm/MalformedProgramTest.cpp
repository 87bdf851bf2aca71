// No program, however malformed, may crash or corrupt the host: bad
// encodings are load errors naming the instruction; bad behavior at run
// time is a fault. A fuzz loop throws random programs at both.
#include "VmTestSupport.h"

#include "runtime/asm/Disassembler.h"
#include "runtime/asm/Isa.h"

#include <random>

namespace ebpfc::runtime::testing {
namespace {

std::vector<Insn> words(std::initializer_list<uint64_t> raw) {
  std::vector<Insn> insns;
  for (uint64_t word : raw)
    insns.push_back(insnFromWord(word));
  return insns;
}

constexpr uint64_t kExit = 0x95;

TEST(MalformedPrograms, AreLoadErrorsNamingTheInstruction) {
  Interpreter interpreter;
  FakeEnvironment environment;
  struct Case {
    std::vector<Insn> insns;
    std::string expected;
  };
  const Case cases[] = {
      {{}, "the program has no instructions"},
      {words({0xff, kExit}), "instruction 0: unknown opcode 0xff"},
      {words({0x00000000000000bf | (11 << 8), kExit}), "instruction 0: invalid dst register r11"},
      {words({0x00000000000000bf | (0xc << 12), kExit}), "invalid src register r12"},
      {words({0x00000001000000b7 | (10 << 8), kExit}), "r10 (the frame pointer) is read-only"},
      {words({0x0000000000050005, kExit}), "instruction 0: jump target 6 is outside the program"},
      {words({0x0000000000ff0005, kExit}), "jump target 256 is outside the program"},
      {words({0x0000000000010005, 0x18, 0, kExit}), "jump target 2 is inside an ld_imm64"},
      {words({0x18}), "ld_imm64 is missing its second slot"},
      {words({0x18, 0x95, kExit}), "second slot of ld_imm64"},
      {words({0x00000001000000b7}), "the last instruction must be exit or an unconditional jump"},
      {words({0x0000000500001085, kExit}), "call target 6 is not an instruction of the program"},
      {words({0x0000006300000085, kExit}), "unknown helper 99"},
      {words({0x00000000000000d4 | (17ull << 32), kExit}), "byte swap width must be 16, 32 or 64"},
      {words({0x00000000000000db | (0x33ull << 32), kExit}), "unknown atomic operation 0x33"},
      {words({0x00000000000200bf, kExit}), "invalid movsx width 2"},
      {words({0x000000000003003f, kExit}), "offset of div/mod must be 0 or 1"},
      {words({0x0000000700010007, kExit}), "reserved field offset must be zero"},
      {words({0x00000000000000c3 | (0x02ull << 32), kExit}), "unknown atomic operation 0x02"},
  };
  for (const Case &c : cases) {
    const std::string error = loadError(interpreter, environment, c.insns);
    EXPECT_NE(error.find(c.expected), std::string::npos) << "expected '" << c.expected << "', got '" << error << "'";
  }
}

TEST(MalformedPrograms, EndlessLoopsExhaustTheBudget) {
  Interpreter interpreter;
  FakeEnvironment environment;
  auto program = loadText(interpreter, environment, "mov %r0, 0\nloop:\nadd %r0, 1\nja loop");
  ASSERT_TRUE(program);
  std::vector<uint8_t> none;
  RunResult result = runWithMemory(interpreter, *program, none, 10'000);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::InstructionBudget);
  EXPECT_NE(result.fault->message.find("budget of 10000"), std::string::npos);
  EXPECT_GE(result.instructions, 9'999u);
  EXPECT_LE(result.instructions, 10'000u);
}

TEST(MalformedPrograms, WildPointersFault) {
  for (const char *address : {"0", "0x1000", "0x7fffffffffff", "0xffffffffffffffff", "0xfffffffffffffffc"}) {
    for (const char *access : {"ldxdw %r0, [%r1]", "stdw [%r1], 1", "stxb [%r1-1], %r0", "lock add [%r1], %r0"}) {
      Interpreter interpreter;
      FakeEnvironment environment;
      auto program = loadText(interpreter, environment,
                              std::string("lddw %r1, ") + address + "\n" + access + "\nmov %r0, 0\nexit");
      ASSERT_TRUE(program);
      std::vector<uint8_t> none;
      RunResult result = runWithMemory(interpreter, *program, none);
      EXPECT_TRUE(result.faulted()) << address << " " << access;
    }
  }
}

// Random programs: random words, and random valid instructions over a
// small register/offset space so that memory accesses land near regions.
Insn randomValidInsn(std::mt19937_64 &random) {
  static constexpr uint8_t kOpcodes[] = {
      0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87,
      0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0x04, 0x0c, 0x34, 0x3c, 0x94, 0x9c, 0xb4, 0xbc,
      0xd4, 0xdc, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b,
      0xc3, 0xdb, 0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0xa5,
      0xad, 0xbd, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x56, 0x5e, 0x85, 0x8d, 0x95};
  static constexpr int32_t kAtomics[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
  for (;;) {
    Insn insn{};
    insn.opcode = kOpcodes[random() % sizeof kOpcodes];
    insn.dst = uint8_t(random() % 11);
    insn.src = uint8_t(random() % 11);
    switch (random() % 4) {
    case 0: insn.offset = 0; break;
    case 1: insn.offset = int16_t(int(random() % 1200) - 600); break;
    default: insn.offset = int16_t(random() % 2 ? 8 << (random() % 3) : random() % 2);
    }
    switch (random() % 4) {
    case 0: insn.imm = 0; break;
    case 1: insn.imm = int32_t(random()); break;
    case 2: insn.imm = kAtomics[random() % 10]; break;
    default: insn.imm = random() % 2 ? 16 << (random() % 3) : int32_t(random() % 64) - 32;
    }
    if (insn.opcode == op::kCallOpcode)
      insn.src = uint8_t(random() % 2);
    const DecodedInsn d = decodeInsn(insn);
    if (d.kind != InsnKind::Invalid && writtenRegister(insn, d) != int(kFramePointer))
      return insn;
  }
}

// Keeps jumps and local calls inside the program.
void retarget(std::vector<Insn> &insns, std::mt19937_64 &random) {
  for (size_t i = 0; i < insns.size(); ++i) {
    const DecodedInsn d = decodeInsn(insns[i]);
    const int64_t relative = int64_t(random() % insns.size()) - int64_t(i) - 1;
    if (d.kind == InsnKind::CondJump || (d.kind == InsnKind::Jump && !d.longJump))
      insns[i].offset = int16_t(relative);
    else if ((d.kind == InsnKind::Jump && d.longJump) || (d.kind == InsnKind::Call && d.call == CallKind::Local))
      insns[i].imm = int32_t(relative);
  }
}

TEST(MalformedPrograms, RandomProgramsNeverCrashTheHost) {
  std::mt19937_64 random(12345);
  Interpreter engines[] = {Interpreter(), Interpreter(EngineOptions{.checked = true})};
  FakeEnvironment environment;
  environment.addHelper(0, "zero", [](HelperCall &) -> uint64_t { return 0; });
  environment.addHelper(1, "echo", [](HelperCall &call) -> uint64_t {
    (void)call.readableMemory(call.arg(1), call.arg(2) % 64);
    return call.arg(1);
  });
  environment.addHelper(2, "callback", [](HelperCall &call) -> uint64_t {
    const uint64_t args[] = {call.arg(2)};
    return call.callFunction(call.arg(1), args).value_or(0);
  });
  unsigned loaded = 0, ran = 0;
  for (unsigned round = 0; round < 20000; ++round) {
    std::vector<Insn> insns;
    const unsigned length = 1 + unsigned(random() % 24);
    const bool rawWords = round % 4 == 0;
    for (unsigned i = 0; i < length; ++i)
      insns.push_back(rawWords ? insnFromWord(random()) : randomValidInsn(random));
    insns.push_back(insnFromWord(kExit));
    if (!rawWords)
      retarget(insns, random);
    std::string error;
    auto program = engines[0].load(imageOf(insns), environment, error);
    if (!program) {
      EXPECT_FALSE(error.empty());
      continue;
    }
    ++loaded;
    std::vector<uint8_t> memory(32, 0x11);
    for (const Interpreter &engine : engines) {
      RunResult result = runWithMemory(engine, *program, memory, 5'000);
      if (result.faulted()) {
        EXPECT_FALSE(result.fault->describe().empty());
      }
      ++ran;
    }
  }
  EXPECT_GT(loaded, 1000u);
  EXPECT_GT(ran, 2000u);
}

} // namespace
} // namespace ebpfc::runtime::testing
