#include "runtime/loader/LegacyMaps.h"

#include "ir/MapType.h"
#include "runtime/loader/Bytes.h"

#include <algorithm>
#include <fmt/format.h>
#include <llvm/BinaryFormat/ELF.h>

namespace ebpfc::runtime {

namespace {

constexpr uint32_t kMinEntrySize = 16; // type, key size, value size, max entries
constexpr uint32_t kLibbpfMapDefSize = 20;
constexpr uint32_t kSamplesMapDefSize = 28; // bpf_map_def with inner_map_idx, numa_node
constexpr uint32_t kElfMapSize = 36;        // iproute2's struct bpf_elf_map
constexpr uint32_t kNoInnerIndex = 0xffffffff;

bool isMapInMap(uint32_t type) {
  return type == static_cast<uint32_t>(ir::MapType::ArrayOfMaps) ||
         type == static_cast<uint32_t>(ir::MapType::HashOfMaps);
}

// The struct name BTF gives the variables of the maps section, if any.
std::string_view entryTypeName(const Btf &btf, std::string_view sectionName) {
  auto datasec = btf.findDatasec(sectionName);
  if (!datasec || btf.type(*datasec).vars.empty())
    return {};
  const BtfType &var = btf.type(btf.type(*datasec).vars.front().type);
  if (var.kind != BtfKind::Var)
    return {};
  return btf.name(btf.type(btf.skipModifiersAndTypedefs(var.sizeOrType)));
}

struct Entry {
  const ElfSymbol *symbol;
  std::vector<uint32_t> fields; // zero-filled to the layout's field count
};

} // namespace

Expected<LegacyMaps> readLegacyMaps(const ElfFile &elf, const ElfSection &section,
                                    LegacyMapLayout layout, const Btf *btf) {
  const std::string &file = elf.file();
  if (section.type == llvm::ELF::SHT_NOBITS)
    return errorIn(file, fmt::format("section '{}' holds no bytes (SHT_NOBITS), so its map "
                                     "definitions are missing",
                                     section.name));

  std::vector<const ElfSymbol *> symbols;
  for (const ElfSymbol &symbol : elf.symbols())
    if (symbol.section == section.index && symbol.type != llvm::ELF::STT_SECTION &&
        symbol.type != llvm::ELF::STT_FILE)
      symbols.push_back(&symbol);
  if (symbols.empty())
    return errorIn(file, fmt::format("section '{}' ({} bytes) has no map symbols; each map "
                                     "definition needs a named variable",
                                     section.name, section.size));
  std::sort(symbols.begin(), symbols.end(),
            [](const ElfSymbol *a, const ElfSymbol *b) { return a->value < b->value; });
  if (section.size % symbols.size() != 0)
    return errorIn(file, fmt::format("section '{}' has {} bytes for {} maps, which is not a whole "
                                     "number of bytes per map",
                                     section.name, section.size, symbols.size()));
  uint64_t stride = section.size / symbols.size();
  if (stride % 4 != 0 || stride < kMinEntrySize)
    return errorIn(file, fmt::format("map definitions in section '{}' are {} bytes each; legacy "
                                     "definitions are arrays of at least 4 u32 fields",
                                     section.name, stride));

  if (layout == LegacyMapLayout::Auto) {
    std::string_view typeName = btf ? entryTypeName(*btf, section.name) : std::string_view();
    if (typeName == "bpf_elf_map")
      layout = LegacyMapLayout::BpfElfMap;
    else if (typeName == "bpf_map_def")
      layout = LegacyMapLayout::BpfMapDef;
    else
      layout = stride == kElfMapSize ? LegacyMapLayout::BpfElfMap : LegacyMapLayout::BpfMapDef;
  }
  bool elfMap = layout == LegacyMapLayout::BpfElfMap;
  uint32_t knownSize = elfMap ? kElfMapSize : kSamplesMapDefSize;
  if (elfMap && stride > kElfMapSize)
    return errorIn(file, fmt::format("map definitions in section '{}' are {} bytes each, larger "
                                     "than iproute2's {}-byte struct bpf_elf_map",
                                     section.name, stride, kElfMapSize));

  std::vector<Entry> entries;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const ElfSymbol &symbol = *symbols[i];
    if (symbol.value % stride != 0 || !rangeFits(symbol.value, stride, section.bytes.size()))
      return errorIn(file, fmt::format("map '{}' is at offset {} of section '{}', which is not a "
                                       "multiple of the {}-byte entry size inside the section",
                                       symbol.name, symbol.value, section.name, stride));
    if (i > 0 && symbols[i - 1]->value == symbol.value)
      return errorIn(file,
                     fmt::format("maps '{}' and '{}' share offset {} of section '{}'",
                                 symbols[i - 1]->name, symbol.name, symbol.value, section.name));
    Entry entry{&symbol, std::vector<uint32_t>(knownSize / 4, 0)};
    for (uint64_t at = 0; at < stride; at += 4) {
      uint32_t word = readLe32(section.bytes, symbol.value + at);
      if (at < knownSize)
        entry.fields[at / 4] = word;
      else if (word != 0)
        return errorIn(file, fmt::format("map '{}' has non-zero bytes at offset {} of its {}-byte "
                                         "definition, past the fields of struct bpf_map_def the "
                                         "loader knows; set the layout explicitly if this is "
                                         "another struct",
                                         symbol.name, at, stride));
    }
    entries.push_back(std::move(entry));
  }

