// passes/Stats: the --stats table and JSON, exactly, for a small program
// (the numbers come from the object analysis, tested on its own), and
// that nothing is printed without --stats.
#include "backend/ObjectAnalysis.h"
#include "passes/Stats.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const char *kSource = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");
__u64 total;
static __attribute__((noinline)) int bump(__u32 key) {
  __u64 *value = bpf_map_lookup_elem(&counts, &key);
  if (!value)
    return 0;
  *value += 1;
  return 1;
}
SEC("xdp") int stats_prog(struct xdp_md *ctx) {
  total++;
  return bump(ctx->rx_queue_index & 7) ? XDP_PASS : XDP_DROP;
}
char _license[] SEC("license") = "GPL";
)";

// Everything a check printed to its stats stream.
class StatsCapture {
public:
  StatsCapture() : stream_(::open_memstream(&buffer_, &size_)) {}
  ~StatsCapture() {
    std::fclose(stream_);
    std::free(buffer_);
  }
  std::FILE *stream() { return stream_; }
  std::string text() {
    std::fflush(stream_);
    return std::string(buffer_, size_);
  }

private:
  char *buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE *stream_;
};

class StatsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = makeTempDir("stats");
    compiled = compileForTest(dir, "stats.c", kSource, settings, diags);
    ASSERT_FALSE(compiled.object.empty()) << diags.json();
    std::string error;
    analysis = *backend::analyzeObject(compiled.object, error);
    prog = &analysis.functions[*analysis.find("stats_prog")];
    bump = &analysis.functions[*analysis.find("bump")];
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string run(passes::StatsFormat format) {
    settings.pipeline.stats = format;
    StatsCapture capture;
    passes::Stats stats;
    EXPECT_TRUE(runCheck(stats, compiled, settings, diags, capture.stream()));
    return capture.text();
  }

  CompileSettings settings;
  CapturedDiagnostics diags;
  Compiled compiled;
  backend::ObjectAnalysis analysis;
  const backend::ObjectFunction *prog = nullptr;
  const backend::ObjectFunction *bump = nullptr;
  std::string dir;
};

std::string padLeft(const std::string &text, size_t width) {
  return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

} // namespace

TEST_F(StatsTest, NothingWithoutTheOption) { EXPECT_EQ(run(passes::StatsFormat::None), ""); }

TEST_F(StatsTest, TextTable) {
  // The numbers the table must show.
  ASSERT_EQ(bump->stackDepth, 8u);  // the key passed to the helper
  ASSERT_EQ(prog->stackDepth, 0u);
  std::string total = std::to_string(prog->slotCount + bump->slotCount);
  std::string progCount = std::to_string(prog->slotCount), bumpCount = std::to_string(bump->slotCount);
  std::string expected =
      "stats for " + compiled.sourcePath +
      " (Linux 6.1: at most 1000000 instructions and 512 bytes of stack per program)\n"
      "\n"
      "program     section  type  instructions  stack  deepest stack chain\n"
      "stats_prog  xdp      xdp   " + padLeft(total, 12) + "     64  stats_prog -> bump\n"
      "\n"
      "function    section  instructions  stack\n"
      "bump        .text    " + padLeft(bumpCount, 12) + "      8\n"
      "stats_prog  xdp      " + padLeft(progCount, 12) + "      0\n"
      "\n"
      "map     type   key  value  max_entries\n"
      "counts  array    4      8            8\n"
      ".bss    array    4      8            1\n";
  EXPECT_EQ(run(passes::StatsFormat::Text), expected);
}

TEST_F(StatsTest, Json) {
  std::string total = std::to_string(prog->slotCount + bump->slotCount);
  std::string expected =
      "{\"source\": \"" + compiled.sourcePath +
      "\", \"target_kernel\": \"6.1\", \"limits\": {\"instructions\": 1000000, \"stack\": 512}, "
      "\"programs\": [{\"name\": \"stats_prog\", \"section\": \"xdp\", \"type\": \"xdp\", \"instructions\": " +
      total +
      ", \"stack\": 64, \"stack_chain\": [\"stats_prog\", \"bump\"], \"functions\": [\"stats_prog\", \"bump\"]}], "
      "\"functions\": [{\"name\": \"bump\", \"section\": \".text\", \"instructions\": " +
      std::to_string(bump->slotCount) +
      ", \"stack\": 8}, {\"name\": \"stats_prog\", \"section\": \"xdp\", \"instructions\": " +
      std::to_string(prog->slotCount) +
      ", \"stack\": 0}], "
      "\"maps\": [{\"name\": \"counts\", \"type\": \"array\", \"key_size\": 4, \"value_size\": 8, \"max_entries\": 8}, "
      "{\"name\": \".bss\", \"type\": \"array\", \"key_size\": 4, \"value_size\": 8, \"max_entries\": 1}]}\n";
  std::string json = run(passes::StatsFormat::Json);
  EXPECT_EQ(json, expected);
  EXPECT_TRUE(nlohmann::json::accept(json));
}

TEST_F(StatsTest, CommandLineWritesToStdoutOrToStderrWhenTheObjectGoesToStdout) {
  CommandResult toFile = runCommand({EBPFC_PATH, "--stats=json", compiled.sourcePath, "-o", dir + "/out.o"});
  ASSERT_EQ(toFile.exitCode, 0) << toFile.err;
  EXPECT_EQ(nlohmann::json::parse(toFile.out)["programs"][0]["name"], "stats_prog");
  CommandResult toStdout = runCommand({EBPFC_PATH, "--stats", "-S", compiled.sourcePath, "-o", "-"});
  ASSERT_EQ(toStdout.exitCode, 0) << toStdout.err;
  EXPECT_TRUE(toStdout.err.starts_with("stats for ")) << toStdout.err;
  EXPECT_EQ(toStdout.out.find("stats for "), std::string::npos);
}
