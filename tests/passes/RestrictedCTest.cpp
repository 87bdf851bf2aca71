// frontend/c/RestrictedC: each rule with its exact diagnostic, what the
// rules must accept, the exact clang-style text on the command line, and
// no findings on realistic programs (examples/c and the corpus'
// restricted_ok_* programs).
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>
#include <llvm/IR/Module.h>

#include <filesystem>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const std::string kHeader = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n";
const std::string kLicense = "char _license[] SEC(\"license\") = \"GPL\";\n";

// The fix notes, as the rules print them.
const std::string kRecursionFix = "the verifier rejects every cycle of calls; rewrite the recursion as a bounded loop";
const std::string kFloatFix =
    "eBPF has no floating-point registers or instructions; use integer arithmetic, e.g. fixed point scaled by 1000";

class RestrictedCTest : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("restricted"); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // Compiles kHeader + body (line 3 is the body's first line).
  std::vector<CapturedDiagnostics::Entry> diagnose(const std::string &body) {
    CapturedDiagnostics diags;
    last = compileForTest(dir, "prog.c", kHeader + body + kLicense, {}, diags);
    return diags.entries();
  }

  Compiled last;
  std::string dir;
};

std::string describe(const std::vector<CapturedDiagnostics::Entry> &entries) {
  std::string text;
  for (const auto &e : entries) {
    text += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
    for (const std::string &n : e.notes)
      text += "  note: " + n + "\n";
  }
  return text;
}

} // namespace

TEST_F(RestrictedCTest, DirectRecursion) {
  auto d = diagnose(R"(static int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
SEC("xdp") int prog(struct xdp_md *ctx) { return fact(ctx->rx_queue_index) & 1; }
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 3u);
  EXPECT_EQ(d[0].column, 50u);
  EXPECT_EQ(d[0].message, "recursion is not allowed in BPF programs: 'fact' calls itself");
  EXPECT_EQ(d[0].notes, std::vector<std::string>{kRecursionFix});
}

TEST_F(RestrictedCTest, MutualRecursion) {
  auto d = diagnose(R"(static int odd(int n);
static int even(int n) { return n == 0 ? 1 : odd(n - 1); }
static int odd(int n) { return n == 0 ? 0 : even(n - 1); }
SEC("xdp") int prog(struct xdp_md *ctx) { return even(ctx->rx_queue_index); }
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 4u);
  EXPECT_EQ(d[0].message, "recursion is not allowed in BPF programs: even -> odd -> even");
  ASSERT_EQ(d[0].notes.size(), 2u);
  EXPECT_EQ(d[0].notes[0], "'odd' calls 'even' here");
  EXPECT_EQ(d[0].noteLines[0], 5u);
  EXPECT_EQ(d[0].notes[1], kRecursionFix);
}

TEST_F(RestrictedCTest, UnusedFunctionsAreNotChecked) {
  // Not compiled: static and never referenced.
  auto d = diagnose(R"(static int loop_forever(int n) { return loop_forever(n + 1); }
static double scale(double x) { return x * 2.5; }
SEC("xdp") int prog(struct xdp_md *ctx) { return XDP_PASS; }
)");
  EXPECT_TRUE(d.empty()) << describe(d);
}

TEST_F(RestrictedCTest, CallToAFunctionWithoutBody) {
  auto d = diagnose(R"(int lookup_route(__u32 addr);
SEC("xdp") int prog(struct xdp_md *ctx) { return lookup_route(ctx->ingress_ifindex); }
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 4u);
  EXPECT_EQ(d[0].column, 50u);
  EXPECT_EQ(d[0].message, "call to 'lookup_route', which is not defined in this file");
  ASSERT_EQ(d[0].notes.size(), 2u);
  EXPECT_EQ(d[0].notes[0], "'lookup_route' is declared here");
  EXPECT_EQ(d[0].noteLines[0], 3u);
  EXPECT_EQ(d[0].notes[1], "a BPF program can call only functions defined in the same file, BPF helpers, and kernel "
                           "functions declared 'extern ... __ksym'; define 'lookup_route' here (e.g. static "
                           "__always_inline in a header)");
}

