// BPF_MAP_TYPE_LPM_TRIE. Keys are struct bpf_lpm_trie_key_u8
// { u32 prefixlen; u8 data[key_size - 4]; } with data in network order
// (most significant bit first). Update and delete act on the exact prefix
// (data bits past prefixlen do not matter); lookup returns the entry with
// the longest prefix that covers the key's first prefixlen bits.
//
// Entries are indexed by their masked key (one hash probe per distinct
// prefix length present, longest first) and kept in the order the kernel's
// get_next_key walks its trie: post-order, so more specific prefixes come
// before the prefixes that contain them, and a 0 bit before a 1 bit where two
// prefixes diverge. getNextKey reports a key's data bytes as last written,
// including the bits past prefixlen, as the kernel does.
#pragma once

#include "runtime/maps/ElementPool.h"
#include "runtime/maps/HashIndex.h"
#include "runtime/maps/Map.h"

#include <functional>
#include <set>
#include <vector>

namespace ebpfc::runtime {

class LpmTrieMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;
  void quiesce() override { pool_.reclaimRetired(); }

private:
  LpmTrieMap(const MapSpec &spec, unsigned numCpus);

  // Orders elements by their masked keys in trie post-order.
  struct PostOrder {
    const ElementPool *pool;
    uint32_t dataSize;
    bool operator()(uint32_t a, uint32_t b) const;
  };

  uint32_t dataSize() const { return spec_.keySize - 4; }
  uint32_t maxPrefixLen() const { return dataSize() * 8; }
  // Writes the key's first `prefixLen` bits, the rest zeroed, as a key.
  void maskKey(const uint8_t *key, uint32_t prefixLen, uint8_t *masked) const;
  uint32_t longestMatch(const void *key) const;
  uint32_t findExact(const void *key) const;
  long updateEntry(const void *key, const void *value, uint64_t flags);
  long removeEntry(const void *key);

  void *doLookup(const void *key, unsigned cpu) override;
  long doUpdate(const void *key, const void *value, uint64_t flags, unsigned cpu) override;
  long doRemove(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  // Element key area: the masked key (what the index hashes), then the data
  // bytes as last written.
  ElementPool pool_;
  HashIndex index_;
  std::set<uint32_t, PostOrder> order_;
  std::vector<uint32_t> entriesPerLength_;                     // by prefix length
  std::set<uint32_t, std::greater<uint32_t>> lengthsPresent_; // longest first
};

} // namespace ebpfc::runtime
