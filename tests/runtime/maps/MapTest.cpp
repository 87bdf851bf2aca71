// The shared part of the map interface: spec validation, IDs, the bpf()
// syscall's access checks, global-data maps, spin-lock copies.
#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

struct SpecCase {
  const char *what;
  MapSpec spec;
  long expected; // 0 or negative errno
};

std::vector<SpecCase> specCases() {
  using namespace mapflags;
  MapSpec withInner = makeSpec(MT::ArrayOfMaps, 4, 4, 2);
  withInner.inner = std::make_shared<MapSpec>(makeSpec(MT::Hash, 4, 4, 8));
  MapSpec progArrayInner = withInner;
  progArrayInner.inner = std::make_shared<MapSpec>(makeSpec(MT::ProgArray, 4, 4, 8));
  MapSpec nested = withInner;
  nested.inner = std::make_shared<MapSpec>(withInner);
  MapSpec badInner = withInner;
  badInner.inner = std::make_shared<MapSpec>(makeSpec(MT::Hash, 0, 4, 8));
  MapSpec tooBigInitial = makeSpec(MT::Array, 4, 4, 1);
  tooBigInitial.initialValue.assign(5, 0);
  MapSpec initialOnHash = makeSpec(MT::Hash, 4, 4, 1);
  initialOnHash.initialValue.assign(4, 0);
  MapSpec lockOutside = makeSpec(MT::Hash, 4, 8, 1);
  lockOutside.spinLockOffset = 6;
  MapSpec lockOnPercpu = makeSpec(MT::PercpuArray, 4, 8, 1);
  lockOnPercpu.spinLockOffset = 0;
  MapSpec numaNode1 = makeSpec(MT::Array, 4, 4, 1, kNumaNode);
  numaNode1.numaNode = 1;
  MapSpec extra = makeSpec(MT::Hash, 4, 4, 1);
  extra.mapExtra = 1;

  return {
      {"array", makeSpec(MT::Array, 4, 4, 4), 0},
      {"array key_size 8", makeSpec(MT::Array, 8, 4, 4), -EINVAL},
      {"array value_size 0", makeSpec(MT::Array, 4, 0, 4), -EINVAL},
      {"array max_entries 0", makeSpec(MT::Array, 4, 4, 0), -EINVAL},
      {"array BPF_F_NO_PREALLOC", makeSpec(MT::Array, 4, 4, 4, kNoPrealloc), -EINVAL},
      {"array BPF_F_PRESERVE_ELEMS", makeSpec(MT::Array, 4, 4, 4, kPreserveElems), -EINVAL},
      {"array BPF_F_MMAPABLE", makeSpec(MT::Array, 4, 4, 4, kMmapable), 0},
      {"array too large to preallocate", makeSpec(MT::Array, 4, 1024, 1u << 31), -ENOMEM},
      {"percpu array BPF_F_MMAPABLE", makeSpec(MT::PercpuArray, 4, 4, 4, kMmapable), -EINVAL},
      {"percpu array value 32769", makeSpec(MT::PercpuArray, 4, 32769, 1), -E2BIG},
      {"percpu array on a NUMA node", makeSpec(MT::PercpuArray, 4, 4, 1, kNumaNode), -EINVAL},
      {"array on NUMA node 0", makeSpec(MT::Array, 4, 4, 1, kNumaNode), 0},
      {"array on NUMA node 1", numaNode1, -EINVAL},
      {"hash", makeSpec(MT::Hash, 16, 8, 100), 0},
      {"hash key 513", makeSpec(MT::Hash, 513, 4, 4), 0},
      {"hash key_size 0", makeSpec(MT::Hash, 0, 4, 4), -EINVAL},
      {"hash BPF_F_NO_COMMON_LRU", makeSpec(MT::Hash, 4, 4, 4, kNoCommonLru), -EINVAL},
      {"hash BPF_F_MMAPABLE", makeSpec(MT::Hash, 4, 4, 4, kMmapable), -EINVAL},
      {"hash RDONLY_PROG|WRONLY_PROG", makeSpec(MT::Hash, 4, 4, 4, kRdOnlyProg | kWrOnlyProg), -EINVAL},
      {"hash RDONLY|WRONLY", makeSpec(MT::Hash, 4, 4, 4, kRdOnly | kWrOnly), -EINVAL},
      {"hash value 4 MiB", makeSpec(MT::Hash, 4, 4u << 20, 4), -E2BIG},
      {"hash max_entries 2^32-1", makeSpec(MT::Hash, 4, 4, UINT32_MAX), -E2BIG},
      {"hash map_extra", extra, -EINVAL},
      {"percpu hash value 32768", makeSpec(MT::PercpuHash, 4, 32768, 4), 0},
      {"lru hash BPF_F_NO_PREALLOC", makeSpec(MT::LruHash, 4, 4, 4, kNoPrealloc), -kENotSupp},
      {"lru percpu hash BPF_F_NO_COMMON_LRU", makeSpec(MT::LruPercpuHash, 4, 4, 5, kNoCommonLru), 0},
      {"lpm trie without BPF_F_NO_PREALLOC", makeSpec(MT::LpmTrie, 8, 4, 4), -EINVAL},
      {"lpm trie key_size 4", makeSpec(MT::LpmTrie, 4, 4, 4, kNoPrealloc), -EINVAL},
      {"lpm trie key_size 261", makeSpec(MT::LpmTrie, 261, 4, 4, kNoPrealloc), -EINVAL},
      {"lpm trie value 4 MiB", makeSpec(MT::LpmTrie, 8, 4u << 20, 4, kNoPrealloc), -EINVAL},
      {"lpm trie", makeSpec(MT::LpmTrie, 20, 4, 4, kNoPrealloc), 0},
      {"queue key_size 4", makeSpec(MT::Queue, 4, 4, 4), -EINVAL},
      {"queue value_size 0", makeSpec(MT::Queue, 0, 0, 4), -EINVAL},
      {"stack BPF_F_NO_PREALLOC", makeSpec(MT::Stack, 0, 4, 4, kNoPrealloc), -EINVAL},
      {"queue value 4 MiB + 1", makeSpec(MT::Queue, 0, (4u << 20) + 1, 1), -E2BIG},
      {"ringbuf 3 pages", makeSpec(MT::Ringbuf, 0, 0, 3 * 4096), -EINVAL},
      {"ringbuf 2048 bytes", makeSpec(MT::Ringbuf, 0, 0, 2048), -EINVAL},
      {"ringbuf RDONLY_PROG", makeSpec(MT::Ringbuf, 0, 0, 4096, kRdOnlyProg), -EINVAL},
      {"ringbuf", makeSpec(MT::Ringbuf, 0, 0, 1u << 16), 0},
      {"devmap value 8", makeSpec(MT::Devmap, 4, 8, 4), 0},
      {"devmap value 12", makeSpec(MT::Devmap, 4, 12, 4), -EINVAL},
      {"devmap hash value 4", makeSpec(MT::DevmapHash, 4, 4, 4), 0},
      {"cpumap 100000 entries", makeSpec(MT::Cpumap, 4, 8, 100000), -E2BIG},
      {"xskmap value 8", makeSpec(MT::Xskmap, 4, 8, 4), -EINVAL},
      {"prog array value 8", makeSpec(MT::ProgArray, 4, 8, 4), -EINVAL},
      {"prog array RDONLY_PROG", makeSpec(MT::ProgArray, 4, 4, 4, kRdOnlyProg), -EINVAL},
      {"perf event array BPF_F_PRESERVE_ELEMS", makeSpec(MT::PerfEventArray, 4, 4, 4, kPreserveElems), 0},
      {"perf event array max_entries 0", makeSpec(MT::PerfEventArray, 4, 4, 0), -EINVAL},
      {"array of maps without inner", makeSpec(MT::ArrayOfMaps, 4, 4, 4), -EINVAL},
      {"array of maps", withInner, 0},
      {"prog array as inner map", progArrayInner, -kENotSupp},
      {"nested map of maps", nested, -EINVAL},
      {"invalid inner template", badInner, -EINVAL},
      {"inner template on a hash", [] {
         MapSpec s = makeSpec(MT::Hash, 4, 4, 4);
         s.inner = std::make_shared<MapSpec>(makeSpec(MT::Hash, 4, 4, 4));
         return s;
       }(), -EINVAL},
      {"initial value larger than value_size", tooBigInitial, -EINVAL},
      {"initial value on a hash", initialOnHash, -EINVAL},
      {"spin lock past the value", lockOutside, -EINVAL},
      {"spin lock in a per-CPU value", lockOnPercpu, -EOPNOTSUPP},
      {"unknown type", [] { MapSpec s = makeSpec(MT::Hash, 4, 4, 4); s.type = 99; return s; }(), -EINVAL},
      {"unimplemented type", makeSpec(MT::Sockmap, 4, 4, 4), -EOPNOTSUPP},
  };
}

