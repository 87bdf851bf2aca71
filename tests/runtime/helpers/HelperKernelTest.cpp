// Helpers and contexts against the kernel: the same program on the same
// packet in ebpfvm and in BPF_PROG_TEST_RUN must give the same verdict,
// output packet, ctx_out, map contents (where the programs record helper
// results), ring buffer records and trace lines. Without bpf() the kernel
// side is skipped and the assertions on ebpfvm's own results remain.
#include "tests/runtime/helpers/KernelComparison.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ebpfc::runtime::testing {
namespace {

// Ethernet + IPv4 (10.0.0.1 -> 10.0.0.2) + UDP 40000 -> 53 with checksum, "0123456789".
const Bytes kUdp = hex("02 00 00 00 00 02 02 00 00 00 00 01 08 00"
                       "45 00 00 26 00 01 40 00 40 11 26 c4 0a 00 00 01 0a 00 00 02"
                       "9c 40 00 35 00 12 4a 48 30 31 32 33 34 35 36 37 38 39");
// The same without a UDP checksum.
const Bytes kUdpNoChecksum = hex("02 00 00 00 00 02 02 00 00 00 00 01 08 00"
                                 "45 00 00 26 00 01 40 00 40 11 26 c4 0a 00 00 01 0a 00 00 02"
                                 "9c 40 00 35 00 12 00 00 30 31 32 33 34 35 36 37 38 39");
// Ethernet + IPv4 + TCP SYN 40000 -> 80 with "GET / HTTP/1.0".
const Bytes kTcp = hex("02 00 00 00 00 02 02 00 00 00 00 01 08 00"
                       "45 00 00 36 00 01 40 00 40 06 26 5d 0a 00 00 01 0a 00 00 64"
                       "9c 40 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 3a 53 00 00"
                       "47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30");
// Ethernet + IPv6 (fd00::1 -> fd00::2) + TCP.
const Bytes kIpv6 = hex("33 33 00 00 00 01 02 00 00 00 00 01 86 dd"
                        "60 00 00 00 00 14 06 40"
                        "fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"
                        "fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02"
                        "9c 40 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 19 4d 00 00");
// ARP request to the broadcast address.
const Bytes kArp = hex("ff ff ff ff ff ff 02 00 00 00 00 01 08 06"
                       "00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01"
                       "00 00 00 00 00 00 0a 00 00 02");
// To the loopback device's own address (00:00:00:00:00:00).
const Bytes kToHost = hex("00 00 00 00 00 00 02 00 00 00 00 01 08 00"
                          "45 00 00 14 00 01 40 00 40 3b 26 b0 0a 00 00 01 0a 00 00 02");
// An 802.1Q-tagged IPv4 packet (VLAN 5, priority 3).
const Bytes kTagged = hex("02 00 00 00 00 02 02 00 00 00 00 01 81 00 60 05 08 00"
                          "45 00 00 14 00 01 40 00 40 3b 26 b0 0a 00 00 01 0a 00 00 02");
// Two tags: 802.1ad outer (VLAN 7) and 802.1Q inner (VLAN 9).
const Bytes kDoubleTagged = hex("02 00 00 00 00 02 02 00 00 00 00 01 88 a8 00 07 81 00 00 09 08 00"
                                "45 00 00 14 00 01 40 00 40 3b 26 b0 0a 00 00 01 0a 00 00 02");

template <class T> Bytes bytesOf(const T &value) {
  Bytes bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

class HelperKernel : public ::testing::Test {
protected:
  // Runs `program` on the cases; every case must agree with the kernel
  // (where it runs). The ebpfvm side's results come back for assertions.
  std::vector<ComparedRun> compare(const std::string &program, const std::vector<ComparisonCase> &cases) {
    std::string error;
    KernelComparison comparison(program, error);
    EXPECT_EQ(error, "");
    if (!error.empty())
      return {};
    std::vector<ComparedRun> runs = comparison.run(cases, error);
    EXPECT_EQ(error, "");
    std::string reason;
    const bool kernelAvailable = KernelComparison::kernelAvailable(reason);
    for (const ComparedRun &run : runs) {
      EXPECT_EQ(run.kernelRan, kernelAvailable) << run.name;
      std::string text;
      for (const std::string &difference : run.differences)
        text += "\n  " + difference;
      EXPECT_TRUE(run.differences.empty()) << program << ", case " << run.name << ": the JIT or the kernel differs from the interpreter:"
                                           << text;
    }
    EXPECT_EQ(runs.size(), cases.size());
    return runs;
  }
};

// The IPv4 header checksum of `packet` (at offset 14) verifies.
bool ipv4ChecksumValid(const Bytes &packet) {
  uint32_t sum = 0;
  for (size_t i = 14; i < 34; i += 2)
    sum += uint32_t(packet[i] << 8 | packet[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

TEST_F(HelperKernel, ChecksumHelpers) {
  const std::vector<ComparedRun> runs = compare("checksum", {{"udp", kUdp, {}, {}},
                                                             {"udp without checksum", kUdpNoChecksum, {}, {}},
                                                             {"tcp", kTcp, {}, {}},
                                                             {"too short for IPv4", Bytes(kArp.begin(), kArp.begin() + 20), {}, {}}});
  ASSERT_EQ(runs.size(), 4u);
  // The rewritten packets keep a valid IPv4 header checksum, with the new
  // destination and the TTL decremented.
  for (size_t i = 0; i < 3; ++i) {
    const Bytes &packet = runs[i].vm.packet;
    EXPECT_TRUE(ipv4ChecksumValid(packet)) << runs[i].name;
    EXPECT_EQ(Bytes(packet.begin() + 30, packet.begin() + 34), hex("c0 a8 01 01")) << runs[i].name;
    EXPECT_EQ(packet[22], 0x3f) << runs[i].name;
  }
  // Without a UDP checksum, BPF_F_MARK_MANGLED_0 leaves it zero.
  EXPECT_EQ(runs[1].vm.packet[40], 0);
  EXPECT_EQ(runs[1].vm.packet[41], 0);
  // Refused arguments: -EINVAL for bad flags and a diff with `from`,
  // -EFAULT for odd or out-of-range offsets.
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 14), -22);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 15), -14);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 16), -14);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 17), -22);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 18), -22);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 19), -14);
  // csum_diff with nothing to diff returns the seed.
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 4), 77);
}

