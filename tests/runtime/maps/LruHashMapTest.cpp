#include "MapTestSupport.h"

#include <algorithm>
#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

bool contains(Map &map, uint32_t key) {
  uint32_t value;
  return map.userLookup(&key, &value) == 0;
}

TEST(LruHashMap, EvictsTheLeastRecentlyUsedInsteadOfE2big) {
  auto map = makeMap(makeSpec(MT::LruHash, 4, 4, 3));
  for (uint32_t key = 1; key <= 3; ++key) {
    ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  }
  uint32_t key = 4;
  ASSERT_EQ(map->update(&key, &key, kAny, 0), 0); // evicts 1, the oldest
  EXPECT_FALSE(contains(*map, 1));
  EXPECT_TRUE(contains(*map, 2) && contains(*map, 3) && contains(*map, 4));
  key = 5;
  ASSERT_EQ(map->update(&key, &key, kNoExist, 0), 0); // evicts 2
  EXPECT_FALSE(contains(*map, 2));
  EXPECT_EQ(allKeys(*map).size(), 3u);
}

TEST(LruHashMap, ProgramLookupsAndUpdatesMarkUseUserLookupsDoNot) {
  auto map = makeMap(makeSpec(MT::LruHash, 4, 4, 3));
  for (uint32_t key = 1; key <= 3; ++key) {
    ASSERT_EQ(map->userUpdate(&key, &key, kAny), 0);
  }
  uint32_t key = 1;
  ASSERT_NE(map->lookup(&key, 0), nullptr); // 1 is now the most recent
  key = 2;
  uint32_t value;
  ASSERT_EQ(map->userLookup(&key, &value), 0); // does not count
  key = 4;
  ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  EXPECT_TRUE(contains(*map, 1));
  EXPECT_FALSE(contains(*map, 2));

  key = 3;
  ASSERT_EQ(map->userUpdate(&key, &key, kExist), 0); // updates count, from user space too
  key = 5;
  ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  EXPECT_FALSE(contains(*map, 1)); // 1 became the oldest again
  EXPECT_TRUE(contains(*map, 3));
}

TEST(LruHashMap, EvictionOrderOverManyInsertions) {
  constexpr uint32_t kMax = 16;
  auto map = makeMap(makeSpec(MT::LruHash, 4, 4, kMax));
  for (uint32_t key = 0; key < 100; ++key) {
    ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
    // Keep key 0 hot: it must survive every eviction.
    uint32_t hot = 0;
    ASSERT_NE(map->lookup(&hot, 0), nullptr);
  }
  std::vector<uint32_t> keys = allKeys(*map);
  std::sort(keys.begin(), keys.end());
  std::vector<uint32_t> expected{0};
  for (uint32_t key = 100 - (kMax - 1); key < 100; ++key)
    expected.push_back(key);
  EXPECT_EQ(keys, expected);
}

TEST(LruHashMap, EvictedElementStaysReadableUntilQuiesce) {
  auto map = makeMap(makeSpec(MT::LruHash, 4, 8, 1));
  uint32_t key = 1;
  uint64_t value = 77;
  ASSERT_EQ(map->update(&key, &value, kAny, 0), 0);
  auto *held = static_cast<uint64_t *>(map->lookup(&key, 0));
  key = 2;
  ASSERT_EQ(map->update(&key, &value, kAny, 0), 0); // evicts key 1
  MemoryRegion region;
  EXPECT_TRUE(map->findValueRegion(held, 8, region));
  EXPECT_EQ(*held, 77u);
  map->quiesce();
  EXPECT_FALSE(map->findValueRegion(held, 8, region));
}

TEST(LruHashMap, FlagsStillApply) {
  auto map = makeMap(makeSpec(MT::LruHash, 4, 4, 2));
  uint32_t key = 1;
  EXPECT_EQ(map->update(&key, &key, kExist, 0), -ENOENT);
  ASSERT_EQ(map->update(&key, &key, kNoExist, 0), 0);
  EXPECT_EQ(map->update(&key, &key, kNoExist, 0), -EEXIST);
  EXPECT_EQ(map->update(&key, &key, kAny | kLock, 0), -EINVAL);
}

TEST(LruHashMap, NoCommonLruKeepsOneListPerCpu) {
  // 4 entries over 2 CPUs: each CPU's list holds 2.
  auto map = makeMap(makeSpec(MT::LruHash, 4, 4, 4, mapflags::kNoCommonLru), 2);
  uint32_t key;
  for (key = 10; key < 12; ++key) {
    ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  }
  for (key = 20; key < 22; ++key) {
    ASSERT_EQ(map->update(&key, &key, kAny, 1), 0);
  }
  key = 12; // CPU 0's list is full: evicts 10, not CPU 1's older elements
  ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  EXPECT_FALSE(contains(*map, 10));
  EXPECT_TRUE(contains(*map, 11) && contains(*map, 20) && contains(*map, 21) && contains(*map, 12));
}

TEST(LruPercpuHashMap, PerCpuValuesWithEviction) {
  auto map = makeMap(makeSpec(MT::LruPercpuHash, 4, 4, 2), 2);
  uint32_t key = 1, value = 5;
  ASSERT_EQ(map->update(&key, &value, kAny, 1), 0);
  std::vector<uint8_t> all(map->userValueSize());
  ASSERT_EQ(map->userLookup(&key, all.data()), 0);
  EXPECT_EQ(u32At(&all[0]), 0u);
  EXPECT_EQ(u32At(&all[8]), 5u);
  value = 6;
  ASSERT_EQ(map->update(&key, &value, kExist, 0), 0);
  EXPECT_EQ(u32At(map->lookup(&key, 0)), 6u);
  EXPECT_EQ(u32At(map->lookup(&key, 1)), 5u);
  for (key = 2; key <= 3; ++key) {
    ASSERT_EQ(map->update(&key, &value, kAny, 0), 0);
  }
  key = 1;
  EXPECT_EQ(map->lookup(&key, 0), nullptr);
}

} // namespace
} // namespace ebpfc::runtime::test
