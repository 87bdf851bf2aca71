// The checked JIT against the interpreter's checked mode: each bad access
// gives the same report, field by field (the list: a read past
// data_end, a stack access below r10-512, a write into .rodata, a null
// map-value pointer, division by zero per the ISA, a tail call to an empty
// slot), and context accessors work in both JIT variants.
#include "JitTestSupport.h"

#include <regex>

namespace ebpfc::runtime::testing {
namespace {

std::string withoutAddresses(const std::string &text) {
  return std::regex_replace(text, std::regex("0x[0-9a-f]+"), "ADDRESS");
}

class JitCheckedMode : public ::testing::Test {
protected:
  Interpreter reference{EngineOptions{.checked = true}};
  FakeEnvironment environment;
  std::vector<uint8_t> packet = std::vector<uint8_t>(64, 0x5a);

  // Runs with r1 = packet data, r2 = data_end, the packet as the only region.
  RunResult runOnPacket(const Engine &engine, const LoadedProgram &program) {
    const Region regions[] = {hostRegion(packet.data(), packet.size(), RegionKind::Packet, "packet")};
    RunInput input;
    input.args[0] = reinterpret_cast<uint64_t>(packet.data());
    input.args[1] = reinterpret_cast<uint64_t>(packet.data() + packet.size());
    input.regions = regions;
    return engine.run(program, input);
  }

  std::shared_ptr<const LoadedProgram> load(const Engine &engine, std::string_view text,
                                            std::vector<LineInfo> lines = {}) {
    ProgramImage image = imageOf(assembleText(text), "xdp_prog");
    image.lines = std::move(lines);
    std::string error;
    auto program = engine.load(image, environment, error);
    EXPECT_TRUE(program) << error;
    return program;
  }

  // Runs on the checked interpreter and the checked JIT; both must fault
  // alike. Returns the JIT's result.
  RunResult expectSameOutcome(std::string_view text, std::vector<LineInfo> lines = {}) {
    auto expectedProgram = load(reference, text, lines);
    auto actualProgram = load(checkedJit(), text, lines);
    if (!expectedProgram || !actualProgram)
      return {};
    const std::vector<uint8_t> before = packet;
    const RunResult expected = runOnPacket(reference, *expectedProgram);
    const std::vector<uint8_t> expectedPacket = packet;
    packet = before;
    const RunResult actual = runOnPacket(checkedJit(), *actualProgram);
    EXPECT_EQ(actual.status, expected.status) << text;
    EXPECT_EQ(actual.returnValue, expected.returnValue) << text;
    EXPECT_EQ(packet, expectedPacket) << text;
    EXPECT_EQ(actual.fault != nullptr, expected.fault != nullptr) << text;
    if (actual.fault && expected.fault)
      expectSameFault(*expected.fault, *actual.fault, std::string(text));
    return actual;
  }
};

TEST_F(JitCheckedMode, ReadPastDataEndReportsInstructionAccessRegionAndSourceLine) {
  RunResult result = expectSameOutcome("r0 = 0\nr3 = r1\nr3 += 60\nr0 = *(u32 *)(r3 + 2)\nexit",
                                       {{0, "prog.c", 40, 3, "int x = 0;"}, {3, "prog.c", 42, 9, "return ip->daddr;"}});
  ASSERT_TRUE(result.faulted());
  const Fault &fault = *result.fault;
  EXPECT_EQ(fault.kind, FaultKind::MemoryAccess);
  EXPECT_EQ(fault.insn, 3u);
  EXPECT_EQ(fault.instruction, "w0 = *(u32 *)(r3 + 0x2)");
  ASSERT_TRUE(fault.access);
  EXPECT_EQ(fault.access->address, reinterpret_cast<uint64_t>(packet.data()) + 62);
  EXPECT_NE(fault.nearestRegion.find("starts at offset 62 of packet"), std::string::npos) << fault.nearestRegion;
  ASSERT_TRUE(fault.source);
  EXPECT_EQ(fault.source->line, 42u);
  EXPECT_EQ(fault.registers[3], reinterpret_cast<uint64_t>(packet.data()) + 60);
}

TEST_F(JitCheckedMode, ReadWhollyPastTheEndAndWritesOfEveryWidth) {
  RunResult result = expectSameOutcome("r0 = *(u8 *)(r2 + 0x10)\nexit");
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->nearestRegion.find("16 bytes past the end of packet"), std::string::npos);
  for (const char *store : {"*(u8 *)(r2 + 0x0) = 0x1", "*(u16 *)(r1 + 0x3f) = 0x1", "*(u32 *)(r1 - 0x1) = r1",
                            "*(u64 *)(r1 + 0x39) = r1", "lock *(u64 *)(r1 + 0x3c) += r1"})
    EXPECT_TRUE(expectSameOutcome(std::string(store) + "\nr0 = 0\nexit").faulted()) << store;
  // In bounds: all widths work and write the same bytes.
  expectSameOutcome("*(u8 *)(r1 + 0x3f) = 0x1\n*(u16 *)(r1 + 0x3d) = 0x203\n*(u32 *)(r1 + 0x0) = r1\n"
                    "*(u64 *)(r1 + 0x38) = 0x7\nr0 = *(u64 *)(r1 + 0x38)\nexit");
}

TEST_F(JitCheckedMode, StackAccessBelowTheFrame) {
  for (const char *text : {"r1 = r10\nr1 += -520\nr0 = *(u64 *)(r1 + 0x0)\nexit", "r0 = *(u64 *)(r10 - 0x208)\nexit",
                           "*(u32 *)(r10 - 0x204) = 0x1\nr0 = 0\nexit", "r0 = *(u64 *)(r10 + 0x0)\nexit"}) {
    auto program = load(checkedJit(), text);
    ASSERT_TRUE(program);
    RunResult result = runOnPacket(checkedJit(), *program);
    ASSERT_TRUE(result.faulted()) << text;
    EXPECT_EQ(result.fault->kind, FaultKind::MemoryAccess);
    auto interpreted = load(reference, text);
    RunResult expected = runOnPacket(reference, *interpreted);
    // Stack addresses differ between runs; the words around them do not.
    EXPECT_EQ(result.fault->insn, expected.fault->insn);
    EXPECT_EQ(withoutAddresses(result.fault->message), withoutAddresses(expected.fault->message));
    EXPECT_EQ(withoutAddresses(result.fault->nearestRegion), withoutAddresses(expected.fault->nearestRegion));
  }
}

TEST_F(JitCheckedMode, CalleeFramesAreLimitedToTheLiveFrames) {
  // A callee reaches its caller's frame through a pointer, but not below its own.
  RunResult result = expectSameOutcome("*(u64 *)(r10 - 0x8) = 0x2a\nr1 = r10\nr1 += -8\ncall f\nexit\n"
                                       "f:\nr0 = *(u64 *)(r1 + 0x0)\nexit");
  EXPECT_EQ(result.returnValue, 42u);
  result = expectSameOutcome("call f\nexit\nf:\nr1 = r10\nr1 += -1024\nr0 = *(u64 *)(r1 + 0x0)\nexit");
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->callStack, std::vector<uint32_t>{0});
}

