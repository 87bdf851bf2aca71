// runtime/kernel on its own: loading with the verifier log on rejection,
// running with BPF_PROG_TEST_RUN, map updates and dumps (per-CPU included),
// global data, and the errors for misuse. Objects are built with clang-19,
// so that these tests do not depend on ebpfc.
#include "runtime/kernel/KernelAvailability.h"
#include "runtime/kernel/KernelObject.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace ebpfc::runtime::kernel {
namespace {

namespace fs = std::filesystem;

class KernelObjectTest : public testing::Test {
protected:
  void SetUp() override {
    std::string reason;
    if (!kernelAvailable(reason))
      GTEST_SKIP() << "SKIPPED: the kernel engine is unavailable: " << reason;
    dir_ = fs::path(testing::TempDir()) / ("kernel_object_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Compiles `source` with clang-19 and opens the object.
  std::unique_ptr<KernelObject> compileAndOpen(const std::string &source) {
    fs::path c = dir_ / "prog.c", object = dir_ / "prog.o";
    std::ofstream(c) << "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n" << source
                     << "\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n";
    std::string output;
    int status = kerneltest::runProcess({EBPFC_CLANG19_PATH, "-O2", "-g", "-target", "bpf",
                                         "-I/usr/include/x86_64-linux-gnu", "-c", c.string(), "-o", object.string()},
                                        output);
    EXPECT_EQ(status, 0) << output;
    std::string error;
    auto opened = KernelObject::open(object.string(), error);
    EXPECT_TRUE(opened) << error;
    return opened;
  }

  fs::path dir_;
};

TEST_F(KernelObjectTest, RejectedProgramComesWithTheVerifierLog) {
  auto object = compileAndOpen(R"(
SEC("xdp") int unchecked(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[100]; // no bounds check against data_end
})");
  ASSERT_TRUE(object);
  std::string error;
  EXPECT_FALSE(object->load(error));
  EXPECT_NE(error.find("the kernel rejected the object"), std::string::npos) << error;
  EXPECT_NE(object->verifierLog().find("invalid access to packet"), std::string::npos) << object->verifierLog();
}

TEST_F(KernelObjectTest, OpenRejectsWhatIsNotAnObject) {
  fs::path notObject = dir_ / "text.o";
  std::ofstream(notObject) << "not an ELF file\n";
  std::string error;
  EXPECT_FALSE(KernelObject::open(notObject.string(), error));
  EXPECT_NE(error.find(notObject.string() + ": libbpf cannot open the object"), std::string::npos) << error;
}

TEST_F(KernelObjectTest, RunsAProgramOnAPacket) {
  auto object = compileAndOpen(R"(
SEC("xdp") int bounce(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  if ((void *)(data + 14) > (void *)(long)ctx->data_end)
    return XDP_DROP;
  data[0] = 0xaa;
  return ctx->ingress_ifindex == 1 ? XDP_TX : XDP_PASS;
})");
  ASSERT_TRUE(object);
  std::string error;
  ASSERT_TRUE(object->load(error)) << error << object->verifierLog();
  const KernelProgram *program = object->findProgram("xdp"); // by section
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(program->name, "bounce");
  EXPECT_EQ(program->type, BPF_PROG_TYPE_XDP);

  TestRunInput input;
  input.packet.assign(20, 0x11);
  input.repeat = 3;
  TestRunResult result;
  ASSERT_TRUE(object->run(*program, input, result, error)) << error;
  EXPECT_EQ(result.returnValue, uint32_t(XDP_TX)) << "the kernel runs XDP on loopback, ifindex 1";
  Bytes expected(20, 0x11);
  expected[0] = 0xaa;
  EXPECT_EQ(result.packet, expected);

  input.packet.assign(13, 0);
  EXPECT_FALSE(object->run(*program, input, result, error));
  EXPECT_NE(error.find("BPF_PROG_TEST_RUN failed"), std::string::npos) << error;

  uint32_t count = 0;
  ASSERT_TRUE(object->xlatedInstructionCount(*program, count, error)) << error;
  EXPECT_GT(count, 5u);
}

TEST_F(KernelObjectTest, PerCpuMapsTransferEveryCpusValue) {
  auto object = compileAndOpen(R"(
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} counters SEC(".maps");
SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 key = 1;
  __u32 *value = bpf_map_lookup_elem(&counters, &key);
  if (value)
    *value += 1;
  return XDP_PASS;
})");
  ASSERT_TRUE(object);
  std::string error;
  ASSERT_TRUE(object->load(error)) << error;
  const KernelMap *map = object->findMap("counters");
  ASSERT_NE(map, nullptr);
  EXPECT_TRUE(map->perCpu);
  unsigned cpus = KernelObject::possibleCpus();

  std::vector<Bytes> values(cpus, Bytes{0, 0, 0, 0});
  values[0] = {5, 0, 0, 0};
  values[cpus - 1][0] += 7;
  ASSERT_TRUE(object->updateMap(*map, {1, 0, 0, 0}, values, BPF_ANY, error)) << error;
  TestRunInput input;
  input.packet.assign(14, 0);
  TestRunResult result;
  ASSERT_TRUE(object->run(*object->findProgram("count"), input, result, error)) << error;

  std::vector<MapEntry> entries;
  ASSERT_TRUE(object->dumpMap(*map, entries, error)) << error;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].key, (Bytes{1, 0, 0, 0}));
  ASSERT_EQ(entries[1].values.size(), cpus);
  EXPECT_EQ(entries[1].values[0][0], cpus == 1 ? 13 : 6) << "the run was pinned to CPU 0";
  EXPECT_EQ(entries[1].values[cpus - 1][0], cpus == 1 ? 13 : 7);

  EXPECT_FALSE(object->updateMap(*map, {1, 0}, {Bytes{0, 0, 0, 0}}, BPF_ANY, error));
  EXPECT_NE(error.find("the key has 2 bytes, the map's keys have 4"), std::string::npos) << error;
  EXPECT_FALSE(object->updateMap(*map, {0, 0, 0, 0}, std::vector<Bytes>(cpus + 1, Bytes(4)), BPF_ANY, error));
  EXPECT_NE(error.find("one per CPU"), std::string::npos) << error;
}

TEST_F(KernelObjectTest, GlobalDataIsSetBeforeLoading) {
  auto object = compileAndOpen(R"(
const volatile __u32 verdict = XDP_DROP;
SEC("xdp") int configured(struct xdp_md *ctx) { return verdict; })");
  ASSERT_TRUE(object);
  const KernelMap *rodata = object->findMap(".rodata");
  ASSERT_NE(rodata, nullptr);
  std::string error;
  EXPECT_FALSE(object->setGlobalData(*rodata, {1, 0}, error));
  EXPECT_NE(error.find("the value has 2 bytes, the section has 4"), std::string::npos) << error;
  ASSERT_TRUE(object->setGlobalData(*rodata, {XDP_TX, 0, 0, 0}, error)) << error;
  ASSERT_TRUE(object->load(error)) << error;
  EXPECT_FALSE(object->setGlobalData(*rodata, {XDP_PASS, 0, 0, 0}, error));
  EXPECT_NE(error.find("only be set before the object is loaded"), std::string::npos) << error;

  TestRunInput input;
  input.packet.assign(14, 0);
  TestRunResult result;
  ASSERT_TRUE(object->run(object->programs().front(), input, result, error)) << error;
  EXPECT_EQ(result.returnValue, uint32_t(XDP_TX));
}

} // namespace
} // namespace ebpfc::runtime::kernel
