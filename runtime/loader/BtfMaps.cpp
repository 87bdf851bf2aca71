#include "runtime/loader/BtfMaps.h"

#include "ir/MapType.h"
#include "runtime/loader/Bytes.h"

#include <algorithm>
#include <fmt/format.h>
#include <llvm/BinaryFormat/ELF.h>

namespace ebpfc::runtime {

namespace {

constexpr uint32_t kPinNone = 0, kPinByName = 1; // libbpf's LIBBPF_PIN_*
constexpr uint32_t kPointerSize = 8;             // eBPF pointers, whatever the host

bool isMapInMap(uint32_t type) {
  return type == static_cast<uint32_t>(ir::MapType::ArrayOfMaps) ||
         type == static_cast<uint32_t>(ir::MapType::HashOfMaps);
}

bool isProgArray(uint32_t type) { return type == static_cast<uint32_t>(ir::MapType::ProgArray); }

class MapDefinitionParser {
public:
  MapDefinitionParser(const Btf &btf, const std::string &file) : btf_(btf), file_(file) {}

  // Fills `map` from the members of struct `defId`; `outer` is false for the
  // inner map template of a map-in-map (which cannot nest or be pinned).
  Expected<void> parse(const std::string &mapName, uint32_t defId, bool outer, MapDefinition &map);

private:
  LoadError fail(const std::string &mapName, const std::string &what) const {
    return errorIn(file_, fmt::format("map '{}': {}", mapName, what));
  }
  // __uint(name, N): a pointer to an array of N elements.
  Expected<uint32_t> integerField(const std::string &mapName, const BtfMember &member) const;
  // __type(name, T): a pointer to T; returns sizeof(T).
  Expected<uint32_t> typeField(const std::string &mapName, const BtfMember &member) const;
  Expected<void> setSize(const std::string &mapName, std::string_view what, uint32_t &field,
                         uint32_t size) const;