TEST_F(RestrictedCTest, LibraryFunctions) {
  auto d = diagnose(R"(unsigned long strlen(const char *);
int abs(int);
SEC("xdp") int prog(struct xdp_md *ctx) {
  const char *name = (const char *)(long)ctx->data;
  return abs((int)ctx->rx_queue_index - 3) + strlen("fixed") + strlen(name);
}
)");
  // abs() is expanded by clang and strlen of a literal is folded; strlen of
  // a run-time string would be a call.
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 7u);
  EXPECT_EQ(d[0].message, "call to 'strlen', which is not defined in this file");
}

TEST_F(RestrictedCTest, HelpersKfuncsAndBuiltinsAreCalls) {
  auto d = diagnose(R"(extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} m SEC(".maps");
SEC("tc") int prog(struct __sk_buff *skb) {
  struct bpf_dynptr p;
  bpf_dynptr_from_skb(skb, 0, &p);
  __u32 key = 0;
  __u64 *v = bpf_map_lookup_elem(&m, &key);
  __u64 now = ((__u64 (*)(void))BPF_FUNC_ktime_get_ns)();
  return (v ? *v : 0) + __builtin_bswap32(skb->mark) + now;
}
)");
  EXPECT_TRUE(d.empty()) << describe(d);
}

TEST_F(RestrictedCTest, CallThroughAFunctionPointer) {
  auto d = diagnose(R"(static int twice(int x) { return 2 * x; }
static int thrice(int x) { return 3 * x; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  int (*op)(int) = ctx->rx_queue_index ? twice : thrice;
  return op(1);
}
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 7u);
  EXPECT_EQ(d[0].column, 10u);
  EXPECT_EQ(d[0].message, "call through a function pointer; eBPF has no indirect calls");
  EXPECT_EQ(d[0].notes, std::vector<std::string>{"call the function directly (e.g. switch over the cases), or "
                                                 "dispatch between programs with bpf_tail_call and a "
                                                 "BPF_MAP_TYPE_PROG_ARRAY"});
}

TEST_F(RestrictedCTest, FloatingPoint) {
  auto d = diagnose(R"(static float half(float x) { return x / 2; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  double ratio = 0.25;
  int folded = (int)(2.5 * 4) + sizeof(double);
  int scaled = ctx->rx_queue_index * 1.5;
  return folded + scaled + (int)half(ratio) + (1.0 > 0.5);
}
)");
  // One finding per line: on line 3 the return type, not also the
  // parameter and the division; the comparison of constants on line 8 is
  // folded by clang.
  ASSERT_EQ(d.size(), 4u) << describe(d);
  EXPECT_EQ(d[0].line, 3u);
  EXPECT_EQ(d[0].message, "function 'half' returns floating-point type 'float', which eBPF does not support");
  EXPECT_EQ(d[1].line, 5u);
  EXPECT_EQ(d[1].column, 10u);
  EXPECT_EQ(d[1].message, "variable 'ratio' has floating-point type 'double', which eBPF does not support");
  EXPECT_EQ(d[2].line, 7u);
  EXPECT_EQ(d[2].column, 36u);
  EXPECT_EQ(d[2].message, "floating-point expression of type 'double' cannot be compiled to eBPF");
  EXPECT_EQ(d[3].line, 8u);
  EXPECT_EQ(d[3].column, 33u);
  EXPECT_EQ(d[3].message, "floating-point expression of type 'float' cannot be compiled to eBPF");
  for (const auto &e : d)
    EXPECT_EQ(e.notes, std::vector<std::string>{kFloatFix});
}

TEST_F(RestrictedCTest, FloatingLiteral) {
  auto d = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  return ctx->rx_queue_index > 0.5;
}
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 4u);
  EXPECT_EQ(d[0].message, "floating-point expression of type 'double' cannot be compiled to eBPF");
  auto literal = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  static const char format[] = "ratio %d";
  return bpf_trace_printk(format, sizeof(format), 0.5);
}
)");
  ASSERT_EQ(literal.size(), 1u) << describe(literal);
  EXPECT_EQ(literal[0].line, 5u);
  EXPECT_EQ(literal[0].column, 51u);
  EXPECT_EQ(literal[0].message, "floating-point literal of type 'double' cannot be compiled to eBPF");
}

