#include "runtime/maps/MapInMap.h"

#include "runtime/maps/ArrayMap.h"
#include "runtime/maps/HashMap.h"
#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

long checkMapInMapSpec(const MapSpec &spec, unsigned numCpus, std::string &reason) {
  if (isType(spec, MT::ArrayOfMaps)) {
    if (long error = ArrayMap::checkFdArray(spec, reason))
      return error;
  } else {
    if (long error = HashMap::checkHashFamily(spec, false, reason))
      return error;
    if (spec.valueSize != 4)
      return reject(reason, -EINVAL, "value_size must be 4: the values are map file descriptors");
  }
  if (!spec.inner)
    return reject(reason, -EINVAL, "a map-in-map needs an inner map template");
  const MapSpec &inner = *spec.inner;
  if (isType(inner, MT::ArrayOfMaps) || isType(inner, MT::HashOfMaps))
    return reject(reason, -EINVAL, "maps of maps cannot be nested");
  std::string innerReason;
  if (long error = checkMapSpec(inner, numCpus, innerReason))
    return reject(reason, error, "inner map: " + innerReason);
  if (isType(inner, MT::ProgArray))
    return reject(reason, -kENotSupp, "a prog array cannot be an inner map");
  return 0;
}

// --- common part ---

bool MapOfMaps::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::ArrayOfMaps) || type == static_cast<uint32_t>(MT::HashOfMaps);
}

MapOfMaps::MapOfMaps(const MapSpec &spec, unsigned numCpus)
    : Map(spec, numCpus), inner_(createdSpec(*spec.inner, numCpus)) {}

bool MapOfMaps::accepts(const Map &inner) const {
  const MapSpec &other = inner.spec();
  if (other.type != inner_.type || other.keySize != inner_.keySize || other.valueSize != inner_.valueSize ||
      other.flags != inner_.flags || other.spinLockOffset != inner_.spinLockOffset ||
      inner.numCpus() != numCpus_)
    return false;
  // Plain arrays also fix max_entries, unless declared BPF_F_INNER_MAP.
  if (isType(inner_, MT::Array) && !(inner_.flags & mapflags::kInnerMap))
    return other.maxEntries == inner_.maxEntries;
  return true;
}

long MapOfMaps::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  return setInnerMap(key, Map::findById(readU32(value)), flags);
}

// --- array of maps ---

bool ArrayOfMapsMap::implements(uint32_t type) { return type == static_cast<uint32_t>(MT::ArrayOfMaps); }

std::unique_ptr<Map> ArrayOfMapsMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new ArrayOfMapsMap(spec, numCpus));
}

long ArrayOfMapsMap::setInnerMap(const void *key, std::shared_ptr<Map> inner, uint64_t flags) {
  if (flags != kAny)
    return -EINVAL;
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  if (!inner)
    return -EBADF;
  if (!accepts(*inner))
    return -EINVAL;
  if (slots_[index])
    release(std::move(slots_[index]));
  slots_[index] = std::move(inner);
  return 0;
}

void *ArrayOfMapsMap::doLookup(const void *key, unsigned) {
  uint32_t index = readU32(key);
  return index < slots_.size() ? slots_[index].get() : nullptr;
}

long ArrayOfMapsMap::doUserLookup(const void *key, void *value) const {
  uint32_t index = readU32(key);
  if (index >= slots_.size() || !slots_[index])
    return -ENOENT;
  writeU32(value, slots_[index]->id());
  return 0;
}

long ArrayOfMapsMap::doUserDelete(const void *key) {
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  if (!slots_[index])
    return -ENOENT;
  release(std::move(slots_[index]));
  return 0;
}

long ArrayOfMapsMap::doGetNextKey(const void *key, void *nextKey) const {
  return arrayNextKey(key, nextKey, spec_.maxEntries);
}

// --- hash of maps ---

bool HashOfMapsMap::implements(uint32_t type) { return type == static_cast<uint32_t>(MT::HashOfMaps); }

std::unique_ptr<Map> HashOfMapsMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new HashOfMapsMap(spec, numCpus));
}

HashOfMapsMap::HashOfMapsMap(const MapSpec &spec, unsigned numCpus)
    : MapOfMaps(spec, numCpus), pool_({0, 0, 1, spec.keySize}, std::max<size_t>(spec.maxEntries, 1024)),
      index_(pool_, spec.keySize) {}

long HashOfMapsMap::setInnerMap(const void *key, std::shared_ptr<Map> inner, uint64_t flags) {
  // The kernel resolves the fd before it looks at the flags.
  if (!inner)
    return -EBADF;
  if (!accepts(*inner))
    return -EINVAL;
  if (flags > kExist)
    return -EINVAL; // BPF_F_LOCK included: a map fd holds no spin lock
  uint32_t element = index_.find(key);
  if (element != HashIndex::kNone) {
    if (flags == kNoExist)
      return -EEXIST;
    release(std::move(innerOf_[element]));
  } else {
    if (flags == kExist)
      return -ENOENT;
    if (index_.size() >= spec_.maxEntries)
      return -E2BIG;
    element = pool_.allocate();
    if (element == ElementPool::kNone)
      return -ENOMEM;
    std::memcpy(pool_.key(element), key, spec_.keySize);
    if (!index_.insert(element)) {
      pool_.release(element);
      return -ENOMEM;
    }
    if (innerOf_.size() < pool_.capacity())
      innerOf_.resize(pool_.capacity());
  }
  innerOf_[element] = std::move(inner);
  return 0;
}

void HashOfMapsMap::quiesce() {
  MapOfMaps::quiesce();
  pool_.reclaimRetired();
}

void *HashOfMapsMap::doLookup(const void *key, unsigned) {
  uint32_t element = index_.find(key);
  return element == HashIndex::kNone ? nullptr : innerOf_[element].get();
}

long HashOfMapsMap::doUserLookup(const void *key, void *value) const {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  writeU32(value, innerOf_[element]->id());
  return 0;
}

long HashOfMapsMap::doUserDelete(const void *key) {
  uint32_t element = index_.find(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  release(std::move(innerOf_[element]));
  index_.erase(element);
  pool_.retire(element);
  return 0;
}

long HashOfMapsMap::doGetNextKey(const void *key, void *nextKey) const {
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

} // namespace ebpfc::runtime
