// The storage under the growable maps: stable addresses, deferred reuse,
// address lookups across chunks; and the key index over it.
#include "runtime/maps/ElementPool.h"
#include "runtime/maps/HashIndex.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <set>

namespace ebpfc::runtime::test {
namespace {

TEST(ElementPool, RetiredElementsWaitForReclaim) {
  ElementPool pool({4, 8, 1, 4}, 1000);
  uint32_t a = pool.allocate();
  pool.retire(a);
  std::set<uint32_t> later;
  for (int i = 0; i < 100; ++i)
    later.insert(pool.allocate());
  EXPECT_EQ(later.count(a), 0u);
  pool.reclaimRetired();
  EXPECT_EQ(pool.allocate(), a);
}

TEST(ElementPool, BeyondTheRetiredLimitTheOldestIsReusedFirst) {
  ElementPool pool({4, 8, 1, 4}, 2);
  std::vector<uint32_t> elements;
  for (int i = 0; i < 16; ++i) // exactly one chunk
    elements.push_back(pool.allocate());
  for (uint32_t element : elements)
    pool.retire(element);
  // No free element and more than 2 retired: the oldest retired is reused
  // rather than growing the pool.
  EXPECT_EQ(pool.allocate(), elements[0]);
  EXPECT_EQ(pool.capacity(), 16u);
}

TEST(ElementPool, AllocatedElementsAreZeroed) {
  ElementPool pool({8, 8, 1, 4}, 0);
  uint32_t element = pool.allocate();
  std::memset(pool.value(element), 0xAB, 8);
  pool.retire(element);
  pool.reclaimRetired();
  uint32_t again = pool.allocate();
  ASSERT_EQ(again, element);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(pool.value(again)[i], 0);
  }
}

TEST(ElementPool, FindValueAcrossChunks) {
  // Two per-CPU style values of 12 bytes (stride 16), then an 8-byte key.
  ElementPool pool({12, 16, 2, 8}, 0);
  std::vector<uint32_t> elements;
  for (int i = 0; i < 200; ++i) // several chunks
    elements.push_back(pool.allocate());
  for (uint32_t element : elements) {
    for (unsigned index = 0; index < 2; ++index) {
      uint8_t *value = pool.value(element, index), *begin = nullptr;
      ASSERT_TRUE(pool.findValue(value + 3, 9, begin));
      EXPECT_EQ(begin, value);
      EXPECT_FALSE(pool.findValue(value + 3, 10, begin));
      EXPECT_FALSE(pool.findValue(value + 12, 1, begin)); // padding
    }
    uint8_t *begin = nullptr;
    EXPECT_FALSE(pool.findValue(pool.key(element), 1, begin));
  }
  pool.retire(elements[5]);
  uint8_t *begin = nullptr;
  EXPECT_TRUE(pool.findValue(pool.value(elements[5]), 4, begin)); // retired: still readable
  pool.reclaimRetired();
  EXPECT_FALSE(pool.findValue(pool.value(elements[5]), 4, begin));
  int local = 0;
  EXPECT_FALSE(pool.findValue(&local, 1, begin));
}

TEST(HashIndex, MatchesAReferenceUnderChurn) {
  ElementPool pool({0, 0, 1, 4}, 0);
  HashIndex index(pool, 4);
  std::map<uint32_t, uint32_t> model; // key -> element
  std::mt19937 random(3);
  for (int step = 0; step < 50000; ++step) {
    uint32_t key = random() % 2000;
    auto it = model.find(key);
    if (random() % 2) {
      if (it == model.end()) {
        uint32_t element = pool.allocate();
        std::memcpy(pool.key(element), &key, 4);
        ASSERT_TRUE(index.insert(element));
        model.emplace(key, element);
      }
    } else if (it != model.end()) {
      index.erase(it->second);
      pool.retire(it->second);
      model.erase(it);
    }
    if (step % 1000 == 0)
      pool.reclaimRetired();
    uint32_t probe = random() % 2000;
    auto expected = model.find(probe);
    ASSERT_EQ(index.find(&probe), expected == model.end() ? HashIndex::kNone : expected->second);
  }
  ASSERT_EQ(index.size(), model.size());
  std::set<uint32_t> walked;
  for (uint32_t element = index.first(); element != HashIndex::kNone; element = index.next(element)) {
    uint32_t key;
    std::memcpy(&key, pool.key(element), 4);
    EXPECT_TRUE(walked.insert(key).second);
  }
  EXPECT_EQ(walked.size(), model.size());
}

} // namespace
} // namespace ebpfc::runtime::test
