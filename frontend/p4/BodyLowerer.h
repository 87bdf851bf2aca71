// Lowers P4 code to LLVM IR inside the program function: statements and
// expressions (LowerBody.cpp), parser state machines and packet_in
// (LowerParser.cpp), tables (LowerTables.cpp), and the externs of the
// architectures: counters, checksums, time, the deparser's emit
// (LowerExterns.cpp). Actions, functions and sub-controls are inlined at
// each use with copy-in/copy-out of their arguments.
#pragma once

#include "frontend/p4/LoweringContext.h"
#include "frontend/p4/PacketAccess.h"

#include <functional>
#include <map>
#include <unordered_map>

namespace ebpfc::p4 {

// Where a declaration's value lives in the lowered code.
struct Binding {
  llvm::Value *address = nullptr; // storage (variables, out/inout parameters, aggregates)
  llvm::Value *value = nullptr;   // a read-only scalar (in parameters, action data)
  const Type *type = nullptr;
};

// An assignable place: storage of a type, or a bit range within an integer.
struct LValue {
  llvm::Value *address = nullptr;
  const Type *type = nullptr;  // the type of the storage at `address`
  bool isSlice = false;
  unsigned width = 0;          // slices: bits selected
  unsigned low = 0;            // constant slices: lowest bit
  llvm::Value *dynamicLow = nullptr; // "[low +: width]" with a run-time low
};

struct TableResult {
  llvm::Value *hit = nullptr;       // i1
  llvm::Value *actionRun = nullptr; // i32: the id of the action that ran
};

// A table's maps and layouts (see docs/p4.md, "Control plane").
struct TableInfo {
  std::string mapName;
  llvm::GlobalVariable *map = nullptr;         // null: the table has only const entries, or no key
  llvm::GlobalVariable *defaultMap = nullptr;  // null: the default action is const
  ir::MapType mapType = ir::MapType::Hash;
  bool isLpm = false;
  uint64_t keySize = 0;
  std::vector<uint64_t> keyOffsets;            // per key element (after the prefix length for LPM)
  uint64_t valueSize = 0;
  uint64_t unionOffset = 4;
  std::map<const ActionDecl *, uint32_t> actionIds;
  std::map<const ActionDecl *, std::vector<uint64_t>> parameterOffsets; // action data, from the union's start
  llvm::Value *keyBuffer = nullptr;            // scratch area of keySize bytes
  // Tables with `entries` the control plane may change: the entries are
  // written into the map on the first lookup.
  bool initialEntries = false;
  llvm::Value *valueBuffer = nullptr;          // scratch area of valueSize bytes
  llvm::GlobalVariable *initialized = nullptr; // .bss flag: the entries are in
};

// State while lowering a parser's states.
struct ParserFrame {
  llvm::BasicBlock *accept = nullptr;
  llvm::BasicBlock *reject = nullptr;
  llvm::AllocaInst *cursor = nullptr; // i64: bytes consumed
  llvm::AllocaInst *error = nullptr;  // i32: the parser error
  const BlockTypeDecl *parser = nullptr;
  // Header stacks' `next` indexes while parsing, by (base, offset) of
  // their memory (see BodyLowerer::nextIndexPlace).
  std::map<std::pair<const llvm::Value *, int64_t>, llvm::AllocaInst *> stackIndexes;
};

// State while lowering a deparser: a first pass measures what it emits, a
// second writes it.
struct DeparserFrame {
  bool measuring = true;
  llvm::AllocaInst *offset = nullptr; // i64: bytes emitted so far
  llvm::BasicBlock *fail = nullptr;
};

class BodyLowerer {
public:
  BodyLowerer(LoweringContext &cx, PacketAccess &packet) : cx(cx), packet(packet) {}

  LoweringContext &cx;
  PacketAccess &packet;
  std::unordered_map<const Declaration *, Binding> bindings;
  ParserFrame *parser = nullptr;
  DeparserFrame *deparser = nullptr;

  // ---------------------------------------------------------------- statements (LowerBody.cpp)
  void lowerBlock(const BlockStatement &block);
  void lowerStatement(const Statement &statement);
  void declareVariable(const VariableDecl &variable);
  // Binds a control's locals (variables, instances, tables) and lowers its
  // apply block; `exit` leaves through `exitBlock`.
  void lowerControlBody(const BlockTypeDecl &control, llvm::BasicBlock *exitBlock);
  void bindControlLocals(const BlockTypeDecl &control);

  // ---------------------------------------------------------------- expressions (LowerBody.cpp)
  // Scalars: the SSA value. Aggregates: the address of a copy or of the
  // storage itself (read-only use).
  llvm::Value *rvalue(const Expr &expr);
  LValue lvalue(const Expr &expr);
  llvm::Value *load(const LValue &place);
  void store(const LValue &place, llvm::Value *value);
  void assign(const LValue &place, const Expr &value);
  llvm::Value *condition(const Expr &expr) { return rvalue(expr); }
  bool isAggregate(const Type *type) const;
  llvm::Value *lowerCall(const CallExpr &call);
  // Inlines an action with its arguments: `arguments[i]` for parameter i, or
  // `data[i]` (action data from a map value or a constant) where null.
  void inlineAction(const ActionDecl &action, const std::vector<Expr *> &arguments,
                    const std::vector<llvm::Value *> &data, Loc loc);