TEST(MapSpecCheck, MatchesKernelErrnos) {
  for (const SpecCase &c : specCases()) {
    std::string reason;
    long code = checkMapSpec(c.spec, 2, reason);
    EXPECT_EQ(code, c.expected) << c.what << ": " << reason;
    if (code != 0) {
      EXPECT_FALSE(reason.empty()) << c.what;
    }
    std::string error;
    std::unique_ptr<Map> map = createMap(c.spec, 2, error);
    EXPECT_EQ(map != nullptr, c.expected == 0) << c.what << ": " << error;
  }
}

TEST(MapSpecCheck, ErrorNamesTheErrnoAndTheReason) {
  std::string error;
  EXPECT_EQ(createMap(makeSpec(MT::Array, 8, 4, 4), 1, error), nullptr);
  EXPECT_EQ(error, "EINVAL: key_size must be 4 for an array map");
}

TEST(MapSpecCheck, CpuCountIsBounded) {
  std::string reason;
  EXPECT_EQ(checkMapSpec(makeSpec(MT::Array, 4, 4, 4), 0, reason), -EINVAL);
  EXPECT_EQ(checkMapSpec(makeSpec(MT::Array, 4, 4, 4), kMaxCpus + 1, reason), -EINVAL);
  EXPECT_EQ(checkMapSpec(makeSpec(MT::Array, 4, 4, 4), kMaxCpus, reason), 0);
}

