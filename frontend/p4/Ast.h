// The P4-16 abstract syntax tree. AstBuilder makes it from the ANTLR parse
// tree; TypeChecker resolves names and fills in the `type`, `constant` and
// `declaration` fields; the lowering reads it. Every node keeps the
// location of its first token (see SourceMap for file and line).
#pragma once

#include "frontend/p4/SourceMap.h"

#include <llvm/ADT/APInt.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ebpfc::p4 {

class Type;
struct Declaration;
struct Expr;
struct Statement;
struct TypeParameterDecl;

using ExprPtr = std::unique_ptr<Expr>;
using StatementPtr = std::unique_ptr<Statement>;
using DeclarationPtr = std::unique_ptr<Declaration>;

// ------------------------------------------------------------------ annotations

struct Annotation {
  Loc loc;
  std::string name;
  // Unstructured body: the token texts between the parentheses (string
  // literals keep their quotes). Structured bodies ([...]) keep expressions.
  std::vector<std::string> tokens;
  std::vector<ExprPtr> expressions;
  bool structured = false;
};

// The value of @name("...") without quotes, or "" when absent.
const Annotation *findAnnotation(const std::vector<Annotation> &annotations, const std::string &name);
std::string nameAnnotation(const std::vector<Annotation> &annotations);

// ------------------------------------------------------------------ type syntax

struct TypeExpr {
  enum class Kind {
    Bool, Error, MatchKind, String, Void, DontCare,
    Bit,       // bit<W>; bit without width is bit<1>
    Int,       // int<W>; int without width is the arbitrary-precision int
    Varbit,    // varbit<W>
    Named,     // T
    Specialized, // T<A, B>
    Tuple,     // tuple<A, B>
    List,      // list<A>
    Stack,     // T[N]
    TypeVariableName, // an undeclared name used as a type argument or return type
  };
  Kind kind = Kind::Void;
  Loc loc;
  ExprPtr width;                    // Bit/Int/Varbit; null when omitted
  std::string name;                 // Named/Specialized/TypeVariableName
  bool globalPrefix = false;        // ".T"
  std::vector<std::unique_ptr<TypeExpr>> arguments; // Specialized/Tuple/List
  std::unique_ptr<TypeExpr> element; // Stack
  ExprPtr size;                     // Stack
  const Type *resolved = nullptr;   // set by the type checker
};
using TypeExprPtr = std::unique_ptr<TypeExpr>;

// ------------------------------------------------------------------ constants

// The value of a compile-time constant expression. Integers (bit<W>,
// int<W>, the arbitrary-precision int, serializable enum members) and
// booleans are held as APInt (int: kInfiniteIntWidth bits, two's
// complement); enum, error and match_kind members by their index.
struct Constant {
  enum class Kind { Integer, Boolean, Member, String };
  Kind kind = Kind::Integer;
  llvm::APInt value{1, 0};
  unsigned memberIndex = 0;
  std::string text;
};
inline constexpr unsigned kInfiniteIntWidth = 2048;

// ------------------------------------------------------------------ expressions

enum class ExprKind {
  Integer, Boolean, String, Name, This, Dots, InvalidHeader,
  ErrorMember,   // error.X
  TypeMember,    // E.X (enum members), T.minSizeInBits ...
  List,          // { a, b }
  StructInit,    // { f = a, g = b }
  Member, Index, Slice, VariableSlice,
  Call, ConstructorCall, Cast, Unary, Binary, Conditional,
  Mask, Range, Default, DontCare, // keyset forms
};

enum class UnaryOp { Not, Complement, Negate, Plus };
enum class BinaryOp {
  Mul, Div, Mod, Add, Sub, SatAdd, SatSub, Concat, Shl, Shr,
  BitAnd, BitXor, BitOr, Le, Ge, Lt, Gt, Eq, Ne, And, Or,
};
const char *binaryOpSpelling(BinaryOp op);
const char *unaryOpSpelling(UnaryOp op);

