// Unit tests of globals-to-maps run alone after "optimize".
#include "passes/GlobalsToMaps.h"
#include "tests/passes/PassHarness.h"

#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

#include <gtest/gtest.h>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const std::string kGlobals = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__u64 packets;
__u32 threshold = 100;
const __u8 weights[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static __attribute__((noinline)) int over(__u32 len) { return len > threshold; }
SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 len = ctx->data_end - ctx->data;
  packets++;
  threshold += weights[len & 7];
  return over(len) ? XDP_PASS : XDP_DROP;
}
char _license[] SEC("license") = "GPL";
)";

passes::PipelineOptions mapsMode() {
  passes::PipelineOptions options;
  options.globals = passes::GlobalsMode::Maps;
  return options;
}

unsigned globalDataLeft(llvm::Module &module) {
  unsigned count = 0;
  for (llvm::GlobalVariable &g : module.globals())
    if (g.hasInitializer() && !g.hasSection() && !g.getName().starts_with("llvm."))
      ++count;
  return count;
}

} // namespace

TEST(GlobalsToMaps, SectionsModeLeavesLibbpfsConventionAlone) {
  PassHarness h = PassHarness::fromC(kGlobals);
  ASSERT_TRUE(h.optimize());
  std::string before = h.printedIr();
  passes::GlobalsToMapsPass pass;
  EXPECT_TRUE(h.run(pass));
  EXPECT_EQ(h.printedIr(), before);
}

TEST(GlobalsToMaps, EachSectionBecomesAOneEntryMap) {
  PassHarness h = PassHarness::fromC(kGlobals, "6.1", mapsMode());
  ASSERT_TRUE(h.optimize());
  passes::GlobalsToMapsPass pass;
  ASSERT_TRUE(h.run(pass));
  EXPECT_EQ(globalDataLeft(h.llvm()), 0u);

  const ir::MapDef *bss = h.module().findMap("globals_bss");
  ASSERT_TRUE(bss);
  EXPECT_EQ(bss->type, 2u) << "all-zero image: an array map";
  EXPECT_EQ(bss->keySize, 4u);
  EXPECT_EQ(bss->valueSize, 8u);
  EXPECT_EQ(bss->maxEntries, 1u);
  const ir::MapDef *data = h.module().findMap("globals_data");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->type, 1u) << "initial values: a hash map filled on first use";
  ASSERT_TRUE(h.module().findMap("globals_rodata"));
  const ir::MapDef *scratch = h.module().findMap("globals_init");
  ASSERT_TRUE(scratch);
  EXPECT_EQ(scratch->type, 6u);
  EXPECT_EQ(scratch->valueSize, 8u);
  for (const char *name : {"globals_bss", "globals_data", "globals_rodata", "globals_init"}) {
    llvm::GlobalVariable *map = h.llvm().getNamedGlobal(name);
    ASSERT_TRUE(map) << name;
    EXPECT_EQ(map->getSection(), ".maps");
  }
  // count() reads three sections and fills two on first use; over() reads .data.
  EXPECT_EQ(h.helperCalls(1), 3u + 2u * 2u + 1u + 2u);
  EXPECT_EQ(h.helperCalls(2), 2u + 1u) << "BPF_NOEXIST inserts of the initial images";
}

TEST(GlobalsToMaps, ReportsGlobalsAnOldKernelCannotLoad) {
  PassHarness h = PassHarness::fromC(kGlobals, "4.19");
  ASSERT_TRUE(h.optimize());
  passes::GlobalsToMapsPass pass;
  EXPECT_FALSE(h.run(pass));
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 3u);
  std::vector<std::string> messages;
  for (auto &e : entries)
    messages.push_back(e.message);
  EXPECT_NE(std::find(messages.begin(), messages.end(),
                      "global variable 'packets' needs global data (.bss), which kernel 4.19 cannot load (global "
                      "data came in 5.2)"),
            messages.end());
  for (auto &e : entries)
    EXPECT_EQ(e.notes, (std::vector<std::string>{
                           "pass --globals=maps to keep global variables in maps, or --target-kernel=5.2 or later"}));
}

TEST(GlobalsToMaps, RefusesAddressesInInitializers) {
  PassHarness h = PassHarness::fromC(R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__u32 counters[4];
__u32 *volatile current = &counters[1];
SEC("xdp") int count(struct xdp_md *ctx) { (*current)++; return XDP_PASS; }
)",
                                     "6.1", mapsMode());
  ASSERT_TRUE(h.optimize());
  passes::GlobalsToMapsPass pass;
  EXPECT_FALSE(h.run(pass));
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 3u);
  EXPECT_EQ(entries[0].column, 7u);
}
