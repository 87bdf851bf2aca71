// Checked mode (and the default mode's host-safety checks): what each bad
// access reports, and the ISA behaviors that must not fault.
#include "VmTestSupport.h"

namespace ebpfc::runtime::testing {
namespace {

class CheckedMode : public ::testing::Test {
protected:
  Interpreter checked{EngineOptions{.checked = true}};
  Interpreter unchecked;
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

  std::shared_ptr<const LoadedProgram> loadWithLines(std::string_view text, std::vector<LineInfo> lines) {
    ProgramImage image = imageOf(assembleText(text), "xdp_prog");
    image.lines = std::move(lines);
    std::string error;
    auto program = checked.load(image, environment, error);
    EXPECT_TRUE(program) << error;
    return program;
  }
};

TEST_F(CheckedMode, ReadPastDataEndReportsInstructionAccessRegionAndSourceLine) {
  auto program = loadWithLines("r0 = 0\nr3 = r1\nr3 += 60\nr0 = *(u32 *)(r3 + 2)\nexit",
                               {{0, "prog.c", 40, 3, "int x = 0;"}, {3, "prog.c", 42, 9, "return ip->daddr;"}});
  ASSERT_TRUE(program);
  for (const Engine *engine : {static_cast<const Engine *>(&checked), static_cast<const Engine *>(&unchecked)}) {
    RunResult result = runOnPacket(*engine, *program);
    ASSERT_TRUE(result.faulted());
    const Fault &fault = *result.fault;
    EXPECT_EQ(fault.kind, FaultKind::MemoryAccess);
    EXPECT_EQ(fault.insn, 3u);
    EXPECT_EQ(fault.instruction, "w0 = *(u32 *)(r3 + 0x2)");
    ASSERT_TRUE(fault.access);
    EXPECT_EQ(fault.access->address, reinterpret_cast<uint64_t>(packet.data()) + 62);
    EXPECT_EQ(fault.access->size, 4u);
    EXPECT_FALSE(fault.access->write);
    EXPECT_NE(fault.nearestRegion.find("starts at offset 62 of packet"), std::string::npos) << fault.nearestRegion;
    EXPECT_NE(fault.nearestRegion.find("runs 2 bytes past its end"), std::string::npos) << fault.nearestRegion;
    ASSERT_TRUE(fault.source);
    EXPECT_EQ(fault.source->line, 42u);
    const std::string report = fault.describe();
    EXPECT_NE(report.find("at instruction 3 of 'xdp_prog': w0 = *(u32 *)(r3 + 0x2)"), std::string::npos) << report;
    EXPECT_NE(report.find("source: prog.c:42:9: return ip->daddr;"), std::string::npos) << report;
    EXPECT_NE(report.find("read of 4 bytes"), std::string::npos) << report;
  }
}

TEST_F(CheckedMode, ReadWhollyPastTheEnd) {
  auto program = loadWithLines("r0 = *(u8 *)(r2 + 0x10)\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->nearestRegion.find("16 bytes past the end of packet"), std::string::npos)
      << result.fault->describe();
}

TEST_F(CheckedMode, StackAccessBelowTheFrame) {
  for (const char *text : {"r1 = r10\nr1 += -520\nr0 = *(u64 *)(r1 + 0x0)\nexit", "r0 = *(u64 *)(r10 - 0x208)\nexit",
                           "*(u32 *)(r10 - 0x204) = 0x1\nr0 = 0\nexit"}) {
    auto program = loadWithLines(text, {});
    ASSERT_TRUE(program);
    RunResult result = runOnPacket(checked, *program);
    ASSERT_TRUE(result.faulted()) << text;
    EXPECT_EQ(result.fault->kind, FaultKind::MemoryAccess);
    EXPECT_NE(result.fault->message.find("outside the stack frame [r10-512, r10)"), std::string::npos)
        << result.fault->describe();
    // The default mode keeps the host safe but lets a frame reach the unused frames below it.
    EXPECT_FALSE(runOnPacket(unchecked, *program).faulted()) << text;
  }
}

TEST_F(CheckedMode, StackAccessAboveTheStackFaultsInEveryMode) {
  auto program = loadWithLines("r0 = *(u64 *)(r10 + 0x0)\nexit", {});
  ASSERT_TRUE(program);
  EXPECT_TRUE(runOnPacket(checked, *program).faulted());
  EXPECT_TRUE(runOnPacket(unchecked, *program).faulted());
}

TEST_F(CheckedMode, WriteIntoRodata) {
  std::vector<uint8_t> rodata(16, 1);
  Region region = hostRegion(rodata.data(), rodata.size(), RegionKind::ReadOnlyData, ".rodata", false);
  environment.addMemoryRegion(region);
  environment.setPseudoValue(op::kPseudoMapIdxValue, 0, reinterpret_cast<uint64_t>(rodata.data()));
  auto program = loadWithLines("ld_pseudo r1, 0x6, 0x0, 0x4\nr0 = *(u32 *)(r1 + 0x0)\n*(u32 *)(r1 + 0x0) = 0x2\nexit",
                               {});
  ASSERT_TRUE(program);
  for (const Engine *engine : {static_cast<const Engine *>(&checked), static_cast<const Engine *>(&unchecked)}) {
    RunResult result = runOnPacket(*engine, *program);
    ASSERT_TRUE(result.faulted());
    EXPECT_EQ(result.fault->kind, FaultKind::ReadOnlyWrite);
    EXPECT_EQ(result.fault->insn, 3u);
    EXPECT_NE(result.fault->message.find("write of 4 bytes"), std::string::npos) << result.fault->describe();
    EXPECT_NE(result.fault->message.find("read-only map value '.rodata'"), std::string::npos)
        << result.fault->describe();
    EXPECT_EQ(rodata[4], 1);
  }
}

TEST_F(CheckedMode, NullMapValuePointer) {
  // map_lookup_elem finds nothing; the program uses the result unchecked.
  environment.addHelper(1, "bpf_map_lookup_elem", [](HelperCall &) -> uint64_t { return 0; });
  environment.setPseudoValue(op::kPseudoMapIdx, 0, 0x1000);
  auto program = loadWithLines("*(u32 *)(r10 - 0x4) = 0x0\nld_pseudo r1, 0x5, 0x0\nr2 = r10\nr2 += -4\ncall 0x1\n"
                               "r0 = *(u64 *)(r0 + 0x8)\nexit",
                               {{5, "prog.c", 17, 0, "return value->packets;"}});
  ASSERT_TRUE(program);
  for (const Engine *engine : {static_cast<const Engine *>(&checked), static_cast<const Engine *>(&unchecked)}) {
    RunResult result = runOnPacket(*engine, *program);
    ASSERT_TRUE(result.faulted());
    EXPECT_EQ(result.fault->insn, 6u);
    EXPECT_EQ(result.fault->message, "read of 8 bytes at 0x8: null pointer dereference");
    ASSERT_TRUE(result.fault->source);
    EXPECT_EQ(result.fault->source->text, "return value->packets;");
  }
}

TEST_F(CheckedMode, MapValuesFromTheEnvironmentAreAccessible) {
  std::vector<uint8_t> value(8, 0);
  environment.addMemoryRegion(hostRegion(value.data(), value.size(), RegionKind::MapValue, "counters"));
  environment.addHelper(1, "bpf_map_lookup_elem",
                        [&](HelperCall &) -> uint64_t { return reinterpret_cast<uint64_t>(value.data()); });
  auto program = loadWithLines("call 0x1\nr1 = 0x5\nlock *(u64 *)(r0 + 0x0) += r1\nr0 = *(u64 *)(r0 + 0x0)\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  ASSERT_FALSE(result.faulted()) << result.fault->describe();
  EXPECT_EQ(result.returnValue, 5u);
  // One byte past the value is refused, and the report names the map.
  program = loadWithLines("call 0x1\nr0 = *(u64 *)(r0 + 0x1)\nexit", {});
  result = runOnPacket(checked, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_NE(result.fault->nearestRegion.find("map value 'counters'"), std::string::npos) << result.fault->describe();
}

TEST_F(CheckedMode, DivisionByZeroFollowsTheIsaWithoutFault) {
  auto program = loadWithLines("r0 = 0x7\nr1 = 0x0\nr0 /= r1\nr2 = 0x9\nr2 %= r1\nr0 += r2\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  EXPECT_EQ(result.status, RunStatus::Exited);
  EXPECT_EQ(result.returnValue, 9u);
}

TEST_F(CheckedMode, TailCallToAnEmptySlotFallsThrough) {
  environment.setProgArray(0x7000, {nullptr, nullptr});
  auto program = loadWithLines("r6 = 0x1\nr2 = 0x7000 ll\nr3 = 0x1\ncall 0xc\nr0 = r6\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  EXPECT_EQ(result.status, RunStatus::Exited);
  EXPECT_EQ(result.returnValue, 1u);
}

TEST_F(CheckedMode, UnwrittenStackReadsAsZero) {
  auto program = loadWithLines("r0 = *(u64 *)(r10 - 0x100)\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  EXPECT_EQ(result.returnValue, 0u);
}

// xdp_md.data and data_end are 32-bit fields the kernel rewrites into
// 64-bit pointer loads; an accessor does the same here.
class XdpContext final : public ContextAccessor {
public:
  XdpContext(uint64_t data, uint64_t dataEnd) : data_(data), dataEnd_(dataEnd) {}
  bool load(uint64_t offset, unsigned size, uint64_t &value) override {
    if (size != 4)
      return false;
    if (offset == 0)
      value = data_;
    else if (offset == 4)
      value = dataEnd_;
    else
      return false;
    return true;
  }
  bool store(uint64_t, unsigned, uint64_t) override { return false; }

private:
  uint64_t data_, dataEnd_;
};

TEST_F(CheckedMode, ContextAccessorsEmulateContextRewriting) {
  const uint64_t data = reinterpret_cast<uint64_t>(packet.data());
  XdpContext context(data, data + packet.size());
  uint8_t contextBytes[24] = {};
  Region contextRegion = hostRegion(contextBytes, sizeof contextBytes, RegionKind::Context, "xdp_md");
  contextRegion.accessor = &context;
  const Region regions[] = {contextRegion, hostRegion(packet.data(), packet.size(), RegionKind::Packet, "packet")};
  RunInput input;
  input.args[0] = reinterpret_cast<uint64_t>(contextBytes);
  input.regions = regions;

  auto program = loadWithLines("w2 = *(u32 *)(r1 + 0x0)\nw3 = *(u32 *)(r1 + 0x4)\nr0 = r3\nr0 -= r2\n"
                               "r4 = *(u8 *)(r2 + 0x3)\nr0 += r4\nexit",
                               {});
  ASSERT_TRUE(program);
  RunResult result = checked.run(*program, input);
  ASSERT_FALSE(result.faulted()) << result.fault->describe();
  EXPECT_EQ(result.returnValue, 64u + 0x5a);

  program = loadWithLines("r0 = *(u32 *)(r1 + 0x8)\nexit", {});
  result = checked.run(*program, input);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->kind, FaultKind::ContextAccess);
  EXPECT_NE(result.fault->message.find("context 'xdp_md' has no 4-byte field at offset 8"), std::string::npos)
      << result.fault->describe();
}

TEST_F(CheckedMode, HelpersCanMoveThePacket) {
  // adjust_head-like: the packet now starts 4 bytes later.
  environment.addHelper(44, "adjust", [&](HelperCall &call) -> uint64_t {
    call.replaceRegion(hostRegion(packet.data() + 4, packet.size() - 4, RegionKind::Packet, "packet"));
    return 0;
  });
  auto program = loadWithLines("r6 = r1\nr0 = *(u8 *)(r6 + 0x0)\ncall 0x2c\nr0 = *(u8 *)(r6 + 0x0)\nexit", {});
  ASSERT_TRUE(program);
  RunResult result = runOnPacket(checked, *program);
  ASSERT_TRUE(result.faulted());
  EXPECT_EQ(result.fault->insn, 3u);
  EXPECT_NE(result.fault->nearestRegion.find("4 bytes before the start of packet"), std::string::npos)
      << result.fault->describe();
}

} // namespace
} // namespace ebpfc::runtime::testing
