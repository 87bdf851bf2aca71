#include "runtime/loader/Btf.h"

#include "runtime/loader/Bytes.h"

#include <fmt/format.h>

namespace ebpfc::runtime {

namespace {

constexpr uint16_t kBtfMagic = 0xeb9f;
constexpr uint32_t kHeaderSize = 24; // up to and including str_len
constexpr uint32_t kTypeHeaderSize = 12;
constexpr uint32_t kMaxTypeId = 0x000fffff;
constexpr uint32_t kMaxNameOffset = 0x00ffffff;
// The kernel's limit on chains of typedefs, modifiers and arrays.
constexpr int kMaxResolveDepth = 32;

// Size of the kind-specific data after the 12-byte type header.
struct KindLayout {
  uint32_t fixed = 0;
  uint32_t perItem = 0;
};

std::optional<KindLayout> layoutOf(BtfKind kind) {
  switch (kind) {
  case BtfKind::Int: return KindLayout{4, 0};
  case BtfKind::Ptr:
  case BtfKind::Fwd:
  case BtfKind::Typedef:
  case BtfKind::Volatile:
  case BtfKind::Const:
  case BtfKind::Restrict:
  case BtfKind::Func:
  case BtfKind::Float:
  case BtfKind::TypeTag: return KindLayout{0, 0};
  case BtfKind::Array: return KindLayout{12, 0};
  case BtfKind::Struct:
  case BtfKind::Union: return KindLayout{0, 12};
  case BtfKind::Enum: return KindLayout{0, 8};
  case BtfKind::Enum64: return KindLayout{0, 12};
  case BtfKind::FuncProto: return KindLayout{0, 8};
  case BtfKind::Var: return KindLayout{4, 0};
  case BtfKind::Datasec: return KindLayout{0, 12};
  case BtfKind::DeclTag: return KindLayout{4, 0};
  case BtfKind::Void: return std::nullopt;
  }
  return std::nullopt;
}

bool isModifierOrTypedef(BtfKind kind) {
  return kind == BtfKind::Typedef || kind == BtfKind::Volatile || kind == BtfKind::Const ||
         kind == BtfKind::Restrict || kind == BtfKind::TypeTag;
}

// Kinds whose sizeOrType field is a type reference.
bool referencesType(BtfKind kind) {
  switch (kind) {
  case BtfKind::Ptr:
  case BtfKind::Typedef:
  case BtfKind::Volatile:
  case BtfKind::Const:
  case BtfKind::Restrict:
  case BtfKind::Func:
  case BtfKind::FuncProto:
  case BtfKind::Var:
  case BtfKind::DeclTag:
  case BtfKind::TypeTag: return true;
  default: return false;
  }
}

class BtfParser {
public:
  BtfParser(std::span<const uint8_t> bytes, const std::string &file) : bytes_(bytes), file_(file) {}

  Expected<Btf> run(std::vector<BtfType> &types, std::string &strings);

private:
  LoadError fail(const std::string &what) const {
    return errorIn(file_, "malformed .BTF: " + what + "; the object is corrupt, recompile it");
  }
  Expected<void> checkName(uint32_t id, uint32_t nameOff, std::string_view what) const;
  Expected<void> checkReference(const std::vector<BtfType> &types, uint32_t id, uint32_t target,
                                std::string_view what) const;
  Expected<BtfType> readType(std::span<const uint8_t> section, size_t &offset, uint32_t id) const;

