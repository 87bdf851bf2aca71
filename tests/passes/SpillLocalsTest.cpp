// passes/SpillLocals on its own: which locals move, the scratch map it
// defines, the layout of functions that can be active together, the null
// path, and that the result verifies and passes the stack check.
#include "passes/SpillLocals.h"
#include "passes/StackCheck.h"
#include "tests/passes/CheckHarness.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <filesystem>
#include <map>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

// An offset into the scratch value that a function addresses.
struct Slot {
  uint64_t offset;
};

// Offset 0 is the lookup's result itself; other offsets are GEPs on it.
std::vector<Slot> scratchSlots(const llvm::Function &function) {
  std::vector<Slot> slots;
  for (const llvm::BasicBlock &block : function)
    for (const llvm::Instruction &instruction : block) {
      // The lookup in the scratch map (value names are not kept).
      auto *lookup = llvm::dyn_cast<llvm::CallInst>(&instruction);
      if (!lookup || lookup->arg_size() != 2 || lookup->getArgOperand(0)->getName() != "ebpfc_spill")
        continue;
      for (const llvm::User *user : lookup->users()) {
        if (auto *gep = llvm::dyn_cast<llvm::GetElementPtrInst>(user))
          slots.push_back({llvm::cast<llvm::ConstantInt>(gep->getOperand(1))->getZExtValue()});
        else if (!llvm::isa<llvm::ICmpInst>(user))
          slots.push_back({0});
      }
    }
  std::sort(slots.begin(), slots.end(), [](const Slot &a, const Slot &b) { return a.offset < b.offset; });
  slots.erase(std::unique(slots.begin(), slots.end(), [](const Slot &a, const Slot &b) { return a.offset == b.offset; }),
              slots.end());
  return slots;
}

uint64_t largestAlloca(const llvm::Function &function) {
  uint64_t largest = 0;
  for (const llvm::Instruction &instruction : function.getEntryBlock())
    if (auto *alloca = llvm::dyn_cast<llvm::AllocaInst>(&instruction))
      largest = std::max<uint64_t>(largest,
                                   alloca->getAllocationSize(function.getParent()->getDataLayout())->getFixedValue());
  return largest;
}

class SpillLocalsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = makeTempDir("spill");
    settings.pipeline.spillThreshold = 64;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  Compiled compile(const std::string &source) {
    Compiled compiled = compileForTest(dir, "prog.c", source, settings, diags);
    EXPECT_TRUE(compiled.module) << diags.json();
    EXPECT_EQ(compiled.object.empty(), !settings.generateObject) << diags.json();
    if (compiled.module) {
      std::string problems;
      llvm::raw_string_ostream stream(problems);
      EXPECT_FALSE(llvm::verifyModule(compiled.module->llvm(), &stream)) << problems;
    }
    return compiled;
  }

  CompileSettings settings;
  CapturedDiagnostics diags;
  std::string dir;
};

const char *kTwoLevels = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __attribute__((noinline)) int left(int x) {
  volatile char l[100];
  l[x & 63] = 1;
  return l[2];
}
static __attribute__((noinline)) int right(int x) {
  volatile char r[80];
  r[x & 63] = 2;
  return r[3];
}
SEC("xdp") int top(struct xdp_md *ctx) {
  volatile char buf[600];
  volatile char keep[32];
  buf[ctx->rx_queue_index % 600] = 1;
  keep[ctx->ingress_ifindex & 31] = 2;
  return left(buf[4]) + right(buf[5]) + keep[1];
}
SEC("tc") int other(struct __sk_buff *skb) {
  volatile char o[200];
  o[skb->len & 127] = 1;
  return o[7] + left(o[8]);
}
char _license[] SEC("license") = "GPL";
)";

} // namespace

