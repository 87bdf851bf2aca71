// Unit tests of the loop passes, each run alone: loop-prepare (before
// optimizing), loop-mem-expand, loop-unroll and loop-check (after).
#include "passes/LoopCheck.h"
#include "passes/LoopMemExpand.h"
#include "passes/LoopPrepare.h"
#include "passes/LoopUnroll.h"
#include "tests/passes/PassHarness.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>

#include <gtest/gtest.h>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const char *kHeader = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n";

std::string program(const std::string &body) {
  return std::string(kHeader) + body + "\nchar _license[] SEC(\"license\") = \"GPL\";\n";
}

// A constant-bound loop (line 5) and one bounded only by a constant in its
// condition (line 10).
const std::string kBoundedLoops = program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
  unsigned n = ctx->rx_queue_index;
  for (int i = 0; i < 8; i++)
    h = h * 31 + i;
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char *p = data;
  if ((void *)(p + 16) > end)
    return 0;
  for (unsigned i = 0; i < n && i < 16; i++)
    h = h * 17 + p[i];
  return h & 1;
})");

// A loop that ends only when a computed value says so (line 5).
const std::string kUnboundedLoop = program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 state = ctx->ingress_ifindex;
  while (((state >> 16) & 0xff) != 0)
    state = state * 1103515245 + 12345;
  return state & 1;
})");

bool hasAttribute(llvm::Module &module, const char *name) {
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && f.hasFnAttribute(name))
      return true;
  return false;
}

unsigned memIntrinsics(llvm::Module &module) {
  unsigned count = 0;
  for (llvm::Function &f : module)
    for (llvm::Instruction &i : llvm::instructions(f))
      count += llvm::isa<llvm::MemIntrinsic>(i);
  return count;
}

} // namespace

TEST(LoopPrepare, KeepsVariableLoopsFromBecomingMemset) {
  PassHarness h = PassHarness::fromC(program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  unsigned char buf[64];
  unsigned n = ctx->rx_queue_index & 63;
  for (unsigned i = 0; i < n; i++)
    buf[i] = 0;
  return buf[5];
})"));
  ASSERT_TRUE(h.ok());
  passes::LoopPreparePass prepare;
  EXPECT_TRUE(h.run(prepare));
  EXPECT_TRUE(hasAttribute(h.llvm(), "no-builtin-memset"));
  ASSERT_TRUE(h.optimize());
  EXPECT_EQ(memIntrinsics(h.llvm()), 0u) << "the zeroing loop stays a loop";
  EXPECT_EQ(h.loopCount("prog"), 1u);
}

TEST(LoopPrepare, LeavesModulesWithConstantLoopsAlone) {
  PassHarness h = PassHarness::fromC(kBoundedLoops.substr(0, kBoundedLoops.find("  void *data")) +
                                     "  return h & 1;\n}\nchar _license[] SEC(\"license\") = \"GPL\";\n");
  ASSERT_TRUE(h.ok());
  std::string before = h.printedIr();
  passes::LoopPreparePass prepare;
  EXPECT_TRUE(h.run(prepare));
  EXPECT_EQ(h.printedIr(), before);
}

TEST(LoopPrepare, RejectsNounrollWhereLoopsCannotStay) {
  std::string source = program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
#pragma nounroll
  for (int i = 0; i < 4; i++)
    h = h * 31 + 7;
  return h & 1;
})");
  PassHarness old = PassHarness::fromC(source, "4.19");
  passes::LoopPreparePass prepare;
  EXPECT_FALSE(old.run(prepare));
  auto entries = old.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 6u);
  EXPECT_EQ(entries[0].message, "loop is marked '#pragma nounroll', but kernel 4.19 accepts no loops");

  passes::PipelineOptions always;
  always.unroll = passes::UnrollMode::Always;
  PassHarness recent = PassHarness::fromC(source, "6.1", always);
  EXPECT_TRUE(recent.run(prepare)) << "--unroll=always respects the pragma";
}

