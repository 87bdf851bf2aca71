#include "frontend/p4/Types.h"

namespace ebpfc::p4 {

const Type *Type::bitsRepresentation() const {
  if (kind == TypeKind::Bits)
    return this;
  if (kind == TypeKind::Enum && underlying)
    return underlying->bitsRepresentation();
  if (kind == TypeKind::NewType && underlying)
    return underlying->bitsRepresentation();
  return nullptr;
}

const TypeField *Type::findField(const std::string &fieldName) const {
  for (const TypeField &f : fields)
    if (f.name == fieldName)
      return &f;
  return nullptr;
}

int Type::fieldIndex(const std::string &fieldName) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == fieldName)
      return static_cast<int>(i);
  return -1;
}

std::string Type::toString() const {
  auto withArguments = [&](std::string text) {
    if (typeArguments.empty())
      return text;
    text += "<";
    for (size_t i = 0; i < typeArguments.size(); ++i)
      text += (i ? ", " : "") + typeArguments[i]->toString();
    return text + ">";
  };
  switch (kind) {
  case TypeKind::Bool: return "bool";
  case TypeKind::Bits: return (isSigned ? "int<" : "bit<") + std::to_string(width) + ">";
  case TypeKind::InfInt: return "int";
  case TypeKind::Varbit: return "varbit<" + std::to_string(width) + ">";
  case TypeKind::String: return "string";
  case TypeKind::Error: return "error";
  case TypeKind::MatchKind: return "match_kind";
  case TypeKind::Void: return "void";
  case TypeKind::DontCare: return "_";
  case TypeKind::Struct: return withArguments("struct " + name);
  case TypeKind::Header: return withArguments("header " + name);
  case TypeKind::HeaderUnion: return withArguments("header_union " + name);
  case TypeKind::Enum: return "enum " + name;
  case TypeKind::Stack: return underlying->toString() + "[" + std::to_string(size) + "]";
  case TypeKind::Tuple:
  case TypeKind::List: {
    std::string text = kind == TypeKind::Tuple ? "tuple<" : "list<";
    for (size_t i = 0; i < fields.size(); ++i)
      text += (i ? ", " : "") + fields[i].type->toString();
    return text + ">";
  }
  case TypeKind::NewType: return name;
  case TypeKind::TypeVariable: return name;
  case TypeKind::Extern: return withArguments("extern " + name);
  case TypeKind::Parser: return withArguments("parser " + name);
  case TypeKind::Control: return withArguments("control " + name);
  case TypeKind::Package: return withArguments("package " + name);
  case TypeKind::Action: return "action " + name;
  case TypeKind::Function: return "function " + name;
  case TypeKind::Table: return "table " + name;
  case TypeKind::TableApplyResult: return "result of table " + name;
  case TypeKind::ActionEnum: return "action_run of table " + name;
  case TypeKind::State: return "state";
  case TypeKind::ValueSet: return "value_set<" + (underlying ? underlying->toString() : std::string("?")) + ">";
  }
  return "?";
}

unsigned fixedHeaderBits(const Type *header) {
  unsigned bits = 0;
  for (const TypeField &f : header->fields)
    if (f.type->kind != TypeKind::Varbit)
      bits += serializedBits(f.type);
  return bits;
}

unsigned varbitMaximumBits(const Type *header) {
  for (const TypeField &f : header->fields)
    if (f.type->kind == TypeKind::Varbit)
      return f.type->width;
  return 0;
}

unsigned serializedBits(const Type *type) {
  switch (type->kind) {
  case TypeKind::Bits: return type->width;
  case TypeKind::Bool: return 1;
  case TypeKind::Enum:
  case TypeKind::NewType: return type->bitsRepresentation() ? type->bitsRepresentation()->width : 0;
  case TypeKind::Header:
  case TypeKind::Struct: {
    unsigned bits = 0;
    for (const TypeField &f : type->fields) {
      if (f.type->kind == TypeKind::Varbit)
        continue;
      unsigned fieldBits = serializedBits(f.type);
      if (fieldBits == 0)
        return 0;
      bits += fieldBits;
    }
    return bits;
  }
  case TypeKind::Stack: return serializedBits(type->underlying) * type->size;
  default: return 0;
  }
}

TypeContext::TypeContext() {
  bool_ = make(TypeKind::Bool);
  infInt_ = make(TypeKind::InfInt);
  string_ = make(TypeKind::String);
  error_ = make(TypeKind::Error);
  matchKind_ = make(TypeKind::MatchKind);
  void_ = make(TypeKind::Void);
  dontCare_ = make(TypeKind::DontCare);
  state_ = make(TypeKind::State);
}

TypeContext::~TypeContext() = default;

Type *TypeContext::make(TypeKind kind) {
  owned_.push_back(std::make_unique<Type>());
  owned_.back()->kind = kind;
  return owned_.back().get();
}