struct Argument {
  Loc loc;
  std::string name; // named argument; "" when positional
  ExprPtr value;    // a DontCare expression for "_"
};

struct Expr {
  explicit Expr(ExprKind kind, Loc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Loc loc;
  // Filled by the type checker.
  const Type *type = nullptr;
  std::optional<Constant> constant;
  bool isLvalue = false;

  template <class T> T *as() { return static_cast<T *>(this); }
  template <class T> const T *as() const { return static_cast<const T *>(this); }
};

struct IntegerLiteral : Expr {
  explicit IntegerLiteral(Loc loc) : Expr(ExprKind::Integer, loc) {}
  llvm::APInt value{kInfiniteIntWidth, 0};
  std::optional<unsigned> width; // "8w5": 8
  bool isSigned = false;         // "8s5"
  std::string spelling;
};

struct BooleanLiteral : Expr {
  explicit BooleanLiteral(Loc loc, bool value) : Expr(ExprKind::Boolean, loc), value(value) {}
  bool value;
};

struct StringLiteral : Expr {
  explicit StringLiteral(Loc loc, std::string value) : Expr(ExprKind::String, loc), value(std::move(value)) {}
  std::string value; // without quotes, escapes resolved
};

struct NameExpr : Expr {
  explicit NameExpr(Loc loc, std::string name, bool global)
      : Expr(ExprKind::Name, loc), name(std::move(name)), globalPrefix(global) {}
  std::string name;
  bool globalPrefix;
  const Declaration *declaration = nullptr; // set by the type checker
};

struct SimpleExpr : Expr { // This, Dots, InvalidHeader, Default, DontCare
  SimpleExpr(ExprKind kind, Loc loc) : Expr(kind, loc) {}
};

struct ErrorMemberExpr : Expr {
  ErrorMemberExpr(Loc loc, std::string member) : Expr(ExprKind::ErrorMember, loc), member(std::move(member)) {}
  std::string member;
};

struct TypeMemberExpr : Expr {
  TypeMemberExpr(Loc loc, TypeExprPtr typeName, std::string member)
      : Expr(ExprKind::TypeMember, loc), typeName(std::move(typeName)), member(std::move(member)) {}
  TypeExprPtr typeName;
  std::string member;
};

struct ListExpr : Expr {
  explicit ListExpr(Loc loc) : Expr(ExprKind::List, loc) {}
  std::vector<ExprPtr> elements;
};

struct StructInitExpr : Expr {
  explicit StructInitExpr(Loc loc) : Expr(ExprKind::StructInit, loc) {}
  struct Field {
    Loc loc;
    std::string name;
    ExprPtr value;
  };
  std::vector<Field> fields;
  bool hasDots = false; // "..." : the other fields are default-initialized
};

struct MemberExpr : Expr {
  MemberExpr(Loc loc, ExprPtr base, std::string member, Loc memberLoc)
      : Expr(ExprKind::Member, loc), base(std::move(base)), member(std::move(member)), memberLoc(memberLoc) {}
  ExprPtr base;
  std::string member;
  Loc memberLoc;
};

struct IndexExpr : Expr {
  IndexExpr(Loc loc, ExprPtr base, ExprPtr index)
      : Expr(ExprKind::Index, loc), base(std::move(base)), index(std::move(index)) {}
  ExprPtr base;
  ExprPtr index;
};

struct SliceExpr : Expr { // base[high:low]
  SliceExpr(Loc loc, ExprPtr base, ExprPtr high, ExprPtr low)
      : Expr(ExprKind::Slice, loc), base(std::move(base)), high(std::move(high)), low(std::move(low)) {}
  ExprPtr base;
  ExprPtr high;
  ExprPtr low;
};

struct VariableSliceExpr : Expr { // base[low +: width]
  VariableSliceExpr(Loc loc, ExprPtr base, ExprPtr low, ExprPtr width)
      : Expr(ExprKind::VariableSlice, loc), base(std::move(base)), low(std::move(low)), width(std::move(width)) {}
  ExprPtr base;
  ExprPtr low;
  ExprPtr width;
};

// What a call expression calls, as the type checker resolved it.
enum class CallKind {
  Unresolved,
  Action,         // target: ActionDecl
  Function,       // target: FunctionDecl
  ExternFunction, // target: MethodDecl (kind ExternFunction)
  ExternMethod,   // target: MethodDecl (kind Method); the object is the callee's base
  Apply,          // target: the TableDecl, or the parser/control declaration applied
  IsValid, SetValid, SetInvalid, // headers (isValid also unions)
  PushFront, PopFront,           // header stacks
};

struct CallExpr : Expr {
  CallExpr(Loc loc, ExprPtr callee) : Expr(ExprKind::Call, loc), callee(std::move(callee)) {}
  ExprPtr callee;
  std::vector<TypeExprPtr> typeArguments;
  std::vector<Argument> arguments;
  // Filled by the type checker.
  CallKind callKind = CallKind::Unresolved;
  const Declaration *target = nullptr;
  // The argument of each parameter of the target, in parameter order; null
  // where the parameter takes its default value or is an optional one left out.
  std::vector<Expr *> argumentsByParameter;
  std::map<const TypeParameterDecl *, const Type *> typeBindings;
};

struct ConstructorCallExpr : Expr {
  ConstructorCallExpr(Loc loc, TypeExprPtr constructedType)
      : Expr(ExprKind::ConstructorCall, loc), constructedType(std::move(constructedType)) {}
  TypeExprPtr constructedType;
  std::vector<Argument> arguments;
};

struct CastExpr : Expr {
  CastExpr(Loc loc, TypeExprPtr target, ExprPtr operand, bool implicit = false)
      : Expr(ExprKind::Cast, loc), target(std::move(target)), operand(std::move(operand)), implicit(implicit) {}
  TypeExprPtr target; // null for casts the type checker inserted
  ExprPtr operand;
  bool implicit;
};

struct UnaryExpr : Expr {
  UnaryExpr(Loc loc, UnaryOp op, ExprPtr operand) : Expr(ExprKind::Unary, loc), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
};

struct BinaryExpr : Expr {
  BinaryExpr(Loc loc, BinaryOp op, ExprPtr left, ExprPtr right, Loc opLoc)
      : Expr(ExprKind::Binary, loc), op(op), left(std::move(left)), right(std::move(right)), opLoc(opLoc) {}
  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
  Loc opLoc;
};

struct ConditionalExpr : Expr {
  ConditionalExpr(Loc loc, ExprPtr condition, ExprPtr ifTrue, ExprPtr ifFalse)
      : Expr(ExprKind::Conditional, loc), condition(std::move(condition)), ifTrue(std::move(ifTrue)),
        ifFalse(std::move(ifFalse)) {}
  ExprPtr condition;
  ExprPtr ifTrue;
  ExprPtr ifFalse;
};

struct MaskExpr : Expr { // value &&& mask
  MaskExpr(Loc loc, ExprPtr value, ExprPtr mask)
      : Expr(ExprKind::Mask, loc), value(std::move(value)), mask(std::move(mask)) {}
  ExprPtr value;
  ExprPtr mask;
};

struct RangeExpr : Expr { // low .. high
  RangeExpr(Loc loc, ExprPtr low, ExprPtr high)
      : Expr(ExprKind::Range, loc), low(std::move(low)), high(std::move(high)) {}
  ExprPtr low;
  ExprPtr high;
};

// ------------------------------------------------------------------ statements

enum class StatementKind {
  Assignment, MethodCall, DirectApplication, If, Block, Empty, Return, Exit, Break, Continue,
  Switch, ForLoop, ForIn, Declaration,
};

struct Statement {
  Statement(StatementKind kind, Loc loc) : kind(kind), loc(loc) {}
  virtual ~Statement() = default;
  StatementKind kind;
  Loc loc;
  template <class T> T *as() { return static_cast<T *>(this); }
  template <class T> const T *as() const { return static_cast<const T *>(this); }
};

struct AssignmentStatement : Statement {
  AssignmentStatement(Loc loc) : Statement(StatementKind::Assignment, loc) {}
  ExprPtr target;
  std::optional<BinaryOp> compound; // "a += b": Add
  ExprPtr value;
};

struct MethodCallStatement : Statement {
  MethodCallStatement(Loc loc, ExprPtr call) : Statement(StatementKind::MethodCall, loc), call(std::move(call)) {}
  ExprPtr call; // a CallExpr
};

struct DirectApplicationStatement : Statement {
  DirectApplicationStatement(Loc loc) : Statement(StatementKind::DirectApplication, loc) {}
  TypeExprPtr applied;
  std::vector<Argument> arguments;
};

struct IfStatement : Statement {
  IfStatement(Loc loc) : Statement(StatementKind::If, loc) {}
  ExprPtr condition;
  StatementPtr thenBranch;
  StatementPtr elseBranch; // may be null
};

struct BlockStatement : Statement {
  BlockStatement(Loc loc) : Statement(StatementKind::Block, loc) {}
  std::vector<Annotation> annotations;
  std::vector<StatementPtr> statements;
  Loc endLoc; // the closing brace
};

struct SimpleStatement : Statement { // Empty, Exit, Break, Continue
  SimpleStatement(StatementKind kind, Loc loc) : Statement(kind, loc) {}
};

struct ReturnStatement : Statement {
  ReturnStatement(Loc loc) : Statement(StatementKind::Return, loc) {}
  ExprPtr value; // may be null
};

struct SwitchStatement : Statement {
  SwitchStatement(Loc loc) : Statement(StatementKind::Switch, loc) {}
  struct Case {
    Loc loc;
    ExprPtr label; // a Default SimpleExpr for "default"
    std::unique_ptr<BlockStatement> body; // null: falls through to the next case
  };
  ExprPtr selector;
  std::vector<Case> cases;
};

struct ForLoopStatement : Statement {
  ForLoopStatement(Loc loc) : Statement(StatementKind::ForLoop, loc) {}
  std::vector<StatementPtr> initializers;
  ExprPtr condition; // may be null
  std::vector<StatementPtr> updates;
  StatementPtr body;
};

struct ForInStatement : Statement {
  ForInStatement(Loc loc) : Statement(StatementKind::ForIn, loc) {}
  DeclarationPtr variable;
  ExprPtr collection;  // or the start of a range
  ExprPtr rangeEnd;    // "a .. b": b; else null
  StatementPtr body;
};

struct DeclarationStatement : Statement {
  DeclarationStatement(Loc loc, DeclarationPtr declaration)
      : Statement(StatementKind::Declaration, loc), declaration(std::move(declaration)) {}
  DeclarationPtr declaration; // a variable or constant
};

// ------------------------------------------------------------------ declarations

enum class DeclarationKind {
  Constant, Variable, Parameter, TypeParameter,
  ExternObject, ExternFunction, Method, Constructor,
  Action, Function, Parser, Control, ParserType, ControlType, Package, Instance,
  Header, HeaderUnion, Struct, Enum, Typedef, NewType,
  ErrorMembers, MatchKindMembers, Member, // Member: one enum/error/match_kind member
  ValueSet, Table, State,
};

struct Declaration {
  Declaration(DeclarationKind kind, Loc loc, std::string name)
      : kind(kind), loc(loc), name(std::move(name)) {}
  virtual ~Declaration() = default;
  DeclarationKind kind;
  Loc loc;
  std::string name;
  std::vector<Annotation> annotations;
  const Type *type = nullptr; // set by the type checker
  template <class T> T *as() { return static_cast<T *>(this); }
  template <class T> const T *as() const { return static_cast<const T *>(this); }
};

enum class Direction { None, In, Out, InOut };
const char *directionSpelling(Direction direction);

struct ParameterDecl : Declaration {
  ParameterDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Parameter, loc, std::move(name)) {}
  Direction direction = Direction::None;
  TypeExprPtr typeExpr;
  ExprPtr defaultValue;
  bool optional = false; // @optional
  unsigned index = 0;
};
using ParameterList = std::vector<std::unique_ptr<ParameterDecl>>;