struct AdjustParams {
  int32_t meta, head, tail;
  uint32_t pad = 0;
};

TEST_F(HelperKernel, XdpAdjustHeadTailMeta) {
  struct Step {
    const char *name;
    AdjustParams params;
  };
  const Step steps[] = {
      {"nothing", {0, 0, 0}},
      {"grow the head by an IPv4 header", {0, -20, 0}},
      {"grow the head to the frame header", {0, -216, 0}},
      {"grow the head into the frame header", {0, -217, 0}},
      {"shrink the head to an Ethernet header", {0, 38, 0}},
      {"shrink the head below an Ethernet header", {0, 39, 0}},
      {"grow the tail", {0, 0, 100}},
      {"grow the tail to the frame's end", {0, 0, 3520 - 52}},
      {"grow the tail past the frame's end", {0, 0, 3521 - 52}},
      {"shrink the tail to an Ethernet header", {0, 0, -38}},
      {"shrink the tail below an Ethernet header", {0, 0, -39}},
      {"metadata of 4 bytes", {-4, 0, 0}},
      {"metadata of 32 bytes", {-32, 0, 0}},
      {"metadata of 36 bytes", {-36, 0, 0}},
      {"metadata of 212 bytes (the frame header ends the room)", {-212, 0, 0}},
      {"metadata of 220 bytes (into struct xdp_frame)", {-220, 0, 0}},
      {"metadata not a multiple of 4", {-6, 0, 0}},
      {"metadata shrunk below none", {4, 0, 0}},
      {"metadata, then the head moves with it", {-8, -14, 0}},
      {"metadata, then the head cannot move past it", {-32, -200, 0}},
      {"all three", {-16, -40, 24}},
  };
  std::vector<ComparisonCase> cases;
  for (const Step &step : steps)
    cases.push_back({step.name, kUdp, {}, {params("params", bytesOf(step.params))}});
  const std::vector<ComparedRun> runs = compare("xdp_adjust", cases);
  ASSERT_EQ(runs.size(), cases.size());
  auto result = [&](size_t run, uint32_t slot) { return result64(runs[run].vmMaps, "results", slot); };
  EXPECT_EQ(result(1, 1), 0);
  EXPECT_EQ(result(1, 3), 72);
  EXPECT_EQ(result(2, 1), 0);
  EXPECT_EQ(result(3, 1), -22);
  EXPECT_EQ(result(4, 3), 14);
  EXPECT_EQ(result(5, 1), -22);
  EXPECT_EQ(result(7, 3), 3520);
  EXPECT_EQ(result(8, 2), -22);
  EXPECT_EQ(result(10, 2), -22);
  EXPECT_EQ(result(12, 4), 32);
  EXPECT_EQ(result(13, 4), 36);  // Linux 6.18 allows up to 255 bytes
  EXPECT_EQ(result(14, 0), 0);
  EXPECT_EQ(result(15, 0), -22); // into struct xdp_frame
  EXPECT_EQ(result(16, 0), -13); // -EACCES: not a multiple of 4
  EXPECT_EQ(result(17, 0), -22);
  // The output starts at data_meta: metadata marker, then the packet.
  EXPECT_EQ(Bytes(runs[11].vm.packet.begin(), runs[11].vm.packet.begin() + 5), hex("11 22 33 44 aa"));
  // Grown tail bytes are zero.
  EXPECT_EQ(runs[6].vm.packet.size(), kUdp.size() + 100);
  EXPECT_EQ(runs[6].vm.packet.back(), 0);
}