TEST_F(JitCheckedMode, WriteIntoRodata) {
  std::vector<uint8_t> rodata(16, 1);
  environment.addMemoryRegion(hostRegion(rodata.data(), rodata.size(), RegionKind::ReadOnlyData, ".rodata", false));
  environment.setPseudoValue(op::kPseudoMapIdxValue, 0, reinterpret_cast<uint64_t>(rodata.data()));
  RunResult result =
      expectSameOutcome("ld_pseudo r1, 0x6, 0x0, 0x4\nr0 = *(u32 *)(r1 + 0x0)\n*(u32 *)(r1 + 0x0) = 0x2\nexit");
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::ReadOnlyWrite);
  EXPECT_EQ(result.fault->insn, 3u);
  EXPECT_NE(result.fault->message.find("read-only map value '.rodata'"), std::string::npos);
  EXPECT_EQ(rodata[4], 1);
}

TEST_F(JitCheckedMode, NullMapValuePointer) {
  environment.addHelper(1, "bpf_map_lookup_elem", [](HelperCall &) -> uint64_t { return 0; });
  environment.setPseudoValue(op::kPseudoMapIdx, 0, 0x1000);
  RunResult result = expectSameOutcome("*(u32 *)(r10 - 0x4) = 0x0\nld_pseudo r1, 0x5, 0x0\nr2 = r10\nr2 += -4\n"
                                       "call 0x1\nr0 = *(u64 *)(r0 + 0x8)\nexit",
                                       {{5, "prog.c", 17, 0, "return value->packets;"}});
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->insn, 6u);
  EXPECT_EQ(result.fault->message, "read of 8 bytes at 0x8: null pointer dereference");
  ASSERT_TRUE(result.fault->source);
  EXPECT_EQ(result.fault->source->text, "return value->packets;");
}

