// The kernel test for --spill-locals: with --target-kernel=4.19, a
// program with a 600-byte local buffer fails with ebpfc's stack error, and
// with --spill-locals compiles, loads in the running kernel and behaves like
// the same program with its scratch map written by hand, packet by packet
// under BPF_PROG_TEST_RUN: same return values, output packets and map
// contents.
#include "tests/support/Subprocess.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

using namespace ebpfc::testing;

namespace {

const std::string kInputs = PASS_INPUTS;

struct LoadedProgram {
  bpf_object *object = nullptr;
  int programFd = -1;
  int resultsFd = -1;

  explicit LoadedProgram(const std::string &path) {
    object = bpf_object__open_file(path.c_str(), nullptr);
    if (!object || bpf_object__load(object) != 0)
      return;
    programFd = bpf_program__fd(bpf_object__find_program_by_name(object, "spill_buffer"));
    resultsFd = bpf_map__fd(bpf_object__find_map_by_name(object, "results"));
  }
  ~LoadedProgram() { bpf_object__close(object); }
  bool ok() const { return programFd >= 0 && resultsFd >= 0; }
};

struct RunResult {
  int error = 0;
  uint32_t verdict = 0;
  std::vector<uint8_t> packet;
  std::vector<uint64_t> results;
};

RunResult run(const LoadedProgram &program, const std::vector<uint8_t> &packet) {
  RunResult r;
  r.packet.resize(packet.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = packet.data(), .data_out = r.packet.data(),
              .data_size_in = static_cast<uint32_t>(packet.size()),
              .data_size_out = static_cast<uint32_t>(r.packet.size()), .repeat = 1);
  r.error = bpf_prog_test_run_opts(program.programFd, &options);
  r.verdict = options.retval;
  r.packet.resize(options.data_size_out);
  for (uint32_t key = 0; key < 4; ++key) {
    uint64_t value = 0;
    bpf_map_lookup_elem(program.resultsFd, &key, &value);
    r.results.push_back(value);
  }
  return r;
}

std::vector<uint8_t> packetOf(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) {
    seed = seed * 1103515245u + 12345u;
    bytes[i] = static_cast<uint8_t>(seed >> 16);
  }
  return bytes;
}

class SpillLocalsKernel : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("spillkernel"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

} // namespace

TEST_F(SpillLocalsKernel, WithoutSpillingTheStackErrorNamesTheBuffer) {
  CommandResult r = runCommand({EBPFC_PATH, "-O2", "-g", "--target-kernel=4.19", kInputs + "/spill_buffer.c", "-o",
                                dir + "/out.o"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("error: program 'spill_buffer' needs "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("more than the limit of 512 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("note: 'buf' is 600 bytes, in the frame of 'spill_buffer'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Looks like the BPF stack limit"), std::string::npos) << "LLVM's message is replaced";
  EXPECT_FALSE(fileExists(dir + "/out.o"));
}

TEST_F(SpillLocalsKernel, BehavesLikeTheHandWrittenScratchMap) {
  std::string spilled = dir + "/spilled.o", byHand = dir + "/by_hand.o";
  CommandResult a = runCommand({EBPFC_PATH, "-O2", "-g", "--target-kernel=4.19", "--spill-locals",
                                kInputs + "/spill_buffer.c", "-o", spilled});
  ASSERT_EQ(a.exitCode, 0) << a.err;
  CommandResult b = runCommand({EBPFC_PATH, "-O2", "-g", "--target-kernel=4.19",
                                kInputs + "/spill_buffer_by_hand.c", "-o", byHand});
  ASSERT_EQ(b.exitCode, 0) << b.err;

  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) != 1) {
    std::printf("[ SKIPPED  ] kernel comparison: bpf() is not permitted here (cannot load an XDP program)\n");
    GTEST_SKIP();
  }
  LoadedProgram spilledProgram(spilled), handProgram(byHand);
  ASSERT_TRUE(spilledProgram.ok()) << "the kernel rejects the --spill-locals object";
  ASSERT_TRUE(handProgram.ok());

  std::set<uint32_t> verdicts;
  unsigned runs = 0;
  for (size_t size : {14u, 63u, 64u, 65u, 100u, 128u, 256u, 599u, 600u, 1000u, 1500u})
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      std::vector<uint8_t> packet = packetOf(size, seed * 7919u + static_cast<uint32_t>(size));
      RunResult x = run(spilledProgram, packet), y = run(handProgram, packet);
      ASSERT_EQ(x.error, 0) << "size " << size;
      ASSERT_EQ(y.error, 0) << "size " << size;
      EXPECT_EQ(x.verdict, y.verdict) << "size " << size << " seed " << seed;
      EXPECT_EQ(x.packet, y.packet) << "size " << size << " seed " << seed;
      EXPECT_EQ(x.results, y.results) << "size " << size << " seed " << seed;
      verdicts.insert(x.verdict);
      ++runs;
    }
  EXPECT_EQ(runs, 66u);
  // Both the short-packet path and the buffer paths ran.
  EXPECT_TRUE(verdicts.count(XDP_PASS));
  EXPECT_TRUE(verdicts.count(XDP_TX));
}
