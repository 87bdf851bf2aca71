#include "runtime/maps/LpmTrieMap.h"

#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

namespace {
// The kernel's bounds: 1..256 data bytes; values up to what one allocation
// holds next to the largest key and the 40-byte trie node.
constexpr uint32_t kMinKeySize = 4 + 1, kMaxKeySize = 4 + 256;
constexpr uint64_t kMaxValueSize = kKmallocMaxSize - 256 - 40;
constexpr size_t kMaxRetired = 1024;

int bitAt(const uint8_t *data, uint32_t index) { return (data[index / 8] >> (7 - index % 8)) & 1; }
} // namespace

bool LpmTrieMap::implements(uint32_t type) { return type == static_cast<uint32_t>(MT::LpmTrie); }

long LpmTrieMap::check(const MapSpec &spec, std::string &reason) {
  constexpr uint32_t allowed = mapflags::kNoPrealloc | mapflags::kNumaNode | mapflags::kAccessMask;
  if (spec.maxEntries == 0)
    return reject(reason, -EINVAL, "max_entries must not be 0");
  if (!(spec.flags & mapflags::kNoPrealloc))
    return reject(reason, -EINVAL, "an LPM trie must be created with BPF_F_NO_PREALLOC");
  if (spec.flags & ~allowed)
    return reject(reason, -EINVAL, "unsupported map_flags for an LPM trie");
  if (!programAccessFlagsOk(spec.flags))
    return reject(reason, -EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other");
  if (spec.keySize < kMinKeySize || spec.keySize > kMaxKeySize)
    return reject(reason, -EINVAL, "an LPM trie key is a u32 prefix length and 1 to 256 data bytes (key_size 5..260)");
  if (spec.valueSize == 0 || spec.valueSize > kMaxValueSize)
    return reject(reason, -EINVAL, "value_size out of range for an LPM trie");
  return 0;
}

std::unique_ptr<Map> LpmTrieMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new LpmTrieMap(spec, numCpus));
}

LpmTrieMap::LpmTrieMap(const MapSpec &spec, unsigned numCpus)
    : Map(spec, numCpus),
      pool_({spec.valueSize, roundUp8(spec.valueSize), 1, size_t{spec.keySize} + (spec.keySize - 4)},
            std::max<size_t>(spec.maxEntries, kMaxRetired)),
      index_(pool_, spec.keySize), order_(PostOrder{&pool_, spec.keySize - 4}),
      entriesPerLength_((spec.keySize - 4) * 8 + 1, 0) {}

bool LpmTrieMap::PostOrder::operator()(uint32_t a, uint32_t b) const {
  const uint8_t *keyA = pool->key(a), *keyB = pool->key(b);
  uint32_t lenA = readU32(keyA), lenB = readU32(keyB);
  const uint8_t *dataA = keyA + 4, *dataB = keyB + 4;
  uint32_t common = std::min(lenA, lenB);
  for (uint32_t byte = 0; byte * 8 < common; ++byte) {
    uint8_t diff = dataA[byte] ^ dataB[byte];
    if (diff == 0)
      continue;
    uint32_t bit = byte * 8 + static_cast<uint32_t>(std::countl_zero(diff));
    if (bit >= common)
      break;
    return bitAt(dataA, bit) < bitAt(dataB, bit);
  }
  // One prefix contains the other: the more specific one comes first.
  return lenA > lenB;
}

void LpmTrieMap::maskKey(const uint8_t *key, uint32_t prefixLen, uint8_t *masked) const {
  writeU32(masked, prefixLen);
  uint8_t *data = masked + 4;
  std::memset(data, 0, dataSize());
  std::memcpy(data, key + 4, prefixLen / 8);
  if (prefixLen % 8)
    data[prefixLen / 8] = key[4 + prefixLen / 8] & static_cast<uint8_t>(0xFF00 >> (prefixLen % 8));
}

