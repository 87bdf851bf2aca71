// BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH, and the base of the LRU
// variants. Elements live in an ElementPool (stable addresses, deferred
// reuse); a HashIndex finds them by key and orders getNextKey.
//
// An update of an existing key rewrites its value in place. (The kernel
// swaps in a fresh element for non-per-CPU maps, so a pointer taken before
// the update keeps showing the old value until the element is reused; in
// place keeps memory bounded when a program updates one key in a loop.)
#pragma once

#include "runtime/maps/ElementPool.h"
#include "runtime/maps/HashIndex.h"
#include "runtime/maps/Map.h"

namespace ebpfc::runtime {

class HashMap : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  // htab_map_alloc_check for the whole family (hash-of-maps too); `lru`
  // for the LRU variants.
  static long checkHashFamily(const MapSpec &spec, bool lru, std::string &reason);

  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;
  void quiesce() override { pool_.reclaimRetired(); }

protected:
  HashMap(const MapSpec &spec, unsigned numCpus);

  // Frees room for one new element inserted on behalf of `cpu`: a plain
  // hash map refuses when max_entries elements exist, an LRU map evicts.
  virtual long makeRoom(unsigned cpu);
  // Hooks for recency tracking (LRU maps).
  virtual void touched(uint32_t element) {}
  virtual void inserted(uint32_t element, unsigned cpu) {}
  virtual void removing(uint32_t element) {}
  // Update flags other than BPF_ANY/NOEXIST/EXIST this map accepts.
  virtual uint64_t extraUpdateFlags() const { return isPerCpu() ? 0 : kLock; }

  // Removes a live element from the map; its memory is reclaimed at quiesce().
  void dropElement(uint32_t element);

  ElementPool pool_;
  HashIndex index_;

private:
  // `cpu` < 0: the user view, which writes every CPU's value.
  long updateElement(const void *key, const void *value, uint64_t flags, int cpu);
  long removeElement(const void *key);

  void *doLookup(const void *key, unsigned cpu) override;
  long doUpdate(const void *key, const void *value, uint64_t flags, unsigned cpu) override;
  long doRemove(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doUserLookupAndDelete(const void *key, void *value) override;
  long doGetNextKey(const void *key, void *nextKey) const override;
};

} // namespace ebpfc::runtime
