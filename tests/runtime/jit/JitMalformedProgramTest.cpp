// Malformed programs are load errors, word for word the interpreter's; and
// no program, however malformed, crashes the host in the checked JIT.
#include "JitTestSupport.h"

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

TEST(JitMalformedPrograms, AreTheInterpretersLoadErrors) {
  FakeEnvironment environment;
  const std::vector<Insn> cases[] = {
      {},
      words({0xff, kExit}),
      words({0x00000000000000bf | (11 << 8), kExit}),
      words({0x00000000000000bf | (0xc << 12), kExit}),
      words({0x00000001000000b7 | (10 << 8), kExit}),
      words({0x0000000000050005, kExit}),
      words({0x0000000000ff0005, kExit}),
      words({0x0000000000010005, 0x18, 0, kExit}),
      words({0x18}),
      words({0x18, 0x95, kExit}),
      words({0x00000001000000b7}),
      words({0x0000000500001085, kExit}),
      words({0x0000006300000085, kExit}),
      words({0xffffffff00000085, kExit}),
      words({0x0000000100002085, kExit}), // kfunc
      words({0x00000000000000d4 | (17ull << 32), kExit}),
      words({0x00000000000000db | (0x33ull << 32), kExit}),
      words({0x00000000000200bf, kExit}),
      words({0x000000000003003f, kExit}),
      words({0x0000000700010007, kExit}),
      words({0x00000000000000c3 | (0x02ull << 32), kExit}),
      words({0x0000000000001518, 0, kExit}), // ld_imm64 of a map the environment does not know
  };
  const Interpreter interpreter;
  for (const std::vector<Insn> &insns : cases) {
    const std::string expected = loadError(interpreter, environment, insns);
    ASSERT_NE(expected, "");
    for (const Engine *engine : jitEngines())
      EXPECT_EQ(loadError(*engine, environment, insns), expected) << engine->name();
  }
}

// Random valid instructions over a small register/offset space so that
// memory accesses land near regions (as the interpreter's own fuzz test).
Insn randomValidInsn(std::mt19937_64 &random) {
  static constexpr uint8_t kOpcodes[] = {
      0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87,
      0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0x04, 0x0c, 0x34, 0x3c, 0x94, 0x9c, 0xb4, 0xbc,
      0xd4, 0xdc, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b,
      0xc3, 0xdb, 0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0xa5,
      0xad, 0xbd, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x56, 0x5e, 0x85, 0x8d, 0x95, 0x20, 0x28, 0x30, 0x40, 0x48};
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

TEST(JitMalformedPrograms, RandomProgramsNeverCrashTheCheckedJit) {
  std::mt19937_64 random(20240611);
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
  const Interpreter interpreter(EngineOptions{.checked = true});
  unsigned loaded = 0, faulted = 0;
  for (unsigned round = 0; round < 600; ++round) {
    std::vector<Insn> insns;
    const unsigned length = 1 + unsigned(random() % 24);
    const bool rawWords = round % 4 == 0;
    for (unsigned i = 0; i < length; ++i)
      insns.push_back(rawWords ? insnFromWord(random()) : randomValidInsn(random));
    insns.push_back(insnFromWord(kExit));
    if (!rawWords)
      retarget(insns, random);
    std::string error;
    auto program = checkedJit().load(imageOf(insns), environment, error);
    const std::string interpreterError = loadError(interpreter, environment, insns);
    EXPECT_EQ(error, interpreterError) << disassembleProgram(insns, ListingOptions{AsmDialect::Llvm});
    if (!program)
      continue;
    ++loaded;
    std::vector<uint8_t> memory(32, 0x11);
    RunResult result = runWithMemory(checkedJit(), *program, memory, 5'000);
    if (result.faulted()) {
      ++faulted;
      EXPECT_FALSE(result.fault->describe().empty());
    }
  }
  EXPECT_GT(loaded, 200u);
  EXPECT_GT(faulted, 40u);
}

} // namespace
} // namespace ebpfc::runtime::testing
