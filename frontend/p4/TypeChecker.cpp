#include "frontend/p4/TypeChecker.h"

#include "frontend/p4/ConstantFolder.h"

#include <functional>
#include <set>
#include <unordered_map>

namespace ebpfc::p4 {

namespace {

// One level of names. Functions and extern functions may be overloaded by
// their number of parameters, so a name maps to several declarations.
struct Scope {
  Scope *parent = nullptr;
  std::unordered_multimap<std::string, Declaration *> names;
};

// What kind of body is being checked: decides what statements may do.
struct BodyContext {
  BlockTypeDecl *block = nullptr;  // the enclosing parser or control
  bool inParser = false;
  FunctionDecl *function = nullptr;
  unsigned loopDepth = 0;
};

std::string quote(const std::string &text) { return "'" + text + "'"; }
std::string typeText(const Type *type) { return "'" + type->toString() + "'"; }

bool isInteger(const Type *t) { return t && (t->kind == TypeKind::Bits || t->kind == TypeKind::InfInt); }

class Checker {
public:
  Checker(Program &program, TypeContext &types, const SourceMap &map, ir::DiagnosticEngine &diags,
          CheckedProgram &result)
      : program_(program), types_(types), map_(map), diags_(diags), result_(result) {
    scope_ = &global_;
  }

  bool run() {
    for (DeclarationPtr &decl : program_.declarations)
      declareTopLevel(*decl);
    findMain();
    return diags_.errorCount() == errorsBefore_;
  }

private:
  // ================================================================ reporting

  void error(Loc loc, std::string message, std::vector<ir::DiagnosticNote> notes = {}) {
    diags_.error(map_.toSourceLocation(loc), std::move(message), std::move(notes));
  }
  void warning(Loc loc, std::string message) { diags_.warning(map_.toSourceLocation(loc), std::move(message)); }
  ir::DiagnosticNote noteAt(Loc loc, std::string message) { return {map_.toSourceLocation(loc), std::move(message)}; }

  // ================================================================ scopes

  class ScopeGuard {
  public:
    explicit ScopeGuard(Checker &checker) : checker_(checker) {
      scope_.parent = checker.scope_;
      checker.scope_ = &scope_;
    }
    ~ScopeGuard() { checker_.scope_ = scope_.parent; }

  private:
    Checker &checker_;
    Scope scope_;
  };

  void declare(Declaration &decl) {
    if (decl.name.empty())
      return;
    auto range = scope_->names.equal_range(decl.name);
    for (auto it = range.first; it != range.second; ++it) {
      Declaration *existing = it->second;
      bool overloadable = isCallable(existing->kind) && isCallable(decl.kind) &&
                          parameterCount(*existing) != parameterCount(decl);
      if (!overloadable) {
        error(decl.loc, "redefinition of " + quote(decl.name), {noteAt(existing->loc, "previous definition is here")});
        return;
      }
    }
    scope_->names.emplace(decl.name, &decl);
  }

  static bool isCallable(DeclarationKind kind) {
    return kind == DeclarationKind::Function || kind == DeclarationKind::ExternFunction ||
           kind == DeclarationKind::Method || kind == DeclarationKind::Action;
  }

  static size_t parameterCount(const Declaration &decl) {
    switch (decl.kind) {
    case DeclarationKind::Function: return decl.as<FunctionDecl>()->parameters.size();
    case DeclarationKind::ExternFunction:
    case DeclarationKind::Method:
    case DeclarationKind::Constructor: return decl.as<MethodDecl>()->parameters.size();
    case DeclarationKind::Action: return decl.as<ActionDecl>()->parameters.size();
    default: return 0;
    }
  }

  std::vector<Declaration *> lookupAll(const std::string &name, bool globalOnly = false) {
    for (Scope *s = globalOnly ? &global_ : scope_; s; s = s->parent) {
      auto range = s->names.equal_range(name);
      if (range.first != range.second) {
        std::vector<Declaration *> found;
        for (auto it = range.first; it != range.second; ++it)
          found.push_back(it->second);
        return found;
      }
    }
    return {};
  }

  Declaration *lookup(const std::string &name, bool globalOnly = false) {
    std::vector<Declaration *> found = lookupAll(name, globalOnly);
    return found.empty() ? nullptr : found.front();
  }

  // ================================================================ top-level declarations

  void declareTopLevel(Declaration &decl) {
    switch (decl.kind) {
    case DeclarationKind::ErrorMembers:
      for (auto &member : decl.as<MemberListDecl>()->members) {
        if (errorMembers_.count(member->name)) {
          error(member->loc, "error " + quote(member->name) + " is declared twice");
          continue;
        }
        member->index = static_cast<unsigned>(result_.errorNames.size());
        member->type = types_.errorType();
        result_.errorNames.push_back(member->name);
        errorMembers_[member->name] = member.get();
      }
      return;
    case DeclarationKind::MatchKindMembers:
      for (auto &member : decl.as<MemberListDecl>()->members) {
        member->index = nextMatchKind_++;
        member->type = types_.matchKindType();
        declare(*member);
      }
      return;
    default:
      break;
    }
    checkDeclaration(decl, BodyContext{});
    declare(decl);
  }

  void checkDeclaration(Declaration &decl, BodyContext context) {
    switch (decl.kind) {
    case DeclarationKind::Header:
    case DeclarationKind::HeaderUnion:
    case DeclarationKind::Struct: checkStructLike(*decl.as<StructLikeDecl>()); break;
    case DeclarationKind::Enum: checkEnum(*decl.as<EnumDecl>()); break;
    case DeclarationKind::Typedef:
    case DeclarationKind::NewType: checkTypedef(*decl.as<TypedefDecl>()); break;
    case DeclarationKind::Constant: checkConstant(*decl.as<ConstantDecl>()); break;
    case DeclarationKind::Variable: checkVariable(*decl.as<VariableDecl>(), context); break;
    case DeclarationKind::ExternObject: checkExternObject(*decl.as<ExternObjectDecl>()); break;
    case DeclarationKind::ExternFunction: checkMethod(*decl.as<MethodDecl>()); break;
    case DeclarationKind::Action: checkAction(*decl.as<ActionDecl>(), context); break;
    case DeclarationKind::Function: checkFunction(*decl.as<FunctionDecl>()); break;
    case DeclarationKind::Parser:
    case DeclarationKind::ParserType:
    case DeclarationKind::Control:
    case DeclarationKind::ControlType: checkBlock(*decl.as<BlockTypeDecl>()); break;
    case DeclarationKind::Package: checkPackage(*decl.as<PackageDecl>()); break;
    case DeclarationKind::Instance: checkInstance(*decl.as<InstanceDecl>(), context); break;
    case DeclarationKind::ValueSet: checkValueSet(*decl.as<ValueSetDecl>(), context); break;
    case DeclarationKind::Table: checkTable(*decl.as<TableDecl>(), context); break;
    default: break;
    }
  }

  void findMain() {
    for (DeclarationPtr &decl : program_.declarations)
      if (decl->kind == DeclarationKind::Instance && decl->name == "main")
        result_.main = decl->as<InstanceDecl>();
  }

  // ================================================================ types

  void declareTypeParameters(TypeParameterList &params) {
    for (auto &p : params) {
      Type *t = types_.make(TypeKind::TypeVariable);
      t->name = p->name;
      t->declaration = p.get();
      p->type = t;
      declare(*p);
    }
  }

  std::optional<unsigned> constantUnsigned(ExprPtr &expr, const char *what, unsigned maximum) {
    const Type *t = check(expr, nullptr);
    if (!t)
      return std::nullopt;
    if (!expr->constant || expr->constant->kind != Constant::Kind::Integer || !isInteger(t)) {
      error(expr->loc, std::string(what) + " must be a compile-time integer constant");
      return std::nullopt;
    }
    const llvm::APInt &v = expr->constant->value;
    bool negative = (t->kind == TypeKind::InfInt || t->isSigned) && v.isNegative();
    if (negative || v.getActiveBits() > 32 || v.getZExtValue() > maximum) {
      error(expr->loc, std::string(what) + " " + constantText(*expr->constant, t) + " is out of range (0 to " +
                           std::to_string(maximum) + ")");
      return std::nullopt;
    }
    return static_cast<unsigned>(v.getZExtValue());
  }

  const Type *resolveType(TypeExpr &te) {
    te.resolved = resolveTypeUncached(te);
    return te.resolved;
  }

  const Type *resolveTypeUncached(TypeExpr &te) {
    switch (te.kind) {
    case TypeExpr::Kind::Bool: return types_.boolType();
    case TypeExpr::Kind::Error: return types_.errorType();
    case TypeExpr::Kind::MatchKind: return types_.matchKindType();
    case TypeExpr::Kind::String: return types_.stringType();
    case TypeExpr::Kind::Void: return types_.voidType();
    case TypeExpr::Kind::DontCare: return types_.dontCareType();
    case TypeExpr::Kind::Bit:
    case TypeExpr::Kind::Int:
    case TypeExpr::Kind::Varbit: {
      if (!te.width)
        return te.kind == TypeExpr::Kind::Bit ? types_.bits(1) : types_.infIntType();
      std::optional<unsigned> width = constantUnsigned(te.width, "a type's width", 2048);
      if (!width)
        return nullptr;
      if (*width == 0) {
        error(te.loc, "types of width 0 are not supported by the eBPF target");
        return nullptr;
      }
      if (te.kind == TypeExpr::Kind::Varbit)
        return types_.varbit(*width);
      return types_.bits(*width, te.kind == TypeExpr::Kind::Int);
    }
    case TypeExpr::Kind::Named:
    case TypeExpr::Kind::TypeVariableName: {
      Declaration *decl = lookup(te.name, te.globalPrefix);
      if (!decl) {
        error(te.loc, "unknown type " + quote(te.name));
        return nullptr;
      }
      if (!isTypeDeclaration(decl->kind)) {
        error(te.loc, quote(te.name) + " is not a type");
        return nullptr;
      }
      if (!decl->type)
        return nullptr; // its declaration had errors
      return decl->type;
    }
    case TypeExpr::Kind::Specialized: return resolveSpecialized(te);
    case TypeExpr::Kind::Tuple:
    case TypeExpr::Kind::List: {
      std::vector<const Type *> elements;
      for (auto &a : te.arguments) {
        const Type *t = resolveType(*a);
        if (!t)
          return nullptr;
        elements.push_back(t);
      }
      return te.kind == TypeExpr::Kind::Tuple ? types_.tuple(elements) : types_.list(elements);
    }
    case TypeExpr::Kind::Stack: {
      const Type *element = resolveType(*te.element);
      if (!element)
        return nullptr;
      std::optional<unsigned> size = constantUnsigned(te.size, "a header stack's size", 1024);
      if (!size)
        return nullptr;
      if (!element->isHeaderLike()) {
        error(te.loc, "header stacks hold headers or header unions, not " + typeText(element));
        return nullptr;
      }
      return types_.stack(element, *size);
    }
    }
    return nullptr;
  }

  static bool isTypeDeclaration(DeclarationKind kind) {
    switch (kind) {
    case DeclarationKind::Header: case DeclarationKind::HeaderUnion: case DeclarationKind::Struct:
    case DeclarationKind::Enum: case DeclarationKind::Typedef: case DeclarationKind::NewType:
    case DeclarationKind::ExternObject: case DeclarationKind::Parser: case DeclarationKind::ParserType:
    case DeclarationKind::Control: case DeclarationKind::ControlType: case DeclarationKind::Package:
    case DeclarationKind::TypeParameter:
      return true;
    default:
      return false;
    }
  }

