#include "runtime/maps/HashIndex.h"

#include <cstring>
#include <new>

namespace ebpfc::runtime {

namespace {
uint64_t mix(uint64_t h, uint64_t word) {
  h = (h ^ word) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}
} // namespace

uint32_t HashIndex::hashOf(const void *key) const {
  const auto *bytes = static_cast<const uint8_t *>(key);
  uint64_t h = 0x243F6A8885A308D3ull ^ keySize_;
  size_t i = 0;
  for (; i + 8 <= keySize_; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    h = mix(h, word);
  }
  if (i < keySize_) {
    uint64_t word = 0;
    std::memcpy(&word, bytes + i, keySize_ - i);
    h = mix(h, word);
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return static_cast<uint32_t>(h);
}

uint32_t HashIndex::find(const void *key) const {
  if (size_ == 0)
    return kNone;
  uint32_t hash = hashOf(key);
  size_t mask = buckets_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket &bucket = buckets_[i];
    if (bucket.elementPlusOne == 0)
      return kNone;
    uint32_t element = bucket.elementPlusOne - 1;
    if (bucket.hash == hash && std::memcmp(pool_.key(element), key, keySize_) == 0)
      return element;
  }
}

bool HashIndex::rehash(size_t bucketCount) {
  std::vector<Bucket> fresh;
  try {
    fresh.resize(bucketCount);
  } catch (const std::bad_alloc &) {
    return false;
  }
  size_t mask = bucketCount - 1;
  for (const Bucket &bucket : buckets_) {
    if (bucket.elementPlusOne == 0)
      continue;
    size_t i = bucket.hash & mask;
    while (fresh[i].elementPlusOne != 0)
      i = (i + 1) & mask;
    fresh[i] = bucket;
  }
  buckets_.swap(fresh);
  return true;
}

bool HashIndex::insert(uint32_t element) {
  // Keep the load factor at most 3/4 so probe sequences stay short.
  if ((size_ + 1) * 4 > buckets_.size() * 3 && !rehash(buckets_.empty() ? 16 : buckets_.size() * 2))
    return false;
  if (element >= next_.size()) {
    try {
      next_.resize(pool_.capacity(), kNone);
      prev_.resize(pool_.capacity(), kNone);
    } catch (const std::bad_alloc &) {
      return false;
    }
  }
  uint32_t hash = hashOf(pool_.key(element));
  size_t mask = buckets_.size() - 1;
  size_t i = hash & mask;
  while (buckets_[i].elementPlusOne != 0)
    i = (i + 1) & mask;
  buckets_[i] = {element + 1, hash};
  ++size_;

  prev_[element] = tail_;
  next_[element] = kNone;
  if (tail_ != kNone)
    next_[tail_] = element;
  else
    head_ = element;
  tail_ = element;
  return true;
}

void HashIndex::erase(uint32_t element) {
  uint32_t hash = hashOf(pool_.key(element));
  size_t mask = buckets_.size() - 1;
  size_t hole = hash & mask;
  while (buckets_[hole].elementPlusOne != element + 1)
    hole = (hole + 1) & mask;
  // Backward-shift deletion: move later members of the probe run into the
  // hole when their home bucket allows, so lookups never need tombstones.
  for (size_t j = (hole + 1) & mask; buckets_[j].elementPlusOne != 0; j = (j + 1) & mask) {
    size_t home = buckets_[j].hash & mask;
    bool homeOutsideHoleToJ = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (homeOutsideHoleToJ) {
      buckets_[hole] = buckets_[j];
      hole = j;
    }
  }
  buckets_[hole] = {};
  --size_;

  uint32_t before = prev_[element], after = next_[element];
  if (before != kNone)
    next_[before] = after;
  else
    head_ = after;
  if (after != kNone)
    prev_[after] = before;
  else
    tail_ = before;
}

} // namespace ebpfc::runtime
