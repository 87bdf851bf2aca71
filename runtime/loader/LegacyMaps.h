// Map definitions in the "maps" section, as objects predating BTF-defined
// maps declare them: libbpf's struct bpf_map_def (kernel samples/bpf appended
// inner_map_idx and numa_node to it) and iproute2's struct bpf_elf_map, which
// tc objects and BPFabric-style switch projects use. Both are arrays of u32
// fields, one entry per symbol; the entry size is the section size divided by
// the number of symbols, as libbpf and iproute2 compute it.
#pragma once

#include "runtime/loader/Btf.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/MapDefinition.h"
#include "runtime/loader/Object.h"

#include <cstdint>
#include <vector>

namespace ebpfc::runtime {

enum class LegacyMapLayout {
  // iproute2's layout when the entry type is named bpf_elf_map in BTF or,
  // without BTF, when entries are 36 bytes (sizeof(struct bpf_elf_map));
  // libbpf's otherwise.
  Auto,
  BpfMapDef, // type, key_size, value_size, max_entries, map_flags[, inner_map_idx, numa_node]
  BpfElfMap, // type, size_key, size_value, max_elem, flags, id, pinning, inner_id, inner_idx
};

struct LegacyMaps {
  std::vector<MapDefinition> maps; // in section order
  // Initial map-in-map slots, with indexes into `maps` (iproute2's inner_idx).
  std::vector<MapInMapInit> mapInMapInits;
  // iproute2's per-map id (0 when none), parallel to `maps`; tail-call
  // sections named "ID/KEY" fill slot KEY of the prog array with that id.
  std::vector<uint32_t> elfMapIds;
};

// `btf` may be null; it only helps to tell the two layouts apart.
Expected<LegacyMaps> readLegacyMaps(const ElfFile &elf, const ElfSection &section,
                                    LegacyMapLayout layout, const Btf *btf);

} // namespace ebpfc::runtime
