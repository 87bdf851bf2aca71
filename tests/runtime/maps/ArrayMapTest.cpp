#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

TEST(ArrayMap, ValuesStartZeroedAndCannotBeDeleted) {
  auto map = makeMap(makeSpec(MT::Array, 4, 12, 3));
  uint32_t key = 2;
  uint8_t value[12];
  std::memset(value, 0xFF, sizeof value);
  ASSERT_EQ(map->userLookup(&key, value), 0);
  for (uint8_t byte : value) {
    EXPECT_EQ(byte, 0);
  }
  EXPECT_EQ(map->userDelete(&key), -EINVAL);
  EXPECT_EQ(map->remove(&key, 0), -EINVAL);
  EXPECT_EQ(map->userLookupAndDelete(&key, value), -kENotSupp);
}

TEST(ArrayMap, UpdateFlagsAndIndexBound) {
  auto map = makeMap(makeSpec(MT::Array, 4, 4, 3));
  uint32_t key = 1, value = 9;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), 0);
  EXPECT_EQ(map->userUpdate(&key, &value, kExist), 0);
  EXPECT_EQ(map->userUpdate(&key, &value, kNoExist), -EEXIST); // every element exists
  EXPECT_EQ(map->userUpdate(&key, &value, 3), -EINVAL);
  EXPECT_EQ(map->update(&key, &value, 8, 0), -EINVAL);
  key = 3;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -E2BIG);
  EXPECT_EQ(map->update(&key, &value, kAny, 0), -E2BIG);
  EXPECT_EQ(map->lookup(&key, 0), nullptr);
  EXPECT_EQ(map->userLookup(&key, &value), -ENOENT);
}

TEST(ArrayMap, ProgramPointerSeesUserWrites) {
  auto map = makeMap(makeSpec(MT::Array, 4, 8, 4));
  uint32_t key = 3;
  auto *p = static_cast<uint64_t *>(map->lookup(&key, 0));
  ASSERT_NE(p, nullptr);
  uint64_t value = 0x1122334455667788;
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  EXPECT_EQ(*p, value);
  *p = 42;
  ASSERT_EQ(map->userLookup(&key, &value), 0);
  EXPECT_EQ(value, 42u);
}

TEST(ArrayMap, GetNextKeyWalksEveryIndex) {
  auto map = makeMap(makeSpec(MT::Array, 4, 4, 4));
  EXPECT_EQ(allKeys(*map), (std::vector<uint32_t>{0, 1, 2, 3}));
  uint32_t key = 3, next = 99;
  EXPECT_EQ(map->getNextKey(&key, &next), -ENOENT);
  key = 17; // out of range: restart
  ASSERT_EQ(map->getNextKey(&key, &next), 0);
  EXPECT_EQ(next, 0u);
}

TEST(ArrayMap, FindValueRegion) {
  auto map = makeMap(makeSpec(MT::Array, 4, 6, 4));
  uint32_t key = 2;
  auto *p = static_cast<uint8_t *>(map->lookup(&key, 0));
  MemoryRegion region;
  ASSERT_TRUE(map->findValueRegion(p + 2, 4, region));
  EXPECT_EQ(region.begin, p);
  EXPECT_EQ(region.size, 6u);
  EXPECT_TRUE(region.writable);
  EXPECT_FALSE(map->findValueRegion(p + 2, 5, region)); // past value_size
  EXPECT_FALSE(map->findValueRegion(p + 6, 1, region)); // alignment padding
  EXPECT_FALSE(map->findValueRegion(p - 100, 1, region));
}

TEST(PercpuArrayMap, ProgramsSeeTheirCpuUserSpaceSeesAll) {
  constexpr unsigned kCpus = 3;
  auto map = makeMap(makeSpec(MT::PercpuArray, 4, 4, 2), kCpus);
  EXPECT_TRUE(map->isPerCpu());
  EXPECT_EQ(map->userValueSize(), 8u * kCpus); // each CPU rounded up to 8

  uint32_t key = 1;
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    uint32_t value = 100 + cpu;
    ASSERT_EQ(map->update(&key, &value, kAny, cpu), 0);
  }
  std::vector<uint8_t> all(map->userValueSize(), 0xEE);
  ASSERT_EQ(map->userLookup(&key, all.data()), 0);
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    EXPECT_EQ(u32At(&all[8 * cpu]), 100 + cpu);
    EXPECT_EQ(u32At(&all[8 * cpu + 4]), 0u); // padding of a fresh value is zero
  }

  // A user update writes every CPU's value, taken from 8-byte strides.
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    uint32_t value = 7 * cpu;
    std::memcpy(&all[8 * cpu], &value, 4);
  }
  ASSERT_EQ(map->userUpdate(&key, all.data(), kAny), 0);
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    EXPECT_EQ(u32At(map->lookup(&key, cpu)), 7 * cpu);
  }
  EXPECT_EQ(map->lookup(&key, kCpus), nullptr);

  uint32_t value = 1;
  EXPECT_EQ(map->update(&key, &value, kAny | kLock, 0), -EINVAL); // no spin lock in per-CPU values
}

TEST(PercpuArrayMap, FindValueRegionCoversEachCpuValue) {
  auto map = makeMap(makeSpec(MT::PercpuArray, 4, 4, 2), 2);
  uint32_t key = 1;
  auto *cpu1 = static_cast<uint8_t *>(map->lookup(&key, 1));
  MemoryRegion region;
  ASSERT_TRUE(map->findValueRegion(cpu1, 4, region));
  EXPECT_EQ(region.begin, cpu1);
  EXPECT_FALSE(map->findValueRegion(cpu1 + 2, 4, region));
}

} // namespace
} // namespace ebpfc::runtime::test