TEST_F(RestrictedCTest, VariableLengthArray) {
  auto d = diagnose(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 n = (ctx->rx_queue_index & 15) + 1;
  __u8 buf[n];
  buf[0] = 1;
  return buf[0];
}
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 5u);
  EXPECT_EQ(d[0].column, 8u);
  EXPECT_EQ(d[0].message, "variable-length array 'buf' cannot be compiled to eBPF");
  EXPECT_EQ(d[0].notes, std::vector<std::string>{"a BPF stack frame has a fixed size; give the array its maximum "
                                                 "size as a constant and bound the index"});
}

TEST_F(RestrictedCTest, MemoryFunctionsWithAVariableSize) {
  auto d = diagnose(R"(__attribute__((noinline)) int copy(__u8 *dst, const __u8 *src, __u32 len) {
  __builtin_memcpy(dst, src, len);
  return len;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u8 a[32], b[32];
  const __u32 fixed = 16;
  __u32 also_fixed = fixed * 2;
  __builtin_memset(a, 0, also_fixed);
  __builtin_memcpy(b, a, fixed);
  __builtin_memset(b, 1, ctx->rx_queue_index & 31);
  return copy(a, b, 8) + a[3] + b[4];
}
)");
  ASSERT_EQ(d.size(), 2u) << describe(d);
  EXPECT_EQ(d[0].line, 4u);
  EXPECT_EQ(d[0].column, 30u);
  EXPECT_EQ(d[0].message, "call to '__builtin_memcpy' with a size that is not a compile-time constant");
  ASSERT_EQ(d[0].notes.size(), 2u);
  EXPECT_EQ(d[0].notes[0], "eBPF cannot call '__builtin_memcpy' at run time; the compiler expands it into loads and "
                           "stores, which needs a constant size: use a constant (maximum) size, or a bounded loop");
  EXPECT_EQ(d[0].notes[1],
            "or make 'copy' static __always_inline, so that the size can become constant where it is called");
  EXPECT_EQ(d[1].line, 13u);
  EXPECT_EQ(d[1].column, 26u);
  EXPECT_EQ(d[1].message, "call to '__builtin_memset' with a size that is not a compile-time constant");
  EXPECT_EQ(d[1].notes.size(), 1u) << "a program is never inlined";
}

TEST_F(RestrictedCTest, SizesThatInliningMakesConstantAreLeftToTheIrPasses) {
  auto d = diagnose(R"(static void copy(void *dst, const void *src, __u32 len) { __builtin_memcpy(dst, src, len); }
static __always_inline void fill(void *dst, __u32 len) { __builtin_memset(dst, 0, len); }
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u8 a[16], b[16];
  fill(a, sizeof(a));
  copy(b, a, 12);
  return b[ctx->rx_queue_index & 7];
}
)");
  EXPECT_TRUE(d.empty()) << describe(d);
  EXPECT_FALSE(last.object.empty());
}

TEST_F(RestrictedCTest, MoreThanFiveArgumentsToAGlobalFunction) {
  auto d = diagnose(R"(__attribute__((noinline)) int sum6(int a, int b, int c, int d, int e, int f) {
  return a + b + c + d + e + f;
}
SEC("xdp") int prog(struct xdp_md *ctx) { return sum6(1, 2, 3, 4, 5, ctx->rx_queue_index); }
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 6u);
  EXPECT_EQ(d[0].column, 50u);
  EXPECT_EQ(d[0].message, "call to 'sum6' passes 6 arguments in registers; a BPF-to-BPF call passes at most 5");
  ASSERT_EQ(d[0].notes.size(), 2u);
  EXPECT_EQ(d[0].notes[0], "'sum6' is defined here");
  EXPECT_EQ(d[0].noteLines[0], 3u);
  EXPECT_EQ(d[0].notes[1], "pass the arguments in a struct, by pointer, or make 'sum6' static and not noinline (ebpfc "
                           "inlines static functions with more than 5 parameters)");
}

TEST_F(RestrictedCTest, StructArgumentsCountTheirRegisters) {
  // Two 16-byte structs take two registers each.
  auto d = diagnose(R"(struct pair { __u64 lo, hi; };
static __attribute__((noinline)) int mix(struct pair a, struct pair b, int c, int d) { return a.lo + b.hi + c + d; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  struct pair p = {ctx->rx_queue_index, 2};
  return mix(p, p, 3, 4);
}
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].message, "call to 'mix' passes 6 arguments in registers; a BPF-to-BPF call passes at most 5");
}

