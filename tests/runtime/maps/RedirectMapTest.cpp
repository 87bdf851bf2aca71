#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

struct DevmapValue {
  uint32_t ifindex;
  int32_t programFd;
};

TEST(Devmap, StoresDevicesAndResolvesRedirects) {
  auto map = makeMap(makeSpec(MT::Devmap, 4, 8, 4));
  uint32_t key = 1;
  DevmapValue value{7, 3};
  EXPECT_EQ(map->userUpdate(&key, &value, kNoExist), -EEXIST); // every slot exists
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  std::optional<RedirectTarget> target = map->redirectTarget(1);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->kind, RedirectTarget::Kind::Device);
  EXPECT_EQ(target->id, 7u);
  EXPECT_EQ(target->program, 3u);
  EXPECT_EQ(map->redirectTarget(0), std::nullopt);
  EXPECT_EQ(map->redirectTarget(9), std::nullopt);

  auto *seen = static_cast<DevmapValue *>(map->lookup(&key, 0));
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->ifindex, 7u);
  MemoryRegion region;
  ASSERT_TRUE(map->findValueRegion(seen, 8, region));
  EXPECT_FALSE(region.writable); // devmaps are read-only for programs

  DevmapValue out{};
  ASSERT_EQ(map->userLookup(&key, &out), 0);
  EXPECT_EQ(out.programFd, 3);
  key = 0;
  EXPECT_EQ(map->userLookup(&key, &out), -ENOENT);
  key = 4;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -E2BIG);
  EXPECT_EQ(map->userDelete(&key), -EINVAL);
  key = 1;
  EXPECT_EQ(map->userUpdate(&key, &value, 3), -EINVAL);
}

TEST(Devmap, IfindexZeroEmptiesTheSlot) {
  auto map = makeMap(makeSpec(MT::Devmap, 4, 8, 2));
  uint32_t key = 0;
  DevmapValue value{5, 0};
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  DevmapValue none{0, 0};
  ASSERT_EQ(map->userUpdate(&key, &none, kAny), 0);
  EXPECT_EQ(map->redirectTarget(0), std::nullopt);
  DevmapValue programWithoutDevice{0, 4};
  EXPECT_EQ(map->userUpdate(&key, &programWithoutDevice, kAny), -EINVAL);
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  EXPECT_EQ(map->userDelete(&key), 0);
  EXPECT_EQ(map->userDelete(&key), 0); // deleting an empty slot is not an error
  EXPECT_EQ(map->lookup(&key, 0), nullptr);
}

TEST(DevmapHash, KeyedByAnyU32) {
  auto map = makeMap(makeSpec(MT::DevmapHash, 4, 4, 2));
  uint32_t key = 1000, ifindex = 12;
  EXPECT_EQ(map->userUpdate(&key, &ifindex, kExist), 0); // the kernel does not check BPF_EXIST here
  EXPECT_EQ(map->userUpdate(&key, &ifindex, kNoExist), -EEXIST);
  uint32_t zero = 0;
  EXPECT_EQ(map->userUpdate(&key, &zero, kAny), -EINVAL);
  key = 2000;
  ASSERT_EQ(map->userUpdate(&key, &ifindex, kAny), 0);
  key = 3000;
  EXPECT_EQ(map->userUpdate(&key, &ifindex, kAny), -E2BIG);
  ASSERT_TRUE(map->redirectTarget(1000));
  EXPECT_EQ(map->redirectTarget(1000)->id, 12u);
  EXPECT_EQ(map->redirectTarget(3000), std::nullopt);
  EXPECT_EQ(allKeys(*map), (std::vector<uint32_t>{1000, 2000}));
  EXPECT_EQ(map->userDelete(&key), -ENOENT);
  key = 1000;
  void *held = map->lookup(&key, 0);
  ASSERT_EQ(map->userDelete(&key), 0);
  MemoryRegion region;
  EXPECT_TRUE(map->findValueRegion(held, 4, region));
  map->quiesce();
  EXPECT_FALSE(map->findValueRegion(held, 4, region));
}

TEST(Cpumap, QueueSizesOnVirtualCpus) {
  auto map = makeMap(makeSpec(MT::Cpumap, 4, 8, 8), 2);
  struct {
    uint32_t qsize;
    int32_t programFd;
  } value{192, 0};
  uint32_t key = 1;
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0);
  ASSERT_TRUE(map->redirectTarget(1));
  EXPECT_EQ(map->redirectTarget(1)->kind, RedirectTarget::Kind::Cpu);
  EXPECT_EQ(map->redirectTarget(1)->queueSize, 192u);
  key = 3; // a valid index, but the runtime has 2 CPUs
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -ENODEV);
  key = 8;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -E2BIG);
  key = 0;
  value.qsize = 20000;
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -EOVERFLOW);
  EXPECT_EQ(map->userUpdate(&key, &value, kNoExist), -EEXIST);
  value.qsize = 0;
  key = 1;
  ASSERT_EQ(map->userUpdate(&key, &value, kAny), 0); // qsize 0 empties the slot
  EXPECT_EQ(map->redirectTarget(1), std::nullopt);
}

TEST(Xskmap, SocketsAreStoredButNotReadBack) {
  auto map = makeMap(makeSpec(MT::Xskmap, 4, 4, 4));
  uint32_t key = 2, fd = 33;
  EXPECT_EQ(map->userUpdate(&key, &fd, kExist), -ENOENT);
  ASSERT_EQ(map->userUpdate(&key, &fd, kNoExist), 0);
  EXPECT_EQ(map->userUpdate(&key, &fd, kNoExist), -EEXIST);
  ASSERT_TRUE(map->redirectTarget(2));
  EXPECT_EQ(map->redirectTarget(2)->kind, RedirectTarget::Kind::XskSocket);
  EXPECT_EQ(map->redirectTarget(2)->id, 33u);
  uint32_t out;
  EXPECT_EQ(map->userLookup(&key, &out), -EOPNOTSUPP);
  EXPECT_NE(map->lookup(&key, 0), nullptr);
  EXPECT_EQ(map->userDelete(&key), 0);
  EXPECT_EQ(map->redirectTarget(2), std::nullopt);
}

} // namespace
} // namespace ebpfc::runtime::test