  // ---------------------------------------------------------------- parsers (LowerParser.cpp)
  // Lowers the parser's state machine from the current block; ends in
  // `frame.accept` or `frame.reject`.
  void lowerParser(const BlockTypeDecl &parserDecl, ParserFrame &frame);
  llvm::Value *lowerPacketInCall(const CallExpr &call, const MethodDecl &method);
  void lowerVerify(const CallExpr &call);
  void declareValueSet(const ValueSetDecl &set, const BlockTypeDecl &parserDecl);
  // i1: whether the select keys are in the value set's map.
  llvm::Value *valueSetContains(const Declaration &set, const std::vector<llvm::Value *> &keys);
  struct ValueSetInfo {
    llvm::GlobalVariable *map = nullptr;
    llvm::Value *key = nullptr; // scratch area of the element type's size
  };
  std::map<const Declaration *, ValueSetInfo> valueSets;

  // ---------------------------------------------------------------- tables (LowerTables.cpp)
  TableResult applyTable(const TableDecl &table, Loc loc);
  TableInfo &tableInfo(const TableDecl &table);
  // Tries the const entries in match order; `run` lowers an entry's action
  // (and branches away), no match continues at `miss`.
  void writeInitialEntries(const TableDecl &table, TableInfo &info);
  void compileConstEntries(const TableDecl &table, TableInfo &info, const std::vector<llvm::Value *> &keys,
                           const std::function<void(const TableEntry &)> &run, llvm::BasicBlock *miss);
  // By table and instance path: each instance of a control has its own.
  std::map<std::pair<const TableDecl *, std::string>, TableInfo> tables;
  std::map<const CallExpr *, TableResult> tableResults;

  // ---------------------------------------------------------------- externs (LowerExterns.cpp)
  void declareInstance(const InstanceDecl &instance, const BlockTypeDecl *control);
  llvm::Value *lowerExternMethod(const CallExpr &call);
  llvm::Value *lowerExternFunction(const CallExpr &call);
  // Emits (or measures) a value for packet_out.emit.
  void lowerEmit(const Expr &value, Loc loc);
  struct CounterInfo {
    llvm::GlobalVariable *map = nullptr;
    bool sparse = false; // a hash map: counters appear on first use
  };
  std::map<const Declaration *, CounterInfo> counters;

  // The external name of a control's table, counter or action:
  // "<control>_<name>", as p4c's eBPF backend names them.
  static std::string externalName(const BlockTypeDecl *control, const std::string &name);
  // The name of a control's table, action or extern instance as p4c's eBPF
  // backend gives it: the path of control instances it is lowered in
  // ("pipe_c1_Check_ip" for table Check_ip of `Check() c1;` applied in
  // control pipe); externalName() outside controls.
  std::string scopedName(const BlockTypeDecl *control, const std::string &name) const;

private:
  struct CallFrame {
    llvm::BasicBlock *returnBlock = nullptr;
    llvm::AllocaInst *returnValue = nullptr;
    const Type *returnType = nullptr;
  };
  struct LoopFrame {
    llvm::BasicBlock *breakBlock = nullptr;
    llvm::BasicBlock *continueBlock = nullptr;
  };
  std::vector<CallFrame> callFrames_;
  std::vector<LoopFrame> loopFrames_;
  llvm::BasicBlock *exitBlock_ = nullptr;

  llvm::Value *lowerBinary(const BinaryExpr &b);
  llvm::Value *binaryValue(BinaryOp op, llvm::Value *left, llvm::Value *right, const Type *leftType, Loc opLoc);
  llvm::Value *lowerShortCircuit(const BinaryExpr &b);
  llvm::Value *lowerCast(const CastExpr &c);
  llvm::Value *lowerConditional(const ConditionalExpr &c);
  llvm::Value *lowerAggregate(const Expr &expr, const Type *type);
  void storeAggregate(llvm::Value *address, const Type *type, const Expr &value);
  llvm::Value *stackElement(const LValue &stack, llvm::Value *index, Loc loc);
  llvm::Value *stackNextIndex(llvm::Value *stackAddress, const Type *stackType);
  llvm::Value *nextIndexPlace(llvm::Value *stackAddress, const Type *stackType);
  llvm::Value *equalAggregates(llvm::Value *a, llvm::Value *b, const Type *type);
  void lowerSwitch(const SwitchStatement &s);
  void lowerAssignment(const AssignmentStatement &a);
  void lowerReturn(const ReturnStatement &r);
  // Arguments bound per parameter with P4's copy-in/copy-out; returns the
  // write-backs to run after the callee.
  struct WriteBack {
    LValue target;
    llvm::Value *temporary;
    const Type *type;
  };
  std::vector<WriteBack> bindParameters(const ParameterList &parameters, const std::vector<Expr *> &arguments,
                                        const std::vector<llvm::Value *> *data);
  void runWriteBacks(const std::vector<WriteBack> &writeBacks);
  llvm::Value *inlineFunction(const FunctionDecl &function, const CallExpr &call);
  // `instance`: the instance's name ("c1"), or the control's for a direct
  // application (`Check.apply()`).
  void inlineSubControl(const BlockTypeDecl &control, const std::string &instance,
                        const std::vector<Expr *> &arguments, Loc loc);
  // The instance path of the control being lowered ("pipe", "pipe_c1").
  std::string controlPath_;
};

} // namespace ebpfc::p4
