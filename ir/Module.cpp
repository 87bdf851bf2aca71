#include "ir/Module.h"

#include "ir/SourceLocations.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>

namespace ebpfc::ir {

Module::Module(std::unique_ptr<llvm::LLVMContext> context, std::unique_ptr<llvm::Module> module,
               Target target, std::string sourceFile)
    : target(target), context_(std::move(context)), module_(std::move(module)),
      sourceFile_(std::move(sourceFile)) {}

// The module must be destroyed before the context that owns its types.
Module::~Module() { module_.reset(); }
Module::Module(Module &&) noexcept = default;

void Module::replaceLlvmModule(std::unique_ptr<llvm::Module> module) { module_ = std::move(module); }

const Program *Module::findProgram(const std::string &function) const {
  for (const Program &p : programs)
    if (p.name == function)
      return &p;
  return nullptr;
}

const MapDef *Module::findMap(const std::string &name) const {
  for (const MapDef &m : maps)
    if (m.name == name)
      return &m;
  return nullptr;
}

namespace {

const llvm::DIType *stripTypedefs(const llvm::DIType *type) {
  while (auto *derived = llvm::dyn_cast_or_null<llvm::DIDerivedType>(type)) {
    unsigned tag = derived->getTag();
    if (tag != llvm::dwarf::DW_TAG_typedef && tag != llvm::dwarf::DW_TAG_const_type &&
        tag != llvm::dwarf::DW_TAG_volatile_type && tag != llvm::dwarf::DW_TAG_restrict_type &&
        tag != llvm::dwarf::DW_TAG_atomic_type)
      break;
    type = derived->getBaseType();
  }
  return type;
}

uint64_t sizeOf(const llvm::DIType *type) {
  const llvm::DIType *resolved = stripTypedefs(type);
  return resolved ? resolved->getSizeInBits() / 8 : 0;
}

std::string typeName(const llvm::DIType *type) {
  if (!type)
    return "void";
  if (auto *composite = llvm::dyn_cast<llvm::DICompositeType>(type)) {
    switch (composite->getTag()) {
    case llvm::dwarf::DW_TAG_structure_type: return "struct " + composite->getName().str();
    case llvm::dwarf::DW_TAG_union_type: return "union " + composite->getName().str();
    case llvm::dwarf::DW_TAG_enumeration_type: return "enum " + composite->getName().str();
    default: break;
    }
  }
  if (auto *derived = llvm::dyn_cast<llvm::DIDerivedType>(type)) {
    switch (derived->getTag()) {
    case llvm::dwarf::DW_TAG_pointer_type: return typeName(derived->getBaseType()) + " *";
    case llvm::dwarf::DW_TAG_const_type: return "const " + typeName(derived->getBaseType());
    case llvm::dwarf::DW_TAG_volatile_type: return "volatile " + typeName(derived->getBaseType());
    default: break;
    }
  }
  return type->getName().str();
}

// `__uint(name, N)` is `int (*name)[N]`: the value is the array's length.
std::optional<uint64_t> uintFieldValue(const llvm::DIType *memberType) {
  auto *pointer = llvm::dyn_cast_or_null<llvm::DIDerivedType>(stripTypedefs(memberType));
  if (pointer && pointer->getTag() == llvm::dwarf::DW_TAG_pointer_type) {
    auto *array = llvm::dyn_cast_or_null<llvm::DICompositeType>(stripTypedefs(pointer->getBaseType()));
    if (!array || array->getTag() != llvm::dwarf::DW_TAG_array_type)
      return std::nullopt;
    llvm::DINodeArray elements = array->getElements();
    if (elements.size() != 1)
      return std::nullopt;
    auto *range = llvm::dyn_cast<llvm::DISubrange>(elements[0]);
    if (!range)
      return std::nullopt;
    auto count = range->getCount();
    if (auto *ci = llvm::dyn_cast_if_present<llvm::ConstantInt *>(count))
      return ci->getSExtValue() < 0 ? 0 : ci->getZExtValue();
    return 0; // `int (*name)[0]` has no count
  }
  // `__ulong(name, N)` is an anonymous enum with a single enumerator N.
  auto *enumeration = llvm::dyn_cast_or_null<llvm::DICompositeType>(stripTypedefs(memberType));
  if (enumeration && enumeration->getTag() == llvm::dwarf::DW_TAG_enumeration_type &&
      enumeration->getElements().size() == 1)
    if (auto *e = llvm::dyn_cast<llvm::DIEnumerator>(enumeration->getElements()[0]))
      return e->getValue().getZExtValue();
  return std::nullopt;
}

const llvm::DIType *pointee(const llvm::DIType *memberType) {
  auto *pointer = llvm::dyn_cast_or_null<llvm::DIDerivedType>(stripTypedefs(memberType));
  if (!pointer || pointer->getTag() != llvm::dwarf::DW_TAG_pointer_type)
    return nullptr;
  return pointer->getBaseType();
}

class MapReader {
public:
  MapReader(DiagnosticEngine &diags) : diags_(diags) {}

