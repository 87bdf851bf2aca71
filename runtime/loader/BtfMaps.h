// BTF-defined maps: the variables of the ".maps" section, whose struct type
// encodes the map attributes the way libbpf's bpf_helpers.h macros write them
// (__uint(name, N) is a pointer to an array of N ints, __type(name, T) a
// pointer to T, __array(values, T) an empty array of pointers to T), and the
// initial slots of map-in-map and prog-array maps, which are relocations in
// ".maps" at the elements of the `values` member.
#pragma once

#include "runtime/loader/Btf.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/MapDefinition.h"
#include "runtime/loader/Object.h"

#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace ebpfc::runtime {

// The maps of `section` (".maps"), sorted by their offset in it.
Expected<std::vector<MapDefinition>> readBtfMaps(const ElfFile &elf, const ElfSection &section,
                                                 const Btf &btf);

// Resolves a function symbol to the index of the program it is the entry of.
using ProgramLookup = std::function<std::optional<uint32_t>(const ElfSymbol &)>;

// Initial slots from the relocations of `section`; `maps` is the object's
// whole map table (indexes in the results refer to it).
Expected<void> readBtfMapInitialValues(const ElfFile &elf, const ElfSection &section,
                                       std::span<const MapDefinition> maps,
                                       const ProgramLookup &programIndexOf,
                                       std::vector<ProgArrayInit> &progArrayInits,
                                       std::vector<MapInMapInit> &mapInMapInits);

} // namespace ebpfc::runtime