TEST(LoopMemExpand, TurnsVariableMemsetIntoMarkedLoop) {
  PassHarness h = PassHarness::fromIr(R"(
define i32 @prog(ptr %ctx, i64 %n) {
  %buf = alloca [64 x i8], align 8
  call void @llvm.memset.p0.i64(ptr %buf, i8 0, i64 %n, i1 false)
  call void @llvm.memset.p0.i64(ptr %buf, i8 1, i64 16, i1 false)
  %v = load i8, ptr %buf
  %r = zext i8 %v to i32
  ret i32 %r
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
)");
  ASSERT_TRUE(h.ok());
  passes::LoopMemExpandPass expand;
  EXPECT_TRUE(h.run(expand));
  EXPECT_EQ(memIntrinsics(h.llvm()), 1u) << "the constant 16-byte memset stays for the backend";
  EXPECT_EQ(h.loopCount("prog"), 1u);
  EXPECT_NE(h.printedIr().find("!{!\"ebpfc.loop.expanded_from\", !\"memset\"}"), std::string::npos);
}

TEST(LoopMemExpand, PredictsWhatTheBackendExpandsInline) {
  // Each call at a boundary of what llc-19 -march=bpf expands inline.
  PassHarness h = PassHarness::fromIr(R"(
define void @f(ptr %dst, ptr %src) {
  call void @llvm.memset.p0.i64(ptr align 1 %dst, i8 0, i64 129, i1 false)
  call void @llvm.memset.p0.i64(ptr align 1 %dst, i8 0, i64 1017, i1 false)
  call void @llvm.memset.p0.i64(ptr align 1 %dst, i8 0, i64 1019, i1 false)
  call void @llvm.memset.p0.i64(ptr align 8 %dst, i8 0, i64 1032, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr align 1 %dst, ptr align 1 %src, i64 1016, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr align 1 %dst, ptr align 1 %src, i64 1025, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %dst, ptr align 16 %src, i64 2048, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %dst, ptr align 16 %src, i64 2064, i1 false)
  call void @llvm.memmove.p0.p0.i64(ptr align 8 %dst, ptr align 8 %src, i64 1024, i1 false)
  call void @llvm.memmove.p0.p0.i64(ptr align 8 %dst, ptr align 8 %src, i64 1032, i1 false)
  ret void
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
)");
  ASSERT_TRUE(h.ok());
  std::vector<bool> inline_;
  for (llvm::Instruction &i : llvm::instructions(*h.llvm().getFunction("f")))
    if (auto *call = llvm::dyn_cast<llvm::MemIntrinsic>(&i))
      inline_.push_back(passes::bpfBackendExpandsInline(*call));
  EXPECT_EQ(inline_, (std::vector<bool>{true, true, false, false, true, false, true, false, true, false}));
}

TEST(LoopUnroll, UnrollsConstantAndConstantBoundedLoopsForOldKernels) {
  PassHarness h = PassHarness::fromC(kBoundedLoops, "4.19");
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h.optimize());
  ASSERT_GE(h.loopCount("prog"), 1u) << "LLVM's heuristics leave the bounded loop";
  passes::LoopUnrollPass unroll;
  EXPECT_TRUE(h.run(unroll));
  EXPECT_EQ(h.loopCount("prog"), 0u);
  EXPECT_TRUE(h.diagnostics().empty());
}

TEST(LoopUnroll, KeepsLoopsWhereTheKernelHasBoundedLoops) {
  PassHarness h = PassHarness::fromC(kBoundedLoops, "6.1");
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h.optimize());
  unsigned before = h.loopCount("prog");
  ASSERT_GE(before, 1u);
  passes::LoopUnrollPass unroll;
  EXPECT_TRUE(h.run(unroll));
  EXPECT_EQ(h.loopCount("prog"), before);

  passes::PipelineOptions always;
  always.unroll = passes::UnrollMode::Always;
  PassHarness forced = PassHarness::fromC(kBoundedLoops, "6.1", always);
  ASSERT_TRUE(forced.optimize());
  EXPECT_TRUE(forced.run(unroll));
  EXPECT_EQ(forced.loopCount("prog"), 0u) << "--unroll=always";
}

TEST(LoopUnroll, LeavesLoopsTooLargeForTheInstructionLimit) {
  PassHarness h = PassHarness::fromC(program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
  for (int i = 0; i < 3000; i++)
    h = h * 31 + (h >> 7);
  return h & 1;
})"),
                                     "4.19");
  ASSERT_TRUE(h.optimize());
  passes::LoopUnrollPass unroll;
  EXPECT_TRUE(h.run(unroll));
  EXPECT_EQ(h.loopCount("prog"), 1u);
}

TEST(LoopCheck, ReportsLoopsAKernelWithoutBoundedLoopsCannotTake) {
  PassHarness h = PassHarness::fromC(kUnboundedLoop, "4.19");
  ASSERT_TRUE(h.optimize());
  passes::LoopCheckPass check;
  EXPECT_FALSE(h.run(check));
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].severity, "error");
  EXPECT_EQ(entries[0].line, 5u);
  EXPECT_EQ(entries[0].column, 3u);
  EXPECT_EQ(entries[0].message, "loop cannot be unrolled: its trip count is not a compile-time constant");
  EXPECT_EQ(entries[0].notes.size(), 2u);
}

TEST(LoopCheck, ReportsUnboundedLoopsAndNeverChangesTheModule) {
  PassHarness h = PassHarness::fromC(kUnboundedLoop, "6.1");
  ASSERT_TRUE(h.optimize());
  std::string before = h.printedIr();
  passes::LoopCheckPass check;
  EXPECT_FALSE(h.run(check));
  EXPECT_EQ(h.printedIr(), before);
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].message, "the verifier cannot prove that this loop ends: its trip count has no constant bound");
}

TEST(LoopCheck, AcceptsBoundedLoopsFromKernel5_3) {
  PassHarness h = PassHarness::fromC(kBoundedLoops, "5.3");
  ASSERT_TRUE(h.optimize());
  ASSERT_GE(h.loopCount("prog"), 1u);
  passes::LoopCheckPass check;
  EXPECT_TRUE(h.run(check));
  EXPECT_TRUE(h.diagnostics().empty());
}

TEST(LoopCheck, NamesTheMemsetAnExpandedLoopCameFrom) {
  // Without loop-prepare, LLVM turns the loop into a memset of n bytes.
  PassHarness h = PassHarness::fromC(program(R"(SEC("xdp") int prog(struct xdp_md *ctx) {
  unsigned char buf[64];
  for (unsigned i = 0; i < ctx->rx_queue_index; i++)
    buf[i] = 0;
  return buf[3];
})"),
                                     "4.19");
  ASSERT_TRUE(h.optimize());
  ASSERT_EQ(memIntrinsics(h.llvm()), 1u);
  passes::LoopMemExpandPass expand;
  passes::LoopCheckPass check;
  EXPECT_TRUE(h.run(expand));
  EXPECT_FALSE(h.run(check));
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 6u) << "the loop's store";
  EXPECT_EQ(entries[0].message, "'memset' cannot be unrolled: its size is not a compile-time constant, and its "
                                "bound of 4294967295 iterations is too large for the 4096-instruction limit of "
                                "kernel 4.19");
}