  bool read(const llvm::DICompositeType *definition, MapDef &map, bool isInner) {
    bool ok = true;
    for (const llvm::DINode *node : definition->getElements()) {
      auto *member = llvm::dyn_cast<llvm::DIDerivedType>(node);
      if (!member || member->getTag() != llvm::dwarf::DW_TAG_member)
        continue;
      std::string field = member->getName().str();
      const llvm::DIType *type = member->getBaseType();
      auto number = [&](uint32_t &out) {
        auto value = uintFieldValue(type);
        if (!value || *value > UINT32_MAX) {
          fail(map, "field '" + field + "' of map '" + map.name + "' is not a __uint(" + field + ", N) value");
          ok = false;
          return;
        }
        out = static_cast<uint32_t>(*value);
      };
      if (field == "type") number(map.type);
      else if (field == "max_entries") number(map.maxEntries);
      else if (field == "map_flags") number(map.flags);
      else if (field == "pinning") number(map.pinning);
      else if (field == "numa_node") number(map.numaNode);
      else if (field == "key_size") number(map.keySize);
      else if (field == "value_size") number(map.valueSize);
      else if (field == "map_extra") {
        auto value = uintFieldValue(type);
        if (value) map.mapExtra = *value;
        else { fail(map, "field 'map_extra' of map '" + map.name + "' is not a __ulong(map_extra, N) value"); ok = false; }
      } else if (field == "key" || field == "value") {
        const llvm::DIType *target = pointee(type);
        if (!target) {
          fail(map, "field '" + field + "' of map '" + map.name + "' must be declared with __type(" + field + ", T)");
          ok = false;
          continue;
        }
        uint32_t size = static_cast<uint32_t>(sizeOf(target));
        (field == "key" ? map.keySize : map.valueSize) = size;
        (field == "key" ? map.keyType : map.valueType) = typeName(target);
      } else if (field == "values") {
        ok &= readValues(type, map, isInner);
      } else {
        fail(map, "map '" + map.name + "' has field '" + field + "', which libbpf does not know",
             "libbpf 1.1 accepts type, max_entries, map_flags, numa_node, key, key_size, value, value_size, pinning, map_extra and values");
        ok = false;
      }
    }
    if (!map.type) {
      fail(map, "map '" + map.name + "' has no type", "add __uint(type, BPF_MAP_TYPE_...) to its definition");
      return false;
    }
    if (!findMapType(map.type)) {
      fail(map, "map '" + map.name + "' has unknown type " + std::to_string(map.type),
           "libbpf 1.1 knows map types 1 (BPF_MAP_TYPE_HASH) to 31 (BPF_MAP_TYPE_USER_RINGBUF)");
      return false;
    }
    return ok;
  }

private:
  // `__array(values, struct inner_def)` declares the inner map of a map-in-map;
  // `__array(values, int (void *))` the programs of a prog array.
  bool readValues(const llvm::DIType *type, MapDef &map, bool isInner) {
    auto *array = llvm::dyn_cast_or_null<llvm::DICompositeType>(stripTypedefs(type));
    if (!array || array->getTag() != llvm::dwarf::DW_TAG_array_type) {
      fail(map, "field 'values' of map '" + map.name + "' must be declared with __array(values, T)");
      return false;
    }
    const llvm::DIType *element = pointee(array->getBaseType());
    auto *inner = llvm::dyn_cast_or_null<llvm::DICompositeType>(stripTypedefs(element));
    if (inner && inner->getTag() == llvm::dwarf::DW_TAG_structure_type) {
      if (isInner) {
        fail(map, "map '" + map.name + "' nests map-in-map definitions", "the kernel allows one level of map-in-map");
        return false;
      }
      map.inner = std::make_unique<MapDef>();
      map.inner->name = map.name + ".inner";
      map.inner->loc = map.loc;
      return read(inner, *map.inner, /*isInner=*/true);
    }
    return true; // prog-array initializers: the values come from relocations
  }

