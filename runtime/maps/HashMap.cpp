#include "runtime/maps/HashMap.h"

#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

namespace {
// sizeof(struct htab_elem) on x86-64: part of the kernel's element size bound.
constexpr uint64_t kKernelElementHeader = 48;
// The kernel sizes its bucket array as the next power of two of max_entries
// and refuses more buckets than fit a u32 byte count (16-byte buckets).
constexpr uint64_t kMaxBuckets = (1ull << 32) / 16;

ElementPool::Layout poolLayout(const MapSpec &spec, unsigned numCpus) {
  bool perCpu = isType(spec, MT::PercpuHash) || isType(spec, MT::LruPercpuHash);
  return {spec.valueSize, roundUp8(spec.valueSize), perCpu ? numCpus : 1, spec.keySize};
}

// Removed elements stay readable for the rest of the run; at most this many
// are kept before the oldest is reused (see ElementPool).
size_t retiredLimit(const MapSpec &spec) { return std::max<size_t>(spec.maxEntries, 1024); }
} // namespace

bool HashMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::Hash) || type == static_cast<uint32_t>(MT::PercpuHash) ||
         type == static_cast<uint32_t>(MT::LruHash) || type == static_cast<uint32_t>(MT::LruPercpuHash);
}

long HashMap::checkHashFamily(const MapSpec &spec, bool lru, std::string &reason) {
  bool perCpu = isType(spec, MT::PercpuHash) || isType(spec, MT::LruPercpuHash);
  bool perCpuLru = spec.flags & mapflags::kNoCommonLru;
  constexpr uint32_t allowed = mapflags::kNoPrealloc | mapflags::kNoCommonLru | mapflags::kNumaNode |
                               mapflags::kAccessMask | mapflags::kZeroSeed;
  if (spec.flags & ~allowed)
    return reject(reason, -EINVAL, "unsupported map_flags for a hash map");
  if (!programAccessFlagsOk(spec.flags))
    return reject(reason, -EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other");
  if (!lru && perCpuLru)
    return reject(reason, -EINVAL, "BPF_F_NO_COMMON_LRU is for LRU hash maps only");
  if (lru && (spec.flags & mapflags::kNoPrealloc))
    return reject(reason, -kENotSupp, "LRU hash maps are always preallocated (BPF_F_NO_PREALLOC)");
  if (requestsNumaNode(spec) && (perCpu || perCpuLru))
    return reject(reason, -EINVAL, "a per-CPU map cannot be placed on a NUMA node");
  if (spec.maxEntries == 0 || spec.keySize == 0 || spec.valueSize == 0)
    return reject(reason, -EINVAL, "key_size, value_size and max_entries must not be 0");
  if (uint64_t{spec.keySize} + spec.valueSize >= kKmallocMaxSize - kKernelElementHeader)
    return reject(reason, -E2BIG, "key_size + value_size is too large for one element");
  if (perCpu && roundUp8(spec.valueSize) > kPerCpuUnitSize)
    return reject(reason, -E2BIG, "a per-CPU value may not exceed 32768 bytes");
  if (std::bit_ceil(uint64_t{spec.maxEntries}) > kMaxBuckets)
    return reject(reason, -E2BIG, "max_entries is too large for a hash map");
  return 0;
}

long HashMap::check(const MapSpec &spec, std::string &reason) { return checkHashFamily(spec, false, reason); }

std::unique_ptr<Map> HashMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new HashMap(spec, numCpus));
}

HashMap::HashMap(const MapSpec &spec, unsigned numCpus)
    : Map(spec, numCpus), pool_(poolLayout(spec, numCpus), retiredLimit(spec)),
      index_(pool_, spec.keySize) {}

long HashMap::makeRoom(unsigned) { return index_.size() >= spec_.maxEntries ? -E2BIG : 0; }

void HashMap::dropElement(uint32_t element) {
  removing(element);
  index_.erase(element);
  pool_.retire(element);
}

long HashMap::updateElement(const void *key, const void *value, uint64_t flags, int cpu) {
  if ((flags & ~extraUpdateFlags()) > kExist || !lockFlagAllowed(flags))
    return -EINVAL;
  uint64_t mode = flags & ~kLock;
  size_t allCpusBytes = pool_.layout().valueStride * pool_.layout().valueCount;

  uint32_t element = index_.find(key);
  if (element != HashIndex::kNone) {
    if (mode == kNoExist)
      return -EEXIST;
  } else {
    if (mode == kExist)
      return -ENOENT;
    unsigned owner = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
    if (long error = makeRoom(owner))
      return error;
    element = pool_.allocate();
    if (element == ElementPool::kNone)
      return -ENOMEM;
    std::memcpy(pool_.key(element), key, spec_.keySize);
    if (!index_.insert(element)) {
      pool_.release(element);
      return -ENOMEM;
    }
    inserted(element, owner);
  }
  // User space writes every CPU's value; a program writes its own CPU's
  // (the others of a new element stay as the pool hands it out: zero).
  if (cpu < 0 && isPerCpu())
    std::memcpy(pool_.value(element), value, allCpusBytes);
  else
    copyValueIn(pool_.value(element, isPerCpu() ? static_cast<unsigned>(cpu) : 0), value);
  touched(element);
  return 0;
}

long HashMap::removeElement(const void *key) {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  dropElement(element);
  return 0;
}

void *HashMap::doLookup(const void *key, unsigned cpu) {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return nullptr;
  touched(element);
  return pool_.value(element, isPerCpu() ? cpu : 0);
}

long HashMap::doUpdate(const void *key, const void *value, uint64_t flags, unsigned cpu) {
  return updateElement(key, value, flags, static_cast<int>(cpu));
}

long HashMap::doRemove(const void *key, unsigned) { return removeElement(key); }

long HashMap::doUserLookup(const void *key, void *value) const {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  if (isPerCpu())
    std::memcpy(value, pool_.value(element), pool_.layout().valueStride * pool_.layout().valueCount);
  else
    copyValueOut(value, pool_.value(element));
  return 0;
}

long HashMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  return updateElement(key, value, flags, -1);
}

long HashMap::doUserDelete(const void *key) { return removeElement(key); }

long HashMap::doUserLookupAndDelete(const void *key, void *value) {
  if (long error = doUserLookup(key, value))
    return error;
  return removeElement(key);
}

long HashMap::doGetNextKey(const void *key, void *nextKey) const {
  uint32_t next = index_.first();
  if (key) {
    uint32_t current = index_.find(key);
    if (current != HashIndex::kNone)
      next = index_.next(current);
  }
  if (next == HashIndex::kNone)
    return -ENOENT;
  std::memcpy(nextKey, pool_.key(next), spec_.keySize);
  return 0;
}

bool HashMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  uint8_t *begin;
  if (!pool_.findValue(p, len, begin))
    return false;
  region = {begin, spec_.valueSize, !isReadOnlyForProgram()};
  return true;
}

} // namespace ebpfc::runtime
