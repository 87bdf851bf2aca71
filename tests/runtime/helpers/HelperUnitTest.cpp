// The helper registry's public API (embedders' helpers by id, replacing a
// standard helper, the load-time error for a missing one), the printf
// formatter's checks, checksum arithmetic, and bpf_fib_lookup over a
// user-supplied table.
#include "runtime/helpers/Checksum.h"
#include "runtime/helpers/HelperContext.h"
#include "runtime/helpers/HelperRegistry.h"
#include "runtime/helpers/PrintfFormat.h"
#include "tests/runtime/helpers/KernelComparison.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ebpfc::runtime::testing {
namespace {

const Bytes kUdp = hex("02 00 00 00 00 02 02 00 00 00 00 01 08 00"
                       "45 00 00 26 00 01 40 00 40 11 26 c4 0a 00 00 01 0a 00 00 02"
                       "9c 40 00 35 00 12 4a 48 30 31 32 33 34 35 36 37 38 39");

// --- the registry ---

TEST(HelperRegistry, StandardHelpersAreKeyedByTheHelperTable) {
  const HelperRegistry &standard = HelperRegistry::standard();
  ASSERT_NE(standard.find(1), nullptr);
  EXPECT_EQ(standard.find(1)->name, "bpf_map_lookup_elem");
  EXPECT_EQ(standard.find(44)->name, "bpf_xdp_adjust_head");
  EXPECT_EQ(standard.find(0x10000), nullptr);
  // bpf_tail_call is the engine's own business, not a registry entry.
  EXPECT_EQ(standard.find(12), nullptr);
}

TEST(HelperRegistry, AProgramCallingAMissingHelperFailsToLoadNamingIt) {
  std::string error;
  KernelComparison program("custom_helper", error);
  ASSERT_EQ(error, "");
  std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", {}, error);
  ASSERT_TRUE(engine) << error;
  auto object = engine->load(program.object());
  ASSERT_TRUE(object) << object.error().message;
  auto result = (*object)->run("", {kUdp, {}, 0, {}});
  ASSERT_FALSE(result);
  const std::string &message = result.error().message;
  EXPECT_NE(message.find("program 'custom'"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown helper 65536"), std::string::npos) << message;
  EXPECT_NE(message.find("does not provide it"), std::string::npos) << message;
}

TEST(HelperRegistry, EmbeddersAddAndReplaceHelpersById) {
  std::string error;
  KernelComparison program("custom_helper", error);
  ASSERT_EQ(error, "");
  VmOptions options;
  options.helpers.add(0x10000, "embedder_add", [](HelperCall &call) -> uint64_t {
    // The run's context is there for embedders' helpers too.
    HelperContext *run = HelperContext::from(call);
    return run && run->packet ? call.arg(1) + call.arg(2) : 0;
  });
  options.helpers.add(5, "", [](HelperCall &) -> uint64_t { return 777; });
  EXPECT_EQ(options.helpers.find(5)->name, "bpf_ktime_get_ns");
  std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", options, error);
  ASSERT_TRUE(engine) << error;
  auto object = engine->load(program.object());
  ASSERT_TRUE(object) << object.error().message;
  auto result = (*object)->run("", {kUdp, {}, 0, {}});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->returnValue, 142u);
}

// --- the printf formatter ---

class NoMemory final : public PrintfMemory {
public:
  std::optional<std::string> string(uint64_t address, size_t) override {
    if (address == 1)
      return std::string("name");
    return std::nullopt;
  }
  bool bytes(uint64_t address, size_t size, uint8_t *out) override {
    static const uint8_t kAddress[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (address != 2)
      return false;
    std::memcpy(out, kAddress, size);
    return true;
  }
};

std::string format(std::string_view text, std::vector<uint64_t> args) {
  NoMemory memory;
  PrintfResult result = formatBpfPrintf(text, args, memory);
  return result.ok() ? result.text : "refused: " + result.error;
}

TEST(PrintfFormat, ConversionsAsTheKernelPrintsThem) {
  EXPECT_EQ(format("%d|%u|%x|%X", {uint64_t(-1), uint64_t(-1), 255, 255}), "-1|4294967295|ff|FF");
  EXPECT_EQ(format("%lld|%llu|%llx", {uint64_t(-2), uint64_t(-2), uint64_t(-2)}),
            "-2|18446744073709551614|fffffffffffffffe");
  EXPECT_EQ(format("%+d|% d|%-4d|%04x", {7, 7, 7, 0xa}), "+7| 7|7   |000a");
  EXPECT_EQ(format("%s|%10s|%s.", {1, 1, 99}), "name|      name|.");
  EXPECT_EQ(format("%pI6c|%pi6", {2, 2}), "2001:db8::1|20010db8000000000000000000000001");
  EXPECT_EQ(format("%pI4", {99}), "0.0.0.0"); // unreadable: zeros, as the kernel prints
  EXPECT_EQ(format("%px", {0x1234}), "0000000000001234");
  EXPECT_EQ(format("100%%", {}), "100%");
}

TEST(PrintfFormat, RefusesWhatTheKernelRefuses) {
  EXPECT_NE(format("%q", {1}).find("refused"), std::string::npos);
  EXPECT_NE(format("%d %d", {1}).find("refused"), std::string::npos);   // more conversions than arguments
  EXPECT_NE(format("%sx", {1}).find("refused"), std::string::npos);     // %s followed by a letter
  EXPECT_NE(format("%pM", {1}).find("refused"), std::string::npos);     // MAC addresses are not supported
  EXPECT_NE(format("tab\x01", {}).find("refused"), std::string::npos);  // not printable
  EXPECT_NE(format("%.3d", {1}).find("refused"), std::string::npos);    // no precision
  EXPECT_NE(format("%", {1}).find("refused"), std::string::npos);
}

// --- checksums ---

TEST(Checksum, PartialSumsFoldLikeTheKernel) {
  const uint8_t header[] = {0x45, 0x00, 0x00, 0x26, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11,
                            0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
  // The IPv4 header checksum of the packet above is 26 c4 (network order).
  const uint16_t folded = checksum::fold(checksum::partial(header, 0));
  EXPECT_EQ(folded, 0xc426); // as the bytes lie in memory on a little-endian host
  // Odd lengths take the last byte as the low byte of a word.
  const uint8_t odd[] = {0x01, 0x02, 0x03};
  EXPECT_EQ(checksum::partial(odd, 0), 0x0201u + 0x03u);
  // Replacing a covered word keeps the checksum consistent with a recomputation.
  uint8_t field[2];
  checksum::store16(field, folded);
  uint8_t changed[sizeof header];
  std::memcpy(changed, header, sizeof header);
  changed[16] = 0xc0;
  uint32_t oldWord, newWord;
  std::memcpy(&oldWord, header + 16, 4);
  std::memcpy(&newWord, changed + 16, 4);
  checksum::replace4(field, oldWord, newWord);
  EXPECT_EQ(checksum::load16(field), checksum::fold(checksum::partial(changed, 0)));
}

// --- bpf_fib_lookup ---

FibTable routes() {
  FibTable table;
  FibRoute direct;
  direct.prefix = {10, 0, 0, 0};
  direct.prefixLength = 8;
  direct.ifindex = 2;
  direct.sourceMac = {2, 0, 0, 0, 0, 0xaa};
  direct.destinationMac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 0xbb};
  direct.mtu = 1000;
  direct.preferredSource = std::array<uint8_t, 16>{10, 0, 0, 254};
  table.routes.push_back(direct);
  FibRoute host = direct; // more specific, via a gateway without a known neighbour
  host.prefix = {10, 0, 0, 2};
  host.prefixLength = 32;
  host.ifindex = 3;
  host.destinationMac.reset();
  host.gateway = std::array<uint8_t, 16>{10, 9, 9, 9};
  table.routes.push_back(host);
  FibRoute blackhole;
  blackhole.prefix = {10, 0, 0, 0};
  blackhole.prefixLength = 31;
  blackhole.type = FibRoute::Type::Blackhole;
  table.routes.push_back(blackhole);
  return table;
}

struct FibParams {
  uint32_t flags;
  uint16_t totalLength;
  uint16_t pad;
};

std::vector<MapContents> fibRun(const Bytes &packet, FibParams fibParams, uint32_t &verdict) {
  std::string error;
  KernelComparison program("fib", error);
  EXPECT_EQ(error, "");
  VmOptions options;
  options.fib = routes();
  std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", options, error);
  Bytes value(sizeof fibParams);
  std::memcpy(value.data(), &fibParams, sizeof fibParams);
  auto object = engine->load(program.object(), {params("params", value)});
  EXPECT_TRUE(object);
  if (!object)
    return {};
  auto result = (*object)->run("", {packet, {}, 0, {}});
  EXPECT_TRUE(result);
  if (!result)
    return {};
  verdict = result->returnValue;
  auto contents = (*object)->readMap("results");
  return {{"results", *contents}};
}

Bytes withDestination(Bytes packet, std::array<uint8_t, 4> destination) {
  std::copy(destination.begin(), destination.end(), packet.begin() + 30);
  return packet;
}

TEST(FibLookup, RoutesFromTheUserTable) {
  uint32_t verdict = 0;
  // 10.0.0.3: the /8, with a neighbour.
  std::vector<MapContents> maps = fibRun(withDestination(kUdp, {10, 0, 0, 3}), {0, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 0); // BPF_FIB_LKUP_RET_SUCCESS
  EXPECT_EQ(result64(maps, "results", 1), 2);
  EXPECT_EQ(result64(maps, "results", 2), 0xbb0000000002);
  EXPECT_EQ(result64(maps, "results", 3), 0xaa0000000002);
  EXPECT_EQ(result64(maps, "results", 5), 1000);
  EXPECT_EQ(result64(maps, "results", 7), -22); // params too short
  // 10.0.0.2: the /32 via a gateway whose neighbour is unknown.
  maps = fibRun(kUdp, {0, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 7); // BPF_FIB_LKUP_RET_NO_NEIGH
  EXPECT_EQ(result64(maps, "results", 1), 3);
  EXPECT_EQ(result64(maps, "results", 4), 0x0909090a); // the gateway became the destination
  // ... unless the neighbour lookup is skipped.
  maps = fibRun(kUdp, {4, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 0);
  // 10.0.0.1: the blackhole /31.
  maps = fibRun(withDestination(kUdp, {10, 0, 0, 1}), {0, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 1); // BPF_FIB_LKUP_RET_BLACKHOLE
  // No route.
  maps = fibRun(withDestination(kUdp, {192, 168, 0, 1}), {0, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 4); // BPF_FIB_LKUP_RET_NOT_FWDED
  // Larger than the route's MTU.
  maps = fibRun(withDestination(kUdp, {10, 0, 0, 3}), {0, 1500, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), 8); // BPF_FIB_LKUP_RET_FRAG_NEEDED
  EXPECT_EQ(result64(maps, "results", 5), 1000);
  // BPF_FIB_LOOKUP_SRC takes the route's preferred source.
  maps = fibRun(withDestination(kUdp, {10, 0, 0, 3}), {16, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 6), 0xfe00000a);
  // Unknown flags.
  maps = fibRun(kUdp, {0x100, 0, 0}, verdict);
  EXPECT_EQ(result64(maps, "results", 0), -22);
}

} // namespace
} // namespace ebpfc::runtime::testing
