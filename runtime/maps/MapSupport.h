// Pieces shared by the map families' implementations (not part of the
// runtime's interface).
#pragma once

#include "ir/MapType.h"
#include "runtime/maps/Map.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace ebpfc::runtime::detail {

// KMALLOC_MAX_SIZE on x86-64 with 4 KiB pages: the kernel's bound on
// single-allocation elements (hash elements, queue values, LPM values).
inline constexpr uint64_t kKmallocMaxSize = 4ull << 20;
// PCPU_MIN_UNIT_SIZE: the bound on one CPU's value of a per-CPU map.
inline constexpr uint64_t kPerCpuUnitSize = 32768;

inline size_t roundUp8(size_t n) { return (n + 7) & ~size_t{7}; }

inline bool isType(const MapSpec &spec, ir::MapType type) { return spec.type == static_cast<uint32_t>(type); }

// The spec as creation adjusts it, like the kernel: LRU maps with per-CPU
// lists round max_entries to a multiple of the CPU count; devmaps become
// read-only for programs (lookups return the stored value itself).
MapSpec createdSpec(const MapSpec &spec, unsigned numCpus);

// Records why a spec is rejected; returns the errno to report.
inline long reject(std::string &reason, long error, std::string why) {
  reason = std::move(why);
  return error;
}

// bpf_map_flags_access_ok(): a map cannot be both read-only and write-only
// for programs.
inline bool programAccessFlagsOk(uint32_t flags) {
  constexpr uint32_t both = mapflags::kRdOnlyProg | mapflags::kWrOnlyProg;
  return (flags & both) != both;
}

// Whether the spec asks for a NUMA node (the runtime has node 0 only, which
// createMap has already checked).
inline bool requestsNumaNode(const MapSpec &spec) { return (spec.flags & mapflags::kNumaNode) != 0; }

inline uint32_t readU32(const void *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void writeU32(void *p, uint32_t v) { std::memcpy(p, &v, 4); }

// get_next_key of every array-shaped map: a missing or out-of-range key
// restarts at index 0; the last index has no successor.
inline long arrayNextKey(const void *key, void *nextKey, uint32_t maxEntries) {
  uint32_t index = key ? readU32(key) : maxEntries;
  if (index >= maxEntries) {
    writeU32(nextKey, 0);
    return 0;
  }
  if (index == maxEntries - 1)
    return -ENOENT;
  writeU32(nextKey, index + 1);
  return 0;
}

} // namespace ebpfc::runtime::detail