  const Type *resolveSpecialized(TypeExpr &te) {
    Declaration *decl = lookup(te.name, te.globalPrefix);
    if (!decl || !isTypeDeclaration(decl->kind) || !decl->type) {
      if (!decl)
        error(te.loc, "unknown type " + quote(te.name));
      else if (!isTypeDeclaration(decl->kind))
        error(te.loc, quote(te.name) + " is not a type");
      return nullptr;
    }
    const Type *generic = decl->type;
    if (generic->typeParameters.size() != te.arguments.size()) {
      error(te.loc, quote(te.name) + " takes " + std::to_string(generic->typeParameters.size()) +
                        " type argument" + (generic->typeParameters.size() == 1 ? "" : "s") + ", not " +
                        std::to_string(te.arguments.size()));
      return nullptr;
    }
    std::map<const TypeParameterDecl *, const Type *> bindings;
    std::vector<const Type *> arguments;
    for (size_t i = 0; i < te.arguments.size(); ++i) {
      const Type *a = resolveType(*te.arguments[i]);
      if (!a)
        return nullptr;
      arguments.push_back(a);
      if (a->kind != TypeKind::DontCare)
        bindings[generic->typeParameters[i]] = a;
    }
    return specialize(generic, bindings, arguments);
  }

  // A generic type with its type arguments filled in.
  const Type *specialize(const Type *generic, const std::map<const TypeParameterDecl *, const Type *> &bindings,
                         std::vector<const Type *> arguments) {
    const Type *substituted = types_.substitute(generic, bindings);
    Type *made = types_.make(generic->kind);
    *made = *substituted;
    made->typeArguments = std::move(arguments);
    return made;
  }

  void checkStructLike(StructLikeDecl &decl) {
    Type *type = types_.make(decl.kind == DeclarationKind::Header       ? TypeKind::Header
                             : decl.kind == DeclarationKind::HeaderUnion ? TypeKind::HeaderUnion
                                                                         : TypeKind::Struct);
    type->name = decl.name;
    type->declaration = &decl;
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    for (auto &p : decl.typeParameters)
      type->typeParameters.push_back(p.get());
    bool ok = true;
    std::set<std::string> names;
    unsigned varbits = 0;
    for (FieldDecl &field : decl.fields) {
      const Type *ft = resolveType(*field.typeExpr);
      if (!names.insert(field.name).second) {
        error(field.loc, "duplicate field " + quote(field.name) + " in " + quote(decl.name));
        ok = false;
      }
      if (!ft) {
        ok = false;
        continue;
      }
      if (decl.kind == DeclarationKind::Header) {
        bool allowed = ft->kind == TypeKind::Bits || ft->kind == TypeKind::Varbit || ft->kind == TypeKind::Bool ||
                       ft->isSerializableEnum() || ft->kind == TypeKind::TypeVariable ||
                       (ft->kind == TypeKind::NewType && ft->bitsRepresentation()) ||
                       (ft->kind == TypeKind::Struct && serializedBits(ft) != 0);
        if (!allowed) {
          error(field.loc, "header fields must be bit<W>, int<W>, varbit<W>, bool or serializable enums; " +
                               quote(field.name) + " has type " + typeText(ft));
          ok = false;
        }
        if (ft->kind == TypeKind::Varbit && ++varbits > 1) {
          error(field.loc, "a header may have only one varbit field");
          ok = false;
        }
      } else if (decl.kind == DeclarationKind::HeaderUnion && ft->kind != TypeKind::Header) {
        error(field.loc, "header union fields must be headers; " + quote(field.name) + " has type " + typeText(ft));
        ok = false;
      }
      type->fields.push_back({field.name, ft, field.loc});
    }
    if (ok)
      decl.type = type;
  }

  void checkEnum(EnumDecl &decl) {
    Type *type = types_.make(TypeKind::Enum);
    type->name = decl.name;
    type->declaration = &decl;
    if (decl.underlyingType) {
      const Type *underlying = resolveType(*decl.underlyingType);
      if (!underlying)
        return;
      if (underlying->kind != TypeKind::Bits) {
        error(decl.underlyingType->loc, "serializable enums need a bit<W> or int<W> type, not " + typeText(underlying));
        return;
      }
      type->underlying = underlying;
    }
    std::set<std::string> names;
    for (auto &member : decl.members) {
      if (!names.insert(member->name).second)
        error(member->loc, "duplicate member " + quote(member->name) + " in enum " + quote(decl.name));
      type->members.push_back(member->name);
      member->type = type;
      if (member->value && type->underlying) {
        const Type *vt = check(member->value, type->underlying);
        if (vt && coerce(member->value, type->underlying, "an enum member's value") && !member->value->constant)
          error(member->value->loc, "enum member values must be compile-time constants");
      }
    }
    decl.type = type;
  }

  void checkTypedef(TypedefDecl &decl) {
    const Type *aliased = nullptr;
    if (decl.inlineDeclaration) {
      checkDeclaration(*decl.inlineDeclaration, BodyContext{});
      declare(*decl.inlineDeclaration);
      aliased = decl.inlineDeclaration->type;
    } else {
      aliased = resolveType(*decl.typeExpr);
    }
    if (!aliased)
      return;
    if (decl.kind == DeclarationKind::Typedef) {
      decl.type = aliased;
      return;
    }
    Type *type = types_.make(TypeKind::NewType);
    type->name = decl.name;
    type->declaration = &decl;
    type->underlying = aliased;
    decl.type = type;
  }

  void checkConstant(ConstantDecl &decl) {
    const Type *type = resolveType(*decl.typeExpr);
    if (!type)
      return;
    if (!check(decl.value, type))
      return;
    if (!coerce(decl.value, type, "the constant's value"))
      return;
    if (!decl.value->constant && !isConstantAggregate(*decl.value)) {
      error(decl.value->loc, "the value of constant " + quote(decl.name) + " must be a compile-time constant");
      return;
    }
    decl.type = type;
  }

  bool isConstantAggregate(const Expr &e) {
    if (e.constant)
      return true;
    if (e.kind == ExprKind::List) {
      for (const ExprPtr &x : e.as<ListExpr>()->elements)
        if (!isConstantAggregate(*x))
          return false;
      return true;
    }
    if (e.kind == ExprKind::StructInit) {
      for (const auto &f : e.as<StructInitExpr>()->fields)
        if (!isConstantAggregate(*f.value))
          return false;
      return true;
    }
    if (e.kind == ExprKind::Cast)
      return isConstantAggregate(*e.as<CastExpr>()->operand);
    return false;
  }

  void checkVariable(VariableDecl &decl, BodyContext &context) {
    const Type *type = resolveType(*decl.typeExpr);
    if (!type)
      return;
    if (type->kind == TypeKind::Extern || type->kind == TypeKind::Parser || type->kind == TypeKind::Control ||
        type->kind == TypeKind::Package || type->kind == TypeKind::Void) {
      error(decl.loc, "variables cannot have type " + typeText(type));
      return;
    }
    if (type->kind == TypeKind::InfInt) {
      error(decl.loc, "variables need a type with a width; 'int' is only for compile-time constants");
      return;
    }
    if (decl.initializer) {
      if (check(decl.initializer, type))
        coerce(decl.initializer, type, "the variable's initial value");
    }
    decl.type = type;
  }

  void checkParameters(ParameterList &params, bool allowDefaults) {
    std::set<std::string> names;
    for (auto &p : params) {
      if (!names.insert(p->name).second)
        error(p->loc, "duplicate parameter " + quote(p->name));
      p->type = resolveType(*p->typeExpr);
      if (p->type && p->defaultValue) {
        if (!allowDefaults)
          error(p->defaultValue->loc, "this parameter cannot have a default value");
        else if (check(p->defaultValue, p->type))
          coerce(p->defaultValue, p->type, "the default value");
      }
    }
  }

  void declareParameters(ParameterList &params) {
    for (auto &p : params)
      declare(*p);
  }

  std::vector<TypeParameter> typeParameters(const ParameterList &params) {
    std::vector<TypeParameter> out;
    for (const auto &p : params)
      out.push_back({p->name, p->direction, p->type, p->optional, p->defaultValue != nullptr, p.get()});
    return out;
  }

  bool allTyped(const ParameterList &params) {
    for (const auto &p : params)
      if (!p->type)
        return false;
    return true;
  }

  // The type of a declaration with type parameters and typed parameters
  // (a method, function or package).
  template <typename Decl> Type *parameterizedType(TypeKind kind, Decl &decl) {
    Type *type = types_.make(kind);
    type->name = decl.name;
    type->declaration = &decl;
    for (auto &p : decl.typeParameters)
      type->typeParameters.push_back(p.get());
    type->parameters = typeParameters(decl.parameters);
    return type;
  }
  template <typename Decl> const Type *functionType(Decl &decl, const Type *returnType) {
    Type *type = parameterizedType(TypeKind::Function, decl);
    type->returnType = returnType;
    return type;
  }

  void checkMethod(MethodDecl &decl) {
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    checkParameters(decl.parameters, true);
    const Type *returnType =
        decl.kind == DeclarationKind::Constructor ? types_.voidType() : resolveType(*decl.returnType);
    if (!returnType || !allTyped(decl.parameters))
      return;
    decl.type = functionType(decl, returnType);
  }

  void checkExternObject(ExternObjectDecl &decl) {
    Type *type = types_.make(TypeKind::Extern);
    type->name = decl.name;
    type->declaration = &decl;
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    for (auto &p : decl.typeParameters)
      type->typeParameters.push_back(p.get());
    // The extern's own name is a type inside its methods (constructors).
    decl.type = type;
    for (auto &method : decl.methods)
      checkMethod(*method);
  }

  void checkAction(ActionDecl &decl, BodyContext context) {
    decl.enclosingControl = context.block;
    checkParameters(decl.parameters, false);
    bool seenDirectionless = false;
    for (auto &p : decl.parameters) {
      if (p->direction == Direction::None)
        seenDirectionless = true;
      else if (seenDirectionless)
        error(p->loc, "action parameters with a direction must come before those without (action data)");
    }
    if (!allTyped(decl.parameters))
      return;
    Type *type = types_.make(TypeKind::Action);
    type->name = decl.name;
    type->declaration = &decl;
    type->parameters = typeParameters(decl.parameters);
    decl.type = type;
    ScopeGuard guard(*this);
    declareParameters(decl.parameters);
    BodyContext body = context;
    body.inParser = false;
    checkBlockStatement(*decl.body, body);
  }

  void checkFunction(FunctionDecl &decl) {
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    checkParameters(decl.parameters, false);
    const Type *returnType = resolveType(*decl.returnType);
    if (!returnType || !allTyped(decl.parameters))
      return;
    decl.type = functionType(decl, returnType);
    declareParameters(decl.parameters);
    BodyContext body;
    body.function = &decl;
    checkBlockStatement(*decl.body, body);
  }

  void checkPackage(PackageDecl &decl) {
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    checkParameters(decl.parameters, true);
    if (!allTyped(decl.parameters))
      return;
    decl.type = parameterizedType(TypeKind::Package, decl);
  }

  // ================================================================ parsers and controls

  void checkBlock(BlockTypeDecl &decl) {
    bool isParser = decl.kind == DeclarationKind::Parser || decl.kind == DeclarationKind::ParserType;
    Type *type = types_.make(isParser ? TypeKind::Parser : TypeKind::Control);
    type->name = decl.name;
    type->declaration = &decl;
    ScopeGuard guard(*this);
    declareTypeParameters(decl.typeParameters);
    for (auto &p : decl.typeParameters)
      type->typeParameters.push_back(p.get());
    checkParameters(decl.parameters, true);
    checkParameters(decl.constructorParameters, true);
    if (!allTyped(decl.parameters) || !allTyped(decl.constructorParameters))
      return;
    type->parameters = typeParameters(decl.parameters);
    decl.type = type;
    if (decl.kind == DeclarationKind::ParserType || decl.kind == DeclarationKind::ControlType)
      return;
    if (!decl.typeParameters.empty())
      error(decl.loc, std::string(isParser ? "parser" : "control") +
                          " declarations cannot have type parameters (only parser and control types can)");
    declareParameters(decl.parameters);
    declareParameters(decl.constructorParameters);
    BodyContext context;
    context.block = &decl;
    context.inParser = isParser;
    for (DeclarationPtr &local : decl.locals) {
      checkDeclaration(*local, context);
      declare(*local);
    }
    if (isParser)
      checkParserStates(decl, context);
    else
      checkBlockStatement(*decl.body, context);
  }

