// Differential fuzz: random valid programs — every ALU and jump form,
// loads, stores and atomics of every width on program memory and the
// stack, counted loops, helper calls and BPF-to-BPF calls — give the same
// outcome, r0 and memory on the interpreter and the JIT.
//
// The generator follows the discipline the kernel's verifier imposes where
// the JIT leaves values unspecified (JitEngine.h): a subprogram writes r0
// and r6-r9 before reading them, and the caller rewrites r1-r5 after a
// call. Values derived from addresses (r9 holds the memory's address, r10
// the frame's) never reach r0 or memory, because the runs' buffers differ.
#include "JitTestSupport.h"

#include "runtime/asm/Isa.h"

#include <random>

namespace ebpfc::runtime::testing {
namespace {

constexpr size_t kMemorySize = 64;
constexpr unsigned kMemoryBase = 9;  // r9: the memory region's address in every function
constexpr unsigned kLoopCounter = 8; // r8: only counted loops write it

Insn makeInsn(uint8_t opcode, unsigned dst, unsigned src, int16_t offset, int32_t imm) {
  Insn insn{};
  insn.opcode = opcode;
  insn.dst = uint8_t(dst);
  insn.src = uint8_t(src);
  insn.offset = offset;
  insn.imm = imm;
  return insn;
}

// An instruction before layout: jumps name an item, calls a function.
struct Item {
  Insn insn;
  bool wide = false; // ld_imm64: a second slot with `high`
  int32_t high = 0;
  int jumpTo = -1;   // item index within the function
  int callTo = -1;   // function index
};

class ProgramGenerator {
public:
  explicit ProgramGenerator(std::mt19937_64 &random) : random_(random) {}

  std::vector<Insn> generate() {
    const unsigned functions = 1 + unsigned(pick(3));
    std::vector<std::vector<Item>> bodies;
    for (unsigned f = 0; f < functions; ++f)
      bodies.push_back(function(f, functions));
    return layOut(bodies);
  }

private:
  uint64_t pick(uint64_t n) { return random_() % n; }
  bool chance(unsigned percent) { return pick(100) < percent; }
  unsigned dataRegister() { return unsigned(pick(8)); } // r0..r7
  unsigned sourceRegister() { return unsigned(pick(9)); } // r0..r8
  int32_t immediate() {
    static constexpr int32_t kSpecial[] = {0, 1, -1, 2, 7, 31, 32, 63, 64, 255, -256, 0x7fffffff, INT32_MIN};
    return chance(60) ? kSpecial[pick(std::size(kSpecial))] : int32_t(random_());
  }

  std::vector<Item> function(unsigned index, unsigned count) {
    std::vector<Item> items;
    auto add = [&](Insn insn) { items.push_back(Item{insn}); };
    // r1 arrives with the memory's address: keep it in r9 only.
    add(makeInsn(op::kAlu64 | op::kMov | op::kSrcReg, kMemoryBase, 1, 0, 0));
    add(makeInsn(op::kAlu64 | op::kMov, 1, 0, 0, immediate()));
    if (index > 0) // a subprogram's r0 and r6-r8 start unspecified: write them
      for (unsigned r : {0u, 6u, 7u, 8u})
        add(makeInsn(op::kAlu64 | op::kMov, r, 0, 0, immediate()));
    const unsigned length = 8 + unsigned(pick(30));
    while (items.size() < length) {
      const uint64_t what = pick(100);
      if (what < 45)
        items.push_back(Item{arithmetic()});
      else if (what < 52)
        items.push_back(wideConstant());
      else if (what < 72)
        items.push_back(Item{memoryAccess()});
      else if (what < 84)
        items.push_back(conditionalJump()); // its target is settled below
      else if (what < 90)
        loop(items);
      else if (what < 95)
        add(makeInsn(op::kCallOpcode, 0, 0, 0, 7)); // the helper "mix"
      else if (index + 1 < count) {
        add(makeInsn(op::kAlu64 | op::kMov | op::kSrcReg, 1, kMemoryBase, 0, 0));
        items.push_back(Item{makeInsn(op::kCallOpcode, 0, op::kCallLocal, 0, 0), false, 0, -1,
                             int(index + 1 + pick(count - index - 1))});
        for (unsigned r = 1; r <= 5; ++r) // r1-r5 are unspecified after a call
          add(makeInsn(op::kAlu64 | op::kMov, r, 0, 0, immediate()));
      }
    }
    add(makeInsn(op::kJmp | op::kExit, 0, 0, 0, 0));
    // Forward jumps land anywhere up to the exit.
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].jumpTo == -2)
        items[i].jumpTo = int(i + 1 + pick(items.size() - i - 1));
    return items;
  }