TEST_F(JitCheckedMode, MapValuesFromTheEnvironmentAreAccessible) {
  std::vector<uint8_t> value(8, 0);
  environment.addMemoryRegion(hostRegion(value.data(), value.size(), RegionKind::MapValue, "counters"));
  environment.addHelper(1, "bpf_map_lookup_elem",
                        [&](HelperCall &) -> uint64_t { return reinterpret_cast<uint64_t>(value.data()); });
  auto program = load(checkedJit(), "call 0x1\nr1 = 0x5\nlock *(u64 *)(r0 + 0x0) += r1\nr0 = *(u64 *)(r0 + 0x0)\nexit");
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checkedJit(), *program);
  ASSERT_FALSE(result.faulted()) << result.fault->describe();
  EXPECT_EQ(result.returnValue, 5u);
  result = expectSameOutcome("call 0x1\nr0 = *(u64 *)(r0 + 0x1)\nexit");
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->nearestRegion.find("map value 'counters'"), std::string::npos);
}

TEST_F(JitCheckedMode, DivisionByZeroFollowsTheIsaWithoutFault) {
  RunResult result = expectSameOutcome("r0 = 0x7\nr1 = 0x0\nr0 /= r1\nr2 = 0x9\nr2 %= r1\nr0 += r2\nexit");
  EXPECT_EQ(result.status, RunStatus::Exited);
  EXPECT_EQ(result.returnValue, 9u);
}

TEST_F(JitCheckedMode, TailCallToAnEmptySlotFallsThrough) {
  environment.setProgArray(0x7000, {nullptr, nullptr});
  RunResult result = expectSameOutcome("r6 = 0x1\nr2 = 0x7000 ll\nr3 = 0x1\ncall 0xc\nr0 = r6\nexit");
  EXPECT_EQ(result.status, RunStatus::Exited);
  EXPECT_EQ(result.returnValue, 1u);
}

