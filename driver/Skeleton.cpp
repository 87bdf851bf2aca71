#include "driver/Skeleton.h"

#include "ir/MapType.h"
#include "runtime/loader/Btf.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/Loader.h"

#include <llvm/BinaryFormat/ELF.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace ebpfc::driver {

namespace {

using runtime::Btf;
using runtime::BtfKind;
using runtime::BtfMember;
using runtime::BtfType;

// Type graphs deeper than this are malformed (Btf::parse bounds them too).
constexpr int kMaxTypeDepth = 64;

bool isIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string toIdentifier(std::string_view text) {
  std::string id;
  for (char c : text)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id.insert(id.begin(), '_');
  return id;
}

uint64_t alignUp(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

// Typedefs of <linux/types.h>, which <bpf/libbpf.h> includes: the header
// uses them as they are instead of repeating them.
bool isLinuxTypesName(std::string_view name) {
  static const std::set<std::string_view> names = {
      "__u8",   "__s8",   "__u16",  "__s16",  "__u32",   "__s32",  "__u64",    "__s64",   "__be16",
      "__be32", "__be64", "__le16", "__le32", "__le64",  "__sum16", "__wsum", "__poll_t",
  };
  return names.contains(name);
}

bool isModifier(BtfKind kind) {
  return kind == BtfKind::Const || kind == BtfKind::Volatile || kind == BtfKind::Restrict ||
         kind == BtfKind::TypeTag;
}

bool isComposite(BtfKind kind) { return kind == BtfKind::Struct || kind == BtfKind::Union; }

// C declarations of BTF types: the declarator syntax for any type, and the
// definitions of the named types a set of uses needs, in dependency order.
// Each definition is wrapped in `#ifndef EBPFC_SKEL_HAVE_<kind>_<name>`, so
// two skeletons of objects sharing a header can be included together, and a
// loader that has a type from its own header can say so with that macro.
// Layouts are the host's natural C layout (the same rules as the BPF target
// for LP64); where BTF says otherwise, padding members or the packed
// attribute reproduce the object's offsets, and static assertions check them.
class CTypeWriter {
public:
  explicit CTypeWriter(const Btf &btf) : btf_(btf) {}

  // Defines every named type that a declaration of type `id` needs; with
  // `complete`, the declaration needs the type's size (a member or variable
  // by value), otherwise an incomplete type will do (behind a pointer).
  void require(uint32_t id, bool complete, int depth = 0) {
    if (depth > kMaxTypeDepth)
      return;
    const BtfType &type = btf_.type(id);
    switch (type.kind) {
    case BtfKind::Ptr:
      require(type.sizeOrType, false, depth + 1);
      return;
    case BtfKind::Array:
      require(type.arrayElement, true, depth + 1);
      return;
    case BtfKind::Const:
    case BtfKind::Volatile:
    case BtfKind::Restrict:
    case BtfKind::TypeTag:
      require(type.sizeOrType, complete, depth + 1);
      return;
    case BtfKind::Typedef:
      define(id, depth);
      if (complete)
        require(type.sizeOrType, true, depth + 1);
      return;
    case BtfKind::Struct:
    case BtfKind::Union:
      if (btf_.name(type).empty())
        requireMembers(type, depth);
      else if (complete)
        define(id, depth);
      return;
    case BtfKind::Enum:
    case BtfKind::Enum64:
      if (!btf_.name(type).empty()) // C has no incomplete enums
        define(id, depth);
      return;
    case BtfKind::FuncProto:
      require(type.sizeOrType, false, depth + 1);
      for (const auto &param : type.params)
        require(param.type, false, depth + 1);
      return;
    default:
      return;
    }
  }

  // "TYPE DECLARATOR" in C: declare(<array of 4 __u32>, "ports") is
  // "__u32 ports[4]". Anonymous structs, unions and enums are written inline
  // (multi-line, indented by `indent` tabs).
  std::string declare(uint32_t id, const std::string &declarator, int indent = 0, int depth = 0) const {
    if (depth > kMaxTypeDepth)
      return "void " + declarator;
    const BtfType &type = btf_.type(id);
    std::string name(btf_.name(type));
    std::string separated = declarator.empty() ? "" : " " + declarator;
    switch (type.kind) {
    case BtfKind::Void:
      return "void" + separated;
    case BtfKind::Int:
    case BtfKind::Float:
    case BtfKind::Typedef:
      return name + separated;
    case BtfKind::Fwd:
      return (type.kindFlag ? "union " : "struct ") + name + separated;
    case BtfKind::Struct:
    case BtfKind::Union: {
      std::string keyword = type.kind == BtfKind::Struct ? "struct" : "union";
      if (!name.empty())
        return keyword + " " + name + separated;
      return keyword + " {\n" + members(type, indent + 1, depth) + std::string(indent, '\t') + "}" +
             (isPacked(type) ? " __attribute__((packed))" : "") + separated;
    }
    case BtfKind::Enum:
    case BtfKind::Enum64:
      // A C enum is an int; other sizes are declared as integers of the
      // object's size (the constants are still defined).
      if (type.sizeOrType != 4)
        return integerOfSize(type.sizeOrType, type.kindFlag) + separated;
      if (!name.empty())
        return "enum " + name + separated;
      return "enum {\n" + enumerators(type, indent + 1) + std::string(indent, '\t') + "}" + separated;
    case BtfKind::Ptr: {
      BtfKind target = btf_.type(type.sizeOrType).kind;
      bool needsParens = target == BtfKind::Array || target == BtfKind::FuncProto;
      return declare(type.sizeOrType, needsParens ? "(*" + declarator + ")" : "*" + declarator, indent, depth + 1);
    }
    case BtfKind::Const:
    case BtfKind::Volatile:
    case BtfKind::Restrict: {
      std::string qualifier = type.kind == BtfKind::Const      ? "const"
                              : type.kind == BtfKind::Volatile ? "volatile"
                                                               : "__restrict";
      // A qualified pointer is "T *const p"; anything else "const T p".
      if (btf_.type(type.sizeOrType).kind == BtfKind::Ptr)
        return declare(type.sizeOrType, qualifier + " " + declarator, indent, depth + 1);
      return qualifier + " " + declare(type.sizeOrType, declarator, indent, depth + 1);
    }
    case BtfKind::TypeTag:
      return declare(type.sizeOrType, declarator, indent, depth + 1);
    case BtfKind::Array:
      return declare(type.arrayElement, declarator + "[" + std::to_string(type.arrayCount) + "]", indent,
                     depth + 1);
    case BtfKind::FuncProto: {
      std::string params;
      for (size_t i = 0; i < type.params.size(); ++i) {
        if (i > 0)
          params += ", ";
        params += type.params[i].type == 0 ? "..." : declare(type.params[i].type, "", indent, depth + 1);
      }
      return declare(type.sizeOrType, declarator + "(" + (params.empty() ? "void" : params) + ")", indent,
                     depth + 1);
    }
    default:
      return "void" + separated;
    }
  }

  // Like declare(), without the const/volatile of the type itself and of
  // array elements: a skeleton writes .rodata before load.
  std::string declareWritable(uint32_t id, const std::string &declarator) const {
    for (int depth = 0; depth < kMaxTypeDepth; ++depth) {
      const BtfType &type = btf_.type(id);
      if (type.kind == BtfKind::Const || type.kind == BtfKind::Volatile) {
        id = type.sizeOrType;
      } else if (type.kind == BtfKind::Array) {
        return declareWritable(type.arrayElement, declarator + "[" + std::to_string(type.arrayCount) + "]");
      } else {
        break;
      }
    }
    return declare(id, declarator);
  }

  // The alignment the host's C compiler gives the type, as declared here.
  uint64_t alignment(uint32_t id, int depth = 0) const {
    if (depth > kMaxTypeDepth)
      return 1;
    const BtfType &type = btf_.type(id);
    switch (type.kind) {
    case BtfKind::Int:
    case BtfKind::Float:
    case BtfKind::Enum:
    case BtfKind::Enum64:
      return std::clamp<uint64_t>(type.sizeOrType, 1, 8);
    case BtfKind::Ptr:
      return 8;
    case BtfKind::Array:
      return alignment(type.arrayElement, depth + 1);
    case BtfKind::Struct:
    case BtfKind::Union:
      return isPacked(type, depth) ? 1 : naturalAlignment(type, depth);
    case BtfKind::Typedef:
    case BtfKind::Const:
    case BtfKind::Volatile:
    case BtfKind::Restrict:
    case BtfKind::TypeTag:
      return alignment(type.sizeOrType, depth + 1);
    default:
      return 1;
    }
  }

  // Members of a struct or union as C lines, indented by `indent` tabs,
  // with padding members where the object's offsets are not the natural ones.
  std::string members(const BtfType &type, int indent, int depth = 0) const {
    std::string tabs(indent, '\t');
    std::string out;
    bool packed = isPacked(type, depth);
    bool isUnion = type.kind == BtfKind::Union;
    uint64_t endBit = 0; // where the previous member ended
    unsigned padding = 0;
    for (const BtfMember &member : type.members) {
      std::string name(btf_.name(member.nameOff));
      if (member.bitfieldSize != 0) {
        // Bit-fields take the natural layout; the size assertion checks it.
        out += tabs + declare(member.type, name, indent, depth + 1) + " : " + std::to_string(member.bitfieldSize) +
               ";\n";
        endBit = member.bitOffset + member.bitfieldSize;
        continue;
      }
      if (isEmpty(member.type))
        continue;
      uint64_t offset = member.bitOffset / 8;
      uint64_t start = alignUp(endBit, 8) / 8;
      uint64_t natural = packed ? start : alignUp(start, alignment(member.type, depth + 1));
      if (!isUnion && offset > natural)
        out += tabs + "unsigned char __pad" + std::to_string(padding++) + "[" + std::to_string(offset - start) +
               "];\n";
      out += tabs + declare(member.type, name, indent, depth + 1) + ";\n";
      std::string why;
      endBit = (offset + btf_.resolveSize(member.type, why).value_or(0)) * 8;
    }
    uint64_t end = alignUp(endBit, 8) / 8;
    uint64_t naturalSize = packed ? end : alignUp(end, naturalAlignment(type, depth));
    if (!isUnion && type.sizeOrType > naturalSize)
      out += tabs + "unsigned char __pad" + std::to_string(padding) + "[" +
             std::to_string(type.sizeOrType - end) + "];\n";
    return out;
  }

  const std::string &definitions() const { return definitions_; }
  // Static assertions (one per line) that the host laid the types out as the
  // object did.
  const std::string &layoutChecks() const { return layoutChecks_; }

private:
  void requireMembers(const BtfType &type, int depth) {
    for (const BtfMember &member : type.members)
      if (!isEmpty(member.type))
        require(member.type, true, depth + 1);
  }

  // Members of size 0 (P4 lowers actions without parameters to empty
  // structs) are left out: C++ would give them a byte, and they hold nothing.
  bool isEmpty(uint32_t id) const {
    std::string why;
    return btf_.resolveSize(id, why) == uint64_t{0};
  }

  static std::string integerOfSize(uint32_t size, bool isSigned) {
    std::string bits = std::to_string(size * 8);
    return (isSigned ? "__s" : "__u") + bits;
  }

  // Whether the object's layout needs the packed attribute: a member at an
  // offset its natural alignment would not give, or a size that is not a
  // multiple of the struct's natural alignment.
  bool isPacked(const BtfType &type, int depth = 0) const {
    if (!isComposite(type.kind) || depth > kMaxTypeDepth)
      return false;
    for (const BtfMember &member : type.members)
      if (member.bitfieldSize == 0 && (member.bitOffset % 8 != 0 ||
                                       (member.bitOffset / 8) % alignment(member.type, depth + 1) != 0))
        return true;
    return type.sizeOrType % naturalAlignment(type, depth) != 0;
  }

  uint64_t naturalAlignment(const BtfType &type, int depth) const {
    uint64_t result = 1;
    for (const BtfMember &member : type.members)
      result = std::max(result, alignment(member.type, depth + 1));
    return result;
  }

  std::string enumerators(const BtfType &type, int indent) const {
    std::string out;
    for (const auto &value : type.enumValues) {
      bool fitsInt = value.value >= INT32_MIN && value.value <= INT32_MAX;
      out += std::string(indent, '\t') + std::string(btf_.name(value.nameOff)) + " = " +
             std::to_string(value.value) + (fitsInt ? "" : "LL") + ",\n";
    }
    return out;
  }

  void define(uint32_t id, int depth) {
    if (!defined_.insert(id).second)
      return; // done, or in progress further up (reached through a pointer)
    const BtfType &type = btf_.type(id);
    std::string name(btf_.name(type));
    if (type.kind == BtfKind::Typedef && isLinuxTypesName(name))
      return;
    std::string keyword;
    std::string body;
    switch (type.kind) {
    case BtfKind::Typedef:
      require(type.sizeOrType, false, depth + 1);
      keyword = "typedef";
      body = "typedef " + declare(type.sizeOrType, name) + ";\n";
      break;
    case BtfKind::Struct:
    case BtfKind::Union:
      requireMembers(type, depth);
      keyword = type.kind == BtfKind::Struct ? "struct" : "union";
      body = keyword + " " + name + " {\n" + members(type, 1) + "}" +
             (isPacked(type) ? " __attribute__((packed))" : "") + ";\n";
      layoutChecks_ += "EBPFC_SKEL_STATIC_ASSERT(sizeof(" + keyword + " " + name + ") == " +
                       std::to_string(type.sizeOrType) + ", \"layout of " + keyword + " " + name + "\");\n";
      break;
    case BtfKind::Enum:
    case BtfKind::Enum64:
      keyword = "enum";
      body = "enum " + name + " {\n" + enumerators(type, 1) + "};\n";
      break;
    default:
      return;
    }
    std::string guard = "EBPFC_SKEL_HAVE_" + keyword + "_" + name;
    definitions_ += "#ifndef " + guard + "\n#define " + guard + "\n" + body + "#endif\n\n";
  }

  const Btf &btf_;
  std::set<uint32_t> defined_;
  std::string definitions_;
  std::string layoutChecks_;
};

// A map as the skeleton lists it.
struct SkeletonMap {
  std::string libbpfName; // what bpf_object__find_map_by_name() is given
  std::string member;     // its field in `maps` (and the data pointer's name)
  std::optional<uint32_t> datasec; // global data with variables user space sees
  // Key and value types of a BTF-defined data map, for the typed accessors.
  std::optional<uint32_t> keyType, valueType;
};

// The object's parts the header is written from.
struct ObjectDescription {
  std::vector<std::string> programs;
  std::vector<SkeletonMap> maps;
};

bool isGlobalDataSection(std::string_view name) {
  for (std::string_view prefix : {".bss", ".data", ".rodata"})
    if (name == prefix || (name.starts_with(prefix) && name.size() > prefix.size() && name[prefix.size()] == '.'))
      return true;
  return false;
}

// A global variable as the skeleton declares it.
struct SectionVariable {
  std::string name;
  uint32_t type = 0;
  uint64_t offset = 0;
};

// Variables of a global-data section that user space sees, by offset:
// libbpf maps a section for those only; static and hidden variables have
// no stable name. The offsets come from the symbol table, as libbpf takes
// them: compilers leave the DATASEC's offsets 0 for libbpf to fill in.
std::vector<SectionVariable> visibleVariables(const Btf &btf, const runtime::ElfFile &elf, uint32_t datasec) {
  std::vector<SectionVariable> result;
  const BtfType &section = btf.type(datasec);
  const runtime::ElfSection *elfSection = elf.findSection(btf.name(section));
  if (!elfSection)
    return result;
  for (const auto &secinfo : section.vars) {
    const BtfType &var = btf.type(secinfo.type);
    std::string_view name = btf.name(var);
    if (var.kind != BtfKind::Var || var.linkage == runtime::kBtfVarStatic || !isIdentifier(name))
      continue;
    for (const runtime::ElfSymbol &symbol : elf.symbols())
      if (symbol.section == elfSection->index && symbol.name == name &&
          symbol.visibility != llvm::ELF::STV_HIDDEN && symbol.visibility != llvm::ELF::STV_INTERNAL) {
        result.push_back({std::string(name), var.sizeOrType, symbol.value});
        break;
      }
  }
  std::sort(result.begin(), result.end(), [](auto &a, auto &b) { return a.offset < b.offset; });
  return result;
}

// The pointee of member `name` of a BTF map definition (`__type(key, T)` is
// `T *key`).
std::optional<uint32_t> mapDefinitionType(const Btf &btf, uint32_t definition, std::string_view name) {
  const BtfType &type = btf.type(btf.skipModifiersAndTypedefs(definition));
  if (!isComposite(type.kind))
    return std::nullopt;
  for (const BtfMember &member : type.members) {
    const BtfType &memberType = btf.type(member.type);
    if (btf.name(member.nameOff) == name && memberType.kind == BtfKind::Ptr)
      return memberType.sizeOrType;
  }
  return std::nullopt;
}

// Maps user space reads and writes as plain keys and values (not per-CPU
// arrays of values, not file descriptors).
bool hasPlainValues(uint32_t type) {
  switch (static_cast<ir::MapType>(type)) {
  case ir::MapType::Hash:
  case ir::MapType::Array:
  case ir::MapType::LruHash:
  case ir::MapType::LpmTrie:
    return true;
  default:
    return false;
  }
}

std::string uniqueName(std::string name, std::set<std::string> &taken) {
  while (!taken.insert(name).second)
    name += '_';
  return name;
}

ObjectDescription describe(const runtime::ObjectImage &image, const runtime::ElfFile &elf, const Btf *btf) {
  ObjectDescription description;
  for (const auto &program : image.programs)
    description.programs.push_back(program.name);

  std::set<std::string> members;
  for (const auto &spec : image.maps) {
    SkeletonMap map;
    map.libbpfName = spec.name;
    if (isGlobalDataSection(spec.name)) {
      std::optional<uint32_t> datasec = btf ? btf->findDatasec(spec.name) : std::nullopt;
      if (datasec && visibleVariables(*btf, elf, *datasec).empty())
        datasec.reset();
      // libbpf makes maps of other sections too (string literals), but only
      // the standard names and sections with variables are worth a handle.
      bool standard = spec.name == ".bss" || spec.name == ".data" || spec.name == ".rodata";
      if (!standard && !datasec)
        continue;
      map.datasec = datasec;
      map.member = uniqueName(toIdentifier(std::string_view(spec.name).substr(1)), members);
    } else {
      map.member = uniqueName(toIdentifier(spec.name), members);
    }
    description.maps.push_back(std::move(map));
  }

  // Key and value types of BTF-defined maps, from the .maps DATASEC.
  std::optional<uint32_t> mapsSection = btf ? btf->findDatasec(".maps") : std::nullopt;
  if (mapsSection) {
    for (const auto &secinfo : btf->type(*mapsSection).vars) {
      const BtfType &var = btf->type(secinfo.type);
      std::string_view name = btf->name(var);
      auto spec = std::find_if(image.maps.begin(), image.maps.end(), [&](auto &m) { return m.name == name; });
      auto map = std::find_if(description.maps.begin(), description.maps.end(),
                              [&](auto &m) { return m.libbpfName == name; });
      if (spec == image.maps.end() || map == description.maps.end() || !hasPlainValues(spec->type))
        continue;
      map->keyType = mapDefinitionType(*btf, var.sizeOrType, "key");
      map->valueType = mapDefinitionType(*btf, var.sizeOrType, "value");
    }
  }
  return description;
}

// The object's bytes as a C array initializer, 16 bytes a line.
std::string byteArray(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 6 + bytes.size() / 16 * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(bytes[i]);
    out += i % 16 == 0 ? "\t\t" : " ";
    out += "0x";
    out += digits[byte >> 4];
    out += digits[byte & 15];
    out += ',';
    if (i % 16 == 15 || i + 1 == bytes.size())
      out += '\n';
  }
  return out;
}

std::string upper(std::string text) {
  for (char &c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Writes the header: types, section structs, the skeleton struct, the
// lifecycle functions over libbpf's bpf_object_skeleton, typed map accessors.
class HeaderWriter {
public:
  HeaderWriter(const std::string &name, const ObjectDescription &object, const runtime::ElfFile &elf,
               const Btf *btf, std::string_view bytes)
      : name_(name), object_(object), elf_(elf), btf_(btf), bytes_(bytes) {}

  std::string write() {
    std::optional<CTypeWriter> types;
    std::string sectionStructs, sectionChecks;
    if (btf_) {
      types.emplace(*btf_);
      for (const SkeletonMap &map : object_.maps) {
        if (map.keyType)
          types->require(*map.keyType, true);
        if (map.valueType)
          types->require(*map.valueType, true);
        if (map.datasec)
          sectionStructs += sectionStruct(map, *types, sectionChecks);
      }
    }

    std::string guard = "EBPFC_SKELETON_" + upper(name_) + "_H";
    std::string out;
    out += "/* Skeleton of the eBPF object '" + name_ + "', generated by ebpfc --skeleton. Do not edit.\n"
           " *\n"
           " * The object is embedded; " + name_ + "__open_and_load() creates its maps and loads its\n"
           " * programs through libbpf (link the loader with -lbpf). Global variables are\n"
           " * reached through the section pointers (bss, data, rodata) once the object is\n"
           " * open; .rodata is written before load, .bss and .data at any time.\n"
           " */\n";
    out += "#ifndef " + guard + "\n#define " + guard + "\n\n";
    out += "#include <errno.h>\n#include <stddef.h>\n#include <stdlib.h>\n#include <bpf/libbpf.h>\n\n";
    out += "#ifndef EBPFC_SKEL_STATIC_ASSERT\n"
           "#ifdef __cplusplus\n#define EBPFC_SKEL_STATIC_ASSERT(condition, what) static_assert(condition, what)\n"
           "#else\n#define EBPFC_SKEL_STATIC_ASSERT(condition, what) _Static_assert(condition, what)\n#endif\n"
           "#endif\n\n";
    if (types && !types->definitions().empty()) {
      out += "/* Types of map keys and values and of global variables, from the object's BTF.\n"
             " * A loader that defines one of them in a header of its own defines\n"
             " * EBPFC_SKEL_HAVE_<struct|union|enum|typedef>_<name> before including this file. */\n";
      out += types->definitions();
      out += types->layoutChecks() + "\n";
    }
    out += sectionStructs;
    out += sectionChecks.empty() ? "" : sectionChecks + "\n";
    out += skeletonStruct();
    out += functions();
    if (types)
      out += mapAccessors(*types);
    out += "#endif /* " + guard + " */\n";
    return out;
  }

private:
  // struct NAME__bss { variables at their offsets in the section }.
  std::string sectionStruct(const SkeletonMap &map, CTypeWriter &types, std::string &checks) {
    std::string structName = name_ + "__" + map.member;
    std::string out = "struct " + structName + " {\n";
    uint64_t end = 0;
    unsigned padding = 0;
    for (const SectionVariable &variable : visibleVariables(*btf_, elf_, *map.datasec)) {
      types.require(variable.type, true);
      if (variable.offset > alignUp(end, types.alignment(variable.type)))
        out += "\tunsigned char __pad" + std::to_string(padding++) + "[" + std::to_string(variable.offset - end) +
               "];\n";
      out += "\t" + types.declareWritable(variable.type, variable.name) + ";\n";
      std::string why;
      end = variable.offset + btf_->resolveSize(variable.type, why).value_or(0);
      checks += "EBPFC_SKEL_STATIC_ASSERT(offsetof(struct " + structName + ", " + variable.name +
                ") == " + std::to_string(variable.offset) + ", \"offset of " + variable.name + " in " +
                map.libbpfName + "\");\n";
    }
    return out + "};\n\n";
  }

  std::string skeletonStruct() const {
    std::string out = "struct " + name_ + " {\n"
                      "\tstruct bpf_object_skeleton *skeleton;\n"
                      "\tstruct bpf_object *obj;\n";
    if (!object_.maps.empty()) {
      out += "\tstruct {\n";
      for (const SkeletonMap &map : object_.maps)
        out += "\t\tstruct bpf_map *" + map.member + ";\n";
      out += "\t} maps;\n";
    }
    if (!object_.programs.empty()) {
      out += "\tstruct {\n";
      for (const std::string &program : object_.programs)
        out += "\t\tstruct bpf_program *" + program + ";\n";
      out += "\t} progs;\n\tstruct {\n";
      for (const std::string &program : object_.programs)
        out += "\t\tstruct bpf_link *" + program + ";\n";
      out += "\t} links;\n";
    }
    for (const SkeletonMap &map : object_.maps)
      if (map.datasec)
        out += "\tstruct " + name_ + "__" + map.member + " *" + map.member + ";\n";
    return out + "};\n\n";
  }

  std::string functions() const {
    const std::string &n = name_;
    std::string out;
    out += "static inline const void *" + n + "__elf_bytes(size_t *size)\n{\n"
           "\tstatic const unsigned char bytes[] = {\n" + byteArray(bytes_) + "\t};\n"
           "\t*size = sizeof(bytes);\n\treturn bytes;\n}\n\n";

    out += "static inline void " + n + "__destroy(struct " + n + " *skel)\n{\n"
           "\tif (!skel)\n\t\treturn;\n"
           "\tif (skel->skeleton)\n\t\tbpf_object__destroy_skeleton(skel->skeleton);\n"
           "\tfree(skel);\n}\n\n";

    // libbpf's description of the object: which map and program names to
    // find, and where to store their handles and the mmapped sections.
    out += "static inline int " + n + "__describe(struct " + n + " *skel)\n{\n"
           "\tstruct bpf_object_skeleton *s;\n\n"
           "\ts = (struct bpf_object_skeleton *)calloc(1, sizeof(*s));\n"
           "\tif (!s)\n\t\treturn -ENOMEM;\n"
           "\tskel->skeleton = s;\n"
           "\ts->sz = sizeof(*s);\n"
           "\ts->name = \"" + n + "\";\n"
           "\ts->obj = &skel->obj;\n"
           "\ts->data = " + n + "__elf_bytes(&s->data_sz);\n";
    if (!object_.maps.empty()) {
      out += "\n\ts->map_cnt = " + std::to_string(object_.maps.size()) + ";\n"
             "\ts->map_skel_sz = sizeof(*s->maps);\n"
             "\ts->maps = (struct bpf_map_skeleton *)calloc(s->map_cnt, sizeof(*s->maps));\n"
             "\tif (!s->maps)\n\t\treturn -ENOMEM;\n";
      for (size_t i = 0; i < object_.maps.size(); ++i) {
        const SkeletonMap &map = object_.maps[i];
        std::string entry = "\ts->maps[" + std::to_string(i) + "]";
        out += entry + ".name = \"" + map.libbpfName + "\";\n";
        out += entry + ".map = &skel->maps." + map.member + ";\n";
        if (map.datasec)
          out += entry + ".mmaped = (void **)&skel->" + map.member + ";\n";
      }
    }
    if (!object_.programs.empty()) {
      out += "\n\ts->prog_cnt = " + std::to_string(object_.programs.size()) + ";\n"
             "\ts->prog_skel_sz = sizeof(*s->progs);\n"
             "\ts->progs = (struct bpf_prog_skeleton *)calloc(s->prog_cnt, sizeof(*s->progs));\n"
             "\tif (!s->progs)\n\t\treturn -ENOMEM;\n";
      for (size_t i = 0; i < object_.programs.size(); ++i) {
        const std::string &program = object_.programs[i];
        std::string entry = "\ts->progs[" + std::to_string(i) + "]";
        out += entry + ".name = \"" + program + "\";\n";
        out += entry + ".prog = &skel->progs." + program + ";\n";
        out += entry + ".link = &skel->links." + program + ";\n";
      }
    }
    out += "\treturn 0;\n}\n\n";

    out += "/* Opens the embedded object: maps and programs exist in libbpf, not yet in the\n"
           " * kernel. NULL with errno set on failure. */\n"
           "static inline struct " + n + " *" + n + "__open_opts(const struct bpf_object_open_opts *opts)\n{\n"
           "\tstruct " + n + " *skel;\n\tint err;\n\n"
           "\tskel = (struct " + n + " *)calloc(1, sizeof(*skel));\n"
           "\tif (!skel) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
           "\terr = " + n + "__describe(skel);\n"
           "\tif (!err)\n\t\terr = bpf_object__open_skeleton(skel->skeleton, opts);\n"
           "\tif (err) {\n\t\t" + n + "__destroy(skel);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
           "\treturn skel;\n}\n\n";
    out += "static inline struct " + n + " *" + n + "__open(void)\n{\n"
           "\treturn " + n + "__open_opts(NULL);\n}\n\n";
    out += "/* Creates the maps and loads the programs into the kernel; 0 or a negative errno. */\n"
           "static inline int " + n + "__load(struct " + n + " *skel)\n{\n"
           "\treturn bpf_object__load_skeleton(skel->skeleton);\n}\n\n";
    out += "static inline struct " + n + " *" + n + "__open_and_load(void)\n{\n"
           "\tstruct " + n + " *skel = " + n + "__open();\n\tint err;\n\n"
           "\tif (!skel)\n\t\treturn NULL;\n"
           "\terr = " + n + "__load(skel);\n"
           "\tif (err) {\n\t\t" + n + "__destroy(skel);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
           "\treturn skel;\n}\n\n";
    out += "/* Attaches the programs whose section says where (tracing, cgroup, ...); XDP and\n"
           " * tc programs need an interface: bpf_program__attach_xdp(skel->progs.NAME, ifindex). */\n"
           "static inline int " + n + "__attach(struct " + n + " *skel)\n{\n"
           "\treturn bpf_object__attach_skeleton(skel->skeleton);\n}\n\n";
    out += "static inline void " + n + "__detach(struct " + n + " *skel)\n{\n"
           "\tbpf_object__detach_skeleton(skel->skeleton);\n}\n\n";
    return out;
  }

  // NAME__MAP__lookup/update/delete with the map's key and value types.
  std::string mapAccessors(const CTypeWriter &types) const {
    std::string out;
    for (const SkeletonMap &map : object_.maps) {
      if (!map.keyType || !map.valueType)
        continue;
      std::string prefix = name_ + "__" + map.member + "__";
      std::string handle = "skel->maps." + map.member;
      std::string key = pointerParameter(types, *map.keyType, "key");
      std::string value = pointerParameter(types, *map.valueType, "value");
      out += "/* Typed access to map '" + map.libbpfName + "' (after load): 0 or a negative errno. */\n";
      out += "static inline int " + prefix + "lookup(const struct " + name_ + " *skel, const " + key + ", " +
             value + ")\n{\n\treturn bpf_map__lookup_elem(" + handle +
             ", key, sizeof(*key), value, sizeof(*value), 0);\n}\n\n";
      out += "static inline int " + prefix + "update(const struct " + name_ + " *skel, const " + key +
             ", const " + value + ", __u64 flags)\n{\n\treturn bpf_map__update_elem(" + handle +
             ", key, sizeof(*key), value, sizeof(*value), flags);\n}\n\n";
      out += "static inline int " + prefix + "delete(const struct " + name_ + " *skel, const " + key +
             ")\n{\n\treturn bpf_map__delete_elem(" + handle + ", key, sizeof(*key), 0);\n}\n\n";
    }
    return out;
  }

  // "T *name", or "T (*name)[N]" for an array type.
  std::string pointerParameter(const CTypeWriter &types, uint32_t type, const std::string &name) const {
    uint32_t id = type;
    for (int depth = 0; depth < kMaxTypeDepth && isModifier(btf_->type(id).kind); ++depth)
      id = btf_->type(id).sizeOrType;
    bool isArray = btf_->type(id).kind == BtfKind::Array;
    return types.declare(type, isArray ? "(*" + name + ")" : "*" + name);
  }

  std::string name_;
  const ObjectDescription &object_;
  const runtime::ElfFile &elf_;
  const Btf *btf_;
  std::string_view bytes_;
};

} // namespace

std::string skeletonName(const std::string &skeletonPath) {
  std::string base = skeletonPath.substr(skeletonPath.rfind('/') == std::string::npos ? 0 : skeletonPath.rfind('/') + 1);
  for (std::string_view suffix : {".skel.h", ".h"})
    if (base.size() > suffix.size() && base.ends_with(suffix)) {
      base.resize(base.size() - suffix.size());
      break;
    }
  return toIdentifier(base);
}

std::optional<std::string> generateSkeleton(std::string_view object, const std::string &name,
                                            ir::DiagnosticEngine &diags) {
  std::vector<uint8_t> bytes(object.begin(), object.end());
  auto image = runtime::loadObject(bytes, name + ".o");
  if (!image) {
    diags.error("cannot write the skeleton: " + image.error().message);
    return std::nullopt;
  }
  auto elf = runtime::ElfFile::parse(std::move(bytes), name + ".o");
  if (!elf) {
    diags.error("cannot write the skeleton: " + elf.error().message);
    return std::nullopt;
  }
  std::optional<Btf> btf;
  if (const runtime::ElfSection *section = elf->findSection(".BTF")) {
    auto parsed = Btf::parse(section->bytes, name + ".o");
    if (!parsed) {
      diags.error("cannot write the skeleton: " + parsed.error().message);
      return std::nullopt;
    }
    btf = std::move(*parsed);
  }
  ObjectDescription description = describe(*image, *elf, btf ? &*btf : nullptr);
  return HeaderWriter(name, description, *elf, btf ? &*btf : nullptr, object).write();
}

} // namespace ebpfc::driver
