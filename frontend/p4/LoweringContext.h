// State shared by every part of the P4 lowering: the LLVM module and
// builder, debug info, type layouts, the per-CPU scratch map that holds all
// per-packet state (so no header struct ever lands on the 512-byte stack),
// BTF-defined maps, helper calls and the memory operations on P4 values.
#pragma once

#include "frontend/p4/Ast.h"
#include "frontend/p4/DebugInfo.h"
#include "frontend/p4/TypeChecker.h"
#include "frontend/p4/TypeLayout.h"
#include "frontend/p4/Types.h"
#include "ir/Diagnostics.h"
#include "ir/MapType.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>
#include <vector>

namespace ebpfc::p4 {

// Where the program attaches: what its context is and what it returns.
enum class Hook { Tc, Xdp };

struct MapSpec {
  std::string name;
  ir::MapType type = ir::MapType::Hash;
  uint32_t maxEntries = 1;
  uint32_t flags = 0;
  llvm::DIType *keyType = nullptr;
  llvm::DIType *valueType = nullptr;
  Loc loc;
};

class LoweringContext {
public:
  LoweringContext(llvm::LLVMContext &llvmContext, std::unique_ptr<llvm::Module> module, const llvm::DataLayout &layout,
                  Program &program, CheckedProgram &checked, TypeContext &types, const SourceMap &sourceMap,
                  ir::DiagnosticEngine &diags, uint32_t mainFile);

  llvm::LLVMContext &llvm;
  std::unique_ptr<llvm::Module> module;
  llvm::IRBuilder<> builder;
  DebugInfo debug;
  TypeLayouts layouts;
  Program &program;
  CheckedProgram &checked;
  TypeContext &types;
  const SourceMap &sourceMap;
  ir::DiagnosticEngine &diags;

  Hook hook = Hook::Tc;
  llvm::Function *function = nullptr;
  llvm::Value *contextArgument = nullptr;

  // ---------------------------------------------------------------- diagnostics
  void error(Loc loc, std::string message);
  // "<what> is not supported by the eBPF target"
  void unsupported(Loc loc, const std::string &what);
  bool failed() const { return failed_; }

  // Debug location for the instructions that follow.
  void at(Loc loc);

  // ---------------------------------------------------------------- blocks
  llvm::BasicBlock *newBlock(const std::string &name);
  // Continues in a fresh block after a terminator; what is emitted there is
  // unreachable and LLVM drops it.
  void continueAfterTerminator();
  llvm::AllocaInst *entryAlloca(llvm::Type *type, const std::string &name);

  // ---------------------------------------------------------------- helpers and maps
  llvm::Value *callHelper(const char *name, llvm::Type *returnType, llvm::ArrayRef<llvm::Value *> args);
  llvm::GlobalVariable *defineMap(const MapSpec &spec);
  // A zero-initialized u32 global (in .bss, a map libbpf creates).
  llvm::GlobalVariable *zeroGlobal(const std::string &name, Loc loc);
  llvm::Value *mapLookup(llvm::GlobalVariable *map, llvm::Value *key);
  llvm::Value *mapUpdate(llvm::GlobalVariable *map, llvm::Value *key, llvm::Value *value, uint64_t flags);

  // ---------------------------------------------------------------- scratch memory
  // Reserves room for a value in the per-CPU scratch map; its address.
  llvm::Value *scratch(const Type *type, const std::string &name);
  llvm::Value *scratchBytes(uint64_t size, uint64_t align, const std::string &name, llvm::DIType *debugType);
  // Emits the lookup of the scratch area at the current point; returns the
  // null check's result (true: unavailable).
  llvm::Value *openScratch();
  // Creates the scratch map once its size is known; zeroes the area at
  // `zeroAt` (the start of the program) for deterministic per-packet state.
  void closeScratch(llvm::Instruction *zeroAt, Loc loc);

  // ---------------------------------------------------------------- memory
  llvm::Value *byteAddress(llvm::Value *base, uint64_t offset);
  llvm::Value *loadValue(llvm::Value *address, const Type *type);
  void storeValue(llvm::Value *address, const Type *type, llvm::Value *value);
  void copyBytes(llvm::Value *destination, llvm::Value *source, uint64_t size);
  void zeroBytes(llvm::Value *destination, uint64_t size);
  llvm::Value *fieldAddress(llvm::Value *base, const Type *type, unsigned index);
  llvm::Value *validAddress(llvm::Value *header, const Type *type);
  // Marks every header inside a value of `type` invalid (out parameters and
  // freshly declared variables start that way).
  void invalidateHeaders(llvm::Value *address, const Type *type);

  llvm::Constant *constantValue(const Constant &c, const Type *type);
  llvm::Type *i8() { return builder.getInt8Ty(); }
  llvm::Type *i32() { return builder.getInt32Ty(); }
  llvm::Type *i64() { return builder.getInt64Ty(); }
  llvm::Type *pointer() { return builder.getPtrTy(); }

  // Returns the verdict that aborts the program (an internal failure).
  uint64_t abortVerdict() const { return hook == Hook::Xdp ? 0 /* XDP_ABORTED */ : 2 /* TC_ACT_SHOT */; }

private:
  struct ScratchSlot {
    std::string name;
    uint64_t offset;
    llvm::DIType *debugType;
  };
  bool failed_ = false;
  Loc currentLoc_;
  llvm::GlobalVariable *scratchMap_ = nullptr;
  llvm::Value *scratchBase_ = nullptr;
  uint64_t scratchSize_ = 0;
  uint64_t scratchAlign_ = 8;
  std::vector<ScratchSlot> scratchSlots_;
  std::vector<llvm::GlobalValue *> used_;

public:
  // Functions and maps that must survive optimization (llvm.compiler.used).
  void keep(llvm::GlobalValue *value) { used_.push_back(value); }
  void emitUsedList();
};

} // namespace ebpfc::p4
