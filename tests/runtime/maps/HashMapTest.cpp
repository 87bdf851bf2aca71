#include "MapTestSupport.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <random>
#include <set>

namespace ebpfc::runtime::test {
namespace {

TEST(HashMap, UpdateFlags) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 4, 8));
  uint32_t key = 5, value = 1;
  EXPECT_EQ(map->userUpdate(&key, &value, kExist), -ENOENT);
  EXPECT_EQ(map->userUpdate(&key, &value, kNoExist), 0);
  EXPECT_EQ(map->userUpdate(&key, &value, kNoExist), -EEXIST);
  value = 2;
  EXPECT_EQ(map->userUpdate(&key, &value, kExist), 0);
  EXPECT_EQ(map->update(&key, &value, 3, 0), -EINVAL);
  uint32_t out = 0;
  ASSERT_EQ(map->userLookup(&key, &out), 0);
  EXPECT_EQ(out, 2u);
  EXPECT_EQ(map->userDelete(&key), 0);
  EXPECT_EQ(map->userDelete(&key), -ENOENT);
  EXPECT_EQ(map->userLookup(&key, &out), -ENOENT);
  EXPECT_EQ(map->lookup(&key, 0), nullptr);
}

TEST(HashMap, FullMapRefusesNewKeysWithE2big) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 4, 3));
  for (uint32_t key = 0; key < 3; ++key) {
    ASSERT_EQ(map->update(&key, &key, kAny, 0), 0);
  }
  uint32_t key = 3;
  EXPECT_EQ(map->update(&key, &key, kAny, 0), -E2BIG);
  EXPECT_EQ(map->userUpdate(&key, &key, kNoExist), -E2BIG);
  EXPECT_EQ(map->userUpdate(&key, &key, kExist), -ENOENT); // flags are checked first
  key = 1;
  uint32_t value = 10;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), 0); // replacing still works
  EXPECT_EQ(map->remove(&key, 0), 0);
  key = 3;
  EXPECT_EQ(map->update(&key, &key, kAny, 0), 0);
}

TEST(HashMap, GetNextKeyVisitsEveryKeyOnceAndRestartsOnUnknownKey) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 4, 1000));
  std::set<uint32_t> inserted;
  for (uint32_t i = 0; i < 500; ++i) {
    uint32_t key = i * 2654435761u;
    ASSERT_EQ(map->userUpdate(&key, &i, kAny), 0);
    inserted.insert(key);
  }
  std::vector<uint32_t> keys = allKeys(*map);
  EXPECT_EQ(keys.size(), inserted.size());
  EXPECT_EQ(std::set<uint32_t>(keys.begin(), keys.end()), inserted);

  uint32_t unknown = 12345, first = 0, next = 0;
  ASSERT_EQ(map->getNextKey(nullptr, &first), 0);
  ASSERT_EQ(map->getNextKey(&unknown, &next), 0);
  EXPECT_EQ(next, first);
  EXPECT_EQ(map->getNextKey(&keys.back(), &next), -ENOENT);

  auto empty = makeMap(makeSpec(MT::Hash, 4, 4, 4));
  EXPECT_EQ(empty->getNextKey(nullptr, &next), -ENOENT);
  EXPECT_EQ(empty->getNextKey(&unknown, &next), -ENOENT);
}

TEST(HashMap, DeletingTheCurrentKeyWhileIteratingVisitsTheRest) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 4, 64));
  for (uint32_t key = 0; key < 64; ++key) {
    ASSERT_EQ(map->userUpdate(&key, &key, kAny), 0);
  }
  // The usual drain loop: fetch the next key, then delete the previous one.
  std::set<uint32_t> seen;
  uint32_t key = 0, next = 0;
  bool havePrevious = false;
  while (map->getNextKey(havePrevious ? &key : nullptr, &next) == 0) {
    EXPECT_TRUE(seen.insert(next).second);
    if (havePrevious) {
      ASSERT_EQ(map->userDelete(&key), 0);
    }
    key = next;
    havePrevious = true;
  }
  EXPECT_EQ(seen.size(), 64u);
}

TEST(HashMap, UpdateRewritesInPlaceAndDeleteDefersReuse) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 8, 4));
  uint32_t key = 1;
  uint64_t value = 11;
  ASSERT_EQ(map->update(&key, &value, kAny, 0), 0);
  auto *held = static_cast<uint64_t *>(map->lookup(&key, 0));
  ASSERT_NE(held, nullptr);
  value = 22;
  ASSERT_EQ(map->update(&key, &value, kAny, 0), 0);
  EXPECT_EQ(*held, 22u);

  // Deleted: still readable and a valid region until quiesce().
  ASSERT_EQ(map->remove(&key, 0), 0);
  MemoryRegion region;
  EXPECT_TRUE(map->findValueRegion(held, 8, region));
  EXPECT_EQ(*held, 22u);
  for (uint32_t other = 10; other < 14; ++other) {
    uint64_t v = 0xDEAD;
    ASSERT_EQ(map->update(&other, &v, kAny, 0), 0);
    EXPECT_NE(map->lookup(&other, 0), held); // the deleted element is not reused yet
  }
  EXPECT_EQ(*held, 22u);
  map->quiesce();
  EXPECT_FALSE(map->findValueRegion(held, 8, region));
}

