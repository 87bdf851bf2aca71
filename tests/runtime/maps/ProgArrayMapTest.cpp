#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

TEST(ProgArrayMap, StoresProgramsAndReportsEmptySlots) {
  auto map = makeMap(makeSpec(MT::ProgArray, 4, 4, 4));
  EXPECT_EQ(map->tailCallProgram(0), std::nullopt);
  uint32_t slot = 2, program = 7;
  ASSERT_EQ(map->userUpdate(&slot, &program, kAny), 0);
  EXPECT_EQ(map->tailCallProgram(2), 7u);
  EXPECT_EQ(map->tailCallProgram(1), std::nullopt);
  EXPECT_EQ(map->tailCallProgram(4), std::nullopt);
  EXPECT_EQ(map->tailCallProgram(UINT32_MAX), std::nullopt);

  uint32_t out = 0;
  ASSERT_EQ(map->userLookup(&slot, &out), 0);
  EXPECT_EQ(out, 7u);
  slot = 1;
  EXPECT_EQ(map->userLookup(&slot, &out), -ENOENT);
  EXPECT_EQ(map->userDelete(&slot), -ENOENT);
  slot = 2;
  EXPECT_EQ(map->userDelete(&slot), 0);
  EXPECT_EQ(map->tailCallProgram(2), std::nullopt);
}

TEST(ProgArrayMap, KernelRulesForUpdates) {
  auto map = makeMap(makeSpec(MT::ProgArray, 4, 4, 4));
  uint32_t slot = 0, program = 1;
  EXPECT_EQ(map->userUpdate(&slot, &program, kNoExist), -EINVAL); // only BPF_ANY
  EXPECT_EQ(map->userUpdate(&slot, &program, kExist), -EINVAL);
  slot = 4;
  EXPECT_EQ(map->userUpdate(&slot, &program, kAny), -E2BIG);
  EXPECT_EQ(map->userDelete(&slot), -E2BIG);
  EXPECT_EQ(allKeys(*map), (std::vector<uint32_t>{0, 1, 2, 3}));
  // Programs reach slots through bpf_tail_call only.
  slot = 0;
  EXPECT_EQ(map->lookup(&slot, 0), nullptr);
  EXPECT_EQ(map->update(&slot, &program, kAny, 0), -EOPNOTSUPP);
  MemoryRegion region;
  EXPECT_FALSE(map->findValueRegion(&slot, 4, region));
}

TEST(ProgArrayMap, OtherMapsHaveNoTailCallTargets) {
  auto array = makeMap(makeSpec(MT::Array, 4, 4, 4));
  EXPECT_EQ(array->tailCallProgram(0), std::nullopt);
  EXPECT_EQ(array->redirectTarget(0), std::nullopt);
}

} // namespace
} // namespace ebpfc::runtime::test