  Insn arithmetic() {
    const unsigned dst = dataRegister();
    switch (pick(10)) {
    case 0:
      return makeInsn(uint8_t((chance(50) ? op::kAlu64 : op::kAlu) | op::kNeg), dst, 0, 0, 0);
    case 1: {
      static constexpr int16_t kWidths[] = {8, 16, 32};
      const bool wide = chance(50);
      return makeInsn(uint8_t((wide ? op::kAlu64 : op::kAlu) | op::kMov | op::kSrcReg), dst, sourceRegister(),
                      kWidths[pick(wide ? 3 : 2)], 0);
    }
    case 2: {
      static constexpr int32_t kBits[] = {16, 32, 64};
      const uint8_t order = chance(30) ? op::kAlu64 : uint8_t(op::kAlu | (chance(50) ? op::kToBigEndian : 0));
      return makeInsn(uint8_t(order | op::kEnd), dst, 0, 0, kBits[pick(3)]);
    }
    default: {
      static constexpr uint8_t kOps[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr,  op::kAnd, op::kLsh,
                                         op::kRsh, op::kMod, op::kXor, op::kMov, op::kArsh};
      const uint8_t operation = kOps[pick(std::size(kOps))];
      const bool signedForm = (operation == op::kDiv || operation == op::kMod) && chance(50);
      const bool fromRegister = chance(50);
      return makeInsn(uint8_t((chance(50) ? op::kAlu64 : op::kAlu) | operation | (fromRegister ? op::kSrcReg : 0)),
                      dst, fromRegister ? sourceRegister() : 0, signedForm ? 1 : 0, fromRegister ? 0 : immediate());
    }
    }
  }

  Item wideConstant() {
    Item item{makeInsn(op::kLdImm64, dataRegister(), 0, 0, immediate())};
    item.wide = true;
    item.high = immediate();
    return item;
  }

