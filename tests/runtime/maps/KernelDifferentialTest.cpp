// The kernel as an oracle: the same maps are created through bpf() (libbpf)
// and in the runtime, the same random operations are applied to both, and
// every return code, every value read and the final contents must agree.
// Skipped, with the reason, where bpf() is not permitted.
#include "MapTestSupport.h"

#include "runtime/maps/MapInMap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <sstream>

namespace ebpfc::runtime::test {
namespace {

// Why bpf() cannot be used here, probed once; nullopt when it can.
const std::optional<std::string> &kernelUnavailable() {
  static const std::optional<std::string> reason = []() -> std::optional<std::string> {
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, nullptr);
    if (fd < 0)
      return std::string("bpf(BPF_MAP_CREATE) refused: ") + std::strerror(-fd);
    close(fd);
    return std::nullopt;
  }();
  return reason;
}

#define REQUIRE_KERNEL()                                                                                   \
  do {                                                                                                     \
    if (kernelUnavailable())                                                                               \
      GTEST_SKIP() << *kernelUnavailable();                                                                \
  } while (0)

unsigned kernelCpus() { return static_cast<unsigned>(libbpf_num_possible_cpus()); }

class KernelMap {
public:
  explicit KernelMap(const MapSpec &spec, int innerFd = -1) {
    LIBBPF_OPTS(bpf_map_create_opts, options, .inner_map_fd = static_cast<__u32>(innerFd < 0 ? 0 : innerFd),
                .map_flags = spec.flags, .numa_node = spec.numaNode);
    fd_ = bpf_map_create(static_cast<bpf_map_type>(spec.type), "ebpfc_test", spec.keySize, spec.valueSize,
                         spec.maxEntries, &options);
  }
  ~KernelMap() {
    if (fd_ >= 0)
      close(fd_);
  }
  KernelMap(const KernelMap &) = delete;
  KernelMap &operator=(const KernelMap &) = delete;
  // The fd, or the negative errno creation failed with.
  int fd() const { return fd_; }

private:
  int fd_;
};

using Bytes = std::vector<uint8_t>;

std::string hex(const Bytes &bytes) {
  std::ostringstream out;
  for (uint8_t byte : bytes)
    out << "0123456789abcdef"[byte >> 4] << "0123456789abcdef"[byte & 15];
  return out.str();
}

// One map, twice: in the kernel and in the runtime.
class Twin {
public:
  Twin(const MapSpec &spec, unsigned numCpus)
      : spec_(spec), kernel_(spec), runtime_(makeMap(spec, numCpus)),
        valueBytes_(runtime_ ? runtime_->userValueSize() : 0) {
    EXPECT_GE(kernel_.fd(), 0) << "kernel refused the map: " << std::strerror(-kernel_.fd());
  }
  bool ready() const { return kernel_.fd() >= 0 && runtime_; }
  size_t valueBytes() const { return valueBytes_; }
  Map &runtime() { return *runtime_; }

