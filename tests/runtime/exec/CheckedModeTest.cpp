// Checked mode end to end: small C programs (programs/*.c) compiled by
// ebpfc -O2 -g run in the interpreter with checked memory; each bug is
// reported with the faulting instruction and the C source line from the
// object's line info. Division by zero follows the ISA (no fault), and a
// tail call to an empty slot falls through.
#include "runtime/exec/PacketEngine.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ebpfc::runtime::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kPrograms = fs::path(EBPFC_SOURCE_DIR) / "tests" / "runtime" / "exec" / "programs";

// Ethernet + IPv4 header, 34 bytes.
const Bytes kPacket = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
                       0x08, 0x00, 0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x40, 0x00, 0x40, 0x3b,
                       0x26, 0xb0, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};

class CheckedMode : public ::testing::Test {
protected:
  // Compiles programs/NAME.c with ebpfc -O2 -g and runs it on kPacket.
  PacketResult run(const std::string &name, bool checked = true) {
    const fs::path directory = fs::path(EBPFC_BINARY_DIR) / "tests" / "runtime_exec_checked" / std::to_string(getpid());
    fs::create_directories(directory);
    const std::string object = (directory / (name + ".o")).string();
    std::string output;
    const int status = kerneltest::runProcess(
        {EBPFC_PATH, "-O2", "-g", "-c", (kPrograms / (name + ".c")).string(), "-o", object}, output);
    EXPECT_EQ(status, 0) << output;
    VmOptions options;
    options.engine.checked = checked;
    std::string error;
    std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", options, error);
    EXPECT_TRUE(engine) << error;
    auto loaded = engine->load(object);
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (!loaded)
      return {};
    auto result = (*loaded)->run("", {kPacket, {}, 0, {}});
    EXPECT_TRUE(result) << result.error().message;
    std::error_code ignored;
    fs::remove_all(directory, ignored);
    return result ? *result : PacketResult{};
  }

  // The 1-based line of programs/NAME.c that contains `text`.
  static unsigned lineOf(const std::string &name, const std::string &text) {
    std::ifstream in(kPrograms / (name + ".c"));
    std::string line;
    for (unsigned number = 1; std::getline(in, line); ++number)
      if (line.find(text) != std::string::npos)
        return number;
    return 0;
  }

  // The fault names the instruction and the source line containing `statement`.
  void expectReportedAt(const PacketResult &result, const std::string &name, const std::string &statement,
                        FaultKind kind) {
    ASSERT_TRUE(result.fault) << name << " did not fault";
    const Fault &fault = *result.fault;
    EXPECT_EQ(fault.kind, kind) << fault.describe();
    EXPECT_EQ(fault.program, name);
    EXPECT_FALSE(fault.instruction.empty());
    ASSERT_TRUE(fault.source) << fault.describe();
    EXPECT_EQ(fs::path(fault.source->file).filename(), name + ".c");
    EXPECT_EQ(fault.source->line, lineOf(name, statement)) << fault.describe();
    EXPECT_NE(fault.source->text.find(statement), std::string::npos) << fault.describe();
    const std::string report = fault.describe();
    EXPECT_NE(report.find(fault.instruction), std::string::npos) << report;
    EXPECT_NE(report.find(name + ".c:" + std::to_string(fault.source->line)), std::string::npos) << report;
  }
};

TEST_F(CheckedMode, ReadPastDataEnd) {
  const PacketResult result = run("past_data_end");
  expectReportedAt(result, "past_data_end", "*(volatile __u32 *)(data + 56)", FaultKind::MemoryAccess);
  EXPECT_NE(result.fault->nearestRegion.find("past the end of packet"), std::string::npos)
      << result.fault->nearestRegion;
}

TEST_F(CheckedMode, StackAccessBelowTheFrame) {
  const PacketResult result = run("below_stack");
  expectReportedAt(result, "below_stack", "*((volatile char *)buffer - distance) = 2;", FaultKind::MemoryAccess);
  EXPECT_NE(result.fault->message.find("r10-616"), std::string::npos) << result.fault->message;
}

TEST_F(CheckedMode, WriteIntoRodata) {
  const PacketResult result = run("rodata_write");
  expectReportedAt(result, "rodata_write", "*(volatile __u32 *)&limit = 7;", FaultKind::ReadOnlyWrite);
  EXPECT_NE(result.fault->message.find("'.rodata'"), std::string::npos) << result.fault->message;
}

TEST_F(CheckedMode, NullMapValuePointer) {
  const PacketResult result = run("null_value");
  expectReportedAt(result, "null_value", "*count += 1;", FaultKind::MemoryAccess);
  EXPECT_NE(result.fault->message.find("null pointer dereference"), std::string::npos) << result.fault->message;
}

TEST_F(CheckedMode, DivisionByZeroFollowsTheIsa) {
  const PacketResult result = run("division");
  ASSERT_FALSE(result.fault) << result.fault->describe();
  EXPECT_EQ(result.returnValue, 2u); // XDP_PASS
  // x / 0 == 0 and x % 0 == x, in 32 and 64 bits.
  const Bytes expected = {0, 0, 0, 0, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0x14, 0x1a, 0x99, 0xbe};
  EXPECT_EQ(Bytes(result.packet.begin(), result.packet.begin() + 16), expected);
}

TEST_F(CheckedMode, TailCallToAnEmptySlotFallsThrough) {
  const PacketResult result = run("empty_slot");
  ASSERT_FALSE(result.fault) << result.fault->describe();
  EXPECT_EQ(result.returnValue, 3u); // XDP_TX, after both calls fell through
}

TEST_F(CheckedMode, UncheckedModeStillGuardsTheHost) {
  // Without checked mode the stack discipline is off, but memory outside
  // every region is still refused.
  EXPECT_TRUE(run("past_data_end", false).fault);
  EXPECT_TRUE(run("null_value", false).fault);
}

} // namespace
} // namespace ebpfc::runtime::testing