TEST_F(SpillLocalsTest, MovesLargeLocalsAndDefinesTheMap) {
  Compiled compiled = compile(kTwoLevels);
  ASSERT_TRUE(compiled.module);
  llvm::Module &module = compiled.module->llvm();
  // Locals under the threshold stay.
  EXPECT_EQ(largestAlloca(*module.getFunction("top")), 32u);
  EXPECT_LT(largestAlloca(*module.getFunction("left")), 64u);

  const ir::MapDef *map = compiled.module->findMap("ebpfc_spill");
  ASSERT_TRUE(map);
  EXPECT_EQ(map->type, 6u); // BPF_MAP_TYPE_PERCPU_ARRAY
  EXPECT_EQ(map->keySize, 4u);
  EXPECT_EQ(map->maxEntries, 1u);
  llvm::GlobalVariable *global = module.getNamedGlobal("ebpfc_spill");
  ASSERT_TRUE(global);
  EXPECT_EQ(global->getSection(), ".maps");
  llvm::SmallVector<llvm::DIGlobalVariableExpression *, 1> debug;
  global->getDebugInfo(debug);
  EXPECT_EQ(debug.size(), 1u) << "BTF needs the definition's debug info";

  // The program now fits.
  passes::StackCheck stack;
  EXPECT_TRUE(runCheck(stack, compiled, settings, diags)) << diags.json();
}

TEST_F(SpillLocalsTest, FunctionsActiveTogetherDoNotOverlap) {
  settings.generateObject = false;
  Compiled compiled = compile(kTwoLevels);
  ASSERT_TRUE(compiled.module);
  llvm::Module &module = compiled.module->llvm();
  std::map<std::string, std::pair<uint64_t, uint64_t>> ranges; // function -> [begin, end)
  std::map<std::string, uint64_t> sizes = {{"top", 600}, {"left", 100}, {"right", 80}, {"other", 200}};
  for (const auto &[name, size] : sizes) {
    std::vector<Slot> slots = scratchSlots(*module.getFunction(name));
    ASSERT_EQ(slots.size(), 1u) << name;
    EXPECT_EQ(slots[0].offset % 8, 0u);
    ranges[name] = {slots[0].offset, slots[0].offset + size};
  }
  auto overlap = [&](const std::string &a, const std::string &b) {
    return ranges[a].first < ranges[b].second && ranges[b].first < ranges[a].second;
  };
  EXPECT_FALSE(overlap("top", "left"));   // caller and callee
  EXPECT_FALSE(overlap("top", "right"));
  EXPECT_FALSE(overlap("other", "left")); // caller and callee
  EXPECT_FALSE(overlap("top", "other"));  // different programs may nest
  EXPECT_FALSE(overlap("left", "right")) << "left is also used by 'other', which right is not";
  uint64_t end = 0;
  for (const auto &[name, range] : ranges)
    end = std::max(end, range.second);
  EXPECT_EQ(compiled.module->findMap("ebpfc_spill")->valueSize, (end + 7) / 8 * 8);
}

TEST_F(SpillLocalsTest, SiblingsOfOneProgramShareSpace) {
  settings.generateObject = false;
  Compiled compiled = compile(R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __attribute__((noinline)) int first(int x) {
  volatile char a[128];
  a[x & 63] = 1;
  return a[2];
}
static __attribute__((noinline)) int second(int x) {
  volatile char b[128];
  b[x & 63] = 2;
  return b[3];
}
SEC("xdp") int caller(struct xdp_md *ctx) { return first(ctx->rx_queue_index) + second(ctx->ingress_ifindex); }
char _license[] SEC("license") = "GPL";
)");
  ASSERT_TRUE(compiled.module);
  llvm::Module &module = compiled.module->llvm();
  ASSERT_EQ(scratchSlots(*module.getFunction("first")).size(), 1u);
  EXPECT_EQ(scratchSlots(*module.getFunction("first"))[0].offset, scratchSlots(*module.getFunction("second"))[0].offset);
  EXPECT_EQ(compiled.module->findMap("ebpfc_spill")->valueSize, 128u);
}