struct TypeParameterDecl : Declaration {
  TypeParameterDecl(Loc loc, std::string name) : Declaration(DeclarationKind::TypeParameter, loc, std::move(name)) {}
};
using TypeParameterList = std::vector<std::unique_ptr<TypeParameterDecl>>;

struct ConstantDecl : Declaration {
  ConstantDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Constant, loc, std::move(name)) {}
  TypeExprPtr typeExpr;
  ExprPtr value;
};

struct VariableDecl : Declaration {
  VariableDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Variable, loc, std::move(name)) {}
  TypeExprPtr typeExpr;
  ExprPtr initializer; // may be null
};

// A method or an extern function prototype.
struct MethodDecl : Declaration {
  MethodDecl(DeclarationKind kind, Loc loc, std::string name) : Declaration(kind, loc, std::move(name)) {}
  TypeExprPtr returnType; // Void for void
  TypeParameterList typeParameters;
  ParameterList parameters;
  bool isAbstract = false;
  const Declaration *owner = nullptr; // the extern object, for methods and constructors
};

struct ExternObjectDecl : Declaration {
  ExternObjectDecl(Loc loc, std::string name) : Declaration(DeclarationKind::ExternObject, loc, std::move(name)) {}
  TypeParameterList typeParameters;
  std::vector<std::unique_ptr<MethodDecl>> methods; // constructors have kind Constructor
};

