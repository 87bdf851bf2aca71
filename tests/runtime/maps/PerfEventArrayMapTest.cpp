#include "MapTestSupport.h"

#include "runtime/maps/PerfEventArrayMap.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

TEST(PerfEventArrayMap, CapturesRecordsPerCpuInOrder) {
  auto map = makeMap(makeSpec(MT::PerfEventArray, 4, 4, 2), 2);
  auto *perf = map->as<PerfEventArrayMap>();
  ASSERT_NE(perf, nullptr);
  const uint8_t data[] = {1, 2, 3};
  // No perf event in the slot yet: the kernel answers -ENOENT.
  EXPECT_EQ(perf->output(PerfEventArrayMap::kCurrentCpu, 0, data, 3), -ENOENT);
  for (uint32_t slot = 0; slot < 2; ++slot) {
    uint32_t fd = 100 + slot;
    ASSERT_EQ(map->userUpdate(&slot, &fd, kAny), 0);
  }
  ASSERT_EQ(perf->output(PerfEventArrayMap::kCurrentCpu, 1, data, 3), 0);
  ASSERT_EQ(perf->output(0, 1, data, 1), 0); // explicit index 0
  EXPECT_EQ(perf->output(5, 0, data, 1), -E2BIG);
  EXPECT_EQ(perf->output(1ull << 60, 0, data, 1), -EINVAL);
  std::vector<PerfEventArrayMap::Record> records = perf->takeRecords();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].index, 1u);
  EXPECT_EQ(records[0].data, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(records[1].index, 0u);
  EXPECT_EQ(records[1].data, (std::vector<uint8_t>{1}));
  EXPECT_TRUE(perf->takeRecords().empty());
}

TEST(PerfEventArrayMap, FullBufferLosesRecords) {
  auto map = makeMap(makeSpec(MT::PerfEventArray, 4, 4, 1));
  auto *perf = map->as<PerfEventArrayMap>();
  uint32_t slot = 0, fd = 1;
  ASSERT_EQ(map->userUpdate(&slot, &fd, kAny), 0);
  std::vector<uint8_t> big(PerfEventArrayMap::kSlotCapacity);
  ASSERT_EQ(perf->output(0, 0, big.data(), big.size()), 0);
  EXPECT_EQ(perf->output(0, 0, big.data(), 1), -ENOSPC);
  EXPECT_EQ(perf->lostRecords(), 1u);
  perf->takeRecords();
  EXPECT_EQ(perf->output(0, 0, big.data(), 1), 0);
}

TEST(PerfEventArrayMap, UserViewOfSlots) {
  auto map = makeMap(makeSpec(MT::PerfEventArray, 4, 4, 2));
  uint32_t slot = 0, fd = 7;
  EXPECT_EQ(map->userUpdate(&slot, &fd, kNoExist), -EINVAL);
  EXPECT_EQ(map->userDelete(&slot), -ENOENT);
  ASSERT_EQ(map->userUpdate(&slot, &fd, kAny), 0);
  EXPECT_EQ(map->userLookup(&slot, &fd), -kENotSupp);
  EXPECT_EQ(map->userDelete(&slot), 0);
  slot = 2;
  EXPECT_EQ(map->userUpdate(&slot, &fd, kAny), -E2BIG);
}

} // namespace
} // namespace ebpfc::runtime::test