  void fail(const MapDef &map, std::string message, std::string note = {}) {
    std::vector<DiagnosticNote> notes;
    if (!note.empty())
      notes.push_back({{}, std::move(note)});
    diags_.error(map.loc, std::move(message), std::move(notes));
  }

  DiagnosticEngine &diags_;
};

// Column of `name` on the location's line, so the caret points at it.
SourceLocation withColumnOf(SourceLocation loc, const std::string &name, DiagnosticEngine &diags) {
  if (loc.line && !loc.column) {
    const std::string &text = diags.lineOf(loc.file, loc.line);
    size_t at = text.find(name);
    if (at != std::string::npos)
      loc.column = static_cast<unsigned>(at + 1);
  }
  return loc;
}

std::string stringFromInitializer(const llvm::GlobalVariable &global) {
  if (!global.hasInitializer())
    return {};
  auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(global.getInitializer());
  if (!data || !data->isString())
    return {};
  std::string text = data->getAsString().str();
  return text.substr(0, text.find('\0'));
}

} // namespace

bool readProgramModel(Module &module, DiagnosticEngine &diags,
                      const std::vector<SectionTypeOverride> &overrides) {
  unsigned errorsBefore = diags.errorCount();
  module.programs.clear();
  module.maps.clear();
  module.license.clear();

  for (llvm::Function &function : module.llvm()) {
    if (function.isDeclaration() || !function.hasSection())
      continue;
    std::string section = function.getSection().str();
    if (section == ".text" || section.starts_with(".text."))
      continue;
    Program program;
    program.name = function.getName().str();
    program.section = section;
    program.loc = withColumnOf(locationOf(function, module.sourceFile()), program.name, diags);
    auto overridden = std::find_if(overrides.begin(), overrides.end(),
                                   [&](const SectionTypeOverride &o) { return o.section == section; });
    if (overridden != overrides.end()) {
      program.type = overridden->type;
    } else if (const SectionRule *rule = findSectionRule(section)) {
      program.type = rule->type;
      program.expectedAttachType = rule->expectedAttachType;
    } else {
      std::vector<DiagnosticNote> notes;
      std::vector<std::string_view> guesses = suggestSections(section);
      std::string example = guesses.empty() ? "xdp" : std::string(guesses.front());
      if (!guesses.empty()) {
        std::string list;
        for (std::string_view g : guesses)
          list += (list.empty() ? "'" : ", '") + std::string(g) + "'";
        notes.push_back({{}, "did you mean " + list + "?"});
      }
      notes.push_back({{}, "libbpf derives the program type from the section name; use SEC(\"" + example +
                               "\"), or pass --section-type=" + section + "=TYPE for loaders that are told the type (ip, tc)"});
      diags.error(program.loc, "program '" + program.name + "' is in section '" + section +
                                   "', which is not a known program section",
                  std::move(notes));
    }
    module.programs.push_back(std::move(program));
  }

  for (llvm::GlobalVariable &global : module.llvm().globals()) {
    if (!global.hasSection())
      continue;
    llvm::StringRef section = global.getSection();
    if (section == "license") {
      module.license = stringFromInitializer(global);
      continue;
    }
    if (section != ".maps")
      continue;
    MapDef map;
    map.name = global.getName().str();
    map.loc = withColumnOf(locationOf(global, module.sourceFile()), map.name, diags);
    llvm::SmallVector<llvm::DIGlobalVariableExpression *, 1> exprs;
    global.getDebugInfo(exprs);
    const llvm::DICompositeType *definition = nullptr;
    if (!exprs.empty())
      definition = llvm::dyn_cast_or_null<llvm::DICompositeType>(
          stripTypedefs(exprs.front()->getVariable()->getType()));
    if (!definition || definition->getTag() != llvm::dwarf::DW_TAG_structure_type) {
      diags.error(map.loc, "'" + map.name + "' is in section .maps but is not a BTF map definition",
                  {{{}, "define maps as 'struct { __uint(type, ...); ... } name SEC(\".maps\");'"}});
      continue;
    }
    if (MapReader(diags).read(definition, map, /*isInner=*/false))
      module.maps.push_back(std::move(map));
  }
  return diags.errorCount() == errorsBefore;
}

} // namespace ebpfc::ir