struct ActionDecl : Declaration {
  ActionDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Action, loc, std::move(name)) {}
  ParameterList parameters;
  std::unique_ptr<BlockStatement> body;
  const Declaration *enclosingControl = nullptr; // null for top-level actions
};

struct FunctionDecl : Declaration {
  FunctionDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Function, loc, std::move(name)) {}
  TypeExprPtr returnType;
  TypeParameterList typeParameters;
  ParameterList parameters;
  std::unique_ptr<BlockStatement> body;
};

struct SelectCase {
  Loc loc;
  ExprPtr keyset; // a ListExpr for tuples
  std::string state;
  Loc stateLoc;
  const Declaration *target = nullptr; // set by the type checker
};

struct Transition {
  enum class Kind { None, Direct, Select };
  Kind kind = Kind::None;
  Loc loc;
  std::string state;    // Direct
  Loc stateLoc;
  const Declaration *target = nullptr; // Direct; set by the type checker
  std::vector<ExprPtr> selectKeys; // Select
  std::vector<SelectCase> cases;   // Select
};

struct StateDecl : Declaration {
  StateDecl(Loc loc, std::string name) : Declaration(DeclarationKind::State, loc, std::move(name)) {}
  std::vector<StatementPtr> statements;
  Transition transition;
  bool builtin = false; // accept, reject
};