  void update(const Bytes &key, const Bytes &value, uint64_t flags, const std::string &step) {
    long expected = bpf_map_update_elem(kernel_.fd(), keyArg(key), value.data(), flags);
    EXPECT_EQ(runtime_->userUpdate(keyArg(key), value.data(), flags), expected)
        << step << " update " << hex(key) << " flags " << flags;
  }
  void remove(const Bytes &key, const std::string &step) {
    long expected = bpf_map_delete_elem(kernel_.fd(), keyArg(key));
    EXPECT_EQ(runtime_->userDelete(keyArg(key)), expected) << step << " delete " << hex(key);
  }
  void lookup(const Bytes &key, const std::string &step) {
    Bytes fromKernel(valueBytes_), fromRuntime(valueBytes_);
    long expected = bpf_map_lookup_elem(kernel_.fd(), keyArg(key), fromKernel.data());
    EXPECT_EQ(runtime_->userLookup(keyArg(key), fromRuntime.data()), expected) << step << " lookup " << hex(key);
    if (expected == 0) {
      EXPECT_EQ(hex(fromRuntime), hex(fromKernel)) << step << " lookup " << hex(key);
    }
  }
  void lookupAndDelete(const Bytes &key, const std::string &step) {
    Bytes fromKernel(valueBytes_), fromRuntime(valueBytes_);
    long expected = bpf_map_lookup_and_delete_elem(kernel_.fd(), keyArg(key), fromKernel.data());
    EXPECT_EQ(runtime_->userLookupAndDelete(keyArg(key), fromRuntime.data()), expected)
        << step << " lookup_and_delete " << hex(key);
    if (expected == 0) {
      EXPECT_EQ(hex(fromRuntime), hex(fromKernel)) << step << " lookup_and_delete " << hex(key);
    }
  }
  // Return codes agree whenever iteration order cannot matter: asking for
  // the first key, or with a key that is not in the map.
  void nextKey(const Bytes &key, bool compareKeys, const std::string &step) {
    Bytes fromKernel(spec_.keySize), fromRuntime(spec_.keySize);
    long expected = bpf_map_get_next_key(kernel_.fd(), keyArg(key), fromKernel.data());
    long actual = runtime_->getNextKey(keyArg(key), fromRuntime.data());
    Bytes ignored(valueBytes_);
    bool present = !key.empty() && runtime_->userLookup(key.data(), ignored.data()) == 0;
    if (compareKeys || !present) {
      EXPECT_EQ(actual, expected) << step << " get_next_key " << hex(key);
    }
    if (compareKeys && expected == 0) {
      EXPECT_EQ(hex(fromRuntime), hex(fromKernel)) << step << " get_next_key " << hex(key);
    }
  }

  // Keys in iteration order with their values, empty where a slot is
  // (for an LPM trie, a key's lookup finds that very prefix: it is the
  // longest one covering itself).
  std::vector<std::pair<Bytes, Bytes>> kernelContents() const {
    std::vector<std::pair<Bytes, Bytes>> contents;
    Bytes key(spec_.keySize), next(spec_.keySize);
    const void *cursor = nullptr;
    while (bpf_map_get_next_key(kernel_.fd(), cursor, next.data()) == 0 && contents.size() <= spec_.maxEntries) {
      Bytes value(valueBytes_);
      if (bpf_map_lookup_elem(kernel_.fd(), next.data(), value.data()) != 0)
        value.clear(); // an empty slot of a devmap or cpumap
      contents.emplace_back(next, value);
      key = next;
      cursor = key.data();
    }
    return contents;
  }
  std::vector<std::pair<Bytes, Bytes>> runtimeContents() const {
    std::vector<std::pair<Bytes, Bytes>> contents;
    Bytes key(spec_.keySize), next(spec_.keySize);
    const void *cursor = nullptr;
    while (runtime_->getNextKey(cursor, next.data()) == 0 && contents.size() <= spec_.maxEntries) {
      Bytes value(valueBytes_);
      if (runtime_->userLookup(next.data(), value.data()) != 0)
        value.clear();
      contents.emplace_back(next, value);
      key = next;
      cursor = key.data();
    }
    return contents;
  }

private:
  const void *keyArg(const Bytes &key) const { return key.empty() ? nullptr : key.data(); }