  void checkParserStates(BlockTypeDecl &decl, BodyContext &context) {
    std::map<std::string, StateDecl *> states;
    for (auto &state : decl.states) {
      state->type = types_.stateType();
      if (state->name == "accept" || state->name == "reject") {
        error(state->loc, "state " + quote(state->name) + " is predefined and cannot be declared");
        continue;
      }
      if (!states.emplace(state->name, state.get()).second)
        error(state->loc, "redefinition of state " + quote(state->name));
    }
    for (const char *builtin : {"accept", "reject"}) {
      auto state = std::make_unique<StateDecl>(decl.loc, builtin);
      state->builtin = true;
      state->type = types_.stateType();
      states[builtin] = state.get();
      decl.states.push_back(std::move(state));
    }
    if (!states.count("start"))
      error(decl.loc, "parser " + quote(decl.name) + " has no 'start' state");
    // States are visible to each other, not as ordinary names of the parser.
    auto resolve = [&](const std::string &name, Loc loc) -> const Declaration * {
      auto it = states.find(name);
      if (it == states.end()) {
        error(loc, "parser " + quote(decl.name) + " has no state " + quote(name));
        return nullptr;
      }
      return it->second;
    };
    for (auto &state : decl.states) {
      if (state->builtin)
        continue;
      ScopeGuard guard(*this);
      for (StatementPtr &s : state->statements)
        checkStatement(s, context);
      Transition &t = state->transition;
      switch (t.kind) {
      case Transition::Kind::None:
        // A state without a transition goes to reject (the specification).
        break;
      case Transition::Kind::Direct: t.target = resolve(t.state, t.stateLoc); break;
      case Transition::Kind::Select: {
        std::vector<const Type *> keyTypes;
        bool ok = true;
        for (ExprPtr &key : t.selectKeys) {
          const Type *kt = check(key, nullptr);
          if (!kt) {
            ok = false;
            continue;
          }
          if (kt->kind == TypeKind::InfInt || kt->kind == TypeKind::List || kt->kind == TypeKind::Tuple) {
            error(key->loc, "select keys need a type with a width, not " + typeText(kt));
            ok = false;
          }
          keyTypes.push_back(kt);
        }
        for (SelectCase &c : t.cases) {
          if (ok)
            checkKeyset(c.keyset, keyTypes, /*allowValueSets=*/true);
          c.target = resolve(c.state, c.stateLoc);
        }
        break;
      }
      }
    }
  }

  // ================================================================ instances

  void checkInstance(InstanceDecl &decl, BodyContext context) {
    const Type *type = resolveType(*decl.typeExpr);
    if (!type)
      return;
    if (decl.hasInitializer)
      error(decl.loc, "instances with an initializer block (abstract methods) are not supported by the eBPF target");
    decl.type = constructorCall(type, decl.arguments, decl.loc, decl.typeExpr->kind == TypeExpr::Kind::Specialized);
  }

  // Checks a constructor call's arguments; the constructed object's type
  // (type arguments inferred from the arguments where the type has them).
  const Type *constructorCall(const Type *type, std::vector<Argument> &arguments, Loc loc, bool explicitTypes) {
    switch (type->kind) {
    case TypeKind::Extern: {
      auto *decl = static_cast<const ExternObjectDecl *>(type->declaration);
      std::vector<MethodDecl *> constructors;
      for (auto &m : decl->methods)
        if (m->kind == DeclarationKind::Constructor)
          constructors.push_back(m.get());
      if (constructors.empty()) {
        error(loc, "extern " + quote(decl->name) + " has no constructor; it cannot be instantiated");
        return nullptr;
      }
      MethodDecl *chosen = chooseOverload(constructors, arguments);
      if (!chosen) {
        error(loc, "no constructor of " + quote(decl->name) + " takes " + std::to_string(arguments.size()) +
                       " argument" + (arguments.size() == 1 ? "" : "s"));
        return nullptr;
      }
      if (!chosen->type)
        return nullptr;
      std::map<const TypeParameterDecl *, const Type *> bindings;
      for (size_t i = 0; i < type->typeParameters.size() && i < type->typeArguments.size(); ++i)
        bindings[type->typeParameters[i]] = type->typeArguments[i];
      std::vector<Expr *> bound;
      if (!bindArguments(chosen->type, chosen->name, arguments, bound, bindings, loc))
        return nullptr;
      if (!explicitTypes && !type->typeParameters.empty()) {
        std::vector<const Type *> typeArguments;
        for (const TypeParameterDecl *p : type->typeParameters) {
          auto it = bindings.find(p);
          if (it == bindings.end()) {
            error(loc, "cannot infer type parameter " + quote(p->name) + " of " + quote(decl->name) +
                           "; give it explicitly");
            return nullptr;
          }
          typeArguments.push_back(it->second);
        }
        return specialize(type, bindings, typeArguments);
      }
      return type;
    }
    case TypeKind::Parser:
    case TypeKind::Control: {
      auto *decl = static_cast<const BlockTypeDecl *>(type->declaration);
      if (decl->kind == DeclarationKind::ParserType || decl->kind == DeclarationKind::ControlType) {
        error(loc, quote(decl->name) + " is a type and cannot be instantiated; instantiate a declared " +
                       (type->kind == TypeKind::Parser ? "parser" : "control"));
        return nullptr;
      }
      Type ctorType;
      ctorType.kind = TypeKind::Function;
      ctorType.parameters = typeParameters(decl->constructorParameters);
      std::vector<Expr *> bound;
      std::map<const TypeParameterDecl *, const Type *> bindings;
      if (!bindArguments(&ctorType, decl->name, arguments, bound, bindings, loc))
        return nullptr;
      return type;
    }
    case TypeKind::Package: {
      std::vector<Expr *> bound;
      std::map<const TypeParameterDecl *, const Type *> bindings;
      if (!bindArguments(type, type->name, arguments, bound, bindings, loc))
        return nullptr;
      if (!explicitTypes && !type->typeParameters.empty()) {
        std::vector<const Type *> typeArguments;
        for (const TypeParameterDecl *p : type->typeParameters) {
          auto it = bindings.find(p);
          typeArguments.push_back(it == bindings.end() ? types_.dontCareType() : it->second);
        }
        return specialize(type, bindings, typeArguments);
      }
      return type;
    }
    default:
      error(loc, typeText(type) + " cannot be instantiated");
      return nullptr;
    }
  }

  template <class Decl>
  Decl *chooseOverload(const std::vector<Decl *> &candidates, const std::vector<Argument> &arguments) {
    for (Decl *candidate : candidates) {
      const ParameterList &params = candidate->parameters;
      size_t required = 0;
      for (const auto &p : params)
        if (!p->optional && !p->defaultValue)
          ++required;
      bool namesMatch = true;
      for (const Argument &a : arguments) {
        if (a.name.empty())
          continue;
        bool found = false;
        for (const auto &p : params)
          found |= p->name == a.name;
        namesMatch &= found;
      }
      if (namesMatch && arguments.size() >= required && arguments.size() <= params.size())
        return candidate;
    }
    return nullptr;
  }

  // ================================================================ calls and arguments

  // Binds arguments to the parameters of `signature` (positionally or by
  // name), checks each against its parameter's type and direction, and
  // infers type variables into `bindings`.
  bool bindArguments(const Type *signature, const std::string &calleeName, std::vector<Argument> &arguments,
                     std::vector<Expr *> &bound, std::map<const TypeParameterDecl *, const Type *> &bindings,
                     Loc loc) {
    const std::vector<TypeParameter> &params = signature->parameters;
    std::vector<Argument *> byParameter(params.size(), nullptr);
    bool named = false;
    for (size_t i = 0; i < arguments.size(); ++i) {
      Argument &a = arguments[i];
      if (a.name.empty()) {
        if (named) {
          error(a.loc, "positional arguments cannot follow named ones");
          return false;
        }
        if (i >= params.size()) {
          error(a.loc, "too many arguments to " + quote(calleeName) + ": it takes " + std::to_string(params.size()));
          return false;
        }
        byParameter[i] = &a;
        continue;
      }
      named = true;
      size_t index = params.size();
      for (size_t p = 0; p < params.size(); ++p)
        if (params[p].name == a.name)
          index = p;
      if (index == params.size()) {
        error(a.loc, quote(calleeName) + " has no parameter named " + quote(a.name));
        return false;
      }
      if (byParameter[index]) {
        error(a.loc, "parameter " + quote(a.name) + " of " + quote(calleeName) + " is given twice");
        return false;
      }
      byParameter[index] = &a;
    }
    bool ok = true;
    bound.assign(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const TypeParameter &p = params[i];
      Argument *a = byParameter[i];
      if (!a) {
        if (!p.optional && !p.hasDefault) {
          error(loc, "missing argument for parameter " + quote(p.name) + " of " + quote(calleeName));
          ok = false;
        }
        continue;
      }
      ok &= checkArgument(*a, p, calleeName, bindings);
      bound[i] = a->value.get();
    }
    return ok;
  }

  bool checkArgument(Argument &a, const TypeParameter &p, const std::string &calleeName,
                     std::map<const TypeParameterDecl *, const Type *> &bindings) {
    if (a.value->kind == ExprKind::DontCare) {
      if (p.direction != Direction::Out) {
        error(a.loc, "'_' can only be given for out parameters; " + quote(p.name) + " is not one");
        return false;
      }
      a.value->type = types_.substitute(p.type, bindings);
      return true;
    }
    const Type *expected = types_.substitute(p.type, bindings);
    bool generic = containsTypeVariable(expected);
    const Type *t = check(a.value, generic ? nullptr : expected);
    if (!t)
      return false;
    // Parser, control and package arguments match their parameter's type
    // structurally (packages: by declaration and type arguments).
    if (expected->kind == TypeKind::Parser || expected->kind == TypeKind::Control ||
        (expected->kind == TypeKind::Package && t->kind == TypeKind::Package)) {
      if (!unify(expected, t, bindings)) {
        error(a.loc, "argument of type " + typeText(t) + " does not match parameter " + quote(p.name) + " of " +
                         quote(calleeName) + " (type " + typeText(expected) + ")");
        return false;
      }
      return true;
    }
    if (generic) {
      if (!unify(expected, t, bindings)) {
        error(a.loc, "argument of type " + typeText(t) + " does not match parameter " + quote(p.name) + " of " +
                         quote(calleeName) + " (type " + typeText(expected) + ")");
        return false;
      }
      expected = types_.substitute(p.type, bindings);
    }
    if (p.direction == Direction::Out || p.direction == Direction::InOut) {
      if (!a.value->isLvalue) {
        error(a.loc, "the argument for " + std::string(directionSpelling(p.direction)) + " parameter " +
                         quote(p.name) + " of " + quote(calleeName) + " must be a variable or field");
        return false;
      }
      if (!checkWritable(*a.value))
        return false;
      if (!sameType(t, expected) && !containsTypeVariable(expected)) {
        error(a.loc, "argument of type " + typeText(t) + " for " + std::string(directionSpelling(p.direction)) +
                         " parameter " + quote(p.name) + " of " + quote(calleeName) + " must have type " +
                         typeText(expected));
        return false;
      }
      return true;
    }
    if (containsTypeVariable(expected))
      return true;
    return coerce(a.value, expected, ("parameter " + quote(p.name) + " of " + quote(calleeName)).c_str());
  }