struct ValueSetDecl : Declaration {
  ValueSetDecl(Loc loc, std::string name) : Declaration(DeclarationKind::ValueSet, loc, std::move(name)) {}
  TypeExprPtr elementType;
  ExprPtr size;
};

struct InstanceDecl : Declaration {
  InstanceDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Instance, loc, std::move(name)) {}
  TypeExprPtr typeExpr;
  std::vector<Argument> arguments;
  std::vector<DeclarationPtr> initializer; // functions and instances of "= { ... }"
  bool hasInitializer = false;
};

// Parsers, controls and their type-only forms (ParserType, ControlType).
struct BlockTypeDecl : Declaration {
  BlockTypeDecl(DeclarationKind kind, Loc loc, std::string name) : Declaration(kind, loc, std::move(name)) {}
  TypeParameterList typeParameters;
  ParameterList parameters;
  ParameterList constructorParameters;
  std::vector<DeclarationPtr> locals; // constants, variables, instances, value sets, actions, tables
  std::vector<std::unique_ptr<StateDecl>> states; // parsers: user states then accept and reject
  std::unique_ptr<BlockStatement> body; // controls: the apply block
};

struct PackageDecl : Declaration {
  PackageDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Package, loc, std::move(name)) {}
  TypeParameterList typeParameters;
  ParameterList parameters;
};