const Type *TypeContext::bits(unsigned width, bool isSigned) {
  const Type *&slot = bits_[{width, isSigned}];
  if (!slot) {
    Type *t = make(TypeKind::Bits);
    t->width = width;
    t->isSigned = isSigned;
    slot = t;
  }
  return slot;
}

const Type *TypeContext::varbit(unsigned width) {
  const Type *&slot = varbits_[width];
  if (!slot) {
    Type *t = make(TypeKind::Varbit);
    t->width = width;
    slot = t;
  }
  return slot;
}

const Type *TypeContext::stack(const Type *element, unsigned size) {
  const Type *&slot = stacks_[{element, size}];
  if (!slot) {
    Type *t = make(TypeKind::Stack);
    t->underlying = element;
    t->size = size;
    slot = t;
  }
  return slot;
}

const Type *TypeContext::tuple(std::vector<const Type *> elements) {
  const Type *&slot = tuples_[elements];
  if (!slot) {
    Type *t = make(TypeKind::Tuple);
    for (size_t i = 0; i < elements.size(); ++i)
      t->fields.push_back({std::to_string(i), elements[i], {}});
    slot = t;
  }
  return slot;
}

const Type *TypeContext::list(std::vector<const Type *> elements) {
  Type *t = make(TypeKind::List);
  for (size_t i = 0; i < elements.size(); ++i)
    t->fields.push_back({std::to_string(i), elements[i], {}});
  return t;
}

const Type *TypeContext::substitute(const Type *type,
                                    const std::map<const TypeParameterDecl *, const Type *> &bindings) {
  if (!type || bindings.empty())
    return type;
  switch (type->kind) {
  case TypeKind::TypeVariable: {
    auto it = bindings.find(static_cast<const TypeParameterDecl *>(type->declaration));
    return it == bindings.end() ? type : it->second;
  }
  case TypeKind::Stack: {
    const Type *element = substitute(type->underlying, bindings);
    return element == type->underlying ? type : stack(element, type->size);
  }
  case TypeKind::Tuple: {
    std::vector<const Type *> elements;
    bool changed = false;
    for (const TypeField &f : type->fields) {
      elements.push_back(substitute(f.type, bindings));
      changed |= elements.back() != f.type;
    }
    return changed ? tuple(std::move(elements)) : type;
  }
  case TypeKind::Struct:
  case TypeKind::Header:
  case TypeKind::HeaderUnion:
  case TypeKind::Extern:
  case TypeKind::Parser:
  case TypeKind::Control:
  case TypeKind::Package:
  case TypeKind::Function:
  case TypeKind::Action: {
    bool changed = false;
    Type copy = *type;
    for (TypeField &f : copy.fields) {
      const Type *t = substitute(f.type, bindings);
      changed |= t != f.type;
      f.type = t;
    }
    for (TypeParameter &p : copy.parameters) {
      const Type *t = substitute(p.type, bindings);
      changed |= t != p.type;
      p.type = t;
    }
    for (const Type *&a : copy.typeArguments) {
      const Type *t = substitute(a, bindings);
      changed |= t != a;
      a = t;
    }
    if (copy.returnType) {
      const Type *t = substitute(copy.returnType, bindings);
      changed |= t != copy.returnType;
      copy.returnType = t;
    }
    if (!changed)
      return type;
    Type *made = make(type->kind);
    *made = std::move(copy);
    return made;
  }
  default:
    return type;
  }
}

bool sameType(const Type *a, const Type *b) {
  if (a == b)
    return true;
  if (!a || !b || a->kind != b->kind)
    return false;
  switch (a->kind) {
  case TypeKind::Bits: return a->width == b->width && a->isSigned == b->isSigned;
  case TypeKind::Varbit: return a->width == b->width;
  case TypeKind::Stack: return a->size == b->size && sameType(a->underlying, b->underlying);
  case TypeKind::Tuple:
  case TypeKind::List:
    if (a->fields.size() != b->fields.size())
      return false;
    for (size_t i = 0; i < a->fields.size(); ++i)
      if (!sameType(a->fields[i].type, b->fields[i].type))
        return false;
    return true;
  case TypeKind::Struct:
  case TypeKind::Header:
  case TypeKind::HeaderUnion:
  case TypeKind::Extern:
  case TypeKind::Parser:
  case TypeKind::Control:
  case TypeKind::Package: {
    if (a->declaration != b->declaration || a->typeArguments.size() != b->typeArguments.size())
      return false;
    for (size_t i = 0; i < a->typeArguments.size(); ++i)
      if (!sameType(a->typeArguments[i], b->typeArguments[i]))
        return false;
    return true;
  }
  case TypeKind::Enum:
  case TypeKind::NewType:
  case TypeKind::TypeVariable:
  case TypeKind::Table:
  case TypeKind::TableApplyResult:
  case TypeKind::ActionEnum:
    return a->declaration == b->declaration && a->table == b->table;
  default:
    return true; // bool, int, string, error, match_kind, void, state
  }
}

} // namespace ebpfc::p4
