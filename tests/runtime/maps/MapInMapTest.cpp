#include "MapTestSupport.h"

#include "runtime/maps/MapInMap.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

MapSpec outerSpec(MT outerType, const MapSpec &inner, uint32_t maxEntries = 4) {
  MapSpec outer = makeSpec(outerType, 4, 4, maxEntries);
  outer.inner = std::make_shared<MapSpec>(inner);
  return outer;
}

TEST(ArrayOfMaps, StoresCompatibleInnerMapsById) {
  MapSpec inner = makeSpec(MT::Hash, 4, 8, 16);
  auto outer = makeMap(outerSpec(MT::ArrayOfMaps, inner));
  std::shared_ptr<Map> a = makeMap(inner);
  std::shared_ptr<Map> bigger = makeMap(makeSpec(MT::Hash, 4, 8, 1000)); // hash: max_entries may differ
  uint32_t slot = 1, id = a->id();
  ASSERT_EQ(outer->userUpdate(&slot, &id, kAny), 0);
  uint32_t out = 0;
  ASSERT_EQ(outer->userLookup(&slot, &out), 0);
  EXPECT_EQ(out, a->id());
  EXPECT_EQ(outer->lookup(&slot, 0), a.get()); // programs get the inner map itself
  slot = 2;
  id = bigger->id();
  EXPECT_EQ(outer->userUpdate(&slot, &id, kAny), 0);
  EXPECT_EQ(outer->lookup(&slot, 0), bigger.get());

  slot = 0;
  EXPECT_EQ(outer->lookup(&slot, 0), nullptr);
  EXPECT_EQ(outer->userLookup(&slot, &out), -ENOENT);
  EXPECT_EQ(outer->userDelete(&slot), -ENOENT);
  slot = 4;
  EXPECT_EQ(outer->userUpdate(&slot, &id, kAny), -E2BIG);
  EXPECT_EQ(outer->userDelete(&slot), -E2BIG);
  slot = 1;
  EXPECT_EQ(outer->userUpdate(&slot, &id, kNoExist), -EINVAL); // fd arrays take BPF_ANY only
  id = 0xFFFFFFF0; // no such map
  EXPECT_EQ(outer->userUpdate(&slot, &id, kAny), -EBADF);
  EXPECT_EQ(allKeys(*outer).size(), 4u);
}

TEST(ArrayOfMaps, RefusesIncompatibleInnerMaps) {
  MapSpec inner = makeSpec(MT::Array, 4, 8, 16);
  auto outer = makeMap(outerSpec(MT::ArrayOfMaps, inner));
  auto *mapOfMaps = outer->as<MapOfMaps>();
  ASSERT_NE(mapOfMaps, nullptr);
  uint32_t slot = 0;
  auto check = [&](const MapSpec &spec, long expected, unsigned cpus = 1) {
    std::shared_ptr<Map> candidate = makeMap(spec, cpus);
    EXPECT_EQ(mapOfMaps->setInnerMap(&slot, candidate, kAny), expected);
  };
  check(inner, 0);
  check(makeSpec(MT::Array, 4, 8, 17), -EINVAL);  // a plain array fixes max_entries
  check(makeSpec(MT::Array, 4, 16, 16), -EINVAL); // value_size
  check(makeSpec(MT::Hash, 4, 8, 16), -EINVAL);   // type
  check(makeSpec(MT::Array, 4, 8, 16, mapflags::kRdOnlyProg), -EINVAL); // flags
  check(inner, -EINVAL, 2); // another CPU count
  MapSpec locked = inner;
  locked.spinLockOffset = 0;
  check(locked, -EINVAL); // bpf_spin_lock placement
  EXPECT_EQ(mapOfMaps->setInnerMap(&slot, nullptr, kAny), -EBADF);

  // BPF_F_INNER_MAP lets arrays of any size in.
  MapSpec flexible = makeSpec(MT::Array, 4, 8, 16, mapflags::kInnerMap);
  auto flexibleOuter = makeMap(outerSpec(MT::ArrayOfMaps, flexible));
  std::shared_ptr<Map> large = makeMap(makeSpec(MT::Array, 4, 8, 500, mapflags::kInnerMap));
  EXPECT_EQ(flexibleOuter->as<MapOfMaps>()->setInnerMap(&slot, large, kAny), 0);
}