struct BytesParams {
  uint32_t offset;
  uint32_t length;
  uint64_t storeFlags;
  uint32_t tailLength;
  uint32_t headRoom;
  uint64_t changeFlags;
  uint32_t relativeOffset;
  uint32_t startHeader;
};

TEST_F(HelperKernel, SkbBytesAndResizing) {
  struct Step {
    const char *name;
    BytesParams params;
  };
  const uint32_t length = uint32_t(kUdp.size());
  const Step steps[] = {
      {"store and load 8 bytes at 14", {14, 7, 0, length, 0, 0, 0, 0}},
      {"store 16 bytes at the end", {length - 16, 15, 0, length, 0, 0, 2, 1}},
      {"store past the end", {length - 3, 7, 0, length, 0, 0, 0, 0}},
      {"store with bad flags", {0, 3, 4, length, 0, 0, 0, 0}},
      {"store and invalidate the hash", {20, 3, 2 | 1, length, 0, 0, 0, 0}},
      {"grow the tail by 20", {0, 0, 0, length + 20, 0, 0, 0, 0}},
      {"shrink the tail to the network header", {0, 0, 0, 14, 0, 0, 0, 0}},
      {"shrink the tail below the network header", {0, 0, 0, 13, 0, 0, 0, 0}},
      {"change the tail with flags", {0, 0, 0, length, 0, 1, 0, 0}},
      {"push 14 bytes at the head", {0, 0, 0, length, 14, 0, 0, 0}},
      {"relative load from the network header", {0, 0, 0, length, 0, 0, 12, 1}},
      {"relative load past the end", {0, 0, 0, length, 0, 0, length, 0}},
      {"relative load from an unknown header", {0, 0, 0, length, 0, 0, 0, 7}},
      {"pull past the end", {length + 1, 0, 0, length, 0, 0, 0, 0}},
  };
  std::vector<ComparisonCase> cases;
  for (const Step &step : steps)
    cases.push_back({step.name, kUdp, {}, {params("params", bytesOf(step.params))}});
  const std::vector<ComparedRun> runs = compare("skb_bytes", cases);
  ASSERT_EQ(runs.size(), cases.size());
  auto result = [&](size_t run, uint32_t slot) { return result64(runs[run].vmMaps, "results", slot); };
  EXPECT_EQ(result(0, 0), 0);
  EXPECT_EQ(Bytes(runs[0].vm.packet.begin() + 14, runs[0].vm.packet.begin() + 22), hex("de ad be ef 01 02 03 04"));
  EXPECT_EQ(result(2, 0), -14);
  EXPECT_EQ(result(3, 0), -22);
  EXPECT_EQ(result(5, 8), length + 20);
  EXPECT_EQ(result(6, 7), 0);
  EXPECT_EQ(result(7, 7), -22);
  EXPECT_EQ(result(8, 7), -22);
  EXPECT_EQ(result(9, 10), length + 14);
  EXPECT_EQ(result(11, 4), -14);
  EXPECT_EQ(result(12, 4), -14);
  EXPECT_EQ(result(13, 6), -12); // -ENOMEM
}

