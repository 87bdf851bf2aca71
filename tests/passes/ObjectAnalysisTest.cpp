// backend/ObjectAnalysis on objects from clang-19 (so the analysis is not
// tied to ebpfc's code generation), from ebpfc, and from hand-written
// assembly; and, where bpf() works, its stack depths against the kernel
// verifier's own.
#include "backend/ObjectAnalysis.h"
#include "frontend/c/CFrontend.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

// Static and global subprograms, a callback, a program that calls nothing.
// The volatile arrays give every function a known frame.
const char *kCalls = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __attribute__((noinline)) int leaf(int x) { volatile char buf[100]; buf[x & 63] = 1; return buf[3]; }
__attribute__((noinline)) int global_fn(int x) { volatile char b[40]; b[x & 31] = 2; return leaf(x) + b[1]; }
static long callback(__u32 i, void *ctx) { volatile char q[16]; q[i & 7] = 1; return q[0] & 1; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  volatile int a[10];
  a[ctx->ingress_ifindex & 7] = 3;
  bpf_loop(4, callback, 0, 0);
  return leaf(a[2]) + global_fn(a[1]);
}
SEC("tc") int prog2(struct __sk_buff *skb) { return leaf(skb->len); }
char _license[] SEC("license") = "GPL";
)";

bool haveClang() { return !std::string(CLANG19_PATH).empty() && !std::string(CLANG19_PATH).ends_with("NOTFOUND"); }