TEST(ArrayOfMaps, ComparesAgainstTheTemplateAsCreated) {
  // A devmap gains BPF_F_RDONLY_PROG at creation, template and inner alike.
  MapSpec devmap = makeSpec(MT::Devmap, 4, 4, 8);
  auto outer = makeMap(outerSpec(MT::ArrayOfMaps, devmap));
  EXPECT_EQ(outer->as<MapOfMaps>()->innerTemplate().flags, mapflags::kRdOnlyProg);
  std::shared_ptr<Map> inner = makeMap(devmap);
  uint32_t slot = 0;
  EXPECT_EQ(outer->as<MapOfMaps>()->setInnerMap(&slot, inner, kAny), 0);
}

TEST(ArrayOfMaps, ReplacedInnerMapLivesUntilQuiesce) {
  MapSpec inner = makeSpec(MT::Array, 4, 4, 1);
  auto outer = makeMap(outerSpec(MT::ArrayOfMaps, inner));
  std::weak_ptr<Map> watch;
  {
    std::shared_ptr<Map> first = makeMap(inner);
    watch = first;
    uint32_t slot = 0;
    ASSERT_EQ(outer->as<MapOfMaps>()->setInnerMap(&slot, first, kAny), 0);
  }
  EXPECT_FALSE(watch.expired()); // held by the outer map
  uint32_t slot = 0;
  Map *seenByProgram = static_cast<Map *>(outer->lookup(&slot, 0));
  ASSERT_EQ(outer->userDelete(&slot), 0);
  EXPECT_FALSE(watch.expired()); // a program may still use it this run
  EXPECT_EQ(Map::fromAddress(reinterpret_cast<uint64_t>(seenByProgram)), seenByProgram);
  outer->quiesce();
  EXPECT_TRUE(watch.expired());
}

TEST(HashOfMaps, FlagsCapacityAndCompatibility) {
  MapSpec inner = makeSpec(MT::Hash, 4, 4, 8);
  auto outer = makeMap(outerSpec(MT::HashOfMaps, inner, 2));
  std::shared_ptr<Map> a = makeMap(inner), b = makeMap(makeSpec(MT::Hash, 4, 4, 100));
  std::shared_ptr<Map> wrong = makeMap(makeSpec(MT::Array, 4, 4, 8));
  uint32_t key = 10, id = a->id();
  EXPECT_EQ(outer->userUpdate(&key, &id, kExist), -ENOENT);
  ASSERT_EQ(outer->userUpdate(&key, &id, kNoExist), 0);
  EXPECT_EQ(outer->userUpdate(&key, &id, kNoExist), -EEXIST);
  id = b->id();
  EXPECT_EQ(outer->userUpdate(&key, &id, kExist), 0);
  EXPECT_EQ(outer->lookup(&key, 0), b.get());
  key = 11;
  ASSERT_EQ(outer->userUpdate(&key, &id, kAny), 0);
  key = 12;
  EXPECT_EQ(outer->userUpdate(&key, &id, kAny), -E2BIG);
  id = wrong->id();
  EXPECT_EQ(outer->userUpdate(&key, &id, kAny), -EINVAL);
  uint32_t out = 0;
  key = 10;
  ASSERT_EQ(outer->userLookup(&key, &out), 0);
  EXPECT_EQ(out, b->id());
  EXPECT_EQ(allKeys(*outer), (std::vector<uint32_t>{10, 11}));
  ASSERT_EQ(outer->userDelete(&key), 0);
  EXPECT_EQ(outer->userDelete(&key), -ENOENT);
  EXPECT_EQ(outer->lookup(&key, 0), nullptr);
  // The inner map stays alive through the outer's reference until quiesce.
  std::weak_ptr<Map> watch = b;
  key = 11;
  ASSERT_EQ(outer->userDelete(&key), 0);
  b.reset();
  EXPECT_FALSE(watch.expired());
  outer->quiesce();
  EXPECT_TRUE(watch.expired());
}

TEST(MapOfMaps, AsChecksTheFamily) {
  auto array = makeMap(makeSpec(MT::Array, 4, 4, 1));
  EXPECT_EQ(array->as<MapOfMaps>(), nullptr);
}

} // namespace
} // namespace ebpfc::runtime::test
