// P4 types as the type checker computes them. Types are made and owned by
// a TypeContext: base types are unique (bit<8> is one object), nominal
// types (headers, structs, enums, externs, parsers, controls) are one
// object per declaration and type arguments.
#pragma once

#include "frontend/p4/Ast.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ebpfc::p4 {

enum class TypeKind {
  Bool,
  Bits,        // bit<W> (unsigned) and int<W> (signed)
  InfInt,      // the arbitrary-precision int of literals and constants
  Varbit,      // varbit<W>: width is the maximum
  String,
  Error,
  MatchKind,
  Void,
  DontCare,    // the type of "_"
  Struct,
  Header,
  HeaderUnion,
  Enum,        // plain and serializable (underlying set)
  Stack,       // header stack: element, size
  Tuple,
  List,        // a list expression's type before it meets a target type
  NewType,     // type T = U: a distinct type with U's representation
  TypeVariable,
  Extern,      // extern object type, maybe specialized
  Parser,      // parser declarations and parser types
  Control,     // control declarations and control types
  Package,
  Action,
  Function,    // functions, extern functions, methods
  Table,
  TableApplyResult, // the struct t.apply() returns: hit, miss, action_run
  ActionEnum,  // the type of t.apply().action_run
  State,       // parser states
  ValueSet,
};

class Type;

struct TypeField {
  std::string name;
  const Type *type = nullptr;
  Loc loc;
};

struct TypeParameter {
  std::string name;
  Direction direction = Direction::None;
  const Type *type = nullptr;
  bool optional = false;
  bool hasDefault = false;
  const ParameterDecl *declaration = nullptr;
};

class Type {
public:
  TypeKind kind;

  // Bits, Varbit: width in bits. Bits: signedness.
  unsigned width = 0;
  bool isSigned = false;

  // Named types: the name as declared and the declaration.
  std::string name;
  const Declaration *declaration = nullptr;

  // Struct, Header, HeaderUnion, Tuple (unnamed fields "0", "1", ...).
  std::vector<TypeField> fields;

  // Enum: member names. Serializable enums: `underlying` is the bit type.
  std::vector<std::string> members;
  // Enum (serializable), NewType, Stack, List: the type this one builds on.
  const Type *underlying = nullptr;
  unsigned size = 0; // Stack

  // Generic types and their specializations.
  std::vector<const TypeParameterDecl *> typeParameters;
  std::vector<const Type *> typeArguments;

  // Parser, Control, Package, Action, Function; Extern: constructor.
  std::vector<TypeParameter> parameters;
  const Type *returnType = nullptr; // Function

  // Table, TableApplyResult, ActionEnum: the table declaration.
  const TableDecl *table = nullptr;

  bool isBits() const { return kind == TypeKind::Bits; }
  bool isHeaderLike() const { return kind == TypeKind::Header || kind == TypeKind::HeaderUnion; }
  bool isStructLike() const {
    return kind == TypeKind::Struct || kind == TypeKind::Header || kind == TypeKind::HeaderUnion;
  }
  bool isSerializableEnum() const { return kind == TypeKind::Enum && underlying != nullptr; }
  // Integers of a known width, serializable enums included: what arithmetic,
  // keys and packet fields are made of.
  const Type *bitsRepresentation() const;
  const TypeField *findField(const std::string &fieldName) const;
  int fieldIndex(const std::string &fieldName) const;

  // P4 spelling: "bit<8>", "struct headers_t", "header ethernet_t[4]".
  std::string toString() const;
};

// Width in bits of a header's fixed fields (varbit fields count 0) and of
// its varbit field's maximum.
unsigned fixedHeaderBits(const Type *header);
unsigned varbitMaximumBits(const Type *header);
// Size in bits of a fixed-size type with a wire format (bits, bool,
// serializable enums, headers without varbit, structs of them), or 0.
unsigned serializedBits(const Type *type);

class TypeContext {
public:
  TypeContext();
  ~TypeContext();

  const Type *boolType() const { return bool_; }
  const Type *infIntType() const { return infInt_; }
  const Type *stringType() const { return string_; }
  const Type *errorType() const { return error_; }
  const Type *matchKindType() const { return matchKind_; }
  const Type *voidType() const { return void_; }
  const Type *dontCareType() const { return dontCare_; }
  const Type *stateType() const { return state_; }
  const Type *bits(unsigned width, bool isSigned = false);
  const Type *varbit(unsigned width);
  const Type *stack(const Type *element, unsigned size);
  const Type *tuple(std::vector<const Type *> elements);
  const Type *list(std::vector<const Type *> elements);

  // A new type object, owned by the context (nominal types, functions).
  Type *make(TypeKind kind);

  // The type with every type variable of `bindings` replaced.
  const Type *substitute(const Type *type, const std::map<const TypeParameterDecl *, const Type *> &bindings);

private:
  std::vector<std::unique_ptr<Type>> owned_;
  std::map<std::pair<unsigned, bool>, const Type *> bits_;
  std::map<unsigned, const Type *> varbits_;
  std::map<std::pair<const Type *, unsigned>, const Type *> stacks_;
  std::map<std::vector<const Type *>, const Type *> tuples_;
  const Type *bool_, *infInt_, *string_, *error_, *matchKind_, *void_, *dontCare_, *state_;
};

// Structural equality of types (nominal types compare by declaration and
// type arguments; NewTypes by identity).
bool sameType(const Type *a, const Type *b);

} // namespace ebpfc::p4