TEST_F(JitCheckedMode, EndlessLoopsExhaustTheBudget) {
  auto program = load(checkedJit(), "r0 = 0\nloop:\nr0 += 1\ngoto loop");
  ASSERT_TRUE(program);
  std::vector<uint8_t> none;
  RunResult result = runWithMemory(checkedJit(), *program, none, 10'000);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::InstructionBudget);
  EXPECT_EQ(result.fault->insn, 2u);
  EXPECT_NE(result.fault->message.find("budget of 10000"), std::string::npos);
  // Each pass charges the loop's two slots: the budget lasts 5000 passes.
  EXPECT_EQ(result.fault->registers[0], 5'001u);
  // The budget spans calls: a loop of calls of a loop runs out too.
  program = load(checkedJit(), "loop:\ncall f\ngoto loop\nf:\nr1 = 100\ninner:\nr1 += -1\nif r1 != 0 goto inner\nexit");
  result = runWithMemory(checkedJit(), *program, none, 100'000);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::InstructionBudget);
}

TEST_F(JitCheckedMode, WildPointersFault) {
  for (const char *address : {"0", "0x1000", "0x7fffffffffff", "0xffffffffffffffff", "0xfffffffffffffffc"})
    for (const char *access : {"ldxdw %r0, [%r1]", "stdw [%r1], 1", "stxb [%r1-1], %r0", "lock add [%r1], %r0"})
      EXPECT_TRUE(expectSameOutcome(std::string("lddw %r1, ") + address + "\n" + access + "\nmov %r0, 0\nexit")
                      .faulted())
          << address << " " << access;
}

// xdp_md.data and data_end are 32-bit fields the kernel rewrites into
// 64-bit pointer loads; an accessor does the same here.
class XdpContext final : public ContextAccessor {
public:
  XdpContext(uint64_t data, uint64_t dataEnd) : data_(data), dataEnd_(dataEnd) {}
  bool load(uint64_t offset, unsigned size, uint64_t &value) override {
    if (size != 4 || (offset != 0 && offset != 4))
      return false;
    value = offset == 0 ? data_ : dataEnd_;
    return true;
  }
  bool store(uint64_t offset, unsigned size, uint64_t value) override {
    if (offset != 16 || size != 4)
      return false;
    stored = value;
    return true;
  }
  uint64_t stored = 0;

private:
  uint64_t data_, dataEnd_;
};

TEST_F(JitCheckedMode, ContextAccessorsEmulateContextRewritingInBothVariants) {
  const uint64_t data = reinterpret_cast<uint64_t>(packet.data());
  XdpContext context(data, data + packet.size());
  uint8_t contextBytes[24] = {};
  Region contextRegion = hostRegion(contextBytes, sizeof contextBytes, RegionKind::Context, "xdp_md");
  contextRegion.accessor = &context;
  const Region regions[] = {contextRegion, hostRegion(packet.data(), packet.size(), RegionKind::Packet, "packet")};
  RunInput input;
  input.args[0] = reinterpret_cast<uint64_t>(contextBytes);
  input.regions = regions;

  // The context pointer reaches its loads through a copy, a spill to the
  // stack, and a subprogram; stores go through the accessor too.
  const char *text = "r6 = r1\n*(u64 *)(r10 - 0x8) = r6\nw2 = *(u32 *)(r6 + 0x0)\nr7 = *(u64 *)(r10 - 0x8)\n"
                     "w3 = *(u32 *)(r7 + 0x4)\nr0 = r3\nr0 -= r2\nr4 = *(u8 *)(r2 + 0x3)\nr0 += r4\n"
                     "*(u32 *)(r6 + 0x10) = 0x63\nr1 = r6\nr6 = r0\ncall f\nr0 += r6\nexit\n"
                     "f:\nw0 = *(u32 *)(r1 + 0x4)\nw1 = *(u32 *)(r1 + 0x0)\nr0 -= r1\nexit";
  for (const Engine *engine : jitEngines()) {
    context.stored = 0;
    auto program = load(*engine, text);
    ASSERT_TRUE(program);
    RunResult result = engine->run(*program, input);
    ASSERT_FALSE(result.faulted()) << result.fault->describe();
    EXPECT_EQ(result.returnValue, 64u + 0x5a + 64u) << engine->name();
    EXPECT_EQ(context.stored, 0x63u) << engine->name();
  }

  // A field the accessor refuses is a ContextAccess fault in both.
  for (const Engine *engine : jitEngines()) {
    auto program = load(*engine, "r0 = *(u32 *)(r1 + 0x8)\nexit");
    RunResult result = engine->run(*program, input);
    ASSERT_TRUE(result.faulted()) << engine->name();
    EXPECT_EQ(result.fault->kind, FaultKind::ContextAccess);
    EXPECT_NE(result.fault->message.find("context 'xdp_md' has no 4-byte field at offset 8"), std::string::npos)
        << result.fault->describe();
  }
}

TEST_F(JitCheckedMode, PlainContextCodeServesRawInputAndRefusesAnAccessorContext) {
  EngineOptions options;
  options.contextIsPlainMemory = true;
  const JitEngine plain(options);
  // Through r1 and a copy with an offset: plain loads and stores of the input.
  const char *text = "r2 = r1\nr2 += 0x2\nr0 = *(u8 *)(r1 + 0x1)\nr3 = *(u8 *)(r2 + 0x0)\nr0 += r3\n"
                     "*(u8 *)(r1 + 0x0) = 0x7\nexit";
  std::vector<uint8_t> input = {0, 0x10, 0x20};
  auto program = load(plain, text);
  ASSERT_TRUE(program);
  RunResult result = runWithMemory(plain, *program, input);
  ASSERT_FALSE(result.faulted()) << faultText(result);
  EXPECT_EQ(result.returnValue, 0x30u);
  EXPECT_EQ(input[0], 7u);

  uint8_t contextBytes[24] = {};
  XdpContext context(0, 0);
  Region contextRegion = hostRegion(contextBytes, sizeof contextBytes, RegionKind::Context, "xdp_md");
  contextRegion.accessor = &context;
  RunInput accessorInput;
  accessorInput.args[0] = reinterpret_cast<uint64_t>(contextBytes);
  accessorInput.regions = std::span<const Region>(&contextRegion, 1);
  result = plain.run(*program, accessorInput);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::EngineMismatch);
  EXPECT_EQ(result.fault->message, "the program was compiled for runs whose context is plain memory "
                                   "(EngineOptions::contextIsPlainMemory), but this run's context is served by an "
                                   "accessor");
}

TEST_F(JitCheckedMode, HelpersCanMoveThePacket) {
  environment.addHelper(44, "adjust", [&](HelperCall &call) -> uint64_t {
    call.replaceRegion(hostRegion(packet.data() + 4, packet.size() - 4, RegionKind::Packet, "packet"));
    return 0;
  });
  RunResult result = expectSameOutcome("r6 = r1\nr0 = *(u8 *)(r6 + 0x0)\ncall 0x2c\nr0 = *(u8 *)(r6 + 0x0)\nexit");
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->insn, 3u);
  EXPECT_NE(result.fault->nearestRegion.find("4 bytes before the start of packet"), std::string::npos);
}

} // namespace
} // namespace ebpfc::runtime::testing