struct VlanParams {
  uint8_t steps[4];
  uint16_t proto[4];
  uint16_t tci[4];
};

TEST_F(HelperKernel, VlanPushAndPop) {
  struct Step {
    const char *name;
    Bytes packet;
    VlanParams params;
  };
  const Step steps[] = {
      {"push once", kUdp, {{1, 0, 0, 0}, {0x0081, 0, 0, 0}, {0x2005, 0, 0, 0}}},
      {"push twice: the first tag enters the packet", kUdp, {{1, 1, 0, 0}, {0x0081, 0xa888, 0, 0}, {5, 7, 0, 0}}},
      {"push with an unknown protocol", kUdp, {{1, 0, 0, 0}, {0x1234, 0, 0, 0}, {9, 0, 0, 0}}},
      {"push twice, then pop twice", kUdp, {{1, 1, 2, 2}, {0x0081, 0x0081, 0, 0}, {5, 6, 0, 0}}},
      {"pop a tag from the packet", kTagged, {{2, 0, 0, 0}, {}, {}}},
      {"pop an untagged packet", kUdp, {{2, 0, 0, 0}, {}, {}}},
      {"pop a double tag", kDoubleTagged, {{2, 2, 0, 0}, {}, {}}},
      {"push onto a tagged packet, pop three", kTagged, {{1, 2, 2, 2}, {0xa888, 0, 0, 0}, {3, 0, 0, 0}}},
  };
  std::vector<ComparisonCase> cases;
  for (const Step &step : steps)
    cases.push_back({step.name, step.packet, {}, {params("params", bytesOf(step.params))}});
  const std::vector<ComparedRun> runs = compare("vlan", cases);
  ASSERT_EQ(runs.size(), cases.size());
  auto result = [&](size_t run, uint32_t slot) { return result64(runs[run].vmMaps, "results", slot); };
  // One push only sets the accelerated tag.
  EXPECT_EQ(result(0, 1), 1);
  EXPECT_EQ(result(0, 2), 0x2005);
  EXPECT_EQ(runs[0].vm.packet, kUdp);
  // A second push moves the first tag into the packet.
  EXPECT_EQ(Bytes(runs[1].vm.packet.begin() + 12, runs[1].vm.packet.begin() + 18), hex("81 00 00 05 08 00"));
  // Popping a tag out of the packet: the next one becomes accelerated.
  EXPECT_EQ(runs[4].vm.packet.size(), kTagged.size() - 4);
  EXPECT_EQ(result(4, 1), 0);
  EXPECT_EQ(result(6, 2), 9);
}