  const Btf &btf_;
  const std::string &file_;
};

Expected<uint32_t> MapDefinitionParser::integerField(const std::string &mapName,
                                                     const BtfMember &member) const {
  std::string_view name = btf_.name(member.nameOff);
  const BtfType &pointer = btf_.type(btf_.skipModifiersAndTypedefs(member.type));
  if (pointer.kind != BtfKind::Ptr)
    return fail(mapName, fmt::format("attribute '{}' has kind {} where a pointer to an array is "
                                     "expected; declare it with __uint({}, value)",
                                     name, btfKindName(pointer.kind), name));
  const BtfType &array = btf_.type(pointer.sizeOrType);
  if (array.kind != BtfKind::Array)
    return fail(mapName, fmt::format("attribute '{}' points to kind {} where an array is "
                                     "expected; declare it with __uint({}, value)",
                                     name, btfKindName(array.kind), name));
  return array.arrayCount;
}

Expected<uint32_t> MapDefinitionParser::typeField(const std::string &mapName,
                                                  const BtfMember &member) const {
  std::string_view name = btf_.name(member.nameOff);
  const BtfType &pointer = btf_.type(member.type);
  if (pointer.kind != BtfKind::Ptr)
    return fail(mapName, fmt::format("'{}' has kind {} where a pointer is expected; declare it "
                                     "with __type({}, T)",
                                     name, btfKindName(pointer.kind), name));
  std::string why;
  auto size = btf_.resolveSize(pointer.sizeOrType, why);
  if (!size)
    return fail(mapName, fmt::format("cannot determine the size of its {} type: {}", name, why));
  return static_cast<uint32_t>(*size);
}

Expected<void> MapDefinitionParser::setSize(const std::string &mapName, std::string_view what,
                                            uint32_t &field, uint32_t size) const {
  if (field != 0 && field != size)
    return fail(mapName, fmt::format("conflicting {} sizes {} and {}: the {}_size attribute and "
                                     "the size of the {} type must agree",
                                     what, field, size, what, what));
  field = size;
  return {};
}

Expected<void> MapDefinitionParser::parse(const std::string &mapName, uint32_t defId, bool outer,
                                          MapDefinition &map) {
  MapSpec &spec = map.spec;
  const BtfType &def = btf_.type(defId);
  for (size_t i = 0; i < def.members.size(); ++i) {
    const BtfMember &member = def.members[i];
    std::string name(btf_.name(member.nameOff));
    if (name.empty())
      return fail(mapName, fmt::format("member #{} of its definition has no name", i));

    if (name == "type" || name == "max_entries" || name == "map_flags" || name == "numa_node" ||
        name == "key_size" || name == "value_size" || name == "pinning" || name == "map_extra") {
      auto value = integerField(mapName, member);
      if (!value)
        return value.takeError();
      if (name == "type") {
        spec.type = *value;
      } else if (name == "max_entries") {
        spec.maxEntries = *value;
      } else if (name == "map_flags") {
        spec.flags = *value;
      } else if (name == "numa_node") {
        spec.numaNode = *value;
      } else if (name == "map_extra") {
        spec.mapExtra = *value;
      } else if (name == "key_size") {
        if (auto ok = setSize(mapName, "key", spec.keySize, *value); !ok)
          return ok;
      } else if (name == "value_size") {
        if (auto ok = setSize(mapName, "value", spec.valueSize, *value); !ok)
          return ok;
      } else { // pinning
        if (!outer)
          return fail(mapName, "an inner map template cannot be pinned");
        if (*value != kPinNone && *value != kPinByName)
          return fail(mapName, fmt::format("invalid pinning value {}; use LIBBPF_PIN_NONE (0) or "
                                           "LIBBPF_PIN_BY_NAME (1)",
                                           *value));
        spec.pinning = *value;
      }
    } else if (name == "key" || name == "value") {
      auto size = typeField(mapName, member);
      if (!size)
        return size.takeError();
      (name == "key" ? spec.btfKeyType : spec.btfValueType) = btf_.type(member.type).sizeOrType;
      if (auto ok = setSize(mapName, name, name == "key" ? spec.keySize : spec.valueSize, *size);
          !ok)
        return ok;
    } else if (name == "values") {
      if (!outer)
        return fail(mapName, "inner maps of a map-in-map cannot have inner maps themselves");
      if (i + 1 != def.members.size())
        return fail(mapName, "the 'values' member must be the last one of the definition");
      bool mapInMap = isMapInMap(spec.type);
      if (!mapInMap && !isProgArray(spec.type))
        return fail(mapName, "only map-in-map and prog-array maps may have 'values' (and their "
                             "'type' must come before it)");
      if (auto ok = setSize(mapName, "value", spec.valueSize, 4); !ok)
        return ok;
      const BtfType &array = btf_.type(member.type);
      if (array.kind != BtfKind::Array || array.arrayCount != 0)
        return fail(mapName, "'values' must be an empty array of pointers; declare it with "
                             "__array(values, T)");
      const BtfType &pointer = btf_.type(btf_.skipModifiersAndTypedefs(array.arrayElement));
      if (pointer.kind != BtfKind::Ptr)
        return fail(mapName, fmt::format("'values' elements are {}, not pointers",
                                         btfKindName(pointer.kind)));
      uint32_t targetId = btf_.skipModifiersAndTypedefs(pointer.sizeOrType);
      const BtfType &target = btf_.type(targetId);
      if (!mapInMap) {
        if (target.kind != BtfKind::FuncProto)
          return fail(mapName, fmt::format("prog-array 'values' must point to functions, not to "
                                           "a {}",
                                           btfKindName(target.kind)));
      } else {
        if (target.kind != BtfKind::Struct)
          return fail(mapName, fmt::format("map-in-map 'values' must point to a map definition "
                                           "struct, not to a {}",
                                           btfKindName(target.kind)));
        MapDefinition inner;
        inner.spec.name = mapName + ".inner";
        if (auto ok = parse(inner.spec.name, targetId, false, inner); !ok)
          return ok;
        spec.inner = std::make_shared<const MapSpec>(std::move(inner.spec));
      }
      map.hasValuesMember = true;
      map.valuesOffset = member.bitOffset / 8;
    } else {
      return fail(mapName, fmt::format("unknown attribute '{}' in the map definition (known: "
                                       "type, key, value, key_size, value_size, max_entries, "
                                       "map_flags, numa_node, pinning, map_extra, values)",
                                       name));
    }
  }
  if (spec.type == 0)
    return fail(mapName, "the map type isn't specified; add __uint(type, BPF_MAP_TYPE_...)");
  return {};
}

} // namespace

Expected<std::vector<MapDefinition>> readBtfMaps(const ElfFile &elf, const ElfSection &section,
                                                 const Btf &btf) {
  const std::string &file = elf.file();
  auto datasecId = btf.findDatasec(section.name);
  if (!datasecId)
    return errorIn(file, fmt::format("section '{}' has no DATASEC in .BTF describing its maps; "
                                     "the object's BTF is incomplete, recompile it with -g",
                                     section.name));
  MapDefinitionParser parser(btf, file);
  std::vector<MapDefinition> maps;
  for (const BtfVarSecinfo &secinfo : btf.type(*datasecId).vars) {
    const BtfType &var = btf.type(secinfo.type);
    std::string name(btf.name(var));
    if (var.kind != BtfKind::Var)
      return errorIn(file, fmt::format("section '{}' lists {} among its maps; only variables can "
                                       "be maps",
                                       section.name, btf.describe(secinfo.type)));
    if (name.empty())
      return errorIn(file, fmt::format("section '{}' has a map without a name", section.name));
    if (var.linkage == kBtfVarExtern)
      return errorIn(file, fmt::format("map '{}' is declared extern; define it in this object "
                                       "(linking several objects is not supported)",
                                       name));
    const ElfSymbol *symbol = nullptr;
    for (const ElfSymbol &candidate : elf.symbols())
      if (candidate.section == section.index && candidate.name == name)
        symbol = &candidate;
    if (!symbol)
      return errorIn(file, fmt::format("map '{}' is described in .BTF but has no symbol in "
                                       "section '{}'",
                                       name, section.name));
    uint32_t defId = btf.skipModifiersAndTypedefs(var.sizeOrType);
    const BtfType &def = btf.type(defId);
    if (def.kind != BtfKind::Struct)
      return errorIn(file, fmt::format("map '{}' is a {}, not a struct map definition", name,
                                       btf.describe(defId)));
    MapDefinition map;
    map.spec.name = name;
    map.section = section.index;
    map.offset = symbol->value;
    map.size = std::max<uint64_t>({symbol->size, secinfo.size, def.sizeOrType});
    if (!rangeFits(map.offset, map.size, section.size))
      return errorIn(file, fmt::format("map '{}' occupies {} bytes at offset {} of section '{}', "
                                       "past its end ({} bytes)",
                                       name, map.size, map.offset, section.name, section.size));
    if (auto ok = parser.parse(name, defId, true, map); !ok)
      return ok.takeError();
    maps.push_back(std::move(map));
  }
  std::sort(maps.begin(), maps.end(),
            [](const MapDefinition &a, const MapDefinition &b) { return a.offset < b.offset; });
  for (size_t i = 1; i < maps.size(); ++i)
    if (maps[i - 1].offset + maps[i - 1].size > maps[i].offset)
      return errorIn(file, fmt::format("maps '{}' and '{}' overlap in section '{}'",
                                       maps[i - 1].spec.name, maps[i].spec.name, section.name));
  return maps;
}

Expected<void> readBtfMapInitialValues(const ElfFile &elf, const ElfSection &section,
                                       std::span<const MapDefinition> maps,
                                       const ProgramLookup &programIndexOf,
                                       std::vector<ProgArrayInit> &progArrayInits,
                                       std::vector<MapInMapInit> &mapInMapInits) {
  const std::string &file = elf.file();
  for (const ElfRelocation &relocation : elf.relocationsFor(section.index)) {
    const ElfSymbol &symbol = elf.symbols()[relocation.symbol];
    std::string where = elf.describe(section.index, relocation.offset);
    if (relocation.type != reloc::kAbs64 && relocation.type != reloc::k64_64)
      return errorIn(file, fmt::format("relocation at {} has type {} ({}); map initial values "
                                       "are 64-bit pointers (R_BPF_64_ABS64)",
                                       where, relocation.type, reloc::name(relocation.type)));
    const MapDefinition *outer = nullptr;
    uint32_t outerIndex = 0;
    for (uint32_t i = 0; i < maps.size(); ++i)
      if (maps[i].section == section.index && maps[i].offset <= relocation.offset &&
          relocation.offset + kPointerSize <= maps[i].offset + maps[i].size) {
        outer = &maps[i];
        outerIndex = i;
      }
    if (!outer)
      return errorIn(file, fmt::format("relocation at {} (to '{}') is not inside any map "
                                       "definition",
                                       where, symbol.name));
    uint64_t memberOffset = relocation.offset - outer->offset;
    if (!outer->hasValuesMember || memberOffset < outer->valuesOffset ||
        (memberOffset - outer->valuesOffset) % kPointerSize != 0)
      return errorIn(file, fmt::format("relocation at {} (to '{}') does not point at an element "
                                       "of the 'values' member of map '{}'",
                                       where, symbol.name, outer->spec.name));
    uint64_t slot = (memberOffset - outer->valuesOffset) / kPointerSize;
    if (slot >= outer->spec.maxEntries)
      return errorIn(file, fmt::format("map '{}' initializes slot {}, but has max_entries {}",
                                       outer->spec.name, slot, outer->spec.maxEntries));

    if (isMapInMap(outer->spec.type)) {
      std::optional<uint32_t> innerIndex;
      for (uint32_t i = 0; i < maps.size(); ++i)
        if (symbol.section == maps[i].section && symbol.value == maps[i].offset &&
            !maps[i].globalData)
          innerIndex = i;
      if (symbol.section != section.index || !innerIndex)
        return errorIn(file, fmt::format("map '{}' slot {} refers to '{}', which is not a map "
                                         "defined in section '{}'",
                                         outer->spec.name, slot, symbol.name, section.name));
      mapInMapInits.push_back(MapInMapInit{outerIndex, static_cast<uint32_t>(slot), *innerIndex});
    } else if (isProgArray(outer->spec.type)) {
      auto program = symbol.type == llvm::ELF::STT_FUNC ? programIndexOf(symbol) : std::nullopt;
      if (!program)
        return errorIn(file, fmt::format("prog-array '{}' slot {} refers to '{}', which is not "
                                         "the entry function of a program in this object",
                                         outer->spec.name, slot, symbol.name));
      progArrayInits.push_back(ProgArrayInit{outerIndex, static_cast<uint32_t>(slot), *program});
    } else {
      return errorIn(file, fmt::format("map '{}' has initial values, but only map-in-map and "
                                       "prog-array maps can",
                                       outer->spec.name));
    }
  }
  return {};
}

} // namespace ebpfc::runtime
