// Legacy "maps" sections (libbpf's struct bpf_map_def, iproute2's struct
// bpf_elf_map), from clang and from bpf-gcc, with and without BTF.
#include "ElfTestSupport.h"

#include "ir/MapType.h"
#include "runtime/loader/Loader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace ebpfc::runtime {
namespace {

using test::objectPath;
using test::readObjectBytes;

constexpr uint8_t kLdImm64 = 0x18, kCall = 0x85;

class LegacyMapDefTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LegacyMapDefTest, MapsGlobalDataProgramsAndVersion) {
  std::string name = "legacy_map_def." + GetParam() + ".o";
  if (readObjectBytes(name).empty())
    GTEST_SKIP() << name << " was not built (bpf-gcc missing)";
  auto image = loadObjectFile(objectPath(name));
  ASSERT_TRUE(image) << image.error().message;

  auto spec = [&](const std::string &map) -> const MapSpec & {
    int index = image->findMap(map);
    if (index < 0)
      throw std::runtime_error("no map " + map);
    return image->maps[index];
  };
  EXPECT_EQ(spec("packets").type, static_cast<uint32_t>(ir::MapType::Array));
  EXPECT_EQ(spec("packets").keySize, 4u);
  EXPECT_EQ(spec("packets").valueSize, 8u);
  EXPECT_EQ(spec("packets").maxEntries, 16u);
  EXPECT_EQ(spec("flows").type, static_cast<uint32_t>(ir::MapType::Hash));
  EXPECT_EQ(spec("flows").keySize, 8u);
  EXPECT_EQ(spec("flows").valueSize, 16u);
  EXPECT_EQ(spec("flows").maxEntries, 1024u);
  EXPECT_EQ(spec("flows").flags, 1u);
  EXPECT_EQ(image->license, "GPL");
  EXPECT_EQ(image->kernelVersion, 0x050a00u);

  const ProgramImage *count = image->findProgram("count_packets");
  const ProgramImage *match = image->findProgram("match_flows");
  ASSERT_NE(count, nullptr);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(count->type, ir::ProgramType::Xdp);
  EXPECT_EQ(match->type, ir::ProgramType::SocketFilter);
  ASSERT_EQ(count->functions.size(), 2u);
  EXPECT_EQ(count->functions[1].name, "bump");

  // Map references name the right map, global-data references the right
  // variable: gcc 12 writes the variable's section offset into ld_imm64
  // while clang writes only the addend, and both must give the same result.
  std::set<std::string> referencedMaps;
  std::set<uint32_t> dataValues;
  for (const ProgramImage &program : image->programs) {
    for (uint32_t pc = 0; pc + 1 < program.insns.size(); ++pc) {
      const Insn &insn = program.insns[pc];
      if (insn.opcode == kCall && insn.src == op::kCallLocal) {
        EXPECT_EQ(pc + insn.imm + 1, program.functions[1].insn);
      }
      if (insn.opcode != kLdImm64)
        continue;
      const MapSpec &map = image->maps.at(insn.imm);
      if (insn.src == op::kPseudoMapIdx)
        referencedMaps.insert(map.name);
      if (insn.src == op::kPseudoMapIdxValue && map.name == ".data") {
        uint32_t value;
        uint32_t offset = static_cast<uint32_t>(program.insns[pc + 1].imm);
        ASSERT_LE(offset + 4, map.initialValue.size());
        std::memcpy(&value, map.initialValue.data() + offset, 4);
        dataValues.insert(value);
      }
    }
  }
  EXPECT_EQ(referencedMaps, (std::set<std::string>{"packets", "flows"}));
  EXPECT_EQ(dataValues, (std::set<uint32_t>{1u, 0x55667788u}));
}

INSTANTIATE_TEST_SUITE_P(Compilers, LegacyMapDefTest, ::testing::Values("clang", "gcc", "gccbtf"));

class ElfMapTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ElfMapTest, IdsPinningMapInMapAndTailCallSections) {
  std::string name = "legacy_elf_map." + GetParam() + ".o";
  if (readObjectBytes(name).empty())
    GTEST_SKIP() << name << " was not built (bpf-gcc missing)";
  auto image = loadObjectFile(objectPath(name));
  ASSERT_TRUE(image) << image.error().message;
  int jmp = image->findMap("jmp_tc"), inner = image->findMap("map_inner"),
      outer = image->findMap("map_outer");
  ASSERT_GE(jmp, 0);
  ASSERT_GE(inner, 0);
  ASSERT_GE(outer, 0);
  EXPECT_EQ(image->maps[jmp].type, static_cast<uint32_t>(ir::MapType::ProgArray));
  EXPECT_EQ(image->maps[jmp].pinning, 2u); // iproute2's PIN_GLOBAL_NS
  EXPECT_EQ(image->maps[jmp].maxEntries, 4u);
  ASSERT_NE(image->maps[outer].inner, nullptr);
  EXPECT_EQ(image->maps[outer].inner->name, "map_inner");
  EXPECT_EQ(image->maps[outer].inner->maxEntries, 1u);

  ASSERT_EQ(image->mapInMapInits.size(), 1u);
  EXPECT_EQ(image->mapInMapInits[0].outer, static_cast<uint32_t>(outer));
  EXPECT_EQ(image->mapInMapInits[0].slot, 3u);
  EXPECT_EQ(image->mapInMapInits[0].inner, static_cast<uint32_t>(inner));

  std::set<std::pair<uint32_t, std::string>> slots;
  for (const ProgArrayInit &init : image->progArrayInits) {
    EXPECT_EQ(init.map, static_cast<uint32_t>(jmp));
    slots.emplace(init.slot, image->programs[init.program].name);
  }
  EXPECT_EQ(slots, (std::set<std::pair<uint32_t, std::string>>{{0, "tail_zero"}, {2, "tail_two"}}));
  EXPECT_EQ(image->findProgram("cls_main")->type, ir::ProgramType::SchedCls);
  EXPECT_EQ(image->findProgram("1/0")->name, "tail_zero");
}

INSTANTIATE_TEST_SUITE_P(Compilers, ElfMapTest, ::testing::Values("clang", "gcc", "gccbtf"));

TEST(LegacyMaps, ExtendedBpfMapDefWithInnerMapIndexAndNumaNode) {
  auto image = loadObjectFile(objectPath("legacy_map_def_ext.clang.o"));
  ASSERT_TRUE(image) << image.error().message;
  int outer = image->findMap("outer");
  ASSERT_GE(outer, 0);
  const MapSpec &spec = image->maps[outer];
  EXPECT_EQ(spec.type, static_cast<uint32_t>(ir::MapType::HashOfMaps));
  EXPECT_EQ(spec.flags, 4u);
  EXPECT_EQ(spec.numaNode, 1u);
  EXPECT_EQ(spec.maxEntries, 16u);
  ASSERT_NE(spec.inner, nullptr);
  EXPECT_EQ(spec.inner->name, "inner_template");
  EXPECT_EQ(spec.inner->maxEntries, 8u);
  EXPECT_TRUE(image->mapInMapInits.empty());
}

TEST(LegacyMaps, ForcedLayoutReadsTheEntriesThatWay) {
  LoadOptions options;
  options.legacyMapLayout = LegacyMapLayout::BpfElfMap;
  auto image = loadObjectFile(objectPath("legacy_map_def.clang.o"), options);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->maps[image->findMap("flows")].maxEntries, 1024u);

  // bpf_map_def knows 7 fields at most (samples/bpf's); iproute2's 9-field
  // entries then carry unknown non-zero bytes.
  options.legacyMapLayout = LegacyMapLayout::BpfMapDef;
  auto misread = loadObjectFile(objectPath("legacy_elf_map.clang.o"), options);
  ASSERT_FALSE(misread);
  EXPECT_NE(misread.error().message.find("map 'jmp_tc' has non-zero bytes at offset 32 of its "
                                         "36-byte definition"),
            std::string::npos)
      << misread.error().message;
}

} // namespace
} // namespace ebpfc::runtime