TEST_F(SpillLocalsTest, NullPathReturnsZero) {
  settings.generateObject = false;
  Compiled compiled = compile(kTwoLevels);
  ASSERT_TRUE(compiled.module);
  for (const char *name : {"top", "left"}) {
    const llvm::Function &function = *compiled.module->llvm().getFunction(name);
    auto *branch = llvm::dyn_cast<llvm::BranchInst>(function.getEntryBlock().getTerminator());
    ASSERT_TRUE(branch && branch->isConditional()) << name;
    auto *compare = llvm::dyn_cast<llvm::ICmpInst>(branch->getCondition());
    ASSERT_TRUE(compare && compare->getPredicate() == llvm::ICmpInst::ICMP_EQ) << name;
    EXPECT_TRUE(llvm::isa<llvm::ConstantPointerNull>(compare->getOperand(1)));
    auto *ret = llvm::dyn_cast<llvm::ReturnInst>(branch->getSuccessor(0)->getTerminator());
    ASSERT_TRUE(ret) << name;
    auto *value = llvm::dyn_cast<llvm::ConstantInt>(ret->getReturnValue());
    ASSERT_TRUE(value) << name;
    EXPECT_TRUE(value->isZero());
    // Every alloca stays in the entry block, so none becomes dynamic.
    for (const llvm::BasicBlock &block : function)
      for (const llvm::Instruction &instruction : block) {
        if (llvm::isa<llvm::AllocaInst>(instruction)) {
          EXPECT_EQ(&block, &function.getEntryBlock()) << name;
        }
      }
  }
}

TEST_F(SpillLocalsTest, LocalsHoldingPointersStay) {
  settings.generateObject = false;
  Compiled compiled = compile(R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct cursors {
  void *at[12];
};
SEC("xdp") int pointers(struct xdp_md *ctx) {
  volatile struct cursors c;
  volatile char bytes[96];
  for (int i = 0; i < 12; i++)
    c.at[i] = (void *)(long)ctx->data;
  bytes[ctx->rx_queue_index & 63] = 1;
  return c.at[ctx->ingress_ifindex % 12] != 0 ? bytes[3] : 0;
}
char _license[] SEC("license") = "GPL";
)");
  ASSERT_TRUE(compiled.module);
  const llvm::Function &function = *compiled.module->llvm().getFunction("pointers");
  EXPECT_EQ(largestAlloca(function), 96u) << "the array of pointers stays on the stack";
  std::vector<Slot> slots = scratchSlots(function);
  ASSERT_EQ(slots.size(), 1u) << "only the byte buffer moves";
  EXPECT_EQ(compiled.module->findMap("ebpfc_spill")->valueSize, 96u);
}

TEST_F(SpillLocalsTest, ThresholdOption) {
  settings.pipeline.spillThreshold = 150;
  settings.generateObject = false;
  Compiled compiled = compile(kTwoLevels);
  ASSERT_TRUE(compiled.module);
  llvm::Module &module = compiled.module->llvm();
  EXPECT_EQ(scratchSlots(*module.getFunction("top")).size(), 1u);
  EXPECT_EQ(scratchSlots(*module.getFunction("other")).size(), 1u);
  EXPECT_TRUE(scratchSlots(*module.getFunction("left")).empty());
  EXPECT_TRUE(scratchSlots(*module.getFunction("right")).empty());
}

TEST_F(SpillLocalsTest, OffDoesNothing) {
  settings.pipeline.spillThreshold.reset();
  CapturedDiagnostics quiet;
  Compiled compiled = compileForTest(dir, "prog.c", kTwoLevels, settings, quiet);
  ASSERT_TRUE(compiled.module);
  EXPECT_FALSE(compiled.module->findMap("ebpfc_spill"));
  EXPECT_FALSE(compiled.module->llvm().getNamedGlobal("ebpfc_spill"));
}

TEST_F(SpillLocalsTest, MapNameAvoidsUserGlobals) {
  Compiled compiled = compile(R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__u32 ebpfc_spill;
SEC("xdp") int named(struct xdp_md *ctx) {
  volatile char buf[100];
  buf[ctx->rx_queue_index & 63] = 1;
  return buf[2] + ebpfc_spill;
}
char _license[] SEC("license") = "GPL";
)");
  ASSERT_TRUE(compiled.module);
  EXPECT_TRUE(compiled.module->findMap("ebpfc_spill_1"));
}