TEST_F(HelperKernel, TcContext) {
  const std::vector<ComparedRun> runs = compare(
      "ctx_tc",
      {{"udp", kUdp, {}, {}},
       {"ipv6 multicast", kIpv6, {}, {}},
       {"arp broadcast", kArp, {}, {}},
       {"to the device's address", kToHost, {}, {}},
       {"with input fields",
        kUdp,
        {{"mark", 9}, {"priority", 3}, {"ingress_ifindex", 1}, {"cb0", 11}, {"cb4", 0x01020304},
         {"tstamp", 1000}, {"wire_len", 100}, {"gso_segs", 2}, {"gso_size", 1400}, {"hwtstamp", 77}},
        {}}});
  ASSERT_EQ(runs.size(), 5u);
  auto result = [&](size_t run, uint32_t slot) { return result64(runs[run].vmMaps, "results", slot); };
  EXPECT_EQ(result(0, 0), int64_t(kUdp.size()));
  EXPECT_EQ(result(0, 1), 3);      // PACKET_OTHERHOST
  EXPECT_EQ(result(0, 4), 0x0008); // htons(ETH_P_IP)
  EXPECT_EQ(result(0, 10), 1);     // the loopback device
  EXPECT_EQ(result(3, 1), 0);      // PACKET_HOST
  EXPECT_EQ(result(4, 2), 9);
  EXPECT_EQ(result(4, 20), 100);
  EXPECT_EQ(result(0, 20), int64_t(kUdp.size())); // wire_len defaults to the length
  EXPECT_EQ(result(0, 28), 0x2345); // tc_index is 16 bits
  EXPECT_EQ(result(0, 29), 2);      // tc_classid is 16 bits
  EXPECT_EQ(result(0, 31), 3);      // NO_QUEUE_MAPPING is not stored
  EXPECT_EQ(runs[0].vm.context.at("mark"), 0x1234u);
  EXPECT_EQ(runs[0].vm.context.at("cb2"), 0x7777u);
}

TEST_F(HelperKernel, SocketFilterContext) {
  const std::vector<ComparedRun> runs =
      compare("ctx_socket", {{"udp", kUdp, {}, {}}, {"arp", kArp, {{"mark", 4}}, {}}});
  ASSERT_EQ(runs.size(), 2u);
  // The program sees the packet from the network header; its legacy load
  // past the end ends it with 0; the output's Ethernet header is zeroed.
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 0), int64_t(kUdp.size() - 14));
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 6), 0x45);
  EXPECT_EQ(runs[0].vm.returnValue, 0u);
  EXPECT_EQ(Bytes(runs[0].vm.packet.begin(), runs[0].vm.packet.begin() + 14), Bytes(14, 0));
}

TEST_F(HelperKernel, CgroupSkbContext) {
  const std::vector<ComparedRun> runs = compare("ctx_cgroup", {{"udp", kUdp, {}, {}}, {"ipv6", kIpv6, {}, {}}});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 1), 2);  // AF_INET
  EXPECT_EQ(result64(runs[1].vmMaps, "results", 1), 10); // AF_INET6
  EXPECT_EQ(runs[0].vm.returnValue, 1u);
}

TEST_F(HelperKernel, XdpContext) {
  const std::vector<ComparedRun> runs =
      compare("ctx_xdp", {{"no context", kUdp, {}, {}}, {"loopback given", kArp, {{"ingress_ifindex", 1}}, {}}});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 0), int64_t(kUdp.size()));
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 2), 1); // the loopback device
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 4), int64_t(kUdp.size()));
}

TEST_F(HelperKernel, TracePrintk) {
  const std::vector<ComparedRun> runs = compare("printk", {{"formats", kUdp, {}, {}}});
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_TRUE(runs[0].vm.trace);
  const std::vector<std::string> expected = {"plain text",
                                             "-5 42 4294967295",
                                             "beef BEEF 123456789abcdef",
                                             "-1234567890123 18446744073709551615 -1",
                                             "[   42] [42   ] [00042]",
                                             "ebpf=x%",
                                             "10.0.0.1 010.000.000.001",
                                             "2001:0db8:0000:0000:0000:0000:0000:0001",
                                             "1 2 3 4 5"};
  EXPECT_EQ(*runs[0].vm.trace, expected);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 0), -22); // %q is refused
}