TEST_F(RestrictedCTest, GlobalFunctionWithMoreThanFiveParameters) {
  auto d = diagnose(R"(int unused6(int a, int b, int c, int d, int e, int f) { return a ^ b ^ c ^ d ^ e ^ f; }
SEC("xdp") int prog(struct xdp_md *ctx) { return XDP_PASS; }
)");
  ASSERT_EQ(d.size(), 1u) << describe(d);
  EXPECT_EQ(d[0].line, 3u);
  EXPECT_EQ(d[0].column, 5u);
  EXPECT_EQ(d[0].message, "function 'unused6' takes 6 arguments in registers; BPF functions take at most 5");
}

TEST_F(RestrictedCTest, StaticFunctionsWithMoreThanFiveParametersAreInlined) {
  for (const char *level : {"-O2", "-O0"}) {
    CapturedDiagnostics diags;
    CompileSettings settings;
    settings.pipeline.optLevel = std::string(level) == "-O0" ? 0 : 2;
    Compiled compiled = compileForTest(dir, "wide.c", kHeader + R"(static int wide(int a, int b, int c, int d, int e, int f) {
  int s = a * b + c * d + e * f;
  return s * s + (a ^ f);
}
SEC("xdp") int prog(struct xdp_md *ctx) { return wide(1, 2, 3, 4, 5, ctx->rx_queue_index) + wide(6, 5, 4, 3, 2, 1); }
)" + kLicense, settings, diags);
    EXPECT_FALSE(compiled.object.empty()) << level << ": " << diags.json();
    ASSERT_TRUE(compiled.module);
    const llvm::Function *wide = compiled.module->llvm().getFunction("wide");
    EXPECT_TRUE(!wide || wide->use_empty()) << level << ": every call is inlined";
  }
}

TEST_F(RestrictedCTest, TextOutputIsClangs) {
  std::string path = dir + "/recurse.c";
  writeFile(path, kHeader + "static int down(int n) { return n ? down(n - 1) : 0; }\n"
                            "SEC(\"xdp\") int prog(struct xdp_md *ctx) { return down(ctx->rx_queue_index); }\n" +
                      kLicense);
  CommandResult r = runCommand({EBPFC_PATH, "-fno-color-diagnostics", path, "-o", dir + "/out.o"}, dir);
  EXPECT_NE(r.exitCode, 0);
  EXPECT_EQ(r.err, path + ":3:37: error: recursion is not allowed in BPF programs: 'down' calls itself\n"
                   "    3 | static int down(int n) { return n ? down(n - 1) : 0; }\n"
                   "      |                                     ^\n"
                   "note: " + kRecursionFix + "\n"
                   "1 error generated.\n");
}

TEST_F(RestrictedCTest, NoFindingsOnRealisticPrograms) {
  std::vector<std::string> files;
  for (const std::string &folder : {std::string(EBPFC_SOURCE_DIR) + "/examples/c", std::string(CORPUS_DIR)})
    if (std::filesystem::is_directory(folder))
      for (const auto &entry : std::filesystem::directory_iterator(folder)) {
        std::string name = entry.path().filename().string();
        if (entry.path().extension() == ".c" && (folder != CORPUS_DIR || name.starts_with("restricted_ok_")))
          files.push_back(entry.path().string());
      }
  files.push_back(std::string(EBPFC_SOURCE_DIR) + "/tests/compiler/inputs/features.c");
  ASSERT_GE(files.size(), 5u);
  const std::vector<std::string> ruleMessages = {
      "recursion is not allowed",  "which is not defined in this file", "call through a function pointer",
      "floating-point",            "variable-length array",             "with a size that is not a compile-time",
      "arguments in registers"};
  for (const std::string &file : files) {
    CapturedDiagnostics diags;
    compileFileForTest(file, {}, diags);
    for (const auto &e : diags.entries())
      for (const std::string &rule : ruleMessages)
        EXPECT_EQ(e.message.find(rule), std::string::npos) << file << ": " << e.message;
  }
}
