// passes/InstructionLimit: programs with their subprograms against the
// target kernel's limit (4096 before 5.2, 1,000,000 from 5.2).
#include "backend/ObjectAnalysis.h"
#include "passes/InstructionLimit.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

// About 4 instructions per unrolled iteration on a map value.
std::string unrolledBody(const std::string &name, int iterations) {
  return "  __u32 key = 0;\n  __u32 *v = bpf_map_lookup_elem(&words, &key);\n  if (!v)\n    return 0;\n"
         "#pragma unroll\n  for (int i = 0; i < " +
         std::to_string(iterations) + "; i++)\n    v[i & 63] ^= v[(i * 7) & 63] + i;\n  return v[" +
         std::to_string(name.size()) + "];\n";
}

const char *kPrelude = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32[64]);
} words SEC(".maps");
)";

class InstructionLimitTest : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("insnlimit"); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::vector<CapturedDiagnostics::Entry> check(const std::string &source, bool expectOk, uint64_t *count = nullptr) {
    CapturedDiagnostics diags;
    Compiled compiled = compileForTest(dir, "prog.c", source, settings, diags);
    EXPECT_FALSE(compiled.object.empty()) << diags.json();
    if (compiled.object.empty())
      return {};
    passes::InstructionLimit limit;
    EXPECT_EQ(runCheck(limit, compiled, settings, diags), expectOk);
    if (count) {
      std::string error;
      auto analysis = backend::analyzeObject(compiled.object, error);
      *count = analysis->programSlots(*analysis->find(compiled.module->programs.front().name));
    }
    return diags.entries();
  }

  CompileSettings settings;
  std::string dir;
};

} // namespace

TEST_F(InstructionLimitTest, OverTheLimitOfLinux419) {
  settings.targetKernel = "4.19";
  uint64_t count = 0;
  auto entries = check(std::string(kPrelude) + "SEC(\"xdp\") int unrolled(struct xdp_md *ctx) {\n" +
                           unrolledBody("unrolled", 1100) + "}\nchar _license[] SEC(\"license\") = \"GPL\";\n",
                       false, &count);
  ASSERT_GT(count, 4096u);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 9u);
  EXPECT_EQ(entries[0].message, "program 'unrolled' has " + std::to_string(count) +
                                    " instructions, more than the limit of 4096 for Linux 4.19");
  EXPECT_EQ(entries[0].notes, std::vector<std::string>{
                                  "split the work into programs chained with bpf_tail_call, or unroll fewer loop "
                                  "iterations, or raise --target-kernel to 5.2 or later, where the limit is 1000000"});
}

TEST_F(InstructionLimitTest, TheSameProgramFitsLinux52) {
  settings.targetKernel = "5.2";
  EXPECT_TRUE(check(std::string(kPrelude) + "SEC(\"xdp\") int unrolled(struct xdp_md *ctx) {\n" +
                        unrolledBody("unrolled", 1100) + "}\nchar _license[] SEC(\"license\") = \"GPL\";\n",
                    true)
                  .empty());
}

TEST_F(InstructionLimitTest, SubprogramsCount) {
  settings.targetKernel = "4.19";
  // Each function fits on its own; together they do not.
  std::string source = std::string(kPrelude) + "static __attribute__((noinline)) int half(int n) {\n" +
                       unrolledBody("half", 600) + "}\nSEC(\"xdp\") int whole(struct xdp_md *ctx) {\n" +
                       "  if (half(ctx->rx_queue_index) > 7)\n    return XDP_DROP;\n" + unrolledBody("whole", 600) +
                       "}\nchar _license[] SEC(\"license\") = \"GPL\";\n";
  uint64_t count = 0;
  auto entries = check(source, false, &count);
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_EQ(entries[0].notes.size(), 2u);
  EXPECT_TRUE(entries[0].notes[0].starts_with("counted with the subprograms it calls: whole ")) << entries[0].notes[0];
  EXPECT_NE(entries[0].notes[0].find(", half "), std::string::npos) << entries[0].notes[0];
}

TEST_F(InstructionLimitTest, AfterLinux52TheNoteDoesNotSuggestRaisingTheKernel) {
  settings.targetKernel = "5.2";
  // A million instructions would take long to compile; a lowered limit in
  // the module shows the wording for targets from 5.2.
  CapturedDiagnostics diags;
  Compiled compiled = compileForTest(dir, "prog.c",
                                     std::string(kPrelude) + "SEC(\"xdp\") int small(struct xdp_md *ctx) {\n" +
                                         unrolledBody("small", 40) + "}\nchar _license[] SEC(\"license\") = \"GPL\";\n",
                                     settings, diags);
  ASSERT_FALSE(compiled.object.empty()) << diags.json();
  compiled.module->target.insnLimit = 50;
  passes::InstructionLimit limit;
  EXPECT_FALSE(runCheck(limit, compiled, settings, diags));
  auto entries = diags.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].message.ends_with(", more than the limit of 50 for Linux 5.2")) << entries[0].message;
  EXPECT_EQ(entries[0].notes, std::vector<std::string>{"split the work into programs chained with bpf_tail_call, or "
                                                       "unroll fewer loop iterations"});
}