struct FieldDecl {
  Loc loc;
  std::string name;
  std::vector<Annotation> annotations;
  TypeExprPtr typeExpr;
};

// Header, HeaderUnion and Struct.
struct StructLikeDecl : Declaration {
  StructLikeDecl(DeclarationKind kind, Loc loc, std::string name) : Declaration(kind, loc, std::move(name)) {}
  TypeParameterList typeParameters;
  std::vector<FieldDecl> fields;
};

struct MemberDecl : Declaration { // one member of an enum, error or match_kind
  MemberDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Member, loc, std::move(name)) {}
  ExprPtr value; // serializable enums
  unsigned index = 0;
};

struct EnumDecl : Declaration {
  EnumDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Enum, loc, std::move(name)) {}
  TypeExprPtr underlyingType; // null for plain enums
  std::vector<std::unique_ptr<MemberDecl>> members;
};

// error { ... } and match_kind { ... }; several declarations add up.
struct MemberListDecl : Declaration {
  MemberListDecl(DeclarationKind kind, Loc loc) : Declaration(kind, loc, "") {}
  std::vector<std::unique_ptr<MemberDecl>> members;
};

struct TypedefDecl : Declaration { // typedef and type
  TypedefDecl(DeclarationKind kind, Loc loc, std::string name) : Declaration(kind, loc, std::move(name)) {}
  TypeExprPtr typeExpr;                 // null when a derived type is declared inline
  DeclarationPtr inlineDeclaration;     // "typedef header H { ... } T;"
};

struct KeyElement {
  Loc loc;
  ExprPtr expression;
  std::string matchKind;
  Loc matchKindLoc;
  std::vector<Annotation> annotations;
};

struct ActionRef {
  Loc loc;
  std::string name;
  bool globalPrefix = false;
  bool hasArguments = false;
  std::vector<Argument> arguments;
  std::vector<Annotation> annotations;
  // Set by the type checker: the action, and the arguments bound here per
  // parameter (null for parameters the control plane supplies).
  const ActionDecl *action = nullptr;
  std::vector<Expr *> argumentsByParameter;
};

struct TableEntry {
  Loc loc;
  bool isConst = false;
  ExprPtr priority; // may be null
  ExprPtr keyset;   // a ListExpr for tuples
  ActionRef action;
};

struct TableProperty {
  Loc loc;
  std::string name; // "size", "implementation", "default_action", ...
  bool isConst = false;
  std::vector<Annotation> annotations;
  ExprPtr value;
};

struct TableDecl : Declaration {
  TableDecl(Loc loc, std::string name) : Declaration(DeclarationKind::Table, loc, std::move(name)) {}
  bool hasKey = false;
  Loc keyLoc;
  std::vector<KeyElement> keys;
  bool hasActions = false;
  Loc actionsLoc;
  std::vector<ActionRef> actions;
  bool hasEntries = false;
  bool entriesConst = false;
  Loc entriesLoc;
  std::vector<TableEntry> entries;
  std::vector<TableProperty> properties; // every other property, in order
  const Declaration *enclosingControl = nullptr;

  const TableProperty *findProperty(const std::string &name) const;
};

struct Program {
  std::vector<DeclarationPtr> declarations;
};

} // namespace ebpfc::p4