// Compiles with clang-19 the way libbpf users do.
std::string clangObject(const std::string &dir, const std::string &name, const std::string &source) {
  std::string path = dir + "/" + name + ".c";
  writeFile(path, source);
  std::vector<std::string> args{CLANG19_PATH, "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-c", path,
                                "-o", dir + "/" + name + ".o"};
  if (std::string multiarch = frontend::hostMultiarchIncludeDir(); !multiarch.empty())
    args.insert(args.begin() + 1, {"-idirafter", multiarch});
  CommandResult r = runCommand(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return readFile(dir + "/" + name + ".o");
}

backend::ObjectAnalysis analyze(const std::string &object) {
  std::string error;
  std::optional<backend::ObjectAnalysis> analysis = backend::analyzeObject(object, error);
  EXPECT_TRUE(analysis) << error;
  return analysis ? std::move(*analysis) : backend::ObjectAnalysis{};
}

std::set<std::string> calleeNames(const backend::ObjectAnalysis &analysis, const std::string &function) {
  std::set<std::string> names;
  for (size_t callee : analysis.functions[*analysis.find(function)].callees)
    names.insert(analysis.functions[callee].name);
  return names;
}

void expectCallsLayout(const backend::ObjectAnalysis &a) {
  for (const char *name : {"prog", "prog2", "global_fn", "leaf", "callback"})
    ASSERT_TRUE(a.find(name)) << name;
  const backend::ObjectFunction &prog = a.functions[*a.find("prog")];
  EXPECT_EQ(prog.section, "xdp");
  EXPECT_TRUE(prog.global);
  EXPECT_EQ(a.functions[*a.find("leaf")].section, ".text");
  EXPECT_FALSE(a.functions[*a.find("leaf")].global);

  EXPECT_EQ(calleeNames(a, "prog"), (std::set<std::string>{"callback", "leaf", "global_fn"}));
  EXPECT_EQ(calleeNames(a, "global_fn"), (std::set<std::string>{"leaf"}));
  EXPECT_EQ(calleeNames(a, "prog2"), (std::set<std::string>{"leaf"}));
  EXPECT_TRUE(calleeNames(a, "leaf").empty());

  EXPECT_EQ(a.functions[*a.find("leaf")].stackDepth, 104u); // 100 bytes in 8-byte slots
  EXPECT_EQ(a.functions[*a.find("global_fn")].stackDepth, 40u);
  EXPECT_EQ(a.functions[*a.find("callback")].stackDepth, 16u);
  EXPECT_EQ(prog.stackDepth, 40u);
  EXPECT_EQ(a.functions[*a.find("prog2")].stackDepth, 0u);

  backend::StackChain chain = a.deepestStackChain(*a.find("prog"));
  std::vector<std::string> frames;
  for (size_t f : chain.frames)
    frames.push_back(a.functions[f].name);
  EXPECT_EQ(frames, (std::vector<std::string>{"prog", "global_fn", "leaf"}));
  EXPECT_EQ(chain.depth, 64u + 64u + 128u);
  // A frame of 0 bytes still counts 32.
  EXPECT_EQ(a.deepestStackChain(*a.find("prog2")).depth, 32u + 128u);

  uint64_t slots = 0;
  for (const char *name : {"prog", "callback", "leaf", "global_fn"})
    slots += a.functions[*a.find(name)].slotCount;
  EXPECT_EQ(a.programSlots(*a.find("prog")), slots);
  // The callback's address is loaded with lddw, one instruction in two slots.
  size_t wide = std::count_if(prog.instructions.begin(), prog.instructions.end(),
                              [](const backend::Instruction &i) { return i.wide; });
  EXPECT_GE(wide, 1u);
  EXPECT_EQ(prog.slotCount, prog.instructions.size() + wide);
}

class ObjectAnalysisTest : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("objanalysis"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

} // namespace

TEST(ObjectAnalysis, FrameRounding) {
  EXPECT_EQ(backend::roundedFrameSize(0), 32u);
  EXPECT_EQ(backend::roundedFrameSize(1), 32u);
  EXPECT_EQ(backend::roundedFrameSize(32), 32u);
  EXPECT_EQ(backend::roundedFrameSize(33), 64u);
  EXPECT_EQ(backend::roundedFrameSize(600), 608u);
}

TEST(ObjectAnalysis, RejectsWhatIsNotAnEbpfObject) {
  std::string error;
  EXPECT_FALSE(backend::analyzeObject("not an ELF file", error));
  EXPECT_FALSE(error.empty());
}

TEST_F(ObjectAnalysisTest, ClangObject) {
  if (!haveClang())
    GTEST_SKIP() << "clang-19 not found";
  expectCallsLayout(analyze(clangObject(dir, "calls", kCalls)));
}

TEST_F(ObjectAnalysisTest, EbpfcObject) {
  CapturedDiagnostics diags;
  Compiled compiled = compileForTest(dir, "calls.c", kCalls, {}, diags);
  ASSERT_FALSE(compiled.object.empty()) << diags.json();
  expectCallsLayout(analyze(compiled.object));
}

TEST_F(ObjectAnalysisTest, HandWrittenAssembly) {
  if (!haveClang())
    GTEST_SKIP() << "clang-19 not found";
  // `derived` reaches its deepest slot through a copy of r10 moved into
  // another register; `unsized` has no .size, so it ends where `last`
  // begins; `last` calls a function the object does not define.
  writeFile(dir + "/hand.s", R"(	.text
	.globl	derived
	.type	derived,@function
derived:
	r1 = r10
	r1 += -48
	r2 = r1
	*(u64 *)(r2 - 8) = r3
	r0 = *(u32 *)(r10 - 4)
	exit
.Lend_derived:
	.size	derived, .Lend_derived-derived
	.globl	unsized
	.type	unsized,@function
unsized:
	r0 = 1 ll
	exit
	.globl	last
	.type	last,@function
last:
	call external_function
	r0 = 0
	exit
.Lend_last:
	.size	last, .Lend_last-last
)");
  CommandResult r = runCommand({CLANG19_PATH, "-target", "bpf", "-c", dir + "/hand.s", "-o", dir + "/hand.o"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  backend::ObjectAnalysis a = analyze(readFile(dir + "/hand.o"));
  ASSERT_TRUE(a.find("derived") && a.find("unsized") && a.find("last"));
  EXPECT_EQ(a.functions[*a.find("derived")].stackDepth, 56u);
  EXPECT_EQ(a.functions[*a.find("unsized")].slotCount, 3u); // lddw (2) + exit
  EXPECT_EQ(a.functions[*a.find("last")].externalCalls, std::vector<std::string>{"external_function"});
  EXPECT_TRUE(a.functions[*a.find("last")].callees.empty());
}

TEST_F(ObjectAnalysisTest, GlobalDataSections) {
  CapturedDiagnostics diags;
  Compiled compiled = compileForTest(dir, "data.c", R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__u64 counter;
__u32 config = 7;
const volatile __u32 limit = 3;
SEC("xdp") int prog(struct xdp_md *ctx) { counter += config + limit; return XDP_PASS; }
char _license[] SEC("license") = "GPL";
)", {}, diags);
  ASSERT_FALSE(compiled.object.empty()) << diags.json();
  backend::ObjectAnalysis a = analyze(compiled.object);
  std::vector<std::pair<std::string, uint64_t>> sections;
  for (const backend::DataSection &s : a.dataSections)
    sections.emplace_back(s.name, s.size);
  EXPECT_EQ(sections, (std::vector<std::pair<std::string, uint64_t>>{{".data", 4}, {".rodata", 4}, {".bss", 8}}));
}

// The verifier prints each subprogram's stack depth with BPF_LOG_STATS;
// compare with the analysis of the same clang-built object.
TEST_F(ObjectAnalysisTest, StackDepthsMatchTheVerifier) {
  if (!haveClang())
    GTEST_SKIP() << "clang-19 not found";
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) != 1)
    GTEST_SKIP() << "bpf() is not permitted here (cannot load an XDP program)";
  // No bpf_loop here: the verifier adds its own slots to the caller when it
  // inlines bpf_loop, after the stack check.
  std::string source = kCalls;
  source = std::regex_replace(source, std::regex(R"(  bpf_loop\(4, callback, 0, 0\);\n)"), "");
  source = std::regex_replace(source, std::regex(R"(static long callback[^\n]*\n)"), "");
  std::string object = clangObject(dir, "verified", source);
  backend::ObjectAnalysis a = analyze(object);

  bpf_object *loaded = bpf_object__open_file((dir + "/verified.o").c_str(), nullptr);
  ASSERT_TRUE(loaded);
  std::vector<std::string> logs(8, std::string(1 << 16, '\0'));
  size_t n = 0;
  bpf_program *program;
  bpf_object__for_each_program(program, loaded) {
    bpf_program__set_log_level(program, 4); // BPF_LOG_STATS
    bpf_program__set_log_buf(program, logs[n].data(), logs[n].size());
    ++n;
  }
  ASSERT_EQ(bpf_object__load(loaded), 0);
  n = 0;
  bpf_object__for_each_program(program, loaded) {
    std::string log = logs[n++].c_str();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(stack depth ([0-9+]+))"))) << log;
    std::multiset<unsigned> kernel;
    std::string depths = m[1];
    for (size_t at = 0; at < depths.size();) {
      size_t plus = depths.find('+', at);
      kernel.insert(std::stoul(depths.substr(at, plus - at)));
      at = plus == std::string::npos ? depths.size() : plus + 1;
    }
    std::multiset<unsigned> ours;
    for (size_t f : a.reachableFrom(*a.find(bpf_program__name(program))))
      ours.insert(a.functions[f].stackDepth);
    EXPECT_EQ(ours, kernel) << bpf_program__name(program) << ": " << log;
  }
  bpf_object__close(loaded);
}
