// Unit tests of map-format run alone after "optimize".
#include "passes/MapFormat.h"
#include "tests/passes/PassHarness.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

#include <gtest/gtest.h>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const std::string kMaps = R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} seen SEC(".maps");
SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 key = ctx->ingress_ifindex;
  __u64 one = 1;
  bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
  bpf_printk("seen %u", key);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
)";

passes::PipelineOptions format(passes::MapFormat mapFormat) {
  passes::PipelineOptions options;
  options.mapFormat = mapFormat;
  return options;
}

std::vector<uint64_t> fieldsOf(llvm::GlobalVariable &definition) {
  std::vector<uint64_t> fields;
  auto *init = llvm::cast<llvm::ConstantStruct>(definition.getInitializer());
  for (unsigned i = 0; i < init->getNumOperands(); ++i)
    fields.push_back(llvm::cast<llvm::ConstantInt>(init->getOperand(i))->getZExtValue());
  return fields;
}

bool hasRodataString(llvm::Module &module) {
  for (llvm::GlobalVariable &g : module.globals())
    if (g.isConstant() && !g.hasSection() && g.hasInitializer())
      return true;
  return false;
}

} // namespace

TEST(MapFormat, BtfChangesNothing) {
  PassHarness h = PassHarness::fromC(kMaps);
  ASSERT_TRUE(h.optimize());
  std::string before = h.printedIr();
  passes::MapFormatPass pass;
  EXPECT_TRUE(h.run(pass));
  EXPECT_EQ(h.printedIr(), before);
  EXPECT_TRUE(hasRodataString(h.llvm())) << "the printk format stays in .rodata";
}

TEST(MapFormat, Iproute2WritesBpfElfMapAndPinsGlobally) {
  PassHarness h = PassHarness::fromC(kMaps, "6.1", format(passes::MapFormat::Iproute2));
  ASSERT_TRUE(h.optimize());
  passes::MapFormatPass pass;
  ASSERT_TRUE(h.run(pass));
  llvm::GlobalVariable *seen = h.llvm().getNamedGlobal("seen");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->getSection(), "maps");
  EXPECT_EQ(seen->getValueType()->getStructName(), "struct.bpf_elf_map");
  // type, size_key, size_value, max_elem, flags, id, pinning (PIN_GLOBAL_NS), inner_id, inner_idx
  EXPECT_EQ(fieldsOf(*seen), (std::vector<uint64_t>{1, 4, 8, 64, 0, 0, 2, 0, 0}));
  EXPECT_FALSE(hasRodataString(h.llvm())) << "the printk format is built on the stack";
  EXPECT_NE(h.printedIr().find("alloca [8 x i8]"), std::string::npos);
}

TEST(MapFormat, LegacyWritesBpfMapDefButCannotPin) {
  PassHarness h = PassHarness::fromC(kMaps, "6.1", format(passes::MapFormat::Legacy));
  ASSERT_TRUE(h.optimize());
  passes::MapFormatPass pass;
  EXPECT_FALSE(h.run(pass));
  auto entries = h.diagnostics();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 9u);
  EXPECT_EQ(entries[0].message, "map 'seen' is pinned, but libbpf's struct bpf_map_def has no pinning field");

  std::string unpinned = kMaps;
  unpinned.erase(unpinned.find("  __uint(pinning"), std::string("  __uint(pinning, LIBBPF_PIN_BY_NAME);\n").size());
  PassHarness ok = PassHarness::fromC(unpinned, "6.1", format(passes::MapFormat::Legacy));
  ASSERT_TRUE(ok.optimize());
  ASSERT_TRUE(ok.run(pass));
  llvm::GlobalVariable *seen = ok.llvm().getNamedGlobal("seen");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->getSection(), "maps");
  EXPECT_EQ(fieldsOf(*seen), (std::vector<uint64_t>{1, 4, 8, 64, 0}));
}

TEST(MapFormat, OldKernelsGetPrintkFormatsOnTheStack) {
  PassHarness h = PassHarness::fromC(kMaps, "4.19");
  ASSERT_TRUE(h.optimize());
  passes::MapFormatPass pass;
  ASSERT_TRUE(h.run(pass));
  EXPECT_FALSE(hasRodataString(h.llvm()));
  EXPECT_EQ(h.llvm().getNamedGlobal("seen")->getSection(), ".maps") << "BTF maps stay";
}
