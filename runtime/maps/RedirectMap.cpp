#include "runtime/maps/RedirectMap.h"

#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;
using Kind = RedirectTarget::Kind;

namespace {
// NR_CPUS of a distribution kernel: the kernel's bound on cpumap size.
constexpr uint32_t kKernelNrCpus = 8192;
// Largest cpumap queue the kernel accepts.
constexpr uint32_t kMaxCpumapQueue = 16384;

// Both devmap and cpumap values are 4 bytes (ifindex or qsize) or 8 with a
// program fd after them.
bool devOrCpuValueSizeOk(uint32_t size) { return size == 4 || size == 8; }

uint32_t programFd(const MapSpec &spec, const uint8_t *value) {
  return spec.valueSize == 8 ? readU32(value + 4) : 0;
}

RedirectTarget targetOf(Kind kind, const MapSpec &spec, const uint8_t *value) {
  RedirectTarget target;
  target.kind = kind;
  if (kind == Kind::Cpu)
    target.queueSize = readU32(value);
  else
    target.id = readU32(value);
  if (kind != Kind::XskSocket)
    target.program = programFd(spec, value);
  return target;
}

long checkDevmapSpec(const MapSpec &spec, std::string &reason) {
  constexpr uint32_t allowed = mapflags::kNumaNode | mapflags::kRdOnly | mapflags::kWrOnly;
  if (spec.maxEntries == 0 || spec.keySize != 4)
    return reject(reason, -EINVAL, "a devmap needs key_size 4 and max_entries > 0");
  if (!devOrCpuValueSizeOk(spec.valueSize))
    return reject(reason, -EINVAL, "a devmap value is 4 bytes (ifindex) or 8 (ifindex, program fd)");
  if (spec.flags & ~allowed)
    return reject(reason, -EINVAL, "unsupported map_flags for a devmap");
  return 0;
}
} // namespace

// --- devmap, cpumap, xskmap ---

bool RedirectArrayMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::Devmap) || type == static_cast<uint32_t>(MT::Cpumap) ||
         type == static_cast<uint32_t>(MT::Xskmap);
}

long RedirectArrayMap::check(const MapSpec &spec, std::string &reason) {
  if (isType(spec, MT::Devmap)) {
    if (long error = checkDevmapSpec(spec, reason))
      return error;
  } else if (isType(spec, MT::Cpumap)) {
    if (spec.maxEntries == 0 || spec.keySize != 4)
      return reject(reason, -EINVAL, "a cpumap needs key_size 4 and max_entries > 0");
    if (!devOrCpuValueSizeOk(spec.valueSize))
      return reject(reason, -EINVAL, "a cpumap value is 4 bytes (qsize) or 8 (qsize, program fd)");
    if (spec.flags & ~mapflags::kNumaNode)
      return reject(reason, -EINVAL, "unsupported map_flags for a cpumap");
    if (spec.maxEntries > kKernelNrCpus)
      return reject(reason, -E2BIG, "a cpumap has at most " + std::to_string(kKernelNrCpus) + " entries");
  } else {
    constexpr uint32_t allowed = mapflags::kNumaNode | mapflags::kRdOnly | mapflags::kWrOnly;
    if (spec.maxEntries == 0 || spec.keySize != 4 || spec.valueSize != 4)
      return reject(reason, -EINVAL, "an xskmap needs key_size 4, value_size 4 and max_entries > 0");
    if (spec.flags & ~allowed)
      return reject(reason, -EINVAL, "unsupported map_flags for an xskmap");
  }
  if (uint64_t{spec.maxEntries} * 8 > kMaxPreallocatedBytes)
    return reject(reason, -ENOMEM, "max_entries is more than the runtime preallocates for one map");
  return 0;
}

std::unique_ptr<Map> RedirectArrayMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new RedirectArrayMap(spec, numCpus));
}

RedirectArrayMap::RedirectArrayMap(const MapSpec &spec, unsigned numCpus)
    : Map(spec, numCpus),
      kind_(isType(spec, MT::Devmap) ? Kind::Device : isType(spec, MT::Cpumap) ? Kind::Cpu : Kind::XskSocket),
      values_(size_t{spec.maxEntries} * 8), occupied_(spec.maxEntries) {}

std::optional<RedirectTarget> RedirectArrayMap::redirectTarget(uint32_t key) const {
  if (key >= spec_.maxEntries || !occupied_[key])
    return std::nullopt;
  return targetOf(kind_, spec_, slot(key));
}

void *RedirectArrayMap::doLookup(const void *key, unsigned) {
  uint32_t index = readU32(key);
  return index < spec_.maxEntries && occupied_[index] ? slot(index) : nullptr;
}

long RedirectArrayMap::doUserLookup(const void *key, void *value) const {
  if (kind_ == Kind::XskSocket)
    return -EOPNOTSUPP; // sockets cannot be read back through bpf()
  uint32_t index = readU32(key);
  if (index >= spec_.maxEntries || !occupied_[index])
    return -ENOENT;
  std::memcpy(value, slot(index), spec_.valueSize);
  return 0;
}

long RedirectArrayMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  if (flags > kExist)
    return -EINVAL;
  uint32_t index = readU32(key);
  if (index >= spec_.maxEntries)
    return -E2BIG;
  const auto *bytes = static_cast<const uint8_t *>(value);
  uint32_t first = readU32(bytes); // ifindex, qsize or socket fd
  bool clears = false;
  if (kind_ == Kind::XskSocket) {
    if (occupied_[index] && flags == kNoExist)
      return -EEXIST;
    if (!occupied_[index] && flags == kExist)
      return -ENOENT;
  } else {
    // Every slot of a devmap or cpumap exists, possibly empty.
    if (flags == kNoExist)
      return -EEXIST;
    if (kind_ == Kind::Cpu) {
      if (first > kMaxCpumapQueue)
        return -EOVERFLOW;
      if (index >= numCpus_)
        return -ENODEV;
    } else if (first == 0 && static_cast<int32_t>(programFd(spec_, bytes)) > 0) {
      return -EINVAL; // no program without a device
    }
    clears = first == 0; // ifindex 0 or qsize 0 empties the slot
  }
  occupied_[index] = !clears;
  std::memset(slot(index), 0, 8);
  if (!clears)
    std::memcpy(slot(index), bytes, spec_.valueSize);
  return 0;
}

long RedirectArrayMap::doUserDelete(const void *key) {
  uint32_t index = readU32(key);
  if (index >= spec_.maxEntries)
    return -EINVAL;
  occupied_[index] = false;
  return 0;
}

long RedirectArrayMap::doGetNextKey(const void *key, void *nextKey) const {
  return arrayNextKey(key, nextKey, spec_.maxEntries);
}

bool RedirectArrayMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  auto address = reinterpret_cast<uintptr_t>(p);
  auto begin = reinterpret_cast<uintptr_t>(values_.data());
  if (address < begin || address - begin >= values_.size())
    return false;
  size_t index = (address - begin) / 8, inValue = (address - begin) % 8;
  if (!occupied_[index] || inValue >= spec_.valueSize || len > spec_.valueSize - inValue)
    return false;
  region = {const_cast<uint8_t *>(slot(static_cast<uint32_t>(index))), spec_.valueSize, false};
  return true;
}

// --- devmap-hash ---

bool DevMapHashMap::implements(uint32_t type) { return type == static_cast<uint32_t>(MT::DevmapHash); }

long DevMapHashMap::check(const MapSpec &spec, std::string &reason) {
  if (long error = checkDevmapSpec(spec, reason))
    return error;
  if (std::bit_ceil(uint64_t{spec.maxEntries}) > (1ull << 31))
    return reject(reason, -EINVAL, "max_entries is too large for a devmap-hash");
  return 0;
}

std::unique_ptr<Map> DevMapHashMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new DevMapHashMap(spec, numCpus));
}

DevMapHashMap::DevMapHashMap(const MapSpec &spec, unsigned numCpus)
    : Map(spec, numCpus), pool_({spec.valueSize, 8, 1, 4}, std::max<size_t>(spec.maxEntries, 1024)),
      index_(pool_, 4) {}

std::optional<RedirectTarget> DevMapHashMap::redirectTarget(uint32_t key) const {
  uint32_t element = index_.find(&key);
  if (element == HashIndex::kNone)
    return std::nullopt;
  return targetOf(Kind::Device, spec_, pool_.value(element));
}

void *DevMapHashMap::doLookup(const void *key, unsigned) {
  uint32_t element = index_.find(key);
  return element == HashIndex::kNone ? nullptr : pool_.value(element);
}

long DevMapHashMap::doUserLookup(const void *key, void *value) const {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  std::memcpy(value, pool_.value(element), spec_.valueSize);
  return 0;
}

long DevMapHashMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  if (flags > kExist || readU32(value) == 0)
    return -EINVAL;
  // BPF_EXIST is not checked: the kernel's devmap-hash accepts it for new keys.
  uint32_t element = index_.find(key);
  if (element != HashIndex::kNone) {
    if (flags == kNoExist)
      return -EEXIST;
  } else {
    if (index_.size() >= spec_.maxEntries)
      return -E2BIG;
    element = pool_.allocate();
    if (element == ElementPool::kNone)
      return -ENOMEM;
    std::memcpy(pool_.key(element), key, 4);
    if (!index_.insert(element)) {
      pool_.release(element);
      return -ENOMEM;
    }
  }
  std::memcpy(pool_.value(element), value, spec_.valueSize);
  return 0;
}

long DevMapHashMap::doUserDelete(const void *key) {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  index_.erase(element);
  pool_.retire(element);
  return 0;
}

long DevMapHashMap::doGetNextKey(const void *key, void *nextKey) const {
  uint32_t next = index_.first();
  if (key) {
    uint32_t current = index_.find(key);
    if (current != HashIndex::kNone)
      next = index_.next(current);
  }
  if (next == HashIndex::kNone)
    return -ENOENT;
  std::memcpy(nextKey, pool_.key(next), 4);
  return 0;
}

bool DevMapHashMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  uint8_t *begin;
  if (!pool_.findValue(p, len, begin))
    return false;
  region = {begin, spec_.valueSize, false};
  return true;
}

} // namespace ebpfc::runtime