TEST(MapSpecCheck, CreationAdjustsLikeTheKernel) {
  // LRU with per-CPU lists: max_entries rounded up to a multiple of the CPUs.
  auto lru = makeMap(makeSpec(MT::LruPercpuHash, 4, 4, 5, mapflags::kNoCommonLru), 2);
  EXPECT_EQ(lru->spec().maxEntries, 6u);
  // Devmaps become read-only for programs; cpumaps do not.
  auto devmap = makeMap(makeSpec(MT::Devmap, 4, 8, 4));
  EXPECT_EQ(devmap->spec().flags, mapflags::kRdOnlyProg);
  EXPECT_TRUE(devmap->isReadOnlyForProgram());
  auto cpumap = makeMap(makeSpec(MT::Cpumap, 4, 4, 4));
  EXPECT_EQ(cpumap->spec().flags, 0u);
}

TEST(MapRegistry, IdsAreUniqueAndResolveSharedMaps) {
  std::shared_ptr<Map> a = makeMap(makeSpec(MT::Array, 4, 4, 1));
  std::shared_ptr<Map> b = makeMap(makeSpec(MT::Array, 4, 4, 1));
  EXPECT_NE(a->id(), 0u);
  EXPECT_NE(a->id(), b->id());
  EXPECT_EQ(Map::findById(a->id()), a);
  EXPECT_EQ(Map::fromAddress(reinterpret_cast<uint64_t>(b.get())), b.get());
  EXPECT_EQ(Map::fromAddress(reinterpret_cast<uint64_t>(b.get()) + 8), nullptr);

  uint32_t goneId = b->id();
  uint64_t goneAddress = reinterpret_cast<uint64_t>(b.get());
  b.reset();
  EXPECT_EQ(Map::findById(goneId), nullptr);
  EXPECT_EQ(Map::fromAddress(goneAddress), nullptr);

  // A map not owned by a shared_ptr cannot be handed out by ID.
  std::string error;
  std::unique_ptr<Map> unique = createMap(makeSpec(MT::Array, 4, 4, 1), 1, error);
  EXPECT_EQ(Map::findById(unique->id()), nullptr);
}

TEST(MapAccess, ReadOnlyAndWriteOnlyForUserSpace) {
  uint32_t key = 0, value = 7;
  auto readOnly = makeMap(makeSpec(MT::Hash, 4, 4, 4, mapflags::kRdOnly));
  EXPECT_EQ(readOnly->userUpdate(&key, &value, kAny), -EPERM);
  EXPECT_EQ(readOnly->userDelete(&key), -EPERM);
  EXPECT_EQ(readOnly->update(&key, &value, kAny, 0), 0); // programs still write
  EXPECT_EQ(readOnly->userLookup(&key, &value), 0);
  EXPECT_EQ(readOnly->freeze(), -EPERM);

  auto writeOnly = makeMap(makeSpec(MT::Hash, 4, 4, 4, mapflags::kWrOnly));
  EXPECT_EQ(writeOnly->userUpdate(&key, &value, kAny), 0);
  EXPECT_EQ(writeOnly->userLookup(&key, &value), -EPERM);
  EXPECT_EQ(writeOnly->getNextKey(nullptr, &key), -EPERM);
  EXPECT_EQ(writeOnly->userLookupAndDelete(&key, &value), -EPERM);
}

TEST(MapAccess, FreezeStopsUserWritesOnly) {
  auto map = makeMap(makeSpec(MT::Array, 4, 4, 2));
  uint32_t key = 1, value = 5;
  EXPECT_EQ(map->freeze(), 0);
  EXPECT_EQ(map->freeze(), -EBUSY);
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), -EPERM);
  EXPECT_EQ(map->update(&key, &value, kAny, 0), 0);
  uint32_t out = 0;
  EXPECT_EQ(map->userLookup(&key, &out), 0);
  EXPECT_EQ(out, 5u);
}