TEST(HashMap, RandomOperationsMatchAReferenceModel) {
  auto map = makeMap(makeSpec(MT::Hash, 8, 4, 200));
  std::map<uint64_t, uint32_t> model;
  std::mt19937_64 random(7);
  for (int step = 0; step < 20000; ++step) {
    uint64_t key = random() % 300;
    uint32_t value = static_cast<uint32_t>(random());
    switch (random() % 4) {
    case 0:
    case 1: {
      uint64_t flags = random() % 3;
      bool exists = model.count(key);
      long expected = flags == kNoExist && exists ? -EEXIST
                      : flags == kExist && !exists ? -ENOENT
                      : !exists && model.size() >= 200 ? -E2BIG
                                                       : 0;
      ASSERT_EQ(map->update(&key, &value, flags, 0), expected);
      if (expected == 0)
        model[key] = value;
      break;
    }
    case 2:
      ASSERT_EQ(map->remove(&key, 0), model.erase(key) ? 0 : -ENOENT);
      break;
    default: {
      void *p = map->lookup(&key, 0);
      ASSERT_EQ(p != nullptr, model.count(key) == 1);
      if (p) {
        ASSERT_EQ(u32At(p), model[key]);
      }
    }
    }
    if (step % 100 == 0)
      map->quiesce();
  }
  std::map<uint64_t, uint32_t> contents;
  uint64_t key = 0, next = 0;
  const void *cursor = nullptr;
  while (map->getNextKey(cursor, &next) == 0) {
    uint32_t value;
    ASSERT_EQ(map->userLookup(&next, &value), 0);
    ASSERT_TRUE(contents.emplace(next, value).second);
    key = next;
    cursor = &key;
  }
  EXPECT_EQ(contents, model);
}

TEST(HashMap, LookupAndDelete) {
  auto map = makeMap(makeSpec(MT::Hash, 4, 4, 4));
  uint32_t key = 3, value = 30, out = 0;
  EXPECT_EQ(map->userLookupAndDelete(&key, &out), -ENOENT);
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  ASSERT_EQ(map->userLookupAndDelete(&key, &out), 0);
  EXPECT_EQ(out, 30u);
  EXPECT_EQ(map->userLookup(&key, &out), -ENOENT);
}

TEST(PercpuHashMap, TransferLayoutAndPerCpuUpdates) {
  constexpr unsigned kCpus = 4;
  auto map = makeMap(makeSpec(MT::PercpuHash, 4, 12, 8), kCpus);
  ASSERT_EQ(map->userValueSize(), 16u * kCpus);
  uint32_t key = 9;
  uint8_t value[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  // A program creates the element on CPU 2: the other CPUs start zeroed.
  ASSERT_EQ(map->update(&key, value, kAny, 2), 0);
  std::vector<uint8_t> all(map->userValueSize(), 0xEE);
  ASSERT_EQ(map->userLookup(&key, all.data()), 0);
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    for (unsigned i = 0; i < 16; ++i) {
      uint8_t expected = cpu == 2 && i < 12 ? value[i] : 0;
      EXPECT_EQ(all[16 * cpu + i], expected) << "cpu " << cpu << " byte " << i;
    }
  }
  // An update from CPU 1 changes CPU 1's value only.
  uint8_t other[12] = {};
  other[0] = 0x55;
  ASSERT_EQ(map->update(&key, other, kExist, 1), 0);
  EXPECT_EQ(static_cast<uint8_t *>(map->lookup(&key, 1))[0], 0x55);
  EXPECT_EQ(static_cast<uint8_t *>(map->lookup(&key, 2))[0], 1);

  // A user update sets all CPUs from 16-byte strides.
  for (unsigned cpu = 0; cpu < kCpus; ++cpu)
    all[16 * cpu] = static_cast<uint8_t>(0xA0 + cpu);
  ASSERT_EQ(map->userUpdate(&key, all.data(), kAny), 0);
  for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
    EXPECT_EQ(static_cast<uint8_t *>(map->lookup(&key, cpu))[0], 0xA0 + cpu);
  }

  EXPECT_EQ(map->update(&key, value, kAny | kLock, 0), -EINVAL);
  MemoryRegion region;
  auto *cpu3 = static_cast<uint8_t *>(map->lookup(&key, 3));
  ASSERT_TRUE(map->findValueRegion(cpu3 + 4, 8, region));
  EXPECT_EQ(region.begin, cpu3);
  EXPECT_EQ(region.size, 12u);
  EXPECT_FALSE(map->findValueRegion(cpu3 + 12, 1, region)); // padding
}

} // namespace
} // namespace ebpfc::runtime::test