  std::span<const uint8_t> bytes_;
  const std::string &file_;
  uint32_t stringsSize_ = 0;
};

Expected<void> BtfParser::checkName(uint32_t id, uint32_t nameOff, std::string_view what) const {
  if (nameOff >= stringsSize_)
    return fail(fmt::format("type [{}] has {}name offset {:#x} past the end of the string "
                            "section ({} bytes)",
                            id, what.empty() ? std::string() : std::string(what) + " ", nameOff,
                            stringsSize_));
  return {};
}

Expected<void> BtfParser::checkReference(const std::vector<BtfType> &types, uint32_t id,
                                         uint32_t target, std::string_view what) const {
  if (target >= types.size())
    return fail(fmt::format("type [{}] {}refers to type [{}], but there are only {} types", id,
                            what.empty() ? std::string() : std::string(what) + " ", target,
                            types.size() - 1));
  return {};
}

Expected<BtfType> BtfParser::readType(std::span<const uint8_t> section, size_t &offset,
                                      uint32_t id) const {
  if (!rangeFits(offset, kTypeHeaderSize, section.size()))
    return fail(fmt::format("type [{}] at offset {} is cut off by the end of the type section", id,
                            offset));
  BtfType type;
  type.nameOff = readLe32(section, offset);
  uint32_t info = readLe32(section, offset + 4);
  type.sizeOrType = readLe32(section, offset + 8);
  type.vlen = info & 0xffffff;
  uint32_t kind = (info >> 24) & 0x7f;
  type.kindFlag = info >> 31;
  if (kind == 0 || kind > static_cast<uint32_t>(BtfKind::Enum64))
    return fail(fmt::format("type [{}] has unknown kind {}", id, kind));
  type.kind = static_cast<BtfKind>(kind);
  KindLayout layout = *layoutOf(type.kind);
  uint64_t extra = layout.fixed + static_cast<uint64_t>(layout.perItem) * type.vlen;
  offset += kTypeHeaderSize;
  if (!rangeFits(offset, extra, section.size()))
    return fail(fmt::format("type [{}] {} claims {} members ({} bytes), more than the {} bytes "
                            "left in the type section",
                            id, btfKindName(type.kind), type.vlen, extra, section.size() - offset));
  if (auto ok = checkName(id, type.nameOff, ""); !ok)
    return ok.takeError();

  switch (type.kind) {
  case BtfKind::Int: {
    uint32_t encoding = readLe32(section, offset);
    type.intBits = encoding & 0xff;
    uint32_t bitOffset = (encoding >> 16) & 0xff;
    uint32_t size = type.sizeOrType;
    if (size != 1 && size != 2 && size != 4 && size != 8 && size != 16)
      return fail(fmt::format("INT type [{}] has size {}, not 1, 2, 4, 8 or 16", id, size));
    if (type.intBits == 0 || bitOffset + type.intBits > size * 8)
      return fail(fmt::format("INT type [{}] has {} bits at bit {} in {} bytes", id, type.intBits,
                              bitOffset, size));
    break;
  }
  case BtfKind::Array:
    type.arrayElement = readLe32(section, offset);
    type.arrayIndex = readLe32(section, offset + 4);
    type.arrayCount = readLe32(section, offset + 8);
    break;
  case BtfKind::Struct:
  case BtfKind::Union:
    type.members.reserve(type.vlen);
    for (uint32_t i = 0; i < type.vlen; ++i) {
      size_t at = offset + i * 12;
      BtfMember member;
      member.nameOff = readLe32(section, at);
      member.type = readLe32(section, at + 4);
      uint32_t encodedOffset = readLe32(section, at + 8);
      member.bitOffset = type.kindFlag ? encodedOffset & 0xffffff : encodedOffset;
      member.bitfieldSize = type.kindFlag ? encodedOffset >> 24 : 0;
      if (auto ok = checkName(id, member.nameOff, "member"); !ok)
        return ok.takeError();
      if (member.bitOffset / 8 > type.sizeOrType)
        return fail(fmt::format("member #{} of {} [{}] starts at bit {}, past its size of {} "
                                "bytes",
                                i, btfKindName(type.kind), id, member.bitOffset, type.sizeOrType));
      type.members.push_back(member);
    }
    break;
  case BtfKind::Enum:
  case BtfKind::Enum64: {
    uint32_t size = type.sizeOrType;
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return fail(fmt::format("{} type [{}] has size {}", btfKindName(type.kind), id, size));
    uint32_t stride = type.kind == BtfKind::Enum ? 8 : 12;
    type.enumValues.reserve(type.vlen);
    for (uint32_t i = 0; i < type.vlen; ++i) {
      size_t at = offset + i * stride;
      BtfEnumValue value;
      value.nameOff = readLe32(section, at);
      if (type.kind == BtfKind::Enum)
        value.value = static_cast<int32_t>(readLe32(section, at + 4));
      else
        value.value = static_cast<int64_t>(readLe32(section, at + 4) |
                                           static_cast<uint64_t>(readLe32(section, at + 8)) << 32);
      if (auto ok = checkName(id, value.nameOff, "enumerator"); !ok)
        return ok.takeError();
      type.enumValues.push_back(value);
    }
    break;
  }
  case BtfKind::FuncProto:
    type.params.reserve(type.vlen);
    for (uint32_t i = 0; i < type.vlen; ++i) {
      BtfParam param{readLe32(section, offset + i * 8), readLe32(section, offset + i * 8 + 4)};
      if (auto ok = checkName(id, param.nameOff, "parameter"); !ok)
        return ok.takeError();
      type.params.push_back(param);
    }
    break;
  case BtfKind::Var:
    type.linkage = readLe32(section, offset);
    if (type.linkage > kBtfVarExtern)
      return fail(fmt::format("VAR type [{}] has unknown linkage {}", id, type.linkage));
    break;
  case BtfKind::Func:
    type.linkage = type.vlen;
    if (type.linkage > 2)
      return fail(fmt::format("FUNC type [{}] has unknown linkage {}", id, type.linkage));
    break;
  case BtfKind::Datasec:
    type.vars.reserve(type.vlen);
    for (uint32_t i = 0; i < type.vlen; ++i) {
      size_t at = offset + i * 12;
      BtfVarSecinfo var{readLe32(section, at), readLe32(section, at + 4),
                        readLe32(section, at + 8)};
      if (static_cast<uint64_t>(var.offset) + var.size > UINT32_MAX)
        return fail(fmt::format("DATASEC [{}] variable #{} at offset {} with size {} overflows", id,
                                i, var.offset, var.size));
      type.vars.push_back(var);
    }
    break;
  default: break;
  }
  offset += extra;
  return type;
}

Expected<Btf> BtfParser::run(std::vector<BtfType> &types, std::string &strings) {
  if (bytes_.size() < kHeaderSize)
    return fail(fmt::format("the section has {} bytes, less than the {}-byte header", bytes_.size(),
                            kHeaderSize));
  if (readLe16(bytes_, 0) != kBtfMagic)
    return fail(
        fmt::format("bad magic {:#06x} (expected {:#06x})", readLe16(bytes_, 0), kBtfMagic));
  if (bytes_[2] != 1)
    return fail(fmt::format("unsupported version {} (expected 1)", bytes_[2]));
  uint32_t headerLength = readLe32(bytes_, 4);
  uint32_t typeOffset = readLe32(bytes_, 8);
  uint32_t typeLength = readLe32(bytes_, 12);
  uint32_t stringOffset = readLe32(bytes_, 16);
  uint32_t stringLength = readLe32(bytes_, 20);
  if (headerLength < kHeaderSize || headerLength > bytes_.size())
    return fail(fmt::format("header length {} is outside 24..{} (the section size)", headerLength,
                            bytes_.size()));
  std::span<const uint8_t> body = bytes_.subspan(headerLength);
  if (!rangeFits(typeOffset, typeLength, body.size()))
    return fail(fmt::format("header says the types take {} bytes at offset {}, but only {} "
                            "bytes follow the header",
                            typeLength, typeOffset, body.size()));
  if (!rangeFits(stringOffset, stringLength, body.size()))
    return fail(fmt::format("header says the strings take {} bytes at offset {}, but only {} "
                            "bytes follow the header",
                            stringLength, stringOffset, body.size()));
  if (typeOffset % 4 != 0)
    return fail(fmt::format("type section offset {} is not 4-byte aligned", typeOffset));
  if (stringLength == 0 || stringLength > kMaxNameOffset + 1)
    return fail(
        fmt::format("string section length {} is outside 1..{}", stringLength, kMaxNameOffset + 1));
  std::span<const uint8_t> stringBytes = body.subspan(stringOffset, stringLength);
  if (stringBytes.front() != 0 || stringBytes.back() != 0)
    return fail("the string section must start and end with a NUL byte");
  stringsSize_ = stringLength;
  strings.assign(stringBytes.begin(), stringBytes.end());

  std::span<const uint8_t> typeBytes = body.subspan(typeOffset, typeLength);
  types.clear();
  types.emplace_back(); // id 0: void
  size_t offset = 0;
  while (offset < typeBytes.size()) {
    uint32_t id = static_cast<uint32_t>(types.size());
    if (id > kMaxTypeId)
      return fail(fmt::format("more than {} types", kMaxTypeId));
    auto type = readType(typeBytes, offset, id);
    if (!type)
      return type.takeError();
    types.push_back(std::move(*type));
  }

  // Every type reference must name an existing type.
  for (uint32_t id = 1; id < types.size(); ++id) {
    const BtfType &type = types[id];
    if (referencesType(type.kind))
      if (auto ok = checkReference(types, id, type.sizeOrType, ""); !ok)
        return ok.takeError();
    if (type.kind == BtfKind::Array) {
      if (auto ok = checkReference(types, id, type.arrayElement, "element type"); !ok)
        return ok.takeError();
      if (auto ok = checkReference(types, id, type.arrayIndex, "index type"); !ok)
        return ok.takeError();
    }
    for (const BtfMember &member : type.members)
      if (auto ok = checkReference(types, id, member.type, "member"); !ok)
        return ok.takeError();
    for (const BtfParam &param : type.params)
      if (auto ok = checkReference(types, id, param.type, "parameter"); !ok)
        return ok.takeError();
    for (const BtfVarSecinfo &var : type.vars) {
      if (auto ok = checkReference(types, id, var.type, "variable"); !ok)
        return ok.takeError();
      if (types[var.type].kind != BtfKind::Var && types[var.type].kind != BtfKind::Func)
        return fail(fmt::format("DATASEC [{}] lists type [{}], a {}, as a variable", id, var.type,
                                btfKindName(types[var.type].kind)));
    }
    if (type.kind == BtfKind::Func && types[type.sizeOrType].kind != BtfKind::FuncProto)
      return fail(fmt::format("FUNC [{}] has type [{}], a {}, not a FUNC_PROTO", id,
                              type.sizeOrType, btfKindName(types[type.sizeOrType].kind)));
  }
  return Btf();
}

} // namespace

std::string_view btfKindName(BtfKind kind) {
  switch (kind) {
  case BtfKind::Void: return "VOID";
  case BtfKind::Int: return "INT";
  case BtfKind::Ptr: return "PTR";
  case BtfKind::Array: return "ARRAY";
  case BtfKind::Struct: return "STRUCT";
  case BtfKind::Union: return "UNION";
  case BtfKind::Enum: return "ENUM";
  case BtfKind::Fwd: return "FWD";
  case BtfKind::Typedef: return "TYPEDEF";
  case BtfKind::Volatile: return "VOLATILE";
  case BtfKind::Const: return "CONST";
  case BtfKind::Restrict: return "RESTRICT";
  case BtfKind::Func: return "FUNC";
  case BtfKind::FuncProto: return "FUNC_PROTO";
  case BtfKind::Var: return "VAR";
  case BtfKind::Datasec: return "DATASEC";
  case BtfKind::Float: return "FLOAT";
  case BtfKind::DeclTag: return "DECL_TAG";
  case BtfKind::TypeTag: return "TYPE_TAG";
  case BtfKind::Enum64: return "ENUM64";
  }
  return "UNKNOWN";
}

Expected<Btf> Btf::parse(std::span<const uint8_t> bytes, const std::string &file) {
  Btf btf;
  BtfParser parser(bytes, file);
  if (auto result = parser.run(btf.types_, btf.strings_); !result)
    return result.takeError();

  // Members must fit their struct; checked once all types exist, because a
  // member's size may depend on types defined after the struct.
  for (uint32_t id = 1; id < btf.typeCount(); ++id) {
    const BtfType &type = btf.types_[id];
    for (size_t i = 0; i < type.members.size(); ++i) {
      const BtfMember &member = type.members[i];
      std::string why;
      uint64_t bits = member.bitfieldSize;
      if (bits == 0) {
        auto size = btf.resolveSize(member.type, why);
        if (!size)
          continue; // e.g. a flexible array of an incomplete type
        bits = *size * 8;
      }
      if (member.bitOffset + bits > static_cast<uint64_t>(type.sizeOrType) * 8)
        return errorIn(file, fmt::format("malformed .BTF: member '{}' of {} ends at bit {}, past "
                                         "the struct's size of {} bytes; the object is corrupt, "
                                         "recompile it",
                                         btf.name(member.nameOff), btf.describe(id),
                                         member.bitOffset + bits, type.sizeOrType));
    }
  }
  return btf;
}

std::optional<std::string_view> Btf::stringAt(uint32_t offset) const {
  if (offset >= strings_.size())
    return std::nullopt;
  return std::string_view(strings_.c_str() + offset);
}

std::string_view Btf::name(uint32_t nameOff) const {
  return stringAt(nameOff).value_or(std::string_view());
}

std::string_view Btf::name(const BtfType &type) const { return name(type.nameOff); }

uint32_t Btf::skipModifiersAndTypedefs(uint32_t id) const {
  for (int depth = 0; depth < kMaxResolveDepth && isModifierOrTypedef(types_[id].kind); ++depth)
    id = types_[id].sizeOrType;
  return id;
}

std::optional<uint64_t> Btf::resolveSize(uint32_t id, std::string &why) const {
  uint64_t multiplier = 1;
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    const BtfType &type = types_[id];
    switch (type.kind) {
    case BtfKind::Int:
    case BtfKind::Enum:
    case BtfKind::Enum64:
    case BtfKind::Struct:
    case BtfKind::Union:
    case BtfKind::Datasec:
    case BtfKind::Float:
    case BtfKind::Ptr: {
      // multiplier <= UINT32_MAX (checked at each array), so this cannot overflow.
      uint64_t size = multiplier * (type.kind == BtfKind::Ptr ? 8 : type.sizeOrType);
      if (size > UINT32_MAX) {
        why = fmt::format("the size of {} exceeds 4 GiB", describe(id));
        return std::nullopt;
      }
      return size;
    }
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
    case BtfKind::Var:
    case BtfKind::DeclTag:
    case BtfKind::TypeTag: id = type.sizeOrType; break;
    case BtfKind::Array:
      if (type.arrayCount != 0 && multiplier > UINT32_MAX / type.arrayCount) {
        why = fmt::format("the size of {} exceeds 4 GiB", describe(id));
        return std::nullopt;
      }
      multiplier *= type.arrayCount;
      id = type.arrayElement;
      break;
    default: why = fmt::format("{} has no size", describe(id)); return std::nullopt;
    }
  }
  why = fmt::format("type [{}] nests typedefs, modifiers or arrays more than {} deep (a cycle?)",
                    id, kMaxResolveDepth);
  return std::nullopt;
}

std::optional<uint32_t> Btf::findDatasec(std::string_view sectionName) const {
  for (uint32_t id = 1; id < typeCount(); ++id)
    if (types_[id].kind == BtfKind::Datasec && name(types_[id]) == sectionName)
      return id;
  return std::nullopt;
}

std::string Btf::describe(uint32_t id) const {
  if (id == 0)
    return "void";
  const BtfType &type = types_[id];
  std::string_view typeName = name(type);
  if (typeName.empty())
    return fmt::format("{} [{}]", btfKindName(type.kind), id);
  return fmt::format("{} '{}' [{}]", btfKindName(type.kind), typeName, id);
}

} // namespace ebpfc::runtime
