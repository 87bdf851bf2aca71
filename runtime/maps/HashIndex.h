// Index from fixed-size keys to ElementPool elements, for every map family
// keyed by arbitrary bytes (hash, LRU hash, LPM trie, devmap-hash,
// hash-of-maps). Open addressing with linear probing; the keys themselves
// live in the pool, the index stores element numbers and cached hashes.
//
// Elements are also chained in insertion order, which is the order
// getNextKey walks: it visits every key once, is unaffected by growth of the
// table, and a key removed during a walk does not disturb the others.
#pragma once

#include "runtime/maps/ElementPool.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ebpfc::runtime {

class HashIndex {
public:
  static constexpr uint32_t kNone = ElementPool::kNone;

  // Keys are the first `keySize` bytes at pool.key(element).
  HashIndex(const ElementPool &pool, size_t keySize) : pool_(pool), keySize_(keySize) {}

  uint32_t find(const void *key) const;
  // Adds `element`, whose key must not be in the index yet; false when
  // memory is exhausted (the index is then unchanged).
  bool insert(uint32_t element);
  void erase(uint32_t element);
  size_t size() const { return size_; }

  // Insertion order; kNone past the end.
  uint32_t first() const { return head_; }
  uint32_t next(uint32_t element) const { return next_[element]; }

private:
  struct Bucket {
    uint32_t elementPlusOne = 0; // 0: empty
    uint32_t hash = 0;
  };
  uint32_t hashOf(const void *key) const;
  bool rehash(size_t bucketCount);

  const ElementPool &pool_;
  size_t keySize_;
  std::vector<Bucket> buckets_;
  size_t size_ = 0;
  std::vector<uint32_t> prev_, next_; // insertion-order links, by element
  uint32_t head_ = kNone, tail_ = kNone;
};

} // namespace ebpfc::runtime
