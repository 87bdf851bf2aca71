#include "runtime/maps/Map.h"

#include "ir/MapType.h"
#include "runtime/maps/ArrayMap.h"
#include "runtime/maps/HashMap.h"
#include "runtime/maps/LpmTrieMap.h"
#include "runtime/maps/LruHashMap.h"
#include "runtime/maps/MapInMap.h"
#include "runtime/maps/MapSupport.h"
#include "runtime/maps/PerfEventArrayMap.h"
#include "runtime/maps/ProgArrayMap.h"
#include "runtime/maps/QueueStackMap.h"
#include "runtime/maps/RedirectMap.h"
#include "runtime/maps/RingBufMap.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace ebpfc::runtime {

using detail::isType;
using detail::reject;
using MT = ir::MapType;

namespace {

// Every live map, by ID and by address: the kernel's map IDR, which user
// space (map-in-map updates) and helpers (map arguments) resolve against.
struct MapRegistry {
  std::mutex mutex;
  uint32_t nextId = 1;
  std::unordered_map<uint32_t, Map *> byId;
  std::unordered_map<uint64_t, Map *> byAddress;

  static MapRegistry &instance() {
    static MapRegistry registry;
    return registry;
  }
};

bool isPerCpuType(uint32_t type) {
  switch (static_cast<MT>(type)) {
  case MT::PercpuArray:
  case MT::PercpuHash:
  case MT::LruPercpuHash:
  case MT::PercpuCgroupStorage:
    return true;
  default:
    return false;
  }
}

const char *errnoName(long error) {
  switch (-error) {
  case EINVAL: return "EINVAL";
  case E2BIG: return "E2BIG";
  case ENOMEM: return "ENOMEM";
  case EPERM: return "EPERM";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case kENotSupp: return "ENOTSUPP";
  default: return "error";
  }
}

// Checks every type shares (the kernel's map_create() and map_check_btf()),
// before the family's own map_alloc_check.
long checkCommon(const MapSpec &spec, unsigned numCpus, std::string &reason) {
  if (numCpus == 0 || numCpus > kMaxCpus)
    return reject(reason, -EINVAL, "the number of CPUs must be between 1 and " + std::to_string(kMaxCpus));
  if (spec.mapExtra != 0 && !isType(spec, MT::BloomFilter))
    return reject(reason, -EINVAL, "map_extra is only meaningful for bloom filter maps");
  if ((spec.flags & mapflags::kRdOnly) && (spec.flags & mapflags::kWrOnly))
    return reject(reason, -EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY exclude each other");
  if (detail::requestsNumaNode(spec) && spec.numaNode != 0)
    return reject(reason, -EINVAL, "NUMA node " + std::to_string(spec.numaNode) + " does not exist (the runtime has node 0 only)");
  if (!spec.initialValue.empty()) {
    if (!isType(spec, MT::Array))
      return reject(reason, -EINVAL, "initial contents are for global-data (array) maps only");
    if (spec.initialValue.size() > spec.valueSize)
      return reject(reason, -EINVAL, "initial contents (" + std::to_string(spec.initialValue.size()) +
                                         " bytes) exceed value_size " + std::to_string(spec.valueSize));
  }
  if (spec.spinLockOffset) {
    if (!isType(spec, MT::Hash) && !isType(spec, MT::Array))
      return reject(reason, -EOPNOTSUPP, "bpf_spin_lock is only supported in hash and array map values");
    uint32_t offset = *spec.spinLockOffset;
    if (offset % 4 != 0 || offset > spec.valueSize || spec.valueSize - offset < 4)
      return reject(reason, -EINVAL, "bpf_spin_lock at offset " + std::to_string(offset) + " does not fit the value");
  }
  bool mapInMap = isType(spec, MT::ArrayOfMaps) || isType(spec, MT::HashOfMaps);
  if (spec.inner && !mapInMap)
    return reject(reason, -EINVAL, "only array-of-maps and hash-of-maps have an inner map");
  return 0;
}

} // namespace

MapSpec detail::createdSpec(const MapSpec &spec, unsigned numCpus) {
  MapSpec created = spec;
  bool lru = isType(spec, MT::LruHash) || isType(spec, MT::LruPercpuHash);
  if (lru && (spec.flags & mapflags::kNoCommonLru) && numCpus > 0) {
    // Every CPU's list gets the same share, at least one element; rounding
    // down instead when rounding up would overflow u32.
    uint64_t rounded = (uint64_t{spec.maxEntries} + numCpus - 1) / numCpus * numCpus;
    if (rounded > UINT32_MAX)
      rounded = uint64_t{spec.maxEntries} / numCpus * numCpus;
    created.maxEntries = static_cast<uint32_t>(rounded);
  }
  if (isType(spec, MT::Devmap) || isType(spec, MT::DevmapHash))
    created.flags |= mapflags::kRdOnlyProg;
  return created;
}

Map::Map(MapSpec spec, unsigned numCpus)
    : spec_(std::move(spec)), numCpus_(numCpus), perCpu_(isPerCpuType(spec_.type)),
      readOnlyForProgram_(spec_.readOnlyForProgram || (spec_.flags & mapflags::kRdOnlyProg)) {
  MapRegistry &registry = MapRegistry::instance();
  std::lock_guard lock(registry.mutex);
  while (registry.nextId == 0 || registry.byId.count(registry.nextId))
    ++registry.nextId;
  id_ = registry.nextId++;
  registry.byId.emplace(id_, this);
  registry.byAddress.emplace(reinterpret_cast<uint64_t>(this), this);
}

Map::~Map() {
  MapRegistry &registry = MapRegistry::instance();
  std::lock_guard lock(registry.mutex);
  registry.byId.erase(id_);
  registry.byAddress.erase(reinterpret_cast<uint64_t>(this));
}

std::shared_ptr<Map> Map::findById(uint32_t id) {
  MapRegistry &registry = MapRegistry::instance();
  std::lock_guard lock(registry.mutex);
  auto it = registry.byId.find(id);
  return it == registry.byId.end() ? nullptr : it->second->weak_from_this().lock();
}

Map *Map::fromAddress(uint64_t address) {
  MapRegistry &registry = MapRegistry::instance();
  std::lock_guard lock(registry.mutex);
  auto it = registry.byAddress.find(address);
  return it == registry.byAddress.end() ? nullptr : it->second;
}

// --- program view ---
// Writes to a map that is read-only for programs are rejected by the
// verifier; a program that reaches one here gets -EPERM. Null pointers are
// refused (-EFAULT) rather than dereferenced.

long Map::update(const void *key, const void *value, uint64_t flags, unsigned cpu) {
  if (cpu >= numCpus_)
    return -EINVAL;
  if ((!key && spec_.keySize) || !value)
    return -EFAULT;
  if (readOnlyForProgram_)
    return -EPERM;
  return doUpdate(key, value, flags, cpu);
}

long Map::remove(const void *key, unsigned cpu) {
  if (cpu >= numCpus_)
    return -EINVAL;
  if (!key && spec_.keySize)
    return -EFAULT;
  if (readOnlyForProgram_)
    return -EPERM;
  return doRemove(key, cpu);
}

long Map::push(const void *value, uint64_t flags) {
  if (!value)
    return -EFAULT;
  return readOnlyForProgram_ ? -EPERM : doPush(value, flags);
}

long Map::pop(void *value) {
  if (!value)
    return -EFAULT;
  return readOnlyForProgram_ ? -EPERM : doPop(value);
}

long Map::peek(void *value) { return value ? doPeek(value) : -EFAULT; }

std::optional<uint32_t> Map::tailCallProgram(uint32_t) const { return std::nullopt; }
std::optional<RedirectTarget> Map::redirectTarget(uint32_t) const { return std::nullopt; }

// Helpers the verifier does not let programs call on this map type.
long Map::doUpdate(const void *, const void *, uint64_t, unsigned) { return -EOPNOTSUPP; }
long Map::doRemove(const void *, unsigned) { return -EOPNOTSUPP; }
long Map::doPush(const void *, uint64_t) { return -EOPNOTSUPP; }
long Map::doPop(void *) { return -EOPNOTSUPP; }
long Map::doPeek(void *) { return -EOPNOTSUPP; }
long Map::doUserLookupAndDelete(const void *, void *) { return -kENotSupp; }

// --- user view: the checks the bpf() syscall makes before the map's own:
// the key argument (keyless maps take none, the others need one) and the
// file mode (BPF_F_RDONLY/WRONLY, frozen). ---

size_t Map::userValueSize() const {
  return perCpu_ ? detail::roundUp8(spec_.valueSize) * numCpus_ : spec_.valueSize;
}

long Map::keyError(const void *key) const {
  if (key && spec_.keySize == 0)
    return -EINVAL;
  if (!key && spec_.keySize != 0)
    return -EFAULT;
  return 0;
}

long Map::userLookup(const void *key, void *value) const {
  if (long error = keyError(key))
    return error;
  if (!value)
    return -EFAULT;
  if (spec_.flags & mapflags::kWrOnly)
    return -EPERM;
  return doUserLookup(key, value);
}

long Map::userUpdate(const void *key, const void *value, uint64_t flags) {
  if (long error = keyError(key))
    return error;
  if (!value)
    return -EFAULT;
  if ((spec_.flags & mapflags::kRdOnly) || frozen_)
    return -EPERM;
  return doUserUpdate(key, value, flags);
}

long Map::userDelete(const void *key) {
  if (long error = keyError(key))
    return error;
  if ((spec_.flags & mapflags::kRdOnly) || frozen_)
    return -EPERM;
  return doUserDelete(key);
}

long Map::userLookupAndDelete(const void *key, void *value) {
  if (long error = keyError(key))
    return error;
  if (!value)
    return -EFAULT;
  if ((spec_.flags & (mapflags::kRdOnly | mapflags::kWrOnly)) || frozen_)
    return -EPERM;
  return doUserLookupAndDelete(key, value);
}

long Map::getNextKey(const void *key, void *nextKey) const {
  if (key && spec_.keySize == 0)
    return -EINVAL;
  if (!nextKey && spec_.keySize != 0)
    return -EFAULT;
  if (spec_.flags & mapflags::kWrOnly)
    return -EPERM;
  return doGetNextKey(key, nextKey);
}

long Map::freeze() {
  if (spec_.flags & mapflags::kRdOnly)
    return -EPERM;
  if (frozen_)
    return -EBUSY;
  frozen_ = true;
  return 0;
}

void Map::copyValueIn(uint8_t *dst, const void *src) const {
  const auto *from = static_cast<const uint8_t *>(src);
  if (!spec_.spinLockOffset) {
    std::memcpy(dst, from, spec_.valueSize);
    return;
  }
  uint32_t lock = *spec_.spinLockOffset;
  std::memcpy(dst, from, lock);
  std::memcpy(dst + lock + 4, from + lock + 4, spec_.valueSize - lock - 4);
}

void Map::copyValueOut(void *dst, const uint8_t *src) const {
  auto *to = static_cast<uint8_t *>(dst);
  std::memcpy(to, src, spec_.valueSize);
  if (spec_.spinLockOffset)
    std::memset(to + *spec_.spinLockOffset, 0, 4);
}

// --- creation ---

long checkMapSpec(const MapSpec &spec, unsigned numCpus, std::string &reason) {
  const ir::MapTypeInfo *info = ir::findMapType(spec.type);
  if (!info)
    return reject(reason, -EINVAL, "unknown map type " + std::to_string(spec.type));
  if (long error = checkCommon(spec, numCpus, reason))
    return error;
  switch (static_cast<MT>(spec.type)) {
  case MT::Array:
  case MT::PercpuArray:
    return ArrayMap::check(spec, numCpus, reason);
  case MT::Hash:
  case MT::PercpuHash:
    return HashMap::check(spec, reason);
  case MT::LruHash:
  case MT::LruPercpuHash:
    return LruHashMap::check(spec, reason);
  case MT::LpmTrie:
    return LpmTrieMap::check(spec, reason);
  case MT::ProgArray:
    return ProgArrayMap::check(spec, reason);
  case MT::ArrayOfMaps:
  case MT::HashOfMaps:
    return checkMapInMapSpec(spec, numCpus, reason);
  case MT::Devmap:
  case MT::Cpumap:
  case MT::Xskmap:
    return RedirectArrayMap::check(spec, reason);
  case MT::DevmapHash:
    return DevMapHashMap::check(spec, reason);
  case MT::Queue:
  case MT::Stack:
    return QueueStackMap::check(spec, reason);
  case MT::Ringbuf:
    return RingBufMap::check(spec, reason);
  case MT::PerfEventArray:
    return PerfEventArrayMap::check(spec, reason);
  default:
    return reject(reason, -EOPNOTSUPP, "the runtime does not implement " + std::string(info->name) + " maps");
  }
}

std::unique_ptr<Map> createMap(const MapSpec &spec, unsigned numCpus, std::string &error) {
  std::string reason;
  if (long code = checkMapSpec(spec, numCpus, reason)) {
    error = std::string(errnoName(code)) + ": " + reason;
    return nullptr;
  }
  std::unique_ptr<Map> map;
  const MapSpec created = detail::createdSpec(spec, numCpus);
  switch (static_cast<MT>(spec.type)) {
  case MT::Array:
  case MT::PercpuArray:
    map = ArrayMap::create(created, numCpus);
    break;
  case MT::Hash:
  case MT::PercpuHash:
    map = HashMap::create(created, numCpus);
    break;
  case MT::LruHash:
  case MT::LruPercpuHash:
    map = LruHashMap::create(created, numCpus);
    break;
  case MT::LpmTrie:
    map = LpmTrieMap::create(created, numCpus);
    break;
  case MT::ProgArray:
    map = ProgArrayMap::create(created, numCpus);
    break;
  case MT::ArrayOfMaps:
    map = ArrayOfMapsMap::create(created, numCpus);
    break;
  case MT::HashOfMaps:
    map = HashOfMapsMap::create(created, numCpus);
    break;
  case MT::Devmap:
  case MT::Cpumap:
  case MT::Xskmap:
    map = RedirectArrayMap::create(created, numCpus);
    break;
  case MT::DevmapHash:
    map = DevMapHashMap::create(created, numCpus);
    break;
  case MT::Queue:
  case MT::Stack:
    map = QueueStackMap::create(created, numCpus);
    break;
  case MT::Ringbuf:
    map = RingBufMap::create(created, numCpus);
    break;
  case MT::PerfEventArray:
    map = PerfEventArrayMap::create(created, numCpus);
    break;
  default:
    break; // checkMapSpec rejected every other type
  }
  if (!map)
    error = "ENOMEM: cannot allocate the storage of map '" + spec.name + "'";
  return map;
}

} // namespace ebpfc::runtime