  Insn memoryAccess() {
    static constexpr uint8_t kSizes[] = {op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW};
    const uint8_t sizeField = kSizes[pick(4)];
    const unsigned size = op::sizeInBytes(sizeField);
    const bool stack = chance(40);
    const unsigned base = stack ? kFramePointer : kMemoryBase;
    // Mostly in bounds; now and then anywhere near (a fault to compare).
    int16_t offset;
    if (stack)
      offset = int16_t(-int(size) - int(pick(64)));
    else if (chance(95))
      offset = int16_t(pick(kMemorySize - size + 1));
    else
      offset = int16_t(int(pick(96)) - 16);
    switch (pick(5)) {
    case 0:
      if (size < 8) // sign-extending loads come in 1, 2 and 4 bytes
        return makeInsn(uint8_t(op::kLdx | op::kModeMemSx | sizeField), dataRegister(), base, offset, 0);
      return makeInsn(uint8_t(op::kLdx | op::kModeMem | sizeField), dataRegister(), base, offset, 0);
    case 1:
      return makeInsn(uint8_t(op::kSt | op::kModeMem | sizeField), base, 0, offset, immediate());
    case 2:
      return makeInsn(uint8_t(op::kStx | op::kModeMem | sizeField), base, sourceRegister(), offset, 0);
    case 3:
      if (size >= 4) {
        static constexpr int32_t kAtomics[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
        return makeInsn(uint8_t(op::kStx | op::kModeAtomic | sizeField), base, dataRegister(), offset,
                        kAtomics[pick(std::size(kAtomics))]);
      }
      [[fallthrough]];
    default:
      return makeInsn(uint8_t(op::kLdx | op::kModeMem | sizeField), dataRegister(), base, offset, 0);
    }
  }

  Item conditionalJump() {
    static constexpr uint8_t kConditions[] = {op::kJeq, op::kJgt,  op::kJge, op::kJset, op::kJne, op::kJsgt,
                                              op::kJsge, op::kJlt, op::kJle, op::kJslt, op::kJsle};
    const bool fromRegister = chance(50);
    Item item{makeInsn(uint8_t((chance(50) ? op::kJmp : op::kJmp32) | kConditions[pick(std::size(kConditions))] |
                               (fromRegister ? op::kSrcReg : 0)),
                       sourceRegister(), fromRegister ? sourceRegister() : 0, 0, fromRegister ? 0 : immediate())};
    item.jumpTo = -2; // forward, chosen once the function is complete
    return item;
  }

  // r8 = n; body; r8 -= 1; if r8 != 0 goto body.
  void loop(std::vector<Item> &items) {
    items.push_back(Item{makeInsn(op::kAlu64 | op::kMov, kLoopCounter, 0, 0, int32_t(1 + pick(6)))});
    const int start = int(items.size());
    const unsigned length = 1 + unsigned(pick(6));
    for (unsigned i = 0; i < length; ++i)
      items.push_back(Item{chance(60) ? arithmetic() : memoryAccess()});
    items.push_back(Item{makeInsn(op::kAlu64 | op::kSub, kLoopCounter, 0, 0, 1)});
    Item back{makeInsn(op::kJmp | op::kJne, kLoopCounter, 0, 0, 0)};
    back.jumpTo = start;
    items.push_back(back);
  }

  static std::vector<Insn> layOut(const std::vector<std::vector<Item>> &bodies) {
    std::vector<std::vector<uint32_t>> slots(bodies.size());
    uint32_t next = 0;
    for (size_t f = 0; f < bodies.size(); ++f)
      for (const Item &item : bodies[f]) {
        slots[f].push_back(next);
        next += item.wide ? 2 : 1;
      }
    std::vector<Insn> insns;
    for (size_t f = 0; f < bodies.size(); ++f)
      for (size_t i = 0; i < bodies[f].size(); ++i) {
        const Item &item = bodies[f][i];
        Insn insn = item.insn;
        const int64_t after = int64_t(slots[f][i]) + 1;
        if (item.jumpTo >= 0)
          insn.offset = int16_t(int64_t(slots[f][size_t(item.jumpTo)]) - after);
        if (item.callTo >= 0)
          insn.imm = int32_t(int64_t(slots[size_t(item.callTo)][0]) - after);
        insns.push_back(insn);
        if (item.wide)
          insns.push_back(makeInsn(0, 0, 0, 0, item.high));
      }
    return insns;
  }

  std::mt19937_64 &random_;
};

TEST(JitDifferential, RandomProgramsAgreeWithTheInterpreter) {
  std::mt19937_64 random(0x5eed);
  FakeEnvironment environment;
  environment.addHelper(7, "mix", [](HelperCall &call) -> uint64_t {
    return (call.arg(1) * 3 ^ call.arg(2)) + (call.arg(3) * 5 ^ call.arg(4)) + call.arg(5);
  });
  const Interpreter reference(EngineOptions{.checked = true});
  ProgramGenerator generator(random);
  unsigned exited = 0, faulted = 0, trustedRuns = 0;
  for (unsigned round = 0; round < 400; ++round) {
    const std::vector<Insn> insns = generator.generate();
    std::vector<uint8_t> initial(kMemorySize);
    for (uint8_t &byte : initial)
      byte = uint8_t(random());
    std::string error;
    auto expectedProgram = reference.load(imageOf(insns), environment, error);
    ASSERT_TRUE(expectedProgram) << error;
    std::vector<uint8_t> expectedMemory = initial;
    const RunResult expected = runWithMemory(reference, *expectedProgram, expectedMemory, 100'000);
    const std::string listing = "round " + std::to_string(round);

    auto checkedProgram = checkedJit().load(imageOf(insns), environment, error);
    ASSERT_TRUE(checkedProgram) << error;
    std::vector<uint8_t> checkedMemory = initial;
    const RunResult checkedResult = runWithMemory(checkedJit(), *checkedProgram, checkedMemory, 100'000);
    ASSERT_EQ(checkedResult.status, expected.status) << listing << "\n" << faultText(expected) << faultText(checkedResult);
    if (expected.faulted()) {
      ++faulted;
      EXPECT_EQ(checkedResult.fault->kind, expected.fault->kind) << listing;
      // The JIT charges the budget per loop, not per instruction: where
      // it runs out differs. Every other fault happens at the same place.
      if (expected.fault->kind != FaultKind::InstructionBudget) {
        EXPECT_EQ(checkedResult.fault->insn, expected.fault->insn) << listing;
        EXPECT_EQ(checkedMemory, expectedMemory) << listing;
      }
      continue;
    }
    ++exited;
    EXPECT_EQ(checkedResult.returnValue, expected.returnValue) << listing;
    EXPECT_EQ(checkedMemory, expectedMemory) << listing;

    // The trusted JIT only runs what the checked interpreter ran cleanly.
    auto trustedProgram = trustedJit().load(imageOf(insns), environment, error);
    ASSERT_TRUE(trustedProgram) << error;
    std::vector<uint8_t> trustedMemory = initial;
    const RunResult trustedResult = runWithMemory(trustedJit(), *trustedProgram, trustedMemory);
    ++trustedRuns;
    EXPECT_EQ(trustedResult.status, RunStatus::Exited) << listing;
    EXPECT_EQ(trustedResult.returnValue, expected.returnValue) << listing;
    EXPECT_EQ(trustedMemory, expectedMemory) << listing;
  }
  EXPECT_GT(exited, 200u);
  EXPECT_GT(faulted, 10u);
  EXPECT_EQ(trustedRuns, exited);
}

} // namespace
} // namespace ebpfc::runtime::testing
