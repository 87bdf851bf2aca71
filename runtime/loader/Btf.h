// The .BTF section: type and string tables (the format of the kernel's
// Documentation/bpf/btf.rst). Parsing validates every offset, size, kind and
// type reference, so queries on a parsed Btf never read out of bounds.
#pragma once

#include "runtime/loader/Expected.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime {

enum class BtfKind : uint8_t {
  Void = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
};

std::string_view btfKindName(BtfKind kind);

struct BtfMember {
  uint32_t nameOff = 0;
  uint32_t type = 0;
  uint32_t bitOffset = 0;
  uint32_t bitfieldSize = 0; // 0 for ordinary members
};

struct BtfParam {
  uint32_t nameOff = 0;
  uint32_t type = 0;
};

struct BtfEnumValue {
  uint32_t nameOff = 0;
  int64_t value = 0;
};

struct BtfVarSecinfo {
  uint32_t type = 0; // a Var
  uint32_t offset = 0;
  uint32_t size = 0;
};

inline constexpr uint32_t kBtfVarStatic = 0, kBtfVarGlobal = 1, kBtfVarExtern = 2;

struct BtfType {
  BtfKind kind = BtfKind::Void;
  bool kindFlag = false;
  uint32_t vlen = 0;
  uint32_t nameOff = 0;
  // Size for Int, Enum, Enum64, Struct, Union, Datasec, Float; the referenced
  // type for Ptr, Typedef, modifiers, Func, FuncProto (return), Var, tags.
  uint32_t sizeOrType = 0;
  uint32_t intBits = 0;      // Int
  uint32_t arrayElement = 0; // Array
  uint32_t arrayIndex = 0;
  uint32_t arrayCount = 0;
  uint32_t linkage = 0;                 // Var (kBtfVar*); Func (its vlen)
  std::vector<BtfMember> members;       // Struct, Union
  std::vector<BtfParam> params;         // FuncProto
  std::vector<BtfEnumValue> enumValues; // Enum, Enum64
  std::vector<BtfVarSecinfo> vars;      // Datasec
};

class Btf {
public:
  // `file` names the object in messages.
  static Expected<Btf> parse(std::span<const uint8_t> bytes, const std::string &file);

  // Number of type ids, including id 0 (void).
  uint32_t typeCount() const { return static_cast<uint32_t>(types_.size()); }
  // Valid for id < typeCount(); every id stored in a parsed type is.
  const BtfType &type(uint32_t id) const { return types_[id]; }
  // A string of the string section; nullopt for offsets outside it.
  std::optional<std::string_view> stringAt(uint32_t offset) const;
  // Name of a type ("" for anonymous ones); parsing validated every name.
  std::string_view name(const BtfType &type) const;
  std::string_view name(uint32_t nameOff) const;

  // Follows typedefs and const/volatile/restrict/type-tag modifiers.
  uint32_t skipModifiersAndTypedefs(uint32_t id) const;
  // Byte size of a type like sizeof(); nullopt with `why` set when the type
  // has no size (void, functions, forward declarations) or it overflows.
  std::optional<uint64_t> resolveSize(uint32_t id, std::string &why) const;
  // Id of the DATASEC named `name`, if any.
  std::optional<uint32_t> findDatasec(std::string_view name) const;
  // "STRUCT 'foo' [12]" for messages.
  std::string describe(uint32_t id) const;

private:
  std::vector<BtfType> types_;
  std::string strings_;
};

} // namespace ebpfc::runtime