  static bool containsTypeVariable(const Type *t) {
    if (!t)
      return false;
    switch (t->kind) {
    case TypeKind::TypeVariable: return true;
    case TypeKind::Stack: return containsTypeVariable(t->underlying);
    case TypeKind::Tuple:
      for (const TypeField &f : t->fields)
        if (containsTypeVariable(f.type))
          return true;
      return false;
    case TypeKind::Parser:
    case TypeKind::Control:
    case TypeKind::Extern:
    case TypeKind::Struct:
    case TypeKind::Header:
      for (const Type *a : t->typeArguments)
        if (containsTypeVariable(a))
          return true;
      if (t->typeArguments.empty() && !t->typeParameters.empty())
        return true;
      return false;
    default: return false;
    }
  }

  // Makes `pattern` (which may contain type variables) equal to `actual`,
  // recording what each variable stands for.
  bool unify(const Type *pattern, const Type *actual, std::map<const TypeParameterDecl *, const Type *> &bindings) {
    if (pattern->kind == TypeKind::TypeVariable) {
      auto *param = static_cast<const TypeParameterDecl *>(pattern->declaration);
      auto it = bindings.find(param);
      if (it != bindings.end())
        return sameType(it->second, actual) ||
               (it->second->kind == TypeKind::Bits && actual->kind == TypeKind::InfInt);
      if (actual->kind == TypeKind::InfInt || actual->kind == TypeKind::List)
        return false; // needs a type with a width: P4 cannot infer one
      bindings[param] = actual;
      return true;
    }
    if (pattern->kind == TypeKind::Parser || pattern->kind == TypeKind::Control) {
      if (actual->kind != pattern->kind || actual->parameters.size() != pattern->parameters.size())
        return false;
      // Parser and control types match structurally: same directions and
      // parameter types, whatever the names.
      const Type *genericPattern = pattern;
      std::map<const TypeParameterDecl *, const Type *> patternBindings;
      for (size_t i = 0; i < pattern->typeParameters.size() && i < pattern->typeArguments.size(); ++i)
        patternBindings[pattern->typeParameters[i]] = pattern->typeArguments[i];
      for (size_t i = 0; i < genericPattern->parameters.size(); ++i) {
        const TypeParameter &pp = genericPattern->parameters[i];
        const TypeParameter &ap = actual->parameters[i];
        if (pp.direction != ap.direction)
          return false;
        const Type *pt = types_.substitute(pp.type, patternBindings);
        if (!unify(pt, ap.type, bindings))
          return false;
      }
      return true;
    }
    if (pattern->kind == TypeKind::Package && actual->kind == TypeKind::Package) {
      if (actual->declaration != pattern->declaration || actual->typeArguments.size() != pattern->typeArguments.size())
        return false;
      for (size_t i = 0; i < pattern->typeArguments.size(); ++i)
        if (pattern->typeArguments[i]->kind != TypeKind::DontCare &&
            !unify(pattern->typeArguments[i], actual->typeArguments[i], bindings))
          return false;
      return true;
    }
    if (pattern->kind == TypeKind::Stack)
      return actual->kind == TypeKind::Stack && actual->size == pattern->size &&
             unify(pattern->underlying, actual->underlying, bindings);
    if (pattern->kind == TypeKind::Tuple) {
      if (actual->kind != TypeKind::Tuple || actual->fields.size() != pattern->fields.size())
        return false;
      for (size_t i = 0; i < pattern->fields.size(); ++i)
        if (!unify(pattern->fields[i].type, actual->fields[i].type, bindings))
          return false;
      return true;
    }
    if ((pattern->kind == TypeKind::Extern || pattern->isStructLike()) && !pattern->typeArguments.empty()) {
      if (actual->declaration != pattern->declaration || actual->typeArguments.size() != pattern->typeArguments.size())
        return false;
      for (size_t i = 0; i < pattern->typeArguments.size(); ++i)
        if (!unify(pattern->typeArguments[i], actual->typeArguments[i], bindings))
          return false;
      return true;
    }
    return sameType(pattern, actual) || (pattern->kind == TypeKind::Bits && actual->kind == TypeKind::InfInt);
  }

  bool checkWritable(const Expr &e) {
    const Expr *root = &e;
    while (true) {
      if (root->kind == ExprKind::Member) root = root->as<MemberExpr>()->base.get();
      else if (root->kind == ExprKind::Index) root = root->as<IndexExpr>()->base.get();
      else if (root->kind == ExprKind::Slice) root = root->as<SliceExpr>()->base.get();
      else if (root->kind == ExprKind::VariableSlice) root = root->as<VariableSliceExpr>()->base.get();
      else break;
    }
    if (root->kind != ExprKind::Name)
      return true;
    const Declaration *decl = root->as<NameExpr>()->declaration;
    if (decl && decl->kind == DeclarationKind::Parameter) {
      Direction d = decl->as<ParameterDecl>()->direction;
      if (d == Direction::In || d == Direction::None) {
        error(e.loc, "cannot write to " + quote(decl->name) + ": " +
                         (d == Direction::In ? "in parameters are read-only" : "action data is read-only"));
        return false;
      }
    }
    return true;
  }

  // ================================================================ coercion

  // Converts `expr` to `target` where P4 converts implicitly: integer
  // literals to fixed widths, lists and struct expressions to structs,
  // headers, tuples and stacks. Reports and returns false otherwise.
  bool coerce(ExprPtr &expr, const Type *target, const char *what) {
    const Type *t = expr->type;
    if (!t || !target)
      return false;
    if (sameType(t, target))
      return true;
    if (t->kind == TypeKind::InfInt && (target->kind == TypeKind::Bits || target->kind == TypeKind::InfInt)) {
      if (!expr->constant) {
        error(expr->loc, "a value of type 'int' needs a compile-time constant to convert to " + typeText(target));
        return false;
      }
      if (target->kind == TypeKind::Bits)
        checkFits(*expr->constant, target, expr->loc);
      insertCast(expr, target);
      return true;
    }
    // A serializable enum converts to its underlying type (P4 8.3).
    if (t->isSerializableEnum() && sameType(t->underlying, target)) {
      insertCast(expr, target);
      return true;
    }
    if ((t->kind == TypeKind::List || t->kind == TypeKind::Tuple) && expr->kind == ExprKind::List)
      return typeListAs(expr, target, what);
    if (t->kind == TypeKind::DontCare && expr->kind == ExprKind::DontCare) {
      expr->type = target;
      return true;
    }
    error(expr->loc, "cannot convert " + typeText(t) + " to " + typeText(target) + " for " + what);
    return false;
  }

  // A literal fits a bit<W> when it is in range as unsigned, or as a
  // negative number that wraps (bit<8> x = -1); an int<W> when it is in
  // its signed range.
  void checkFits(const Constant &c, const Type *target, Loc loc) {
    unsigned w = target->width;
    const llvm::APInt &v = c.value;
    bool fits = v.getSignificantBits() <= w || (!target->isSigned && !v.isNegative() && v.getActiveBits() <= w);
    // p4c accepts these with a warning and truncates; so does ebpfc.
    if (!fits)
      warning(loc, "value " + constantText(c, types_.infIntType()) + " does not fit in " + typeText(target) +
                       "; it is truncated");
  }

  void insertCast(ExprPtr &expr, const Type *target) {
    std::optional<Constant> value = expr->constant;
    const Type *from = expr->type;
    Loc loc = expr->loc;
    auto cast = std::make_unique<CastExpr>(loc, nullptr, std::move(expr), /*implicit=*/true);
    cast->type = target;
    if (value)
      cast->constant = castConstant(*value, from, target);
    expr = std::move(cast);
  }

  bool typeListAs(ExprPtr &expr, const Type *target, const char *what) {
    auto *list = expr->as<ListExpr>();
    std::vector<const Type *> elementTypes;
    switch (target->kind) {
    case TypeKind::Struct:
    case TypeKind::Header:
    case TypeKind::Tuple:
    case TypeKind::List:
      for (const TypeField &f : target->fields)
        elementTypes.push_back(f.type);
      break;
    case TypeKind::Stack:
      elementTypes.assign(target->size, target->underlying);
      break;
    default:
      error(expr->loc, "a list cannot initialize " + typeText(target) + " for " + what);
      return false;
    }
    if (elementTypes.size() != list->elements.size()) {
      error(expr->loc, "a list of " + std::to_string(list->elements.size()) + " element" +
                           (list->elements.size() == 1 ? "" : "s") + " cannot initialize " + typeText(target) +
                           ", which has " + std::to_string(elementTypes.size()));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < elementTypes.size(); ++i) {
      if (list->elements[i]->kind == ExprKind::List || list->elements[i]->kind == ExprKind::StructInit)
        ok &= check(list->elements[i], elementTypes[i]) != nullptr;
      ok &= coerce(list->elements[i], elementTypes[i], what);
    }
    expr->type = target;
    return ok;
  }

  // ================================================================ statements

  void checkBlockStatement(BlockStatement &block, BodyContext &context) {
    ScopeGuard guard(*this);
    for (StatementPtr &s : block.statements)
      checkStatement(s, context);
  }

  void checkStatement(StatementPtr &statement, BodyContext &context) {
    Statement &s = *statement;
    switch (s.kind) {
    case StatementKind::Assignment: checkAssignment(*s.as<AssignmentStatement>()); break;
    case StatementKind::MethodCall: {
      auto &call = s.as<MethodCallStatement>()->call;
      check(call, nullptr);
      break;
    }
    case StatementKind::DirectApplication: checkDirectApplication(*s.as<DirectApplicationStatement>()); break;
    case StatementKind::If: {
      auto *i = s.as<IfStatement>();
      if (const Type *t = check(i->condition, types_.boolType()))
        if (t->kind != TypeKind::Bool)
          error(i->condition->loc, "the condition of 'if' must be a bool, not " + typeText(t));
      checkNested(i->thenBranch, context);
      if (i->elseBranch)
        checkNested(i->elseBranch, context);
      break;
    }
    case StatementKind::Block: checkBlockStatement(*s.as<BlockStatement>(), context); break;
    case StatementKind::Empty: break;
    case StatementKind::Return: checkReturn(*s.as<ReturnStatement>(), context); break;
    case StatementKind::Exit:
      if (context.inParser)
        error(s.loc, "'exit' cannot be used in a parser");
      else if (context.function)
        error(s.loc, "'exit' cannot be used in a function");
      break;
    case StatementKind::Break:
    case StatementKind::Continue:
      if (context.loopDepth == 0)
        error(s.loc, std::string(s.kind == StatementKind::Break ? "'break'" : "'continue'") + " outside a loop");
      break;
    case StatementKind::Switch: checkSwitch(*s.as<SwitchStatement>(), context); break;
    case StatementKind::ForLoop: {
      auto *f = s.as<ForLoopStatement>();
      ScopeGuard guard(*this);
      for (StatementPtr &init : f->initializers)
        checkStatement(init, context);
      if (f->condition)
        if (const Type *t = check(f->condition, types_.boolType()); t && t->kind != TypeKind::Bool)
          error(f->condition->loc, "the condition of 'for' must be a bool, not " + typeText(t));
      for (StatementPtr &u : f->updates)
        checkStatement(u, context);
      ++context.loopDepth;
      checkNested(f->body, context);
      --context.loopDepth;
      break;
    }
    case StatementKind::ForIn: {
      auto *f = s.as<ForInStatement>();
      ScopeGuard guard(*this);
      auto *variable = f->variable->as<VariableDecl>();
      const Type *vt = resolveType(*variable->typeExpr);
      check(f->collection, vt);
      if (f->rangeEnd)
        check(f->rangeEnd, vt);
      variable->type = vt;
      declare(*variable);
      ++context.loopDepth;
      checkNested(f->body, context);
      --context.loopDepth;
      break;
    }
    case StatementKind::Declaration: {
      auto *d = s.as<DeclarationStatement>();
      checkDeclaration(*d->declaration, context);
      declare(*d->declaration);
      break;
    }
    }
  }

