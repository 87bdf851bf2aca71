// `ebpfvm run` and `ebpfvm disasm OBJ` end to end: exact text output for a
// small program (programs/echo.c, compiled by clang-19), JSON output, pcap
// in and out, map contents in and out as JSON, and the errors for
// malformed pcaps, hex and JSON (file and position) and bad options.
#include "tests/support/Subprocess.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>

namespace ebpfc::testing {
namespace {

const std::string kEbpfvm = EBPFVM_PATH;

// UDP 10.0.0.1:40000 -> 10.0.0.2:7 "hi"; a short ARP; ICMP.
const std::string kEcho = "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 1e 00 01 40 00 40 11 26 cc "
                          "0a 00 00 01 0a 00 00 02 9c 40 00 07 00 0a 00 00 68 69";
const std::string kArp = "02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01";
const std::string kIcmp = "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 14 00 01 40 00 40 01 26 b6 "
                          "0a 00 00 01 0a 00 00 02";

std::vector<uint8_t> bytesOf(const std::string &hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  return bytes;
}

// A classic pcap file (microsecond timestamps, Ethernet) holding `packets`.
std::string pcapFile(const std::vector<std::vector<uint8_t>> &packets, uint32_t linkType = 1) {
  std::string file;
  auto put32 = [&](uint32_t value) { file.append(reinterpret_cast<const char *>(&value), 4); };
  auto put16 = [&](uint16_t value) { file.append(reinterpret_cast<const char *>(&value), 2); };
  put32(0xa1b2c3d4);
  put16(2);
  put16(4);
  put32(0);
  put32(0);
  put32(65535);
  put32(linkType);
  for (size_t i = 0; i < packets.size(); ++i) {
    put32(uint32_t(1000 + i)); // seconds
    put32(500);                // microseconds
    put32(uint32_t(packets[i].size()));
    put32(uint32_t(packets[i].size()));
    file.append(packets[i].begin(), packets[i].end());
  }
  return file;
}

class RunCommand : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = makeTempDir("ebpfvm-run");
    object_ = dir_ + "/echo.o";
    const CommandResult compiled =
        runCommand({EBPFC_CLANG19_PATH, "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                    std::string(EBPFC_SOURCE_DIR) + "/tests/runtime/cli/programs/echo.c", "-o", object_});
    ASSERT_EQ(compiled.exitCode, 0) << compiled.err;
  }

  CommandResult ebpfvm(std::vector<std::string> args) {
    args.insert(args.begin(), kEbpfvm);
    return runCommand(args, dir_);
  }
  std::string path(const std::string &name) const { return dir_ + "/" + name; }

  std::string dir_;
  std::string object_;
};

TEST_F(RunCommand, HumanReadableOutput) {
  const CommandResult result = ebpfvm({"run", object_, "--packet", kEcho, "--packet", kArp, "--packet", kIcmp});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string expected = "packet 0 (--packet 0, 44 bytes): XDP_TX (3)\n"
                               "  packet changed (44 -> 44 bytes):\n"
                               "    - 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00\n"
                               "    + 0000  02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00\n"
                               "    - 0010  00 1e 00 01 40 00 40 11 26 cc 0a 00 00 01 0a 00\n"
                               "    + 0010  00 1e 00 01 40 00 40 11 26 cc 0a 00 00 02 0a 00\n"
                               "    - 0020  00 02 9c 40 00 07 00 0a 00 00 68 69\n"
                               "    + 0020  00 01 00 07 9c 40 00 0a 00 00 68 69\n"
                               "  trace: echo to port 40000\n"
                               "  map protocols key 11 00 00 00: added 01 00 00 00 00 00 00 00\n"
                               "packet 1 (--packet 1, 16 bytes): XDP_PASS (2)\n"
                               "  packet unchanged\n"
                               "packet 2 (--packet 2, 34 bytes): XDP_PASS (2)\n"
                               "  packet unchanged\n"
                               "  map protocols key 01 00 00 00: added 01 00 00 00 00 00 00 00\n";
  EXPECT_EQ(result.out, expected);
  EXPECT_EQ(result.err, "");
}

TEST_F(RunCommand, JsonOutputAndRepeat) {
  const CommandResult result = ebpfvm({"run", object_, "--packet", kEcho, "--json", "--repeat", "3"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const nlohmann::json document = nlohmann::json::parse(result.out);
  EXPECT_EQ(document["program"], "echo");
  EXPECT_EQ(document["type"], "xdp");
  EXPECT_EQ(document["engine"], "interp");
  ASSERT_EQ(document["packets"].size(), 1u);
  const nlohmann::json &packet = document["packets"][0];
  EXPECT_EQ(packet["verdict"], "XDP_TX");
  EXPECT_EQ(packet["return"], 3);
  EXPECT_EQ(packet["packet_changed"], true);
  EXPECT_EQ(packet["trace"], nlohmann::json::array({"echo to port 40000"}));
  EXPECT_EQ(packet["runs"], 3);
  // Three runs of the same packet counted three times.
  ASSERT_EQ(packet["map_changes"].size(), 1u);
  EXPECT_EQ(packet["map_changes"][0]["after"], "03 00 00 00 00 00 00 00");
  EXPECT_TRUE(packet["fault"].is_null());
}

TEST_F(RunCommand, PcapInAndOut) {
  writeFile(path("in.pcap"), pcapFile({bytesOf(kEcho), bytesOf(kIcmp)}));
  const CommandResult result =
      ebpfvm({"run", object_, "--pcap", "in.pcap", "--out-pcap", "out.pcap", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string output = readFile(path("out.pcap"));
  ASSERT_GE(output.size(), 24u);
  uint32_t magic, linkType;
  std::memcpy(&magic, output.data(), 4);
  std::memcpy(&linkType, output.data() + 20, 4);
  EXPECT_EQ(magic, 0xa1b23c4du); // nanosecond timestamps
  EXPECT_EQ(linkType, 1u);
  // Read the records back: the echoed packet, then the unchanged one, with
  // the input's timestamps.
  size_t offset = 24;
  std::vector<std::vector<uint8_t>> packets;
  std::vector<uint32_t> seconds;
  while (offset + 16 <= output.size()) {
    uint32_t header[4];
    std::memcpy(header, output.data() + offset, 16);
    offset += 16;
    seconds.push_back(header[0]);
    EXPECT_EQ(header[1], 500'000u); // 500 µs in nanoseconds
    packets.emplace_back(output.begin() + std::ptrdiff_t(offset), output.begin() + std::ptrdiff_t(offset + header[2]));
    offset += header[2];
  }
  ASSERT_EQ(packets.size(), 2u);
  const nlohmann::json document = nlohmann::json::parse(result.out);
  EXPECT_EQ(packets[0], bytesOf(document["packets"][0]["packet"].get<std::string>()));
  EXPECT_EQ(packets[1], bytesOf(kIcmp));
  EXPECT_EQ(seconds, (std::vector<uint32_t>{1000, 1001}));
  EXPECT_EQ(document["packets"][0]["origin"], "in.pcap packet 0");
}

TEST_F(RunCommand, MapContentsInAndOut) {
  writeFile(path("maps.json"), R"({
  "comment": "17 (UDP) seen 41 times already",
  "protocols": [
    {"key": "11 00 00 00", "value": "29 00 00 00 00 00 00 00"}
  ]
})");
  const CommandResult result =
      ebpfvm({"run", object_, "--maps", "maps.json", "--packet", kEcho, "--dump-maps", "after.json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("map protocols key 11 00 00 00: 29 00 00 00 00 00 00 00 -> 2a 00 00 00 00 00 00 00"),
            std::string::npos)
      << result.out;
  const nlohmann::json dumped = nlohmann::json::parse(readFile(path("after.json")));
  // Every listable map, global data too (bpf_printk's format is in .rodata).
  EXPECT_EQ(dumped["protocols"], nlohmann::json::parse(R"([{"key": "11 00 00 00", "value": "2a 00 00 00 00 00 00 00"}])"));
  EXPECT_TRUE(dumped.contains(".rodata"));
  // The dump reads back as input.
  const CommandResult again = ebpfvm({"run", object_, "--maps", "after.json", "--packet", kEcho, "--dump-maps", "-"});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_NE(again.out.find("\"value\": \"2b 00 00 00 00 00 00 00\""), std::string::npos) << again.out;
}

TEST_F(RunCommand, PacketFilesOfHexLines) {
  writeFile(path("packets.txt"), "# two packets\n" + kEcho + "\n\n" + kIcmp + "  # ICMP\n");
  const CommandResult result = ebpfvm({"run", object_, "--packets", "packets.txt"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("packet 0 (packets.txt:2, 44 bytes): XDP_TX (3)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("packet 1 (packets.txt:4, 34 bytes): XDP_PASS (2)"), std::string::npos) << result.out;
}

TEST_F(RunCommand, MalformedPcapsNameTheFileAndPacket) {
  std::string truncated = pcapFile({bytesOf(kEcho), bytesOf(kIcmp)});
  truncated.resize(truncated.size() - 5);
  writeFile(path("truncated.pcap"), truncated);
  CommandResult result = ebpfvm({"run", object_, "--pcap", "truncated.pcap"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("truncated.pcap: packet 1 (counting from 0): the capture is truncated or malformed"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.out, "");

  writeFile(path("garbage.pcap"), "this is not a capture at all");
  result = ebpfvm({"run", object_, "--pcap", "garbage.pcap"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("garbage.pcap: cannot read the capture"), std::string::npos) << result.err;

  writeFile(path("raw-ip.pcap"), pcapFile({bytesOf(kIcmp)}, 101));
  result = ebpfvm({"run", object_, "--pcap", "raw-ip.pcap"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("raw-ip.pcap: the capture's link type"), std::string::npos) << result.err;

  result = ebpfvm({"run", object_, "--pcap", "missing.pcap"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("missing.pcap"), std::string::npos) << result.err;
}

TEST_F(RunCommand, MalformedHexNamesThePosition) {
  CommandResult result = ebpfvm({"run", object_, "--packet", kEcho, "--packet", "02 0g"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--packet 1 (counting from 0): column 5: 'g' is not a hex digit"), std::string::npos)
      << result.err;
  writeFile(path("packets.txt"), kEcho + "\n" + "02 00 0\n");
  result = ebpfvm({"run", object_, "--packets", "packets.txt"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("packets.txt:2: column 7: a byte needs two hex digits"), std::string::npos) << result.err;
  // Too short for the kernel's test run: named with its origin.
  result = ebpfvm({"run", object_, "--packet", "02 00 00"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("--packet 0: the packet is 3 bytes; BPF_PROG_TEST_RUN needs at least a 14-byte"),
            std::string::npos)
      << result.err;
}

TEST_F(RunCommand, MalformedJsonNamesFileLineAndValue) {
  writeFile(path("syntax.json"), "{\n  \"protocols\": [\n");
  CommandResult result = ebpfvm({"run", object_, "--maps", "syntax.json", "--packet", kEcho});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("syntax.json:3:"), std::string::npos) << result.err;

  writeFile(path("value.json"), "{\n  \"protocols\": [\n    {\"key\": \"11 00 00 00\", \"value\": \"zz\"}\n  ]\n}\n");
  result = ebpfvm({"run", object_, "--maps", "value.json", "--packet", kEcho});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("value.json:3: /protocols/0/value:"), std::string::npos) << result.err;

  writeFile(path("size.json"), R"({"protocols": [{"key": "11", "value": "01 00 00 00 00 00 00 00"}]})");
  result = ebpfvm({"run", object_, "--maps", "size.json", "--packet", kEcho});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("map 'protocols': the key is 1 bytes; the map's keys are 4 bytes"), std::string::npos)
      << result.err;

  writeFile(path("fib.json"), R"({"routes": [{"prefix": "10.0.0.0/33", "ifindex": 2}]})");
  result = ebpfvm({"run", object_, "--fib", "fib.json", "--packet", kEcho});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("fib.json:1: /routes/0/prefix:"), std::string::npos) << result.err;
}

TEST_F(RunCommand, OptionErrors) {
  CommandResult result = ebpfvm({"run", object_});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("give packets"), std::string::npos) << result.err;
  result = ebpfvm({"run", object_, "--packet", kEcho, "--program", "nothing"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("no program named 'nothing'; the object has: echo (section xdp)"), std::string::npos)
      << result.err;
  result = ebpfvm({"run", object_, "--packet", kEcho, "--ctx", "mark=1"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("xdp_md has no input field 'mark'"), std::string::npos) << result.err;
  result = ebpfvm({"run", object_, "--packet", kEcho, "--ctx", "ingress_ifindex"});
  EXPECT_EQ(result.exitCode, 2);
  result = ebpfvm({"run", object_, "--packet", kEcho, "--repeat", "0"});
  EXPECT_EQ(result.exitCode, 2);
  result = ebpfvm({"run", object_, "--packet", kEcho, "--engine", "warp"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("unknown engine 'warp'"), std::string::npos) << result.err;
  result = ebpfvm({"run", object_, "--packet", kEcho, "--engine", "kernel", "--checked"});
  EXPECT_EQ(result.exitCode, 2);
  result = ebpfvm({"run", object_, "--packet", kEcho, "--type", "bogus"});
  EXPECT_EQ(result.exitCode, 2);
  result = ebpfvm({"run", path("missing.o"), "--packet", kEcho});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("missing.o"), std::string::npos) << result.err;
}

TEST_F(RunCommand, DisassemblesObjectsWithSourceLines) {
  const CommandResult result = ebpfvm({"disasm", object_});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("program echo (section xdp, type xdp"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("; bpf_printk(\"echo to port %u\", bpf_ntohs(port));  ["), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("programs/echo.c:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("; map protocols"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("; bpf_map_lookup_elem"), std::string::npos) << result.out;
  const CommandResult bare = ebpfvm({"disasm", object_, "--no-source"});
  ASSERT_EQ(bare.exitCode, 0);
  EXPECT_EQ(bare.out.find("programs/echo.c:"), std::string::npos);
  const CommandResult missing = ebpfvm({"disasm", object_, "--program", "nothing"});
  EXPECT_NE(missing.exitCode, 0);
}

} // namespace
} // namespace ebpfc::testing
