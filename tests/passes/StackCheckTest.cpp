// passes/StackCheck on programs compiled in-process: single frames and call
// chains over the limit, the verifier's rounding, --stack-limit, the frame
// count limit, and the locals named in the error.
#include "passes/StackCheck.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const char *kHeader = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n";

class StackCheckTest : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("stackcheck"); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // Compiles and runs the check; the diagnostics it reported.
  std::vector<CapturedDiagnostics::Entry> check(const std::string &body, bool expectOk) {
    CapturedDiagnostics diags;
    Compiled compiled = compileForTest(dir, "prog.c", kHeader + body, settings, diags);
    EXPECT_FALSE(compiled.object.empty()) << "code generation goes on past 512 bytes: " << diags.json();
    if (compiled.object.empty())
      return {};
    passes::StackCheck stack;
    EXPECT_EQ(runCheck(stack, compiled, settings, diags), expectOk);
    return diags.entries();
  }

  CompileSettings settings;
  std::string dir;
};

} // namespace

TEST_F(StackCheckTest, SingleFrameOverTheLimit) {
  auto entries = check(R"(SEC("xdp") int big(struct xdp_md *ctx) {
  volatile char buf[600];
  volatile __u32 small[4];
  buf[ctx->rx_queue_index % 600] = 1;
  small[ctx->ingress_ifindex & 3] = 2;
  return buf[ctx->ingress_ifindex % 600] + small[1];
}
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  const auto &e = entries[0];
  EXPECT_EQ(e.severity, "error");
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, 16u);
  EXPECT_EQ(e.message, "stack frame of program 'big' is 616 bytes, more than the limit of 512 bytes");
  ASSERT_EQ(e.notes.size(), 3u);
  EXPECT_EQ(e.notes[0], "'buf' is 600 bytes");
  EXPECT_EQ(e.noteLines[0], 4u);
  EXPECT_EQ(e.notes[1], "'small' is 16 bytes");
  EXPECT_EQ(e.noteLines[1], 5u);
  EXPECT_EQ(e.notes[2], "make large locals smaller, move them into a BPF_MAP_TYPE_PERCPU_ARRAY map, or compile with "
                        "--spill-locals to have ebpfc move locals of 64 bytes or more into one");
}

TEST_F(StackCheckTest, CallChainOverTheLimit) {
  auto entries = check(R"(static __attribute__((noinline)) int inner(int x) {
  volatile char c[200];
  c[x & 127] = 3;
  return c[5];
}
static __attribute__((noinline)) int middle(int x) {
  volatile char b[200];
  b[x & 127] = 2;
  return inner(x) + b[7];
}
SEC("xdp") int chain(struct xdp_md *ctx) {
  volatile char a[200];
  a[ctx->rx_queue_index & 127] = 1;
  return middle(ctx->ingress_ifindex) + a[3];
}
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  const auto &e = entries[0];
  EXPECT_EQ(e.line, 13u);
  EXPECT_EQ(e.message, "program 'chain' needs 672 bytes of stack along the call chain chain -> middle -> inner, "
                       "more than the limit of 512 bytes");
  ASSERT_EQ(e.notes.size(), 5u);
  EXPECT_EQ(e.notes[0], "frames in bytes, each rounded up to 32 as the verifier counts them: chain 224, middle 224, "
                        "inner 224");
  // Largest first; equal sizes in chain order.
  EXPECT_EQ(e.notes[1], "'a' is 200 bytes, in the frame of 'chain'");
  EXPECT_EQ(e.noteLines[1], 14u);
  EXPECT_EQ(e.notes[2], "'b' is 200 bytes, in the frame of 'middle'");
  EXPECT_EQ(e.notes[3], "'c' is 200 bytes, in the frame of 'inner'");
  EXPECT_EQ(e.noteLines[3], 4u);
}

