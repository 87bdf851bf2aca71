// A map of the object together with where it is defined in the ELF file, so
// that relocations (which name a symbol, i.e. a section and an offset) can be
// resolved to a map index.
#pragma once

#include "runtime/maps/Map.h"

#include <cstdint>

namespace ebpfc::runtime {

struct MapDefinition {
  MapSpec spec;
  uint32_t section = 0; // ELF section index of the definition
  uint64_t offset = 0;  // byte offset of the definition in that section
  uint64_t size = 0;    // bytes the definition occupies
  // Global-data maps (.data, .rodata, .bss and variants) stand for the whole
  // section; references to them carry an offset into the value.
  bool globalData = false;
  // BTF-defined map-in-map and prog-array maps: byte offset of the `values`
  // member inside the definition, where initial slot pointers are relocated.
  bool hasValuesMember = false;
  uint32_t valuesOffset = 0;
};

} // namespace ebpfc::runtime
