#include "MapTestSupport.h"

#include "runtime/maps/RingBufMap.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

RingBufMap &ringOf(const std::shared_ptr<Map> &map) {
  auto *ring = map->as<RingBufMap>();
  EXPECT_NE(ring, nullptr);
  return *ring;
}

std::vector<uint8_t> bytes(std::initializer_list<uint8_t> list) { return list; }

TEST(RingBufMap, RecordsComeOutInOrder) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  const uint8_t first[] = {1, 2, 3};
  ASSERT_EQ(ring.output(first, 3, 0), 0);
  auto *second = static_cast<uint8_t *>(ring.reserve(2, 0));
  ASSERT_NE(second, nullptr);
  second[0] = 9;
  second[1] = 8;
  ASSERT_EQ(ring.submit(second, 0), 0);
  std::vector<RingBufMap::Record> records = ring.consume();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].data, bytes({1, 2, 3}));
  EXPECT_EQ(records[0].position, 0u);
  EXPECT_EQ(records[1].data, bytes({9, 8}));
  EXPECT_EQ(records[1].position, 16u); // 8-byte header + 3 bytes, rounded to 8
  EXPECT_TRUE(ring.consume().empty());
}

TEST(RingBufMap, HeaderAccountingAndPositions) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  EXPECT_EQ(ring.query(RingBufMap::kRingSize), 4096u);
  uint8_t data[20] = {};
  ASSERT_EQ(ring.output(data, 20, 0), 0);
  EXPECT_EQ(ring.query(RingBufMap::kProducerPos), 32u); // 8 + 20 -> 32
  EXPECT_EQ(ring.query(RingBufMap::kAvailData), 32u);
  ASSERT_EQ(ring.output(data, 0, 0), 0); // an empty record still takes its header
  EXPECT_EQ(ring.query(RingBufMap::kProducerPos), 40u);
  ring.consume();
  EXPECT_EQ(ring.query(RingBufMap::kConsumerPos), 40u);
  EXPECT_EQ(ring.query(RingBufMap::kAvailData), 0u);
  EXPECT_EQ(ring.query(99), 0u);
}

TEST(RingBufMap, FullRingFailsUntilConsumed) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  uint8_t data[4096] = {};
  // The producer may run at most size - 1 bytes ahead: 4088 bytes of
  // records (header included) fit, 4096 do not.
  EXPECT_EQ(ring.reserve(4096 - 8, 0), nullptr);
  EXPECT_EQ(ring.output(data, 4096 - 8, 0), -EAGAIN);
  ASSERT_EQ(ring.output(data, 4088 - 8, 0), 0);
  EXPECT_EQ(ring.output(data, 0, 0), -EAGAIN);
  EXPECT_EQ(ring.reserve(1, 0), nullptr);
  ASSERT_EQ(ring.consume().size(), 1u);
  EXPECT_EQ(ring.output(data, 100, 0), 0);
}

TEST(RingBufMap, DiscardedRecordsAreSkippedAndReservedOnesBlock) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  void *a = ring.reserve(4, 0);
  void *b = ring.reserve(4, 0);
  void *c = ring.reserve(4, 0);
  ASSERT_TRUE(a && b && c);
  static_cast<uint8_t *>(c)[0] = 3;
  ASSERT_EQ(ring.submit(c, 0), 0);
  EXPECT_TRUE(ring.consume().empty()); // `a` is still reserved
  ASSERT_EQ(ring.discard(a, 0), 0);
  EXPECT_TRUE(ring.consume().empty()); // now `b` blocks
  static_cast<uint8_t *>(b)[0] = 2;
  ASSERT_EQ(ring.submit(b, 0), 0);
  std::vector<RingBufMap::Record> records = ring.consume();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].data[0], 2);
  EXPECT_EQ(records[1].data[0], 3);
  EXPECT_EQ(ring.query(RingBufMap::kAvailData), 0u); // the discarded space is free too
}

TEST(RingBufMap, MisuseIsReportedNotFatal) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  EXPECT_EQ(ring.reserve(8, 1), nullptr); // reserve flags must be 0
  uint8_t local[8];
  EXPECT_EQ(ring.submit(local, 0), -EINVAL);
  void *sample = ring.reserve(8, 0);
  ASSERT_EQ(ring.submit(sample, 0), 0);
  EXPECT_EQ(ring.discard(sample, 0), -EINVAL); // already committed
  EXPECT_EQ(ring.output(local, 8, 4), -EINVAL);
  EXPECT_EQ(ring.output(local, 8, 1 | 2), 0); // wake-up hints are accepted
}

TEST(RingBufMap, ReservationsAreWritableRegionsUntilCommitted) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  auto *sample = static_cast<uint8_t *>(ring.reserve(24, 0));
  MemoryRegion region;
  ASSERT_TRUE(map->findValueRegion(sample + 16, 8, region));
  EXPECT_EQ(region.begin, sample);
  EXPECT_EQ(region.size, 24u);
  EXPECT_TRUE(region.writable);
  EXPECT_FALSE(map->findValueRegion(sample + 16, 9, region));
  ASSERT_EQ(ring.submit(sample, 0), 0);
  EXPECT_FALSE(map->findValueRegion(sample, 1, region));
}

TEST(RingBufMap, QuiesceDiscardsAbandonedReservations) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  RingBufMap &ring = ringOf(map);
  ASSERT_NE(ring.reserve(8, 0), nullptr);
  uint8_t data[1] = {5};
  ASSERT_EQ(ring.output(data, 1, 0), 0);
  EXPECT_TRUE(ring.consume().empty());
  map->quiesce();
  std::vector<RingBufMap::Record> records = ring.consume();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].data, bytes({5}));
}

TEST(RingBufMap, NoKeyValueOperations) {
  auto map = makeMap(makeSpec(MT::Ringbuf, 0, 0, 4096));
  uint32_t value = 0;
  EXPECT_EQ(map->userLookup(nullptr, &value), -kENotSupp);
  EXPECT_EQ(map->userUpdate(nullptr, &value, kAny), -kENotSupp);
  EXPECT_EQ(map->userDelete(nullptr), -kENotSupp);
  EXPECT_EQ(map->getNextKey(nullptr, &value), -kENotSupp);
  EXPECT_EQ(map->lookup(nullptr, 0), nullptr);
}

} // namespace
} // namespace ebpfc::runtime::test