TEST_F(StackCheckTest, ChainWithinTheLimitPasses) {
  auto entries = check(R"(static __attribute__((noinline)) int inner(int x) {
  volatile char c[150];
  c[x & 127] = 3;
  return c[5];
}
SEC("xdp") int fits(struct xdp_md *ctx) {
  volatile char a[300];
  a[ctx->rx_queue_index & 255] = 1;
  return inner(ctx->ingress_ifindex) + a[3];
}
char _license[] SEC("license") = "GPL";
)", true);
  EXPECT_TRUE(entries.empty());
}

TEST_F(StackCheckTest, InlinedLocalsNameTheirFunction) {
  auto entries = check(R"(static __always_inline int helper(__u32 x) {
  volatile char scratch[580];
  scratch[x % 580] = 1;
  return scratch[x % 17];
}
SEC("xdp") int outer(struct xdp_md *ctx) { return helper(ctx->rx_queue_index); }
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_GE(entries[0].notes.size(), 2u);
  EXPECT_EQ(entries[0].notes[0], "'scratch' is 580 bytes (inlined from 'helper')");
  EXPECT_EQ(entries[0].noteLines[0], 4u);
}

TEST_F(StackCheckTest, StackLimitOption) {
  settings.pipeline.stackLimit = 256;
  auto entries = check(R"(SEC("xdp") int mid(struct xdp_md *ctx) {
  volatile char buf[300];
  buf[ctx->rx_queue_index & 255] = 1;
  return buf[4];
}
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].message, "stack frame of program 'mid' is 304 bytes, more than the limit of 256 bytes");
}

TEST_F(StackCheckTest, FrameThatOnlyTheRoundingPutsOverTheLimit) {
  settings.pipeline.stackLimit = 500;
  auto entries = check(R"(SEC("xdp") int edge(struct xdp_md *ctx) {
  volatile char buf[488];
  buf[ctx->rx_queue_index & 255] = 1;
  return buf[4];
}
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].message, "stack frame of program 'edge' is 488 bytes, which the verifier counts as 512, more "
                                "than the limit of 500 bytes");
}

TEST_F(StackCheckTest, SpillThresholdNote) {
  settings.pipeline.spillThreshold = 1024;
  auto entries = check(R"(SEC("xdp") int big(struct xdp_md *ctx) {
  volatile char buf[600];
  buf[ctx->rx_queue_index % 600] = 1;
  return buf[3];
}
char _license[] SEC("license") = "GPL";
)", false);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].notes.back(),
            "--spill-locals=1024 leaves smaller locals on the stack; lower the threshold, or make the locals smaller");
}

TEST_F(StackCheckTest, TooManyFrames) {
  std::string source;
  for (int i = 8; i >= 1; --i)
    source += "static __attribute__((noinline)) int f" + std::to_string(i) + "(int x) { return " +
              (i == 8 ? std::string("x * 3") : "f" + std::to_string(i + 1) + "(x + 1) * 2") + "; }\n";
  source += R"(SEC("xdp") int deep(struct xdp_md *ctx) { return f1(ctx->rx_queue_index) & 3; }
char _license[] SEC("license") = "GPL";
)";
  auto entries = check(source, false);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].message, "program 'deep' calls 9 functions deep (deep -> f1 -> f2 -> f3 -> f4 -> f5 -> f6 -> "
                                "f7 -> f8), more than the 8 frames the verifier allows");
}

TEST_F(StackCheckTest, EightFramesAreAllowed) {
  std::string source;
  for (int i = 7; i >= 1; --i)
    source += "static __attribute__((noinline)) int f" + std::to_string(i) + "(int x) { return " +
              (i == 7 ? std::string("x * 3") : "f" + std::to_string(i + 1) + "(x + 1) * 2") + "; }\n";
  source += R"(SEC("xdp") int deep(struct xdp_md *ctx) { return f1(ctx->rx_queue_index) & 3; }
char _license[] SEC("license") = "GPL";
)";
  EXPECT_TRUE(check(source, true).empty());
}
