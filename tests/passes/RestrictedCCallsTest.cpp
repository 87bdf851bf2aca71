// passes/RestrictedCCalls: calls to functions without a body that are left
// after inlining and optimization, reported at the source line.
#include "passes/RestrictedCCalls.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const std::string kPrelude = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u8[2048]);
} blobs SEC(".maps");
)"; // 8 lines

class RestrictedCCallsTest : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("restrictedcalls"); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::vector<CapturedDiagnostics::Entry> diagnose(const std::string &body, bool &compiled) {
    CapturedDiagnostics diags;
    Compiled result = compileForTest(dir, "prog.c", kPrelude + body + "char _license[] SEC(\"license\") = \"GPL\";\n",
                                     {}, diags);
    compiled = !result.object.empty();
    return diags.entries();
  }

  std::string dir;
};

} // namespace

TEST(MemcmpLoads, CountsTheWidestLoadsFirst) {
  EXPECT_EQ(passes::memcmpLoads(16), 2u);
  EXPECT_EQ(passes::memcmpLoads(1024), 128u);
  EXPECT_EQ(passes::memcmpLoads(1023), 130u);
  EXPECT_EQ(passes::memcmpLoads(7), 3u);
}

TEST_F(RestrictedCCallsTest, MemcmpWhoseSizeStaysVariableAfterInlining) {
  bool compiled = false;
  auto d = diagnose(R"(static __always_inline int same(const void *a, const void *b, __u32 n) {
  return __builtin_memcmp(a, b, n) == 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  __u8 *blob = bpf_map_lookup_elem(&blobs, &key);
  if (!blob)
    return XDP_PASS;
  return same(blob, blob + 64, ctx->rx_queue_index & 31) ? XDP_DROP : XDP_PASS;
}
)", compiled);
  EXPECT_FALSE(compiled);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 10u);
  EXPECT_EQ(d[0].message, "call to 'memcmp' with a size that is not a compile-time constant");
  ASSERT_EQ(d[0].notes.size(), 2u);
  EXPECT_EQ(d[0].notes[0], "inlined into 'prog' here");
  EXPECT_EQ(d[0].noteLines[0], 17u);
}

TEST_F(RestrictedCCallsTest, MemcmpTooLargeToExpand) {
  bool compiled = false;
  auto d = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  __u8 *blob = bpf_map_lookup_elem(&blobs, &key);
  if (!blob)
    return XDP_PASS;
  return __builtin_memcmp(blob, blob + 1024, 1023) ? XDP_DROP : XDP_PASS;
}
)", compiled);
  EXPECT_FALSE(compiled);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 14u);
  EXPECT_EQ(d[0].message,
            "call to 'memcmp' of 1023 bytes, which needs 130 loads; the BPF backend expands at most 128");
}

TEST_F(RestrictedCCallsTest, MemcmpThatTheBackendExpands) {
  bool compiled = false;
  auto d = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  __u8 *blob = bpf_map_lookup_elem(&blobs, &key);
  if (!blob)
    return XDP_PASS;
  return __builtin_memcmp(blob, blob + 1024, 1024) ? XDP_DROP : XDP_PASS;
}
)", compiled);
  EXPECT_TRUE(compiled);
  EXPECT_TRUE(d.empty());
}

TEST_F(RestrictedCCallsTest, LibraryCallLeftByABuiltin) {
  bool compiled = false;
  auto d = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  char *blob = bpf_map_lookup_elem(&blobs, &key);
  if (!blob)
    return XDP_PASS;
  blob[2047] = 0;
  return __builtin_strlen(blob) > 3 ? XDP_DROP : XDP_PASS;
}
)", compiled);
  EXPECT_FALSE(compiled);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 15u);
  EXPECT_EQ(d[0].message, "call to 'strlen', which is not defined in this file");
}