  LegacyMaps result;
  for (const Entry &entry : entries) {
    MapDefinition map;
    map.spec.name = entry.symbol->name;
    map.spec.type = entry.fields[0];
    map.spec.keySize = entry.fields[1];
    map.spec.valueSize = entry.fields[2];
    map.spec.maxEntries = entry.fields[3];
    map.spec.flags = entry.fields[4];
    if (elfMap) {
      map.spec.pinning = entry.fields[6]; // iproute2's PIN_NONE/PIN_OBJECT_NS/PIN_GLOBAL_NS
      result.elfMapIds.push_back(entry.fields[5]);
    } else {
      map.spec.numaNode = entry.fields[6];
      result.elfMapIds.push_back(0);
    }
    map.section = section.index;
    map.offset = entry.symbol->value;
    map.size = stride;
    result.maps.push_back(std::move(map));
  }

  // Inner map templates and initial slots of map-in-map outers.
  for (size_t outer = 0; outer < entries.size(); ++outer) {
    MapSpec &spec = result.maps[outer].spec;
    if (!isMapInMap(spec.type))
      continue;
    std::optional<size_t> inner;
    if (elfMap) {
      uint32_t innerId = entries[outer].fields[7];
      for (size_t i = 0; i < entries.size() && !inner && innerId != 0; ++i)
        if (i != outer && result.elfMapIds[i] == innerId)
          inner = i;
      if (!inner)
        return errorIn(file, fmt::format("map-in-map '{}' names inner map id {}, but no other map "
                                         "in section '{}' has that id; set .inner_id to the .id "
                                         "of the inner map's template",
                                         spec.name, innerId, section.name));
    } else {
      // libbpf's 20-byte struct has no inner_map_idx: such outers get no
      // template here, as with libbpf.
      if (stride <= kLibbpfMapDefSize)
        continue;
      uint32_t innerIndex = entries[outer].fields[5];
      if (innerIndex >= entries.size() || innerIndex == outer)
        return errorIn(file, fmt::format("map-in-map '{}' names inner map #{} (inner_map_idx), "
                                         "but section '{}' defines maps #0..#{}",
                                         spec.name, innerIndex, section.name, entries.size() - 1));
      inner = innerIndex;
    }
    MapSpec innerSpec = result.maps[*inner].spec;
    innerSpec.inner.reset();
    spec.inner = std::make_shared<const MapSpec>(std::move(innerSpec));
  }
  if (elfMap) {
    // iproute2 inserts every map with an id (and no inner_id of its own) at
    // slot inner_idx of each map-in-map whose inner_id is that id.
    for (size_t inner = 0; inner < entries.size(); ++inner) {
      const auto &fields = entries[inner].fields;
      if (fields[5] == 0 || fields[7] != 0 || fields[8] == kNoInnerIndex)
        continue;
      for (size_t outer = 0; outer < entries.size(); ++outer)
        if (isMapInMap(result.maps[outer].spec.type) && entries[outer].fields[7] == fields[5])
          result.mapInMapInits.push_back(
              MapInMapInit{static_cast<uint32_t>(outer), fields[8], static_cast<uint32_t>(inner)});
    }
  }
  return result;
}

} // namespace ebpfc::runtime