uint32_t LpmTrieMap::longestMatch(const void *key) const {
  const auto *bytes = static_cast<const uint8_t *>(key);
  uint32_t prefixLen = readU32(bytes);
  if (prefixLen > maxPrefixLen())
    return HashIndex::kNone;
  std::array<uint8_t, kMaxKeySize> probe;
  for (auto it = lengthsPresent_.lower_bound(prefixLen); it != lengthsPresent_.end(); ++it) {
    maskKey(bytes, *it, probe.data());
    uint32_t element = index_.find(probe.data());
    if (element != HashIndex::kNone)
      return element;
  }
  return HashIndex::kNone;
}

uint32_t LpmTrieMap::findExact(const void *key) const {
  std::array<uint8_t, kMaxKeySize> probe;
  maskKey(static_cast<const uint8_t *>(key), readU32(key), probe.data());
  return index_.find(probe.data());
}

long LpmTrieMap::updateEntry(const void *key, const void *value, uint64_t flags) {
  if (flags > kExist)
    return -EINVAL;
  uint32_t prefixLen = readU32(key);
  if (prefixLen > maxPrefixLen())
    return -EINVAL;
  uint32_t element = findExact(key);
  if (element != HashIndex::kNone) {
    if (flags == kNoExist)
      return -EEXIST;
  } else {
    if (flags == kExist)
      return -ENOENT;
    if (index_.size() >= spec_.maxEntries)
      return -ENOSPC;
    element = pool_.allocate();
    if (element == ElementPool::kNone)
      return -ENOMEM;
    maskKey(static_cast<const uint8_t *>(key), prefixLen, pool_.key(element));
    if (!index_.insert(element)) {
      pool_.release(element);
      return -ENOMEM;
    }
    order_.insert(element);
    if (entriesPerLength_[prefixLen]++ == 0)
      lengthsPresent_.insert(prefixLen);
  }
  std::memcpy(pool_.key(element) + spec_.keySize, static_cast<const uint8_t *>(key) + 4, dataSize());
  copyValueIn(pool_.value(element), value);
  return 0;
}

long LpmTrieMap::removeEntry(const void *key) {
  uint32_t prefixLen = readU32(key);
  if (prefixLen > maxPrefixLen())
    return -EINVAL;
  uint32_t element = findExact(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  order_.erase(element);
  index_.erase(element);
  if (--entriesPerLength_[prefixLen] == 0)
    lengthsPresent_.erase(prefixLen);
  pool_.retire(element);
  return 0;
}

void *LpmTrieMap::doLookup(const void *key, unsigned) {
  uint32_t element = longestMatch(key);
  return element == HashIndex::kNone ? nullptr : pool_.value(element);
}

long LpmTrieMap::doUpdate(const void *key, const void *value, uint64_t flags, unsigned) {
  return updateEntry(key, value, flags);
}

long LpmTrieMap::doRemove(const void *key, unsigned) { return removeEntry(key); }

long LpmTrieMap::doUserLookup(const void *key, void *value) const {
  uint32_t element = longestMatch(key);
  if (element == HashIndex::kNone)
    return -ENOENT;
  copyValueOut(value, pool_.value(element));
  return 0;
}

long LpmTrieMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  return updateEntry(key, value, flags);
}

long LpmTrieMap::doUserDelete(const void *key) { return removeEntry(key); }

long LpmTrieMap::doGetNextKey(const void *key, void *nextKey) const {
  if (order_.empty())
    return -ENOENT;
  auto next = order_.begin();
  if (key && readU32(key) <= maxPrefixLen()) {
    uint32_t current = findExact(key);
    if (current != HashIndex::kNone) {
      next = std::next(order_.find(current));
      if (next == order_.end())
        return -ENOENT;
    }
  }
  const uint8_t *stored = pool_.key(*next);
  auto *out = static_cast<uint8_t *>(nextKey);
  std::memcpy(out, stored, 4);
  std::memcpy(out + 4, stored + spec_.keySize, dataSize());
  return 0;
}

bool LpmTrieMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  uint8_t *begin;
  if (!pool_.findValue(p, len, begin))
    return false;
  region = {begin, spec_.valueSize, !isReadOnlyForProgram()};
  return true;
}

} // namespace ebpfc::runtime