TEST(MapAccess, ReadOnlyForProgramsRejectsProgramWrites) {
  MapSpec spec = makeSpec(MT::Array, 4, 8, 1);
  spec.readOnlyForProgram = true;
  auto map = makeMap(spec);
  uint32_t key = 0;
  uint64_t value = 1;
  EXPECT_EQ(map->update(&key, &value, kAny, 0), -EPERM);
  EXPECT_EQ(map->userUpdate(&key, &value, kAny), 0);
  void *p = map->lookup(&key, 0);
  ASSERT_NE(p, nullptr);
  MemoryRegion region;
  ASSERT_TRUE(map->findValueRegion(p, 8, region));
  EXPECT_FALSE(region.writable);

  auto flagged = makeMap(makeSpec(MT::Hash, 4, 8, 1, mapflags::kRdOnlyProg));
  EXPECT_TRUE(flagged->isReadOnlyForProgram());
  EXPECT_EQ(flagged->update(&key, &value, kAny, 0), -EPERM);
  EXPECT_EQ(flagged->remove(&key, 0), -EPERM);
}

TEST(MapAccess, BadPointersAndCpusAreErrorsNotCrashes) {
  auto hash = makeMap(makeSpec(MT::Hash, 4, 4, 4), 2);
  uint32_t key = 1, value = 1;
  EXPECT_EQ(hash->lookup(nullptr, 0), nullptr);
  EXPECT_EQ(hash->lookup(&key, 2), nullptr);
  EXPECT_EQ(hash->update(nullptr, &value, kAny, 0), -EFAULT);
  EXPECT_EQ(hash->update(&key, nullptr, kAny, 0), -EFAULT);
  EXPECT_EQ(hash->update(&key, &value, kAny, 5), -EINVAL);
  EXPECT_EQ(hash->remove(nullptr, 0), -EFAULT);
  EXPECT_EQ(hash->userLookup(nullptr, &value), -EFAULT);
  EXPECT_EQ(hash->userLookup(&key, nullptr), -EFAULT);
  EXPECT_EQ(hash->userUpdate(nullptr, &value, kAny), -EFAULT);
  EXPECT_EQ(hash->userDelete(nullptr), -EFAULT);
  EXPECT_EQ(hash->getNextKey(&key, nullptr), -EFAULT);
  EXPECT_EQ(hash->push(&value, kAny), -EOPNOTSUPP);
  EXPECT_EQ(hash->pop(nullptr), -EFAULT);

  // Keyless maps take no key, like bpf() with key_size 0.
  auto queue = makeMap(makeSpec(MT::Queue, 0, 4, 4));
  EXPECT_EQ(queue->userUpdate(&key, &value, kAny), -EINVAL);
  EXPECT_EQ(queue->userUpdate(nullptr, &value, kAny), 0);
}

TEST(GlobalData, InitialValueFillsElementZero) {
  MapSpec spec = makeSpec(MT::Array, 4, 8, 1);
  spec.name = ".data";
  spec.initialValue = {1, 2, 3};
  auto map = makeMap(spec);
  uint32_t key = 0;
  uint8_t out[8];
  ASSERT_EQ(map->userLookup(&key, out), 0);
  const uint8_t expected[8] = {1, 2, 3, 0, 0, 0, 0, 0};
  EXPECT_EQ(std::memcmp(out, expected, 8), 0);
}

TEST(SpinLock, UserCopiesSkipTheLockWord) {
  struct Value {
    uint32_t lock;
    uint32_t counter;
  };
  MapSpec spec = makeSpec(MT::Hash, 4, sizeof(Value), 4);
  spec.spinLockOffset = 0;
  auto map = makeMap(spec);
  uint32_t key = 1;
  Value in{0xAAAAAAAA, 5};
  ASSERT_EQ(map->userUpdate(&key, &in, kAny), 0);
  auto *stored = static_cast<Value *>(map->lookup(&key, 0));
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->lock, 0u); // the lock word is never written by a copy
  EXPECT_EQ(stored->counter, 5u);

  stored->lock = 1; // as if a program holds the lock
  Value out{};
  ASSERT_EQ(map->userLookup(&key, &out), 0);
  EXPECT_EQ(out.lock, 0u); // reads show it as zero
  EXPECT_EQ(out.counter, 5u);

  // BPF_F_LOCK updates in place and needs a lock in the value.
  Value next{0, 6};
  EXPECT_EQ(map->userUpdate(&key, &next, kExist | kLock), 0);
  EXPECT_EQ(stored->counter, 6u);
  auto plain = makeMap(makeSpec(MT::Hash, 4, 8, 4));
  EXPECT_EQ(plain->userUpdate(&key, &next, kAny | kLock), -EINVAL);
  EXPECT_EQ(plain->update(&key, &next, kAny | kLock, 0), -EINVAL);
}

} // namespace
} // namespace ebpfc::runtime::test
