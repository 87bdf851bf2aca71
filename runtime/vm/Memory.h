// The memory a program may touch during a run, as regions of host memory.
// Programs hold real host addresses (the context pointer, packet pointers,
// map values from helpers, the stack), so every engine checks each access
// against these regions (plus the engine's own stack) before touching host
// memory: no program can read or write anything else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ebpfc::runtime {

enum class RegionKind : uint8_t {
  Stack,        // the engine's stack frames
  Context,      // the program's context (xdp_md, __sk_buff, conformance memory)
  Packet,       // packet bytes [data, data_end)
  MapValue,     // a live map value
  ReadOnlyData, // a read-only map value (.rodata, BPF_F_RDONLY_PROG)
  Memory,       // other memory an embedder or helper hands to the program
};
std::string_view regionKindName(RegionKind kind);

// Emulates the kernel's context rewriting: the program's loads and stores
// of context fields (e.g. the 32-bit xdp_md.data) go to the embedder, which
// may return full 64-bit host pointers. Offsets are from the region's begin.
class ContextAccessor {
public:
  virtual ~ContextAccessor() = default;
  // false: no such field or width (the access faults).
  virtual bool load(uint64_t offset, unsigned size, uint64_t &value) = 0;
  virtual bool store(uint64_t offset, unsigned size, uint64_t value) = 0;
};

struct Region {
  uint64_t begin = 0; // host address (with an accessor: the address the program sees)
  uint64_t size = 0;
  bool writable = true;
  RegionKind kind = RegionKind::Memory;
  // For reports ("packet", a map's name). Must outlive the run.
  std::string_view name;
  // When set, accesses inside the region go through it instead of memory.
  ContextAccessor *accessor = nullptr;

  uint64_t end() const { return begin + size; }
  bool contains(uint64_t address, uint64_t length) const {
    const uint64_t relative = address - begin;
    return relative < size && length <= size - relative;
  }
};

// A region over host memory.
inline Region hostRegion(const void *data, uint64_t size, RegionKind kind, std::string_view name,
                         bool writable = true) {
  Region region;
  region.begin = reinterpret_cast<uint64_t>(data);
  region.size = size;
  region.kind = kind;
  region.name = name;
  region.writable = writable;
  return region;
}

// One access a program made (for fault reports).
struct MemoryAccess {
  uint64_t address = 0;
  uint32_t size = 0;
  bool write = false;
};

} // namespace ebpfc::runtime