  MapSpec spec_;
  KernelMap kernel_;
  std::shared_ptr<Map> runtime_;
  size_t valueBytes_;
};

// Contents as hex strings, key to value, for order-independent comparison.
std::map<std::string, std::string> asMap(const std::vector<std::pair<Bytes, Bytes>> &contents) {
  std::map<std::string, std::string> map;
  for (const auto &[key, value] : contents)
    map.emplace(hex(key), hex(value));
  return map;
}

struct KeyValueCase {
  const char *name;
  MapSpec spec;
  // Draws a key for this map (some outside the valid range).
  Bytes (*randomKey)(std::mt19937 &);
  bool orderedLikeKernel; // getNextKey order is the kernel's (arrays, LPM)
  // Draws a value of `size` bytes; random bytes when null.
  Bytes (*randomValue)(std::mt19937 &, size_t size) = nullptr;
};

Bytes randomBytes(std::mt19937 &random, size_t size) {
  Bytes bytes(size);
  for (uint8_t &byte : bytes)
    byte = static_cast<uint8_t>(random());
  return bytes;
}

Bytes smallU32Key(std::mt19937 &random) {
  uint32_t key = random() % 24; // hash maps below hold 16: some keys find it full
  Bytes bytes(4);
  std::memcpy(bytes.data(), &key, 4);
  return bytes;
}

Bytes wideKey(std::mt19937 &random) {
  Bytes bytes(12, 0);
  bytes[random() % 12] = static_cast<uint8_t>(random() % 3);
  bytes[random() % 12] = static_cast<uint8_t>(random() % 3);
  return bytes;
}

Bytes arrayIndex(std::mt19937 &random) {
  uint32_t index = random() % 10; // the arrays below have 8 entries
  Bytes bytes(4);
  std::memcpy(bytes.data(), &index, 4);
  return bytes;
}

// struct { u32 prefixlen; u8 data[2]; }: few distinct prefixes, lengths
// 0..16 and sometimes an invalid 17.
Bytes lpmKey(std::mt19937 &random) {
  uint32_t prefixLen = random() % 18;
  Bytes bytes(6);
  std::memcpy(bytes.data(), &prefixLen, 4);
  bytes[4] = static_cast<uint8_t>(0xA0 | (random() % 4) << 2);
  bytes[5] = static_cast<uint8_t>(random() % 2 ? 0x00 : 0xF0);
  return bytes;
}

// A devmap value: ifindex 1 (the loopback device, present in every network
// namespace) or 0, which empties the slot.
Bytes devmapValue(std::mt19937 &random, size_t size) {
  Bytes bytes(size, 0);
  bytes[0] = static_cast<uint8_t>(random() % 2);
  return bytes;
}

// A cpumap qsize: 0 (empty the slot), a valid size, or one over the limit.
Bytes cpumapValue(std::mt19937 &random, size_t size) {
  static const uint32_t sizes[] = {0, 64, 20000};
  Bytes bytes(size, 0);
  std::memcpy(bytes.data(), &sizes[random() % 3], 4);
  return bytes;
}

Bytes cpuIndex(std::mt19937 &random) {
  uint32_t index = random() % 6; // cpumaps below have 4 entries; the machine may have fewer CPUs
  Bytes bytes(4);
  std::memcpy(bytes.data(), &index, 4);
  return bytes;
}

std::vector<KeyValueCase> keyValueCases() {
  return {
      {"hash", makeSpec(MT::Hash, 4, 8, 16), smallU32Key, false},
      {"hash (no prealloc)", makeSpec(MT::Hash, 4, 8, 16, mapflags::kNoPrealloc), smallU32Key, false},
      {"hash (12-byte keys, odd value size)", makeSpec(MT::Hash, 12, 5, 16), wideKey, false},
      {"percpu hash", makeSpec(MT::PercpuHash, 4, 12, 16), smallU32Key, false},
      {"array", makeSpec(MT::Array, 4, 8, 8), arrayIndex, true},
      {"array (odd value size)", makeSpec(MT::Array, 4, 3, 8), arrayIndex, true},
      {"percpu array", makeSpec(MT::PercpuArray, 4, 4, 8), arrayIndex, true},
      {"lpm trie", makeSpec(MT::LpmTrie, 6, 4, 12, mapflags::kNoPrealloc), lpmKey, true},
      // LRU maps are compared below capacity only: the kernel's LRU is
      // approximate about what it evicts, not about flags and values.
      {"lru hash (never full)", makeSpec(MT::LruHash, 4, 8, 1000), smallU32Key, false},
      {"lru percpu hash (never full)", makeSpec(MT::LruPercpuHash, 4, 4, 1000), smallU32Key, false},
      {"devmap", makeSpec(MT::Devmap, 4, 4, 8), arrayIndex, true, devmapValue},
      {"cpumap", makeSpec(MT::Cpumap, 4, 4, 4), cpuIndex, true, cpumapValue},
  };
}

// Names the case in gtest's failure messages.
void PrintTo(const KeyValueCase &c, std::ostream *out) { *out << c.name; }

class KernelKeyValueDifferential : public ::testing::TestWithParam<KeyValueCase> {};

TEST_P(KernelKeyValueDifferential, SameResultsAsTheKernel) {
  REQUIRE_KERNEL();
  const KeyValueCase &c = GetParam();
  bool lpm = c.spec.type == BPF_MAP_TYPE_LPM_TRIE;
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Twin twin(c.spec, kernelCpus());
    ASSERT_TRUE(twin.ready());
    std::mt19937 random(seed);
    for (int i = 0; i < 3000 && !HasFailure(); ++i) {
      std::string step = std::string(c.name) + " seed " + std::to_string(seed) + " step " + std::to_string(i);
      Bytes key = c.randomKey(random);
      switch (random() % 10) {
      case 0:
      case 1:
      case 2:
      case 3: {
        uint64_t flags = random() % 8 == 0 ? 3 + random() % 2 : random() % 3; // some invalid flags
        Bytes value = c.randomValue ? c.randomValue(random, twin.valueBytes()) : randomBytes(random, twin.valueBytes());
        twin.update(key, value, flags, step);
        break;
      }
      case 4:
      case 5:
        twin.remove(key, step);
        break;
      case 6:
      case 7:
        twin.lookup(key, step);
        break;
      case 8:
        twin.nextKey(random() % 4 == 0 ? Bytes{} : key, c.orderedLikeKernel, step);
        break;
      default:
        twin.lookupAndDelete(key, step);
      }
    }
    auto kernel = twin.kernelContents(), runtime = twin.runtimeContents();
    if (c.orderedLikeKernel) {
      ASSERT_EQ(runtime.size(), kernel.size()) << c.name << " seed " << seed;
      for (size_t i = 0; i < kernel.size(); ++i) {
        EXPECT_EQ(hex(runtime[i].first), hex(kernel[i].first)) << c.name << " key #" << i;
        EXPECT_EQ(hex(runtime[i].second), hex(kernel[i].second)) << c.name << " value #" << i;
      }
    } else {
      EXPECT_EQ(asMap(runtime), asMap(kernel)) << c.name << " seed " << seed;
    }
    if (lpm) // every stored prefix still resolves alike
      for (auto &[key, value] : kernel)
        twin.lookup(key, std::string(c.name) + " final");
  }
}

