// eBPF maps with the kernel's semantics, for programs run in user space.
//
// Two views of every map, as in the kernel:
//  - program view (helpers): lookup returns a pointer into the map's storage
//    that stays valid until the current program run ends, even if the element
//    is deleted meanwhile (the kernel's RCU guarantee); per-CPU maps act on the
//    value of the CPU the program runs on.
//  - user view (bpf() syscall): values are copied in and out; per-CPU maps
//    transfer all CPUs' values back to back, each rounded up to 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

// Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK).
inline constexpr uint64_t kAny = 0, kNoExist = 1, kExist = 2, kLock = 4;

struct MapSpec {
  std::string name;
  uint32_t type = 0; // ir::MapType value
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  uint32_t flags = 0;     // map_flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, ...)
  uint32_t numaNode = 0;
  uint64_t mapExtra = 0;
  uint32_t pinning = 0;
  std::shared_ptr<const MapSpec> inner; // template of map-in-map values
  bool readOnlyForProgram = false;      // .rodata and BPF_F_RDONLY_PROG maps
  // Initial contents of element 0 (global-data sections), empty otherwise.
  std::vector<uint8_t> initialValue;
};

// A memory range a program may legitimately access (checked mode).
struct MemoryRegion {
  uint8_t *begin = nullptr;
  size_t size = 0;
  bool writable = true;
};

class Map {
public:
  virtual ~Map() = default;
  const MapSpec &spec() const { return spec_; }

  // --- program view (return negative errno values like the kernel) ---
  virtual void *lookup(const void *key, unsigned cpu);
  virtual long update(const void *key, const void *value, uint64_t flags, unsigned cpu);
  virtual long remove(const void *key, unsigned cpu);
  virtual long push(const void *value, uint64_t flags);   // queue, stack, bloom filter
  virtual long pop(void *value);                           // queue, stack
  virtual long peek(void *value);                          // queue, stack, bloom filter

  // --- user view ---
  // Size of a value as user space transfers it (per-CPU: all CPUs).
  size_t userValueSize() const;
  virtual long userLookup(const void *key, void *value) const;
  virtual long userUpdate(const void *key, const void *value, uint64_t flags);
  virtual long userDelete(const void *key);
  // key == nullptr asks for the first key; -ENOENT after the last.
  virtual long getNextKey(const void *key, void *nextKey) const;

  // Whether [p, p+len) lies inside a live value of this map (checked mode);
  // fills `region` with the whole value's range.
  virtual bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const = 0;

  // Ends a program run: memory of elements deleted during the run is freed
  // now, never while a program may still hold a pointer to it.
  virtual void quiesce() {}

protected:
  Map(MapSpec spec, unsigned numCpus) : spec_(std::move(spec)), numCpus_(numCpus) {}
  MapSpec spec_;
  unsigned numCpus_;
};

// Creates a map with kernel semantics, or returns nullptr and sets `error`
// (the reason the kernel would give, e.g. "key_size must be 4 for an array").
std::unique_ptr<Map> createMap(const MapSpec &spec, unsigned numCpus, std::string &error);

} // namespace ebpfc::runtime