  void checkNested(StatementPtr &s, BodyContext &context) {
    ScopeGuard guard(*this);
    checkStatement(s, context);
  }

  void checkAssignment(AssignmentStatement &a) {
    const Type *target = check(a.target, nullptr);
    if (!target)
      return;
    if (!a.target->isLvalue) {
      error(a.target->loc, "cannot assign to this expression: it is not a variable or field");
      return;
    }
    if (!checkWritable(*a.target))
      return;
    if (a.compound) {
      // "a op= b" is "a = a op b" with a evaluated once.
      const Type *value = check(a.value, target);
      if (!value)
        return;
      const Type *result = binaryResult(*a.compound, a.target, a.value, a.loc, /*targetIsLeft=*/true);
      if (result && !sameType(result, target))
        error(a.loc, std::string("the result of '") + binaryOpSpelling(*a.compound) + "' has type " +
                         typeText(result) + ", which cannot be assigned to " + typeText(target));
      return;
    }
    if (check(a.value, target))
      coerce(a.value, target, "the assignment");
  }

  void checkDirectApplication(DirectApplicationStatement &d) {
    const Type *type = resolveType(*d.applied);
    if (!type)
      return;
    if (type->kind != TypeKind::Parser && type->kind != TypeKind::Control) {
      error(d.loc, typeText(type) + " cannot be applied; only parsers and controls can");
      return;
    }
    std::vector<Argument> none;
    if (!constructorCall(type, none, d.loc, true))
      return;
    std::vector<Expr *> bound;
    std::map<const TypeParameterDecl *, const Type *> bindings;
    bindArguments(type, type->name, d.arguments, bound, bindings, d.loc);
  }

  void checkReturn(ReturnStatement &r, BodyContext &context) {
    if (context.function) {
      const Type *expected = context.function->type ? context.function->type->returnType : nullptr;
      if (!expected)
        return;
      if (expected->kind == TypeKind::Void) {
        if (r.value)
          error(r.value->loc, "function " + quote(context.function->name) + " returns void; it cannot return a value");
        return;
      }
      if (!r.value) {
        error(r.loc, "function " + quote(context.function->name) + " must return a value of type " + typeText(expected));
        return;
      }
      if (check(r.value, expected))
        coerce(r.value, expected, "the return value");
      return;
    }
    if (context.inParser)
      error(r.loc, "'return' cannot be used in a parser state; use a transition");
    else if (r.value)
      error(r.value->loc, "actions and controls cannot return a value");
  }

  void checkSwitch(SwitchStatement &s, BodyContext &context) {
    const Type *t = check(s.selector, nullptr);
    if (!t)
      return;
    bool actionRun = t->kind == TypeKind::ActionEnum;
    if (!actionRun && t->kind != TypeKind::Bits && t->kind != TypeKind::Enum && t->kind != TypeKind::Error) {
      error(s.selector->loc, "switch needs a table's action_run, a bit<W>, int<W>, enum or error value, not " +
                                 typeText(t));
      return;
    }
    std::set<std::string> seen;
    bool sawDefault = false;
    for (size_t i = 0; i < s.cases.size(); ++i) {
      SwitchStatement::Case &c = s.cases[i];
      if (c.label->kind == ExprKind::Default) {
        if (sawDefault)
          error(c.loc, "switch has more than one default label");
        sawDefault = true;
        if (i + 1 != s.cases.size())
          error(c.loc, "the default label must be the last one");
      } else if (actionRun) {
        if (c.label->kind != ExprKind::Name) {
          error(c.label->loc, "switch on action_run needs action names as labels");
        } else {
          auto *name = c.label->as<NameExpr>();
          const ActionRef *ref = nullptr;
          for (const ActionRef &a : t->table->actions)
            if (a.name == name->name)
              ref = &a;
          if (!ref)
            error(c.label->loc, quote(name->name) + " is not an action of table " + quote(t->table->name));
          else {
            name->declaration = ref->action;
            c.label->type = t;
          }
          if (!seen.insert(name->name).second)
            error(c.label->loc, "duplicate switch label " + quote(name->name));
        }
      } else {
        const Type *lt = check(c.label, t);
        if (lt && coerce(c.label, t, "a switch label")) {
          if (!c.label->constant)
            error(c.label->loc, "switch labels must be compile-time constants");
          else if (!seen.insert(constantText(*c.label->constant, t)).second)
            error(c.label->loc, "duplicate switch label");
        }
      }
      if (c.body)
        checkBlockStatement(*c.body, context);
      else if (i + 1 == s.cases.size())
        error(c.loc, "the last switch label needs a block");
    }
  }

  // ================================================================ keysets

  void checkKeyset(ExprPtr &keyset, const std::vector<const Type *> &keyTypes, bool allowValueSets) {
    if (keyset->kind == ExprKind::Default || keyset->kind == ExprKind::DontCare) {
      keyset->type = types_.dontCareType();
      return;
    }
    if (keyTypes.size() == 1) {
      // `{ value }` for one key is a list of one keyset, as p4c reads it.
      if (keyset->kind == ExprKind::List && keyset->as<ListExpr>()->elements.size() == 1) {
        ExprPtr only = std::move(keyset->as<ListExpr>()->elements[0]);
        keyset = std::move(only);
      }
      checkSimpleKeyset(keyset, keyTypes[0], allowValueSets);
      return;
    }
    if (keyset->kind != ExprKind::List) {
      if (allowValueSets && keyset->kind == ExprKind::Name) {
        checkSimpleKeyset(keyset, types_.tuple(keyTypes), true);
        return;
      }
      error(keyset->loc, "this keyset needs " + std::to_string(keyTypes.size()) + " values, one per key");
      return;
    }
    auto *list = keyset->as<ListExpr>();
    if (list->elements.size() != keyTypes.size()) {
      error(keyset->loc, "this keyset has " + std::to_string(list->elements.size()) + " values; the keys are " +
                             std::to_string(keyTypes.size()));
      return;
    }
    for (size_t i = 0; i < keyTypes.size(); ++i)
      checkSimpleKeyset(list->elements[i], keyTypes[i], false);
    keyset->type = types_.tuple(keyTypes);
  }

  void checkSimpleKeyset(ExprPtr &keyset, const Type *keyType, bool allowValueSets) {
    auto constantOperand = [&](ExprPtr &e) {
      if (!check(e, keyType) || !coerce(e, keyType, "a keyset"))
        return;
      if (!e->constant)
        error(e->loc, "keyset values must be compile-time constants");
    };
    switch (keyset->kind) {
    case ExprKind::Default:
    case ExprKind::DontCare: keyset->type = types_.dontCareType(); return;
    case ExprKind::Mask: {
      auto *m = keyset->as<MaskExpr>();
      constantOperand(m->value);
      constantOperand(m->mask);
      keyset->type = keyType;
      return;
    }
    case ExprKind::Range: {
      auto *r = keyset->as<RangeExpr>();
      constantOperand(r->low);
      constantOperand(r->high);
      keyset->type = keyType;
      return;
    }
    case ExprKind::Name:
      if (Declaration *d = lookup(keyset->as<NameExpr>()->name); d && d->kind == DeclarationKind::ValueSet) {
        if (!allowValueSets) {
          error(keyset->loc, "value sets can only be used in select cases");
          return;
        }
        keyset->as<NameExpr>()->declaration = d;
        keyset->type = d->type;
        if (d->type && !valueSetMatches(d->type->underlying, keyType))
          error(keyset->loc, "value set " + quote(d->name) + " holds " + typeText(d->type->underlying) +
                                 " values; the select key has type " + typeText(keyType));
        return;
      }
      constantOperand(keyset);
      return;
    default:
      constantOperand(keyset);
      return;
    }
  }

  // A value set of structs or tuples matches select keys field by field.
  static bool valueSetMatches(const Type *element, const Type *keyType) {
    if (sameType(element, keyType))
      return true;
    if (keyType->kind != TypeKind::Tuple || (element->kind != TypeKind::Struct && element->kind != TypeKind::Tuple) ||
        element->fields.size() != keyType->fields.size())
      return false;
    for (size_t i = 0; i < element->fields.size(); ++i)
      if (!sameType(element->fields[i].type, keyType->fields[i].type))
        return false;
    return true;
  }

  void checkValueSet(ValueSetDecl &decl, BodyContext &) {
    const Type *element = resolveType(*decl.elementType);
    std::optional<unsigned> size = constantUnsigned(decl.size, "a value set's size", 1u << 20);
    if (!element || !size)
      return;
    Type *type = types_.make(TypeKind::ValueSet);
    type->underlying = element;
    type->size = *size;
    type->declaration = &decl;
    decl.type = type;
  }

  // ================================================================ tables

  void checkTable(TableDecl &table, BodyContext &context) {
    table.enclosingControl = context.block;
    Type *type = types_.make(TypeKind::Table);
    type->name = table.name;
    type->declaration = &table;
    type->table = &table;
    table.type = type;
    std::vector<const Type *> keyTypes;
    for (KeyElement &k : table.keys) {
      const Type *kt = check(k.expression, nullptr);
      Declaration *mk = lookup(k.matchKind);
      if (!mk || mk->type != types_.matchKindType())
        error(k.matchKindLoc, quote(k.matchKind) + " is not a match kind");
      if (kt && kt->kind != TypeKind::Bits && kt->kind != TypeKind::Bool && kt->kind != TypeKind::Enum &&
          kt->kind != TypeKind::Error && !(kt->kind == TypeKind::NewType && kt->bitsRepresentation())) {
        error(k.expression->loc, "table keys must be bit<W>, int<W>, bool, enum or error values, not " + typeText(kt));
        kt = nullptr;
      }
      keyTypes.push_back(kt);
    }
    if (!table.hasActions)
      error(table.loc, "table " + quote(table.name) + " has no actions property");
    std::set<std::string> actionNames;
    for (ActionRef &ref : table.actions) {
      resolveActionRef(ref, /*complete=*/false);
      if (!actionNames.insert(ref.name).second)
        error(ref.loc, "action " + quote(ref.name) + " is listed twice in table " + quote(table.name));
    }
    bool keysOk = std::find(keyTypes.begin(), keyTypes.end(), nullptr) == keyTypes.end();
    for (TableEntry &entry : table.entries) {
      if (table.keys.empty()) {
        error(entry.loc, "table " + quote(table.name) + " has entries but no key");
        break;
      }
      if (keysOk)
        checkKeyset(entry.keyset, keyTypes, false);
      if (entry.priority)
        constantUnsigned(entry.priority, "an entry's priority", 0xffffffffu);
      resolveActionRef(entry.action, /*complete=*/true);
      checkListedAction(table, entry.action);
    }
    for (TableProperty &property : table.properties) {
      if (property.name == "default_action") {
        checkDefaultAction(table, property);
      } else if (property.name == "size") {
        constantUnsigned(property.value, "a table's size", 0x7fffffff);
      } else if (property.name == "implementation") {
        check(property.value, nullptr);
      } else if (property.value->kind != ExprKind::Name || !lookup(property.value->as<NameExpr>()->name)) {
        check(property.value, nullptr);
      }
    }
  }

