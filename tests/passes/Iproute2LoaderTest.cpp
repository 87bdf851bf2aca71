// --map-format=iproute2 objects loaded by iproute2's own ELF loader, in a
// network namespace the test creates and removes: `ip link set dev lo
// xdpgeneric obj ...` and `tc filter add dev lo ingress bpf da obj ...`,
// then traffic on lo, then the pinned maps read back with bpftool.
//
// iproute2 builds linked with libbpf (Debian 12's among them) hand every
// object to libbpf 1.x, which refuses "maps" sections; only builds without
// libbpf use iproute2's loader. The test uses the ip and tc found in
// $EBPFC_IPROUTE2_DIR (e.g. an iproute2 built with
// `./configure --libbpf_force off && make SUBDIRS="lib ip tc"`, binaries in
// ip/ and tc/), or the system's when they have no libbpf; otherwise it skips
// and says why.
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

using namespace ebpfc::testing;

namespace {

struct Iproute2 {
  std::string ip, tc;
  std::string unusableReason;
};

Iproute2 findIproute2() {
  Iproute2 tools;
  if (const char *dir = std::getenv("EBPFC_IPROUTE2_DIR")) {
    tools.ip = std::string(dir) + "/ip/ip";
    tools.tc = std::string(dir) + "/tc/tc";
  } else {
    tools.ip = "/usr/sbin/ip";
    tools.tc = "/usr/sbin/tc";
  }
  if (!fileExists(tools.ip) || !fileExists(tools.tc)) {
    tools.unusableReason = "no ip and tc at " + tools.ip + " and " + tools.tc;
    return tools;
  }
  CommandResult version = runCommand({tools.ip, "-V"});
  if (version.out.find("libbpf") != std::string::npos)
    tools.unusableReason = tools.ip + " is linked with libbpf (" + version.out.substr(0, version.out.find('\n')) +
                           "), which refuses \"maps\" sections; set EBPFC_IPROUTE2_DIR to an iproute2 built with "
                           "--libbpf_force off";
  return tools;
}

// Runs `argv` inside the network namespace (the mount namespace stays the
// host's, so pins land in the host's /sys/fs/bpf).
CommandResult inNamespace(const std::string &ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"nsenter", "--net=/run/netns/" + ns});
  return runCommand(argv);
}

// The first u64 value bpftool prints for a pinned map.
uint64_t firstValue(const std::string &pin) {
  CommandResult dump = runCommand({BPFTOOL_PATH, "map", "dump", "pinned", pin});
  std::smatch match;
  static const std::regex value(R"(value: ((?:[0-9a-f]{2} ?){8}))");
  if (!std::regex_search(dump.out, match, value))
    return 0;
  std::istringstream bytes(match[1].str());
  uint64_t result = 0;
  unsigned shift = 0;
  for (std::string byte; bytes >> byte; shift += 8)
    result |= std::stoull(byte, nullptr, 16) << shift;
  return result;
}

class Iproute2Loader : public ::testing::Test {
protected:
  void SetUp() override {
    dir = makeTempDir("iproute2");
    ns = "ebpfc-iproute2-" + std::to_string(::getpid());
    hadPinDirectory = std::filesystem::exists("/sys/fs/bpf/tc");
  }
  void TearDown() override {
    runCommand({"ip", "netns", "del", ns});
    for (const char *map : {"ebpfc_xdp_seen", "ebpfc_tc_seen"})
      std::filesystem::remove(std::string("/sys/fs/bpf/tc/globals/") + map);
    // iproute2 made /sys/fs/bpf/tc/globals and the ip and xdp links to it.
    if (!hadPinDirectory) {
      std::error_code ignored;
      std::filesystem::remove("/sys/fs/bpf/tc/globals", ignored);
      std::filesystem::remove("/sys/fs/bpf/tc", ignored);
      std::filesystem::remove("/sys/fs/bpf/ip", ignored);
      std::filesystem::remove("/sys/fs/bpf/xdp", ignored);
    }
    std::filesystem::remove_all(dir);
  }
  std::string dir, ns;
  bool hadPinDirectory = false;
};

} // namespace

TEST_F(Iproute2Loader, LoadsXdpAndTcProgramsWithPinnedMaps) {
  std::string object = dir + "/counters.o";
  CommandResult compile = runCommand({EBPFC_PATH, "-O2", "-g", "--map-format=iproute2",
                                      std::string(PASS_INPUTS) + "/iproute2_counters.c", "-o", object});
  ASSERT_EQ(compile.exitCode, 0) << compile.err;
  Iproute2 tools = findIproute2();
  if (!tools.unusableReason.empty())
    GTEST_SKIP() << tools.unusableReason;
  CommandResult add = runCommand({"ip", "netns", "add", ns});
  if (add.exitCode != 0)
    GTEST_SKIP() << "cannot create a network namespace: " << add.err;
  ASSERT_EQ(runCommand({"ip", "-n", ns, "link", "set", "lo", "up"}).exitCode, 0);

  CommandResult xdp = inNamespace(ns, {tools.ip, "link", "set", "dev", "lo", "xdpgeneric", "obj", object, "sec", "xdp"});
  ASSERT_EQ(xdp.exitCode, 0) << xdp.err;
  ASSERT_EQ(inNamespace(ns, {tools.tc, "qdisc", "add", "dev", "lo", "clsact"}).exitCode, 0);
  CommandResult tc = inNamespace(ns, {tools.tc, "filter", "add", "dev", "lo", "ingress", "bpf", "da", "obj", object,
                                      "sec", "tc"});
  ASSERT_EQ(tc.exitCode, 0) << tc.err;
  CommandResult shown = inNamespace(ns, {tools.ip, "link", "show", "lo"});
  EXPECT_NE(shown.out.find("prog/xdp"), std::string::npos) << shown.out;

  CommandResult traffic = inNamespace(ns, {"python3", "-c",
                                           "import socket\n"
                                           "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                           "for _ in range(5): s.sendto(b'x' * 20, ('127.0.0.1', 9))\n"});
  ASSERT_EQ(traffic.exitCode, 0) << traffic.err;
  // iproute2 pins PIN_GLOBAL_NS maps in /sys/fs/bpf/tc/globals (xdp/ links to tc/).
  EXPECT_GE(firstValue("/sys/fs/bpf/tc/globals/ebpfc_xdp_seen"), 5u);
  EXPECT_GE(firstValue("/sys/fs/bpf/tc/globals/ebpfc_tc_seen"), 5u);
}