INSTANTIATE_TEST_SUITE_P(Maps, KernelKeyValueDifferential, ::testing::ValuesIn(keyValueCases()),
                         [](const ::testing::TestParamInfo<KeyValueCase> &info) {
                           std::string name;
                           for (const char *p = info.param.name; *p; ++p)
                             if (std::isalnum(static_cast<unsigned char>(*p)))
                               name += *p;
                           return name;
                         });

class KernelQueueDifferential : public ::testing::TestWithParam<MT> {};

TEST_P(KernelQueueDifferential, SameOrderAndErrorsAsTheKernel) {
  REQUIRE_KERNEL();
  MapSpec spec = makeSpec(GetParam(), 0, 4, 6);
  for (unsigned seed = 1; seed <= 3; ++seed) {
    KernelMap kernel(spec);
    ASSERT_GE(kernel.fd(), 0);
    std::shared_ptr<Map> runtime = makeMap(spec);
    std::mt19937 random(seed);
    for (int i = 0; i < 3000 && !HasFailure(); ++i) {
      std::string step = "seed " + std::to_string(seed) + " step " + std::to_string(i);
      uint32_t value = static_cast<uint32_t>(random()), fromKernel = 0, fromRuntime = 0;
      switch (random() % 6) {
      case 0:
      case 1:
      case 2: {
        uint64_t flags = random() % 6 == 0 ? (random() % 2 ? kNoExist : 4) : (random() % 2 ? kAny : kExist);
        long expected = bpf_map_update_elem(kernel.fd(), nullptr, &value, flags);
        EXPECT_EQ(runtime->userUpdate(nullptr, &value, flags), expected) << step << " push flags " << flags;
        break;
      }
      case 3:
      case 4: {
        long expected = bpf_map_lookup_and_delete_elem(kernel.fd(), nullptr, &fromKernel);
        EXPECT_EQ(runtime->userLookupAndDelete(nullptr, &fromRuntime), expected) << step << " pop";
        if (expected == 0) {
          EXPECT_EQ(fromRuntime, fromKernel) << step << " pop";
        }
        break;
      }
      default: {
        long expected = bpf_map_lookup_elem(kernel.fd(), nullptr, &fromKernel);
        EXPECT_EQ(runtime->userLookup(nullptr, &fromRuntime), expected) << step << " peek";
        if (expected == 0) {
          EXPECT_EQ(fromRuntime, fromKernel) << step << " peek";
        }
      }
      }
    }
    uint32_t fromKernel = 0, fromRuntime = 0;
    while (bpf_map_lookup_and_delete_elem(kernel.fd(), nullptr, &fromKernel) == 0) {
      ASSERT_EQ(runtime->userLookupAndDelete(nullptr, &fromRuntime), 0);
      EXPECT_EQ(fromRuntime, fromKernel);
    }
    EXPECT_EQ(runtime->userLookupAndDelete(nullptr, &fromRuntime), -ENOENT);
    EXPECT_EQ(runtime->getNextKey(nullptr, &fromRuntime), bpf_map_get_next_key(kernel.fd(), nullptr, &fromKernel));
    EXPECT_EQ(runtime->userDelete(nullptr), bpf_map_delete_elem(kernel.fd(), nullptr));
  }
}