  void checkListedAction(TableDecl &table, const ActionRef &ref) {
    if (!ref.action)
      return;
    for (const ActionRef &listed : table.actions)
      if (listed.action == ref.action)
        return;
    error(ref.loc, "action " + quote(ref.name) + " is not in the actions of table " + quote(table.name));
  }

  void checkDefaultAction(TableDecl &table, TableProperty &property) {
    // "default_action = a" is "default_action = a()".
    if (property.value->kind == ExprKind::Name) {
      Loc loc = property.value->loc;
      property.value = std::make_unique<CallExpr>(loc, std::move(property.value));
    }
    if (property.value->kind != ExprKind::Call ||
        property.value->as<CallExpr>()->callee->kind != ExprKind::Name) {
      error(property.value->loc, "default_action must be an action call, e.g. NoAction()");
      return;
    }
    auto *call = property.value->as<CallExpr>();
    ActionRef ref;
    ref.loc = call->loc;
    ref.name = call->callee->as<NameExpr>()->name;
    ref.hasArguments = true;
    ref.arguments = std::move(call->arguments);
    resolveActionRef(ref, /*complete=*/true);
    checkListedAction(table, ref);
    call->arguments = std::move(ref.arguments);
    call->callKind = CallKind::Action;
    call->target = ref.action;
    call->argumentsByParameter = ref.argumentsByParameter;
    call->callee->as<NameExpr>()->declaration = ref.action;
    call->type = types_.voidType();
  }

  // Resolves an action named in a table. `complete`: every parameter needs
  // an argument (entries, default_action); otherwise only the directional
  // ones (the actions list), the rest coming from the control plane.
  void resolveActionRef(ActionRef &ref, bool complete) {
    Declaration *decl = lookup(ref.name, ref.globalPrefix);
    if (!decl) {
      error(ref.loc, "use of undeclared action " + quote(ref.name));
      return;
    }
    if (decl->kind != DeclarationKind::Action) {
      error(ref.loc, quote(ref.name) + " is not an action");
      return;
    }
    auto *action = decl->as<ActionDecl>();
    ref.action = action;
    if (!action->type)
      return;
    const std::vector<TypeParameter> &params = action->type->parameters;
    size_t directional = 0;
    for (const TypeParameter &p : params)
      if (p.direction != Direction::None)
        ++directional;
    size_t expected = complete ? params.size() : directional;
    if (ref.arguments.size() != expected) {
      error(ref.loc, "action " + quote(ref.name) + " needs " + std::to_string(expected) + " argument" +
                         (expected == 1 ? "" : "s") + " here, not " + std::to_string(ref.arguments.size()));
      return;
    }
    Type partial = *action->type;
    partial.parameters.resize(std::min(params.size(), ref.arguments.size()));
    std::vector<Expr *> bound;
    std::map<const TypeParameterDecl *, const Type *> bindings;
    if (bindArguments(&partial, ref.name, ref.arguments, bound, bindings, ref.loc)) {
      bound.resize(params.size(), nullptr);
      ref.argumentsByParameter = bound;
      if (complete)
        for (size_t i = directional; i < bound.size(); ++i)
          if (bound[i] && !bound[i]->constant)
            error(bound[i]->loc, "action data in table entries must be compile-time constants");
    }
  }

  // ================================================================ expressions

  // Types `expr` (which may be replaced by an implicit cast). `expected`
  // guides list and struct expressions; it is not enforced here (coerce
  // does that). Null when an error was reported.
  const Type *check(ExprPtr &expr, const Type *expected) {
    const Type *t = checkUncached(expr, expected);
    if (t && !expr->type)
      expr->type = t;
    return t ? expr->type : nullptr;
  }

  const Type *checkUncached(ExprPtr &expr, const Type *expected) {
    Expr &e = *expr;
    switch (e.kind) {
    case ExprKind::Integer: return checkInteger(*e.as<IntegerLiteral>());
    case ExprKind::Boolean:
      e.constant = booleanConstant(e.as<BooleanLiteral>()->value);
      return types_.boolType();
    case ExprKind::String: {
      Constant c;
      c.kind = Constant::Kind::String;
      c.text = e.as<StringLiteral>()->value;
      e.constant = c;
      return types_.stringType();
    }
    case ExprKind::Name: return checkName(*e.as<NameExpr>());
    case ExprKind::This:
      error(e.loc, "'this' is only meaningful in abstract methods, which the eBPF target does not support");
      return nullptr;
    case ExprKind::Dots:
      error(e.loc, "'...' can only end a list or struct expression");
      return nullptr;
    case ExprKind::InvalidHeader:
      if (!expected || !expected->isHeaderLike()) {
        error(e.loc, "'{#}' needs a header or header union type from its context");
        return nullptr;
      }
      return expected;
    case ExprKind::ErrorMember: {
      auto *m = e.as<ErrorMemberExpr>();
      auto it = errorMembers_.find(m->member);
      if (it == errorMembers_.end()) {
        error(e.loc, "error." + m->member + " is not declared");
        return nullptr;
      }
      e.constant = memberConstant(it->second->index);
      return types_.errorType();
    }
    case ExprKind::TypeMember: return checkTypeMember(*e.as<TypeMemberExpr>());
    case ExprKind::List: return checkList(expr, expected);
    case ExprKind::StructInit: return checkStructInit(*e.as<StructInitExpr>(), expected);
    case ExprKind::Member: return checkMember(*e.as<MemberExpr>());
    case ExprKind::Index: return checkIndex(*e.as<IndexExpr>());
    case ExprKind::Slice: return checkSlice(*e.as<SliceExpr>());
    case ExprKind::VariableSlice: return checkVariableSlice(*e.as<VariableSliceExpr>());
    case ExprKind::Call: return checkCall(*e.as<CallExpr>());
    case ExprKind::ConstructorCall: {
      auto *c = e.as<ConstructorCallExpr>();
      const Type *type = resolveType(*c->constructedType);
      if (!type)
        return nullptr;
      return constructorCall(type, c->arguments, c->loc, c->constructedType->kind == TypeExpr::Kind::Specialized);
    }
    case ExprKind::Cast: return checkCast(*e.as<CastExpr>());
    case ExprKind::Unary: return checkUnary(*e.as<UnaryExpr>());
    case ExprKind::Binary: {
      auto *b = e.as<BinaryExpr>();
      if (!check(b->left, nullptr) || !check(b->right, nullptr))
        return nullptr;
      return binaryResult(b->op, b->left, b->right, b->opLoc, false, b);
    }
    case ExprKind::Conditional: return checkConditional(*e.as<ConditionalExpr>(), expected);
    case ExprKind::Mask:
    case ExprKind::Range:
    case ExprKind::Default:
      error(e.loc, "keyset expressions ('&&&', '..', default) can only be used in select cases and table entries");
      return nullptr;
    case ExprKind::DontCare:
      return types_.dontCareType();
    }
    return nullptr;
  }

  const Type *checkInteger(IntegerLiteral &literal) {
    if (!literal.width) {
      literal.constant = integerConstant(literal.value, types_.infIntType());
      return types_.infIntType();
    }
    const Type *t = types_.bits(*literal.width, literal.isSigned);
    Constant c;
    c.value = literal.value;
    checkFits(c, t, literal.loc);
    literal.constant = integerConstant(literal.value, t);
    return t;
  }

  const Type *checkName(NameExpr &n) {
    Declaration *decl = lookup(n.name, n.globalPrefix);
    if (!decl) {
      error(n.loc, "use of undeclared identifier " + quote(n.name));
      return nullptr;
    }
    n.declaration = decl;
    switch (decl->kind) {
    case DeclarationKind::Constant: {
      auto *c = decl->as<ConstantDecl>();
      if (!c->type)
        return nullptr;
      if (c->value->constant)
        n.constant = c->value->constant;
      return c->type;
    }
    case DeclarationKind::Variable:
      n.isLvalue = true;
      return decl->type;
    case DeclarationKind::Parameter: {
      n.isLvalue = true;
      return decl->type;
    }
    case DeclarationKind::Member:
      if (decl->type == types_.matchKindType())
        n.constant = memberConstant(decl->as<MemberDecl>()->index);
      return decl->type;
    case DeclarationKind::Instance:
    case DeclarationKind::Table:
    case DeclarationKind::Action:
    case DeclarationKind::Function:
    case DeclarationKind::ExternFunction:
    case DeclarationKind::ValueSet:
      return decl->type;
    default:
      if (isTypeDeclaration(decl->kind)) {
        error(n.loc, quote(n.name) + " is a type, not a value");
        return nullptr;
      }
      return decl->type;
    }
  }

  const Type *checkTypeMember(TypeMemberExpr &m) {
    const Type *t = resolveType(*m.typeName);
    if (!t)
      return nullptr;
    if (t->kind == TypeKind::Enum) {
      auto *decl = static_cast<const EnumDecl *>(t->declaration);
      for (const auto &member : decl->members) {
        if (member->name != m.member)
          continue;
        if (t->underlying) {
          if (!member->value || !member->value->constant)
            return nullptr;
          m.constant = member->value->constant;
        } else {
          m.constant = memberConstant(member->index);
        }
        return t;
      }
      error(m.loc, "enum " + quote(t->name) + " has no member " + quote(m.member));
      return nullptr;
    }
    error(m.loc, typeText(t) + " has no member " + quote(m.member));
    return nullptr;
  }

  const Type *checkList(ExprPtr &expr, const Type *expected) {
    auto *list = expr->as<ListExpr>();
    if (expected && (expected->isStructLike() || expected->kind == TypeKind::Tuple || expected->kind == TypeKind::Stack)) {
      for (ExprPtr &element : list->elements)
        if (element->kind != ExprKind::List && element->kind != ExprKind::StructInit && !check(element, nullptr))
          return nullptr;
      return typeListAs(expr, expected, "the list") ? expected : nullptr;
    }
    std::vector<const Type *> elements;
    for (ExprPtr &element : list->elements) {
      if (element->kind == ExprKind::Dots) {
        error(element->loc, "'...' is not supported here");
        return nullptr;
      }
      const Type *t = check(element, nullptr);
      if (!t)
        return nullptr;
      elements.push_back(t);
    }
    return types_.tuple(elements);
  }

  const Type *checkStructInit(StructInitExpr &s, const Type *expected) {
    if (!expected || !(expected->kind == TypeKind::Struct || expected->kind == TypeKind::Header)) {
      error(s.loc, "a struct expression needs a struct or header type from its context");
      return nullptr;
    }
    std::set<std::string> given;
    bool ok = true;
    for (auto &f : s.fields) {
      const TypeField *field = expected->findField(f.name);
      if (!field) {
        error(f.loc, typeText(expected) + " has no field " + quote(f.name));
        ok = false;
        continue;
      }
      if (!given.insert(f.name).second) {
        error(f.loc, "field " + quote(f.name) + " is given twice");
        ok = false;
      }
      if (check(f.value, field->type))
        ok &= coerce(f.value, field->type, ("field " + quote(f.name)).c_str());
      else
        ok = false;
    }
    if (!s.hasDots)
      for (const TypeField &field : expected->fields)
        if (!given.count(field.name)) {
          error(s.loc, "field " + quote(field.name) + " of " + typeText(expected) + " is not given");
          ok = false;
        }
    return ok ? expected : nullptr;
  }

