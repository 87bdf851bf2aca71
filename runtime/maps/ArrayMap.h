// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY, including the one-entry
// arrays behind .data/.bss/.rodata. Keys are u32 indexes below max_entries;
// every element exists from creation, zero-filled (or holding the section's
// initial bytes), and cannot be deleted. Values never move, so pointers
// handed to programs stay valid for the map's lifetime.
#pragma once

#include "runtime/maps/Map.h"

#include <cstdlib>
#include <memory>
#include <optional>

namespace ebpfc::runtime {

class ArrayMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, unsigned numCpus, std::string &reason);
  // array_map_alloc_check, shared by every array-shaped type (prog array,
  // perf event array, array-of-maps too).
  static long checkArrayShape(const MapSpec &spec, unsigned numCpus, std::string &reason);
  // fd_array_map_alloc_check: arrays whose values name kernel objects
  // (programs, perf events, maps) hold a u32 and have no program access flags.
  static long checkFdArray(const MapSpec &spec, std::string &reason);
  // nullptr when the storage cannot be allocated.
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;

  // Where values lie, for engines that inline lookups: nullopt for per-CPU
  // arrays (the value depends on the CPU).
  struct Layout {
    uint8_t *values;
    size_t stride;
    uint32_t maxEntries;
  };
  std::optional<Layout> layout() const {
    if (isPerCpu())
      return std::nullopt;
    return Layout{storage_.get(), stride_, spec_.maxEntries};
  }

private:
  ArrayMap(const MapSpec &spec, unsigned numCpus, uint8_t *storage);

  uint8_t *value(uint32_t index, unsigned cpu) const {
    return storage_.get() + (static_cast<size_t>(index) * valueCount_ + cpu) * stride_;
  }

  void *doLookup(const void *key, unsigned cpu) override;
  long doUpdate(const void *key, const void *value, uint64_t flags, unsigned cpu) override;
  long doRemove(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;
  long checkUpdate(const void *key, uint64_t flags, uint32_t &index) const;

  struct FreeDeleter {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> storage_;
  size_t stride_;       // value_size rounded up to 8, the kernel's elem_size
  unsigned valueCount_; // values per index: 1, or numCpus for per-CPU
};

} // namespace ebpfc::runtime