INSTANTIATE_TEST_SUITE_P(Maps, KernelQueueDifferential, ::testing::Values(MT::Queue, MT::Stack),
                         [](const ::testing::TestParamInfo<MT> &info) {
                           return std::string(info.param == MT::Queue ? "Queue" : "Stack");
                         });

// Creation: the runtime accepts what the kernel accepts and refuses the
// rest with the kernel's errno.
TEST(KernelCreationDifferential, SameVerdictsAsTheKernel) {
  REQUIRE_KERNEL();
  using namespace mapflags;
  MapSpec numaNode7 = makeSpec(MT::Array, 4, 4, 4, kNumaNode);
  numaNode7.numaNode = 7;
  const std::vector<MapSpec> specs = {
      makeSpec(MT::Array, 4, 4, 4),
      makeSpec(MT::Array, 8, 4, 4),
      makeSpec(MT::Array, 4, 0, 4),
      makeSpec(MT::Array, 4, 4, 0),
      makeSpec(MT::Array, 4, 4, 4, kNoPrealloc),
      makeSpec(MT::Array, 4, 4, 4, kPreserveElems),
      makeSpec(MT::Array, 4, 4, 4, kMmapable | kRdOnlyProg),
      makeSpec(MT::Array, 4, 4, 4, kInnerMap),
      makeSpec(MT::Array, 4, 4, 4, kRdOnlyProg | kWrOnlyProg),
      makeSpec(MT::Array, 4, 4, 4, kNumaNode),
      numaNode7,
      makeSpec(MT::Array, 4, 1024, 1u << 31),
      makeSpec(MT::PercpuArray, 4, 4, 4, kMmapable),
      makeSpec(MT::PercpuArray, 4, 32768, 1),
      makeSpec(MT::PercpuArray, 4, 32769, 1),
      makeSpec(MT::PercpuArray, 4, 4, 1, kNumaNode),
      makeSpec(MT::Hash, 4, 4, 4),
      makeSpec(MT::Hash, 0, 4, 4),
      makeSpec(MT::Hash, 4, 0, 4),
      makeSpec(MT::Hash, 4, 4, 0),
      makeSpec(MT::Hash, 600, 4, 4),
      makeSpec(MT::Hash, 4, 4, 4, kNoCommonLru),
      makeSpec(MT::Hash, 4, 4, 4, kMmapable),
      makeSpec(MT::Hash, 4, 4, 4, kRdOnly | kWrOnly),
      makeSpec(MT::Hash, 4, 4, 4, kZeroSeed | kNoPrealloc),
      makeSpec(MT::Hash, 4, 4u << 20, 4),
      makeSpec(MT::Hash, 4, 4, UINT32_MAX, kNoPrealloc),
      makeSpec(MT::PercpuHash, 4, 32769, 4),
      makeSpec(MT::PercpuHash, 4, 4, 4, kNumaNode),
      makeSpec(MT::LruHash, 4, 4, 4, kNoPrealloc),
      makeSpec(MT::LruHash, 4, 4, 4, kNoCommonLru),
      makeSpec(MT::LruPercpuHash, 4, 4, 4, kNoCommonLru | kNumaNode),
      makeSpec(MT::LpmTrie, 8, 4, 4),
      makeSpec(MT::LpmTrie, 8, 4, 4, kNoPrealloc),
      makeSpec(MT::LpmTrie, 4, 4, 4, kNoPrealloc),
      makeSpec(MT::LpmTrie, 260, 4, 4, kNoPrealloc),
      makeSpec(MT::LpmTrie, 261, 4, 4, kNoPrealloc),
      makeSpec(MT::LpmTrie, 8, 0, 4, kNoPrealloc),
      makeSpec(MT::LpmTrie, 8, 4, 4, kNoPrealloc | kMmapable),
      makeSpec(MT::Queue, 0, 4, 4),
      makeSpec(MT::Queue, 4, 4, 4),
      makeSpec(MT::Queue, 0, 4, 0),
      makeSpec(MT::Stack, 0, 4, 4, kNoPrealloc),
      makeSpec(MT::Stack, 0, 4, 4, kRdOnlyProg),
      makeSpec(MT::Ringbuf, 0, 0, 4096),
      makeSpec(MT::Ringbuf, 0, 0, 3 * 4096),
      makeSpec(MT::Ringbuf, 0, 0, 2048),
      makeSpec(MT::Ringbuf, 4, 0, 4096),
      makeSpec(MT::Ringbuf, 0, 0, 4096, kRdOnly),
      makeSpec(MT::Devmap, 4, 4, 4),
      makeSpec(MT::Devmap, 4, 8, 4),
      makeSpec(MT::Devmap, 4, 6, 4),
      makeSpec(MT::Devmap, 4, 4, 4, kRdOnlyProg),
      makeSpec(MT::DevmapHash, 4, 8, 4),
      makeSpec(MT::DevmapHash, 8, 4, 4),
      makeSpec(MT::Cpumap, 4, 4, 4),
      makeSpec(MT::Cpumap, 4, 12, 4),
      makeSpec(MT::Cpumap, 4, 4, 100000),
      makeSpec(MT::Cpumap, 4, 4, 4, kRdOnly),
      makeSpec(MT::Xskmap, 4, 4, 4),
      makeSpec(MT::Xskmap, 4, 8, 4),
      makeSpec(MT::ProgArray, 4, 4, 4),
      makeSpec(MT::ProgArray, 4, 8, 4),
      makeSpec(MT::ProgArray, 4, 4, 4, kRdOnlyProg),
      makeSpec(MT::PerfEventArray, 4, 4, 4),
      makeSpec(MT::PerfEventArray, 4, 4, 4, kPreserveElems),
      makeSpec(MT::PerfEventArray, 8, 4, 4),
  };
  for (const MapSpec &spec : specs) {
    KernelMap kernel(spec);
    long expected = kernel.fd() >= 0 ? 0 : kernel.fd();
    std::string reason;
    EXPECT_EQ(checkMapSpec(spec, kernelCpus(), reason), expected)
        << "type " << spec.type << " key " << spec.keySize << " value " << spec.valueSize << " max "
        << spec.maxEntries << " flags 0x" << std::hex << spec.flags << std::dec << ": " << reason;
  }
}