  const Type *checkMember(MemberExpr &m) {
    const Type *base = check(m.base, nullptr);
    if (!base)
      return nullptr;
    switch (base->kind) {
    case TypeKind::Struct:
    case TypeKind::Header:
    case TypeKind::HeaderUnion:
      if (const TypeField *f = base->findField(m.member)) {
        m.isLvalue = m.base->isLvalue;
        return f->type;
      }
      if (base->isHeaderLike() && (m.member == "isValid" || m.member == "setValid" || m.member == "setInvalid")) {
        error(m.memberLoc, quote(m.member) + " is a method; call it: " + m.member + "()");
        return nullptr;
      }
      error(m.memberLoc, typeText(base) + " has no field " + quote(m.member));
      return nullptr;
    case TypeKind::Stack:
      if (m.member == "next" || m.member == "last") {
        m.isLvalue = m.base->isLvalue;
        return base->underlying;
      }
      if (m.member == "lastIndex")
        return types_.bits(32);
      if (m.member == "size") {
        m.constant = integerConstant(llvm::APInt(32, base->size), types_.bits(32));
        return types_.bits(32);
      }
      error(m.memberLoc, "header stacks have no member " + quote(m.member) +
                             " (they have next, last, lastIndex, size, push_front and pop_front)");
      return nullptr;
    case TypeKind::TableApplyResult:
      if (m.member == "hit" || m.member == "miss")
        return types_.boolType();
      if (m.member == "action_run") {
        Type *t = types_.make(TypeKind::ActionEnum);
        t->name = base->name;
        t->table = base->table;
        t->declaration = base->declaration;
        return t;
      }
      error(m.memberLoc, "the result of apply() has hit, miss and action_run, not " + quote(m.member));
      return nullptr;
    default:
      error(m.memberLoc, "a value of type " + typeText(base) + " has no member " + quote(m.member));
      return nullptr;
    }
  }

  const Type *checkIndex(IndexExpr &i) {
    const Type *base = check(i.base, nullptr);
    const Type *index = check(i.index, nullptr);
    if (!base || !index)
      return nullptr;
    if (!isInteger(index)) {
      error(i.index->loc, "an index must be an integer, not " + typeText(index));
      return nullptr;
    }
    if (base->kind == TypeKind::Stack) {
      if (i.index->constant) {
        const llvm::APInt &v = i.index->constant->value;
        if (((index->kind == TypeKind::InfInt || index->isSigned) && v.isNegative()) || v.getActiveBits() > 32 ||
            v.getZExtValue() >= base->size) {
          error(i.index->loc, "index " + constantText(*i.index->constant, index) + " is out of bounds for " +
                                  typeText(base));
          return nullptr;
        }
      }
      if (index->kind == TypeKind::InfInt)
        coerce(i.index, types_.bits(32), "the index");
      i.isLvalue = i.base->isLvalue;
      return base->underlying;
    }
    if (base->kind == TypeKind::Tuple) {
      if (!i.index->constant || i.index->constant->value.getActiveBits() > 32 ||
          i.index->constant->value.getZExtValue() >= base->fields.size()) {
        error(i.index->loc, "tuples are indexed by a constant within their size");
        return nullptr;
      }
      i.isLvalue = i.base->isLvalue;
      return base->fields[i.index->constant->value.getZExtValue()].type;
    }
    error(i.loc, "a value of type " + typeText(base) + " cannot be indexed");
    return nullptr;
  }

  const Type *checkSlice(SliceExpr &s) {
    const Type *base = check(s.base, nullptr);
    if (!base)
      return nullptr;
    const Type *bits = base->bitsRepresentation();
    if (!bits && base->kind != TypeKind::InfInt) {
      error(s.loc, "only bit<W> and int<W> values can be sliced, not " + typeText(base));
      return nullptr;
    }
    unsigned width = bits ? bits->width : kInfiniteIntWidth;
    std::optional<unsigned> high = constantUnsigned(s.high, "a slice's bound", kInfiniteIntWidth);
    std::optional<unsigned> low = constantUnsigned(s.low, "a slice's bound", kInfiniteIntWidth);
    if (!high || !low)
      return nullptr;
    if (*high < *low || *high >= width) {
      error(s.loc, "slice [" + std::to_string(*high) + ":" + std::to_string(*low) + "] is out of range for " +
                       typeText(base));
      return nullptr;
    }
    if (base->kind == TypeKind::InfInt && !s.base->constant) {
      error(s.loc, "slicing an 'int' needs a compile-time constant");
      return nullptr;
    }
    s.isLvalue = s.base->isLvalue;
    if (s.base->constant)
      s.constant = foldSlice(*s.base->constant, *high, *low);
    return types_.bits(*high - *low + 1);
  }

  const Type *checkVariableSlice(VariableSliceExpr &s) {
    const Type *base = check(s.base, nullptr);
    const Type *low = check(s.low, nullptr);
    if (!base || !low)
      return nullptr;
    const Type *bits = base->bitsRepresentation();
    if (!bits) {
      error(s.loc, "only bit<W> and int<W> values can be sliced, not " + typeText(base));
      return nullptr;
    }
    std::optional<unsigned> width = constantUnsigned(s.width, "a slice's width", bits->width);
    if (!width)
      return nullptr;
    if (*width == 0) {
      error(s.width->loc, "a slice's width must be at least 1");
      return nullptr;
    }
    if (!isInteger(low)) {
      error(s.low->loc, "a slice's start must be an integer, not " + typeText(low));
      return nullptr;
    }
    if (low->kind == TypeKind::InfInt)
      coerce(s.low, types_.bits(32), "the slice's start");
    s.isLvalue = s.base->isLvalue;
    return types_.bits(*width);
  }

  const Type *checkCast(CastExpr &c) {
    const Type *target = resolveType(*c.target);
    if (!target)
      return nullptr;
    const Type *from = check(c.operand, target);
    if (!from)
      return nullptr;
    if (sameType(from, target))
      return target;
    if (c.operand->kind == ExprKind::List || c.operand->kind == ExprKind::StructInit)
      return coerce(c.operand, target, "the cast") ? target : nullptr;
    const Type *fromBits = from->bitsRepresentation();
    const Type *toBits = target->bitsRepresentation();
    bool allowed = false;
    if (from->kind == TypeKind::InfInt && (toBits || target->kind == TypeKind::Bool))
      allowed = target->kind != TypeKind::Bool || c.operand->constant;
    else if (fromBits && toBits)
      // Changing both width and signedness at once is not allowed in P4.
      allowed = from->kind == TypeKind::NewType || target->kind == TypeKind::NewType || from->isSerializableEnum() ||
                target->isSerializableEnum() || fromBits->width == toBits->width ||
                fromBits->isSigned == toBits->isSigned;
    else if (from->kind == TypeKind::Bool && toBits)
      allowed = toBits->width == 1 && !toBits->isSigned;
    else if (fromBits && target->kind == TypeKind::Bool)
      allowed = fromBits->width == 1 && !fromBits->isSigned;
    else if (fromBits && target->kind == TypeKind::InfInt)
      allowed = c.operand->constant.has_value();
    else if (from->kind == TypeKind::NewType && sameType(from->underlying, target))
      allowed = true;
    else if (target->kind == TypeKind::NewType && sameType(target->underlying, from))
      allowed = true;
    if (!allowed) {
      error(c.loc, "cannot cast " + typeText(from) + " to " + typeText(target));
      return nullptr;
    }
    if (c.operand->constant) {
      if (target->kind == TypeKind::Bool)
        c.constant = booleanConstant(!c.operand->constant->value.isZero());
      else
        c.constant = castConstant(*c.operand->constant, from, target);
    }
    return target;
  }

  const Type *checkUnary(UnaryExpr &u) {
    const Type *t = check(u.operand, nullptr);
    if (!t)
      return nullptr;
    const Type *bits = t->kind == TypeKind::InfInt ? t : t->kind == TypeKind::Bits ? t : nullptr;
    switch (u.op) {
    case UnaryOp::Not:
      if (t->kind != TypeKind::Bool) {
        error(u.loc, "'!' needs a bool operand, not " + typeText(t));
        return nullptr;
      }
      break;
    case UnaryOp::Complement:
      if (t->kind != TypeKind::Bits) {
        error(u.loc, "'~' needs a bit<W> or int<W> operand, not " + typeText(t));
        return nullptr;
      }
      break;
    case UnaryOp::Negate:
    case UnaryOp::Plus:
      if (!bits) {
        error(u.loc, std::string("'") + unaryOpSpelling(u.op) + "' needs an integer operand, not " + typeText(t));
        return nullptr;
      }
      break;
    }
    if (u.operand->constant) {
      std::string why;
      u.constant = foldUnary(u.op, *u.operand->constant, t, why);
    }
    return t;
  }

  // The type of `left op right`, with integer literals converted to the
  // other operand's width; folds constants into `result` when given.
  const Type *binaryResult(BinaryOp op, ExprPtr &left, ExprPtr &right, Loc opLoc, bool targetIsLeft,
                           Expr *result = nullptr) {
    const Type *lt = left->type;
    const Type *rt = right->type;
    std::string spelling = std::string("'") + binaryOpSpelling(op) + "'";
    auto mismatch = [&]() -> const Type * {
      error(opLoc, "operands of " + spelling + " have different types (" + lt->toString() + " and " +
                       rt->toString() + ")");
      return nullptr;
    };
    // Operands of the same type after converting a literal to the other's type.
    auto unifyOperands = [&]() -> bool {
      if (lt->kind == TypeKind::InfInt && rt->kind == TypeKind::Bits && !targetIsLeft) {
        if (!coerce(left, rt, "the operand"))
          return false;
        lt = rt;
      } else if (rt->kind == TypeKind::InfInt && lt->kind == TypeKind::Bits) {
        if (!coerce(right, lt, "the operand"))
          return false;
        rt = lt;
      } else if (lt->kind == TypeKind::InfInt && rt->kind == TypeKind::Enum && rt->underlying && !targetIsLeft) {
        return false;
      }
      return true;
    };
    const Type *type = nullptr;
    switch (op) {
    case BinaryOp::And:
    case BinaryOp::Or:
      if (lt->kind != TypeKind::Bool || rt->kind != TypeKind::Bool) {
        error(opLoc, spelling + " needs bool operands, not " + typeText(lt->kind != TypeKind::Bool ? lt : rt));
        return nullptr;
      }
      type = types_.boolType();
      break;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      if (!unifyOperands())
        return nullptr;
      if (lt->kind == TypeKind::List && right->kind == ExprKind::List && !coerce(right, lt, "the comparison"))
        return nullptr;
      if (!sameType(lt, rt)) {
        if (rt->kind == TypeKind::Tuple && right->kind == ExprKind::List && coerce(right, lt, "the comparison"))
          rt = lt;
        else
          return mismatch();
      }
      if (lt->kind == TypeKind::Varbit || lt->kind == TypeKind::Extern || lt->kind == TypeKind::Void ||
          lt->kind == TypeKind::ActionEnum || lt->kind == TypeKind::Table) {
        error(opLoc, "values of type " + typeText(lt) + " cannot be compared");
        return nullptr;
      }
      type = types_.boolType();
      break;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      if (!isInteger(lt) || !isInteger(rt)) {
        error(opLoc, spelling + " needs integer operands, not " + typeText(!isInteger(lt) ? lt : rt));
        return nullptr;
      }
      if (!unifyOperands())
        return nullptr;
      if (!sameType(lt, rt))
        return mismatch();
      type = types_.boolType();
      break;
    case BinaryOp::Shl:
    case BinaryOp::Shr:
      if (!isInteger(lt)) {
        error(opLoc, spelling + " needs an integer to shift, not " + typeText(lt));
        return nullptr;
      }
      if (!isInteger(rt) || (rt->kind == TypeKind::Bits && rt->isSigned)) {
        error(opLoc, "the shift amount must be an unsigned integer, not " + typeText(rt));
        return nullptr;
      }
      if (rt->kind == TypeKind::InfInt && right->constant && right->constant->value.isNegative()) {
        error(right->loc, "the shift amount " + constantText(*right->constant, rt) + " is negative");
        return nullptr;
      }
      if (lt->kind == TypeKind::InfInt && !right->constant) {
        error(opLoc, "shifting an 'int' needs a constant shift amount");
        return nullptr;
      }
      type = lt;
      break;
    case BinaryOp::Concat: {
      const Type *lb = lt->bitsRepresentation();
      const Type *rb = rt->bitsRepresentation();
      if (!lb || !rb) {
        error(opLoc, "'++' needs bit<W> or int<W> operands, not " +
                         typeText(!lb ? lt : rt) + (lt->kind == TypeKind::InfInt || rt->kind == TypeKind::InfInt
                                                       ? " (give the literal a width, e.g. 8w0)"
                                                       : ""));
        return nullptr;
      }
      type = types_.bits(lb->width + rb->width, lb->isSigned);
      lt = lb;
      rt = rb;
      break;
    }
    default: { // arithmetic and bitwise
      if (!isInteger(lt) || !isInteger(rt)) {
        error(opLoc, spelling + " needs integer operands, not " + typeText(!isInteger(lt) ? lt : rt));
        return nullptr;
      }
      if (!unifyOperands())
        return nullptr;
      if (!sameType(lt, rt))
        return mismatch();
      bool saturating = op == BinaryOp::SatAdd || op == BinaryOp::SatSub;
      if (saturating && lt->kind == TypeKind::InfInt) {
        error(opLoc, spelling + " needs operands of a fixed width");
        return nullptr;
      }
      if ((op == BinaryOp::Div || op == BinaryOp::Mod) && lt->kind == TypeKind::Bits && lt->isSigned) {
        error(opLoc, spelling + " is not defined on int<W> values in P4; use bit<W>");
        return nullptr;
      }
      type = lt;
      break;
    }
    }
    if (result && left->constant && right->constant) {
      std::string why;
      result->constant = foldBinary(op, *left->constant, lt, *right->constant, rt, type, why);
      if (!result->constant && !why.empty()) {
        error(opLoc, why);
        return nullptr;
      }
    }
    return type;
  }

