// BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: hash maps that,
// when full, evict the least recently used element instead of failing with
// -E2BIG. "Used" means inserted, updated (either view) or looked up by a
// program; user-space lookups do not count, as in the kernel.
//
// Recency is exact: one list for the map, or with BPF_F_NO_COMMON_LRU one per
// CPU, each holding max_entries / numCpus elements (max_entries is rounded up
// to a multiple of the CPU count at creation, as the kernel does). An element
// belongs to the list of the CPU that inserted it; user space inserts as
// CPU 0. The kernel approximates LRU with active/inactive lists and may evict
// a little early; the runtime evicts exactly the least recently used element
// and only when its list is full.
#pragma once

#include "runtime/maps/HashMap.h"

#include <vector>

namespace ebpfc::runtime {

class LruHashMap final : public HashMap {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

private:
  LruHashMap(const MapSpec &spec, unsigned numCpus);

  long makeRoom(unsigned cpu) override;
  void touched(uint32_t element) override;
  void inserted(uint32_t element, unsigned cpu) override;
  void removing(uint32_t element) override;
  uint64_t extraUpdateFlags() const override { return 0; }

  struct RecencyList {
    uint32_t mostRecent = HashIndex::kNone;
    uint32_t leastRecent = HashIndex::kNone;
    uint32_t size = 0;
  };
  void link(uint32_t element, RecencyList &list);
  void unlink(uint32_t element);

  std::vector<RecencyList> lists_; // one, or one per CPU
  uint32_t listCapacity_;
  // By element: neighbours towards more and less recent, and owning list.
  std::vector<uint32_t> moreRecent_, lessRecent_, listOf_;
};

} // namespace ebpfc::runtime