TEST_F(HelperKernel, RingBufferOutput) {
  const std::vector<ComparedRun> runs = compare("output", {{"records", kUdp, {}, {}}});
  ASSERT_EQ(runs.size(), 1u);
  const auto &records = runs[0].vm.ringBuffers.at("events");
  ASSERT_EQ(records.size(), 2u); // the discarded reservation is not delivered
  EXPECT_EQ(records[0], hex("88 77 66 55 44 33 22 11"));
  EXPECT_EQ(records[1], hex("fe ca 00 00"));
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 2), 4096);
  EXPECT_EQ(result64(runs[0].vmMaps, "results", 3), -22);
}

TEST_F(HelperKernel, LoopsLocksQueuesAndXdpBytes) {
  MapContents numbers{"numbers", {}};
  for (uint32_t key : {3u, 5u}) {
    Bytes value(8, 0);
    value[0] = uint8_t(key * 10);
    numbers.entries.push_back({key32(key), {value}});
  }
  const std::vector<ComparedRun> runs = compare("misc", {{"empty map", kUdp, {}, {}}, {"two numbers", kUdp, {}, {numbers}}});
  ASSERT_EQ(runs.size(), 2u);
  auto result = [&](size_t run, uint32_t slot) { return result64(runs[run].vmMaps, "results", slot); };
  EXPECT_EQ(result(0, 0), 4);  // XDP_REDIRECT
  EXPECT_EQ(result(0, 1), 0);  // XDP_ABORTED: XDP takes no flags
  EXPECT_EQ(result(0, 2), 7);  // stopped by the callback at index 6
  EXPECT_EQ(result(0, 3), 21); // 0 + 1 + ... + 6
  EXPECT_EQ(result(0, 4), -22);
  EXPECT_EQ(result(1, 5), 2);
  EXPECT_EQ(result(1, 6), 30 + 3 + 50 + 5);
  EXPECT_EQ(result(0, 10), -7); // the queue is full: -E2BIG
  EXPECT_EQ(result(0, 13), 12); // BPF_EXIST pushed out 11
  EXPECT_EQ(result(0, 19), -22);
  EXPECT_EQ(valueOf(runs[1].vmMaps, "numbers", key32(3))[0], 31);
}

// Perf event arrays have no perf events in user space: ebpfvm opens every
// slot and keeps the records (the kernel, without a perf event, refuses).
TEST(PerfEventOutput, RecordsCarryTheSampleAndPacketBytes) {
  std::string error;
  KernelComparison program("perf", error);
  ASSERT_EQ(error, "");
  VmOptions options;
  options.cpus = 2;
  std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", options, error);
  ASSERT_TRUE(engine) << error;
  auto object = engine->load(program.object());
  ASSERT_TRUE(object) << object.error().message;
  PacketInput input;
  input.packet = kUdp;
  input.cpu = 1;
  auto result = (*object)->run("", input);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->perfEvents.size(), 2u);
  EXPECT_EQ(result->perfEvents[0].index, 1u); // BPF_F_CURRENT_CPU on CPU 1
  EXPECT_EQ(result->perfEvents[0].data, hex("d4 c3 b2 a1 02 00 00 00 00 02"));
  EXPECT_EQ(result->perfEvents[1].data, hex("d4 c3"));
  auto results = (*object)->readMap("results");
  ASSERT_TRUE(results);
  std::vector<MapContents> maps = {{"results", *results}};
  EXPECT_EQ(result64(maps, "results", 2), -14); // more packet bytes than the packet has
  EXPECT_EQ(result64(maps, "results", 3), -7);  // no such slot
}

} // namespace
} // namespace ebpfc::runtime::testing