// Map-in-map: the same inner maps are accepted or refused.
TEST(KernelMapInMapDifferential, SameCompatibilityVerdicts) {
  REQUIRE_KERNEL();
  using namespace mapflags;
  struct Template {
    MT outerType;
    MapSpec inner;
  };
  const std::vector<Template> templates = {
      {MT::ArrayOfMaps, makeSpec(MT::Array, 4, 8, 16)},
      {MT::ArrayOfMaps, makeSpec(MT::Array, 4, 8, 16, kInnerMap)},
      {MT::HashOfMaps, makeSpec(MT::Hash, 4, 8, 16)},
      {MT::ArrayOfMaps, makeSpec(MT::Devmap, 4, 4, 16)},
      {MT::HashOfMaps, makeSpec(MT::Queue, 0, 8, 16)},
  };
  const std::vector<MapSpec> candidates = {
      makeSpec(MT::Array, 4, 8, 16),
      makeSpec(MT::Array, 4, 8, 17),
      makeSpec(MT::Array, 4, 8, 32, kInnerMap),
      makeSpec(MT::Array, 4, 8, 16, kInnerMap),
      makeSpec(MT::Array, 4, 4, 16),
      makeSpec(MT::Array, 4, 8, 16, kRdOnlyProg),
      makeSpec(MT::Hash, 4, 8, 16),
      makeSpec(MT::Hash, 4, 8, 1000),
      makeSpec(MT::Hash, 4, 8, 16, kNoPrealloc),
      makeSpec(MT::Hash, 8, 8, 16),
      makeSpec(MT::Devmap, 4, 4, 99),
      makeSpec(MT::Queue, 0, 8, 3),
      makeSpec(MT::Stack, 0, 8, 16),
  };
  for (const Template &t : templates) {
    KernelMap kernelTemplate(t.inner);
    ASSERT_GE(kernelTemplate.fd(), 0);
    MapSpec outerSpec = makeSpec(t.outerType, 4, 4, 4);
    outerSpec.inner = std::make_shared<MapSpec>(t.inner);
    KernelMap kernelOuter(outerSpec, kernelTemplate.fd());
    ASSERT_GE(kernelOuter.fd(), 0);
    std::shared_ptr<Map> outer = makeMap(outerSpec, kernelCpus());
    ASSERT_TRUE(outer);
    uint32_t slot = 0;
    for (const MapSpec &candidate : candidates) {
      KernelMap kernelInner(candidate);
      ASSERT_GE(kernelInner.fd(), 0);
      std::shared_ptr<Map> inner = makeMap(candidate, kernelCpus());
      uint32_t fd = static_cast<uint32_t>(kernelInner.fd()), id = inner->id();
      long expected = bpf_map_update_elem(kernelOuter.fd(), &slot, &fd, BPF_ANY);
      EXPECT_EQ(outer->userUpdate(&slot, &id, kAny), expected)
          << "template type " << t.inner.type << " flags " << t.inner.flags << ", inner type " << candidate.type
          << " key " << candidate.keySize << " value " << candidate.valueSize << " max " << candidate.maxEntries
          << " flags " << candidate.flags;
    }
  }
}

} // namespace
} // namespace ebpfc::runtime::test