  const Type *checkConditional(ConditionalExpr &c, const Type *expected) {
    const Type *cond = check(c.condition, types_.boolType());
    const Type *a = check(c.ifTrue, expected);
    const Type *b = check(c.ifFalse, expected);
    if (!cond || !a || !b)
      return nullptr;
    if (cond->kind != TypeKind::Bool) {
      error(c.condition->loc, "the condition of '?:' must be a bool, not " + typeText(cond));
      return nullptr;
    }
    if (a->kind == TypeKind::InfInt && b->kind == TypeKind::Bits) {
      if (!coerce(c.ifTrue, b, "the conditional"))
        return nullptr;
      a = b;
    } else if (b->kind == TypeKind::InfInt && a->kind == TypeKind::Bits) {
      if (!coerce(c.ifFalse, a, "the conditional"))
        return nullptr;
      b = a;
    }
    if (!sameType(a, b)) {
      error(c.loc, "the branches of '?:' have different types (" + a->toString() + " and " + b->toString() + ")");
      return nullptr;
    }
    if (a->kind == TypeKind::InfInt && !c.condition->constant) {
      error(c.loc, "'?:' with 'int' branches needs a constant condition; give the branches a width");
      return nullptr;
    }
    if (c.condition->constant && c.ifTrue->constant && c.ifFalse->constant)
      c.constant = c.condition->constant->value.isZero() ? c.ifFalse->constant : c.ifTrue->constant;
    return a;
  }

  // ---------------------------------------------------------------- calls

  const Type *checkCall(CallExpr &call) {
    if (call.callee->kind == ExprKind::Member)
      return checkMethodCall(call);
    if (call.callee->kind != ExprKind::Name) {
      error(call.loc, "this expression cannot be called");
      return nullptr;
    }
    auto *name = call.callee->as<NameExpr>();
    std::vector<Declaration *> found = lookupAll(name->name, name->globalPrefix);
    if (found.empty()) {
      error(name->loc, "use of undeclared identifier " + quote(name->name));
      return nullptr;
    }
    Declaration *decl = found.front();
    if (found.size() > 1) {
      std::vector<Declaration *> candidates;
      for (Declaration *d : found)
        candidates.push_back(d);
      decl = chooseCallable(candidates, call.arguments);
      if (!decl) {
        error(call.loc, "no declaration of " + quote(name->name) + " takes " + std::to_string(call.arguments.size()) +
                            " argument" + (call.arguments.size() == 1 ? "" : "s"));
        return nullptr;
      }
    }
    name->declaration = decl;
    switch (decl->kind) {
    case DeclarationKind::Action: call.callKind = CallKind::Action; break;
    case DeclarationKind::Function: call.callKind = CallKind::Function; break;
    case DeclarationKind::ExternFunction: call.callKind = CallKind::ExternFunction; break;
    default:
      error(call.loc, quote(name->name) + " is not a function, action or extern function; it cannot be called");
      return nullptr;
    }
    if (!decl->type)
      return nullptr;
    call.target = decl;
    name->type = decl->type;
    return finishCall(call, decl->type, decl->name, {});
  }

  Declaration *chooseCallable(const std::vector<Declaration *> &candidates, const std::vector<Argument> &arguments) {
    for (Declaration *d : candidates) {
      const ParameterList *params = nullptr;
      if (d->kind == DeclarationKind::Function) params = &d->as<FunctionDecl>()->parameters;
      else if (d->kind == DeclarationKind::Action) params = &d->as<ActionDecl>()->parameters;
      else if (d->kind == DeclarationKind::ExternFunction || d->kind == DeclarationKind::Method)
        params = &d->as<MethodDecl>()->parameters;
      if (!params)
        continue;
      size_t required = 0;
      for (const auto &p : *params)
        if (!p->optional && !p->defaultValue)
          ++required;
      if (arguments.size() >= required && arguments.size() <= params->size())
        return d;
    }
    return nullptr;
  }

  // Explicit type arguments, argument binding, inference; the return type.
  const Type *finishCall(CallExpr &call, const Type *signature, const std::string &calleeName,
                         std::map<const TypeParameterDecl *, const Type *> bindings) {
    if (!call.typeArguments.empty()) {
      if (call.typeArguments.size() != signature->typeParameters.size()) {
        error(call.loc, quote(calleeName) + " takes " + std::to_string(signature->typeParameters.size()) +
                            " type argument" + (signature->typeParameters.size() == 1 ? "" : "s"));
        return nullptr;
      }
      for (size_t i = 0; i < call.typeArguments.size(); ++i) {
        const Type *t = resolveType(*call.typeArguments[i]);
        if (!t)
          return nullptr;
        if (t->kind != TypeKind::DontCare)
          bindings[signature->typeParameters[i]] = t;
      }
    }
    if (signature->kind == TypeKind::Action && call.arguments.size() != signature->parameters.size()) {
      error(call.loc, "action " + quote(calleeName) + " takes " + std::to_string(signature->parameters.size()) +
                          " argument" + (signature->parameters.size() == 1 ? "" : "s") + ", not " +
                          std::to_string(call.arguments.size()));
      return nullptr;
    }
    if (!bindArguments(signature, calleeName, call.arguments, call.argumentsByParameter, bindings, call.loc))
      return nullptr;
    for (const TypeParameterDecl *p : signature->typeParameters)
      if (!bindings.count(p)) {
        error(call.loc, "cannot infer type parameter " + quote(p->name) + " of " + quote(calleeName) +
                            "; give it explicitly, e.g. " + calleeName + "<bit<8>>(...)");
        return nullptr;
      }
    call.typeBindings = bindings;
    const Type *returnType = signature->returnType ? types_.substitute(signature->returnType, bindings)
                                                   : types_.voidType();
    return returnType;
  }

  const Type *checkMethodCall(CallExpr &call) {
    auto *member = call.callee->as<MemberExpr>();
    const Type *base = check(member->base, nullptr);
    if (!base)
      return nullptr;
    const std::string &method = member->member;
    auto noArguments = [&]() {
      if (!call.arguments.empty()) {
        error(call.loc, quote(method) + " takes no arguments");
        return false;
      }
      return true;
    };
    switch (base->kind) {
    case TypeKind::Header:
    case TypeKind::HeaderUnion:
      if (method == "isValid") {
        call.callKind = CallKind::IsValid;
        return noArguments() ? types_.boolType() : nullptr;
      }
      if (base->kind == TypeKind::Header && (method == "setValid" || method == "setInvalid")) {
        call.callKind = method == "setValid" ? CallKind::SetValid : CallKind::SetInvalid;
        if (!member->base->isLvalue) {
          error(call.loc, quote(method) + " needs a header variable or field");
          return nullptr;
        }
        if (!checkWritable(*member->base))
          return nullptr;
        return noArguments() ? types_.voidType() : nullptr;
      }
      break;
    case TypeKind::Stack:
      if (method == "push_front" || method == "pop_front") {
        call.callKind = method == "push_front" ? CallKind::PushFront : CallKind::PopFront;
        if (call.arguments.size() != 1) {
          error(call.loc, quote(method) + " takes one argument: how many elements");
          return nullptr;
        }
        if (!checkWritable(*member->base))
          return nullptr;
        if (!constantUnsigned(call.arguments[0].value, "the count", base->size))
          return nullptr;
        call.argumentsByParameter = {call.arguments[0].value.get()};
        return types_.voidType();
      }
      break;
    case TypeKind::Table:
      if (method == "apply") {
        call.callKind = CallKind::Apply;
        call.target = base->table;
        if (!noArguments())
          return nullptr;
        Type *result = types_.make(TypeKind::TableApplyResult);
        result->name = base->name;
        result->table = base->table;
        result->declaration = base->table;
        return result;
      }
      break;
    case TypeKind::Parser:
    case TypeKind::Control:
      if (method == "apply") {
        call.callKind = CallKind::Apply;
        call.target = base->declaration;
        return finishCall(call, base, base->name, {});
      }
      break;
    case TypeKind::Extern: {
      auto *decl = static_cast<const ExternObjectDecl *>(base->declaration);
      std::vector<MethodDecl *> candidates;
      for (auto &m : decl->methods)
        if (m->kind == DeclarationKind::Method && m->name == method)
          candidates.push_back(m.get());
      if (candidates.empty())
        break;
      MethodDecl *chosen = chooseOverload(candidates, call.arguments);
      if (!chosen) {
        error(call.loc, "no method " + quote(method) + " of " + quote(decl->name) + " takes " +
                            std::to_string(call.arguments.size()) + " argument" +
                            (call.arguments.size() == 1 ? "" : "s"));
        return nullptr;
      }
      if (!chosen->type)
        return nullptr;
      call.callKind = CallKind::ExternMethod;
      call.target = chosen;
      std::map<const TypeParameterDecl *, const Type *> bindings;
      for (size_t i = 0; i < base->typeParameters.size() && i < base->typeArguments.size(); ++i)
        bindings[base->typeParameters[i]] = base->typeArguments[i];
      return finishCall(call, chosen->type, method, bindings);
    }
    default:
      break;
    }
    error(member->memberLoc, "a value of type " + typeText(base) + " has no method " + quote(method));
    return nullptr;
  }

  Program &program_;
  TypeContext &types_;
  const SourceMap &map_;
  ir::DiagnosticEngine &diags_;
  CheckedProgram &result_;
  unsigned errorsBefore_ = diags_.errorCount();
  Scope global_;
  Scope *scope_;
  std::map<std::string, MemberDecl *> errorMembers_;
  unsigned nextMatchKind_ = 0;
};

} // namespace

bool typeCheck(Program &program, TypeContext &types, const SourceMap &sourceMap, ir::DiagnosticEngine &diags,
               CheckedProgram &result) {
  return Checker(program, types, sourceMap, diags, result).run();
}

} // namespace ebpfc::p4
