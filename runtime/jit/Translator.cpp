#include "runtime/jit/Translator.h"

#include "runtime/jit/ContextProvenance.h"
#include "runtime/jit/JitRuntime.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/TargetParser/Triple.h>

#include <array>
#include <map>

namespace ebpfc::runtime::jit {

std::string functionSymbol(const std::string &prefix, uint32_t entry) { return prefix + std::to_string(entry); }

namespace {

using llvm::BasicBlock;
using llvm::Value;

// Whether r10 + offset .. + size stays inside the current frame.
bool insideFrame(int64_t offset, unsigned size) {
  return offset >= -int64_t(kStackFrameSize) && offset + int64_t(size) <= 0;
}

unsigned sizeIndex(unsigned size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

class ModuleTranslator {
public:
  ModuleTranslator(const TranslationRequest &request, llvm::LLVMContext &context, llvm::Module &module)
      : request(request), context(context), module(module), i1(llvm::Type::getInt1Ty(context)),
        i8(llvm::Type::getInt8Ty(context)), i32(llvm::Type::getInt32Ty(context)),
        i64(llvm::Type::getInt64Ty(context)), ptr(llvm::PointerType::getUnqual(context)),
        compiledType(llvm::FunctionType::get(i64, {ptr, ptr, i64, i64, i64, i64, i64, i32}, false)),
        directHelperType(
            llvm::FunctionType::get(llvm::StructType::get(context, {i64, i64}), {ptr, i64, i64, i64, i64, i64}, false)),
        invariant(llvm::MDNode::get(context, {})) {
    declareRuntime();
  }

  void declareFunctions(const std::vector<FunctionShape> &shapes) {
    for (const FunctionShape &shape : shapes) {
      llvm::Function *function =
          llvm::Function::Create(compiledType, llvm::Function::ExternalLinkage,
                                 functionSymbol(request.symbolPrefix, shape.entry), module);
      function->addFnAttr(llvm::Attribute::NoUnwind);
      // The run state is reached only through this pointer (programs cannot
      // address it: checked code refuses, trusted code does not try).
      function->addParamAttr(0, llvm::Attribute::NoAlias);
      functionsByEntry[shape.entry] = function;
    }
  }
  llvm::Function *functionAt(uint32_t entry) const { return functionsByEntry.at(entry); }
  const std::map<uint32_t, llvm::Function *> &functions() const { return functionsByEntry; }

  // Checked code: whether [address, address + size) lies in one entry of
  // the run state's region cache (writable ones for writes). An internal
  // function per access kind, so that LLVM decides where inlining pays.
  llvm::Function *regionCheck(unsigned size, bool write) {
    llvm::Function *&check = regionChecks[sizeIndex(size)][write];
    if (check)
      return check;
    auto *type = llvm::FunctionType::get(i1, {ptr, i64}, false);
    check = llvm::Function::Create(type, llvm::Function::InternalLinkage,
                                   "ebpf.region_check." + std::to_string(size) + (write ? ".w" : ".r"), module);
    check->addFnAttr(llvm::Attribute::NoUnwind);
    check->addFnAttr(llvm::Attribute::InlineHint);
    llvm::Value *cache = check->getArg(0);
    llvm::Value *address = check->getArg(1);
    llvm::IRBuilder<> b(BasicBlock::Create(context, "entry", check));
    BasicBlock *hit = BasicBlock::Create(context, "hit", check);
    using Cached = interp::RunState::CachedRegion;
    for (unsigned i = 0; i < interp::RunState::kCacheSize; ++i) {
      const uint64_t entry = i * sizeof(Cached);
      Value *begin = b.CreateLoad(i64, b.CreateConstGEP1_64(i8, cache, entry + offsetof(Cached, begin)));
      Value *regionSize = b.CreateLoad(i64, b.CreateConstGEP1_64(i8, cache, entry + offsetof(Cached, size)));
      Value *relative = b.CreateSub(address, begin);
      Value *fits = b.CreateAnd(b.CreateICmpULT(relative, regionSize),
                                b.CreateICmpUGE(b.CreateSub(regionSize, relative), b.getInt64(size)));
      if (write) {
        Value *writable = b.CreateLoad(i8, b.CreateConstGEP1_64(i8, cache, entry + offsetof(Cached, writable)));
        fits = b.CreateAnd(fits, b.CreateICmpNE(writable, b.getInt8(0)));
      }
      BasicBlock *next = BasicBlock::Create(context, "next", check);
      b.CreateCondBr(fits, hit, next);
      b.SetInsertPoint(next);
    }
    b.CreateRet(b.getFalse());
    b.SetInsertPoint(hit);
    b.CreateRet(b.getTrue());
    return check;
  }

  const TranslationRequest &request;
  llvm::LLVMContext &context;
  llvm::Module &module;
  llvm::IntegerType *i1, *i8, *i32, *i64;
  llvm::PointerType *ptr;
  llvm::FunctionType *compiledType;
  llvm::FunctionType *directHelperType; // DirectHelperFunction
  llvm::MDNode *invariant;

  struct {
    llvm::FunctionCallee callHelper, callxHelper, load, store, atomicPointer, misalignedAtomic, legacyPacketLoad,
        tailCall, raise, enterFrame, leaveFrame, unwind;
  } rt;

private:
  void declareRuntime() {
    auto declare = [&](const char *name, llvm::Type *result, llvm::ArrayRef<llvm::Type *> params) {
      llvm::FunctionCallee callee = module.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
      llvm::cast<llvm::Function>(callee.getCallee())->addFnAttr(llvm::Attribute::NoUnwind);
      return callee;
    };
    llvm::Type *voidType = llvm::Type::getVoidTy(context);
    rt.callHelper = declare("ebpfc_jit_call_helper", i64, {ptr, ptr, ptr, i64, i64, i64, i64, i64, i64});
    rt.callxHelper = declare("ebpfc_jit_callx_helper", i64, {ptr, ptr, i64, i64, i64, i64, i64, i64, i64});
    rt.load = declare("ebpfc_jit_load", i64, {ptr, ptr, i64, i64, i32});
    rt.store = declare("ebpfc_jit_store", voidType, {ptr, ptr, i64, i64, i32, i64});
    rt.atomicPointer = declare("ebpfc_jit_atomic_pointer", ptr, {ptr, ptr, i64, i64, i32});
    rt.misalignedAtomic = declare("ebpfc_jit_misaligned_atomic", i64, {ptr, i32, i32, i64, i64});
    rt.legacyPacketLoad = declare("ebpfc_jit_legacy_packet_load", i64, {ptr, ptr, i64, i64, i32});
    rt.tailCall = declare("ebpfc_jit_tail_call", llvm::StructType::get(context, {ptr, ptr}), {ptr, ptr, i64, i64, i64});
    rt.raise = declare("ebpfc_jit_raise", voidType, {ptr, ptr, i64, i32, i64});
    rt.enterFrame = declare("ebpfc_jit_enter_frame", voidType, {ptr, i32});
    rt.leaveFrame = declare("ebpfc_jit_leave_frame", voidType, {ptr, i32});
    rt.unwind = declare("ebpfc_jit_unwind", voidType, {ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64});
    // A fault ends the run: the paths after these calls are cold.
    llvm::cast<llvm::Function>(rt.raise.getCallee())->addFnAttr(llvm::Attribute::Cold);
    llvm::cast<llvm::Function>(rt.unwind.getCallee())->addFnAttr(llvm::Attribute::Cold);
  }

  std::map<uint32_t, llvm::Function *> functionsByEntry;
  std::array<std::array<llvm::Function *, 2>, 4> regionChecks{};
};

class FunctionTranslator {
public:
  FunctionTranslator(ModuleTranslator &module, const FunctionShape &shape, const std::vector<bool> &mayTouchContext)
      : m(module), shape(shape), mayTouchContext(mayTouchContext), image(module.request.image),
        checked(module.request.checked), checkedMode(module.request.checkedMode), function(m.functionAt(shape.entry)),
        b(m.context) {}

  void translate() {
    buildEntry();
    for (uint32_t s = 0; s < image.insns.size(); ++s)
      if (shape.reachable[s] && shape.leader[s])
        blockAt[s] = BasicBlock::Create(m.context, "insn" + std::to_string(s), function);
    entryBuilder().CreateBr(blockAt.at(shape.entry));

    // Instructions in slot order (the entry need not come first: a
    // function may jump back before its entry). The first reachable one
    // starts a block, as does every instruction control flow can reach
    // other than from the one before it.
    b.ClearInsertionPoint();
    for (slot = 0; slot < image.insns.size(); ++slot) {
      if (!shape.reachable[slot] || !checked.isStart[slot])
        continue;
      if (shape.leader[slot]) {
        // Fall through into a block that jumps also reach.
        if (b.GetInsertBlock() && !b.GetInsertBlock()->getTerminator())
          b.CreateBr(blockAt.at(slot));
        b.SetInsertPoint(blockAt.at(slot));
      }
      translateInsn();
    }
  }

private:
  // ---- entry: registers, frame, run fields ----
  void buildEntry() {
    entry = BasicBlock::Create(m.context, "entry", function);
    b.SetInsertPoint(entry);
    run = function->getArg(0);
    programData = function->getArg(1);
    depth = function->getArg(7);
    for (unsigned r = 0; r < 10; ++r)
      registers[r] = b.CreateAlloca(m.i64, nullptr, "r" + std::to_string(r));
    for (unsigned r = 0; r < 10; ++r)
      b.CreateStore(r >= 1 && r <= 5 ? static_cast<Value *>(function->getArg(r + 1)) : b.getInt64(0), registers[r]);
    depthShifted = b.CreateShl(b.CreateZExt(depth, m.i64), 32);
    if (checkedMode) {
      budget = b.CreateAlloca(m.i64, nullptr, "budget");
      b.CreateStore(b.CreateLoad(m.i64, runField(offsetof(JitRun, budget))), budget);
      // r10 of this depth: the interpreter's layout of frames.
      Value *stackTop = b.CreateLoad(m.i64, runField(offsetof(JitRun, stackTop)));
      Value *below = b.CreateMul(b.CreateZExt(b.CreateSub(depth, b.getInt32(1)), m.i64), b.getInt64(kStackFrameSize));
      framePointer = b.CreateSub(stackTop, below, "r10");
      frameTop = b.CreateIntToPtr(framePointer, m.ptr);
      regionCache = b.CreateLoad(m.ptr, runField(offsetof(JitRun, regionCache)));
    } else {
      auto *frame = b.CreateAlloca(llvm::ArrayType::get(m.i8, kStackFrameSize), nullptr, "frame");
      frame->setAlignment(llvm::Align(16));
      // Zeroed, so that reading an unwritten slot is defined (and the same on every run).
      b.CreateMemSet(frame, b.getInt8(0), kStackFrameSize, llvm::Align(16));
      frameTop = b.CreateConstGEP1_64(m.i8, frame, kStackFrameSize);
      contextBegin = b.CreateLoad(m.i64, runField(offsetof(JitRun, contextBegin)));
      contextSize = b.CreateLoad(m.i64, runField(offsetof(JitRun, contextSize)));
    }
  }

  // Inserts into the entry block (before its branch once it has one).
  llvm::IRBuilder<> entryBuilder() {
    if (llvm::Instruction *terminator = entry->getTerminator())
      return llvm::IRBuilder<>(terminator);
    return llvm::IRBuilder<>(entry);
  }

  Value *runField(uint64_t offset) { return b.CreateConstGEP1_64(m.i8, run, offset); }

  // A pointer field of the program's data, loaded once in the entry block.
  Value *programDataField(uint64_t offset, const char *name) {
    llvm::IRBuilder<> eb = entryBuilder();
    auto *load = eb.CreateLoad(m.ptr, eb.CreateConstGEP1_64(m.i8, programData, offset), name);
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, m.invariant);
    return load;
  }

  // r10 as a value. Unchecked code creates it only when the program uses
  // it as a value, so that a frame only addressed through r10 + constant
  // stays promotable to registers.
  Value *frameValue() {
    if (!framePointer)
      framePointer = entryBuilder().CreatePtrToInt(frameTop, m.i64, "r10");
    return framePointer;
  }

  Value *reg(unsigned r) { return r == kFramePointer ? frameValue() : b.CreateLoad(m.i64, registers[r]); }
  void setReg(unsigned r, Value *value) { b.CreateStore(value, registers[r]); }

  Value *site() { return b.CreateOr(depthShifted, b.getInt64(slot)); }

  Value *constant(uint32_t forSlot) {
    if (!constants) {
      llvm::IRBuilder<> eb = entryBuilder();
      auto *load = eb.CreateLoad(m.ptr, programData, "constants");
      load->setMetadata(llvm::LLVMContext::MD_invariant_load, m.invariant);
      constants = load;
    }
    const uint32_t index = m.request.constants.indexOfSlot[forSlot];
    auto *load = b.CreateLoad(m.i64, b.CreateConstGEP1_64(m.i64, constants, index));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, m.invariant);
    return load;
  }

  // ---- budget (checked code) ----
  // Around calls the budget lives in the run state, so that callees and
  // callbacks charge the same budget.
  void spillBudget() {
    if (checkedMode)
      b.CreateStore(b.CreateLoad(m.i64, budget), runField(offsetof(JitRun, budget)));
  }
  void reloadBudget() {
    if (checkedMode)
      b.CreateStore(b.CreateLoad(m.i64, runField(offsetof(JitRun, budget))), budget);
  }

  // ---- ending the run ----
  void emitUnwind() {
    std::vector<Value *> args = {run};
    for (unsigned r = 0; r < kNumRegisters; ++r)
      args.push_back(reg(r));
    b.CreateCall(m.rt.unwind, args);
    b.CreateRet(b.getInt64(0));
  }
  // After a runtime call that may end the run.
  void unwindIfFinished() {
    Value *finished = b.CreateICmpNE(b.CreateLoad(m.i8, runField(offsetof(JitRun, finished))), b.getInt8(0));
    BasicBlock *unwind = BasicBlock::Create(m.context, "unwind", function);
    BasicBlock *next = BasicBlock::Create(m.context, "", function);
    b.CreateCondBr(finished, unwind, next, llvm::MDBuilder(m.context).createBranchWeights(1, 1 << 20));
    b.SetInsertPoint(unwind);
    emitUnwind();
    b.SetInsertPoint(next);
  }
  void emitFault(CompiledFault kind, Value *detail) {
    b.CreateCall(m.rt.raise, {run, programData, site(), b.getInt32(uint32_t(kind)), detail});
    emitUnwind();
  }
  // A new block that raises `kind` at the current instruction.
  BasicBlock *faultBlock(CompiledFault kind, Value *detail = nullptr) {
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    BasicBlock *block = BasicBlock::Create(m.context, "fault", function);
    b.SetInsertPoint(block);
    emitFault(kind, detail ? detail : b.getInt64(0));
    return block;
  }

  // ---- control flow ----
  // The block a taken jump to `target` goes to: checked code charges
  // backward jumps (every loop has one) to the budget on the way.
  BasicBlock *edgeTo(uint32_t target) {
    BasicBlock *destination = blockAt.at(target);
    if (!checkedMode || target > slot)
      return destination;
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    BasicBlock *charge = BasicBlock::Create(m.context, "backedge", function);
    b.SetInsertPoint(charge);
    Value *left = b.CreateSub(b.CreateLoad(m.i64, budget), b.getInt64(slot - target + 1));
    b.CreateStore(left, budget);
    b.CreateCondBr(b.CreateICmpSLT(left, b.getInt64(0)), faultBlock(CompiledFault::InstructionBudget), destination,
                   llvm::MDBuilder(m.context).createBranchWeights(1, 1 << 20));
    return charge;
  }

  Value *compare(JumpCond cond, Value *a, Value *operand) {
    switch (cond) {
    case JumpCond::Eq: return b.CreateICmpEQ(a, operand);
    case JumpCond::Gt: return b.CreateICmpUGT(a, operand);
    case JumpCond::Ge: return b.CreateICmpUGE(a, operand);
    case JumpCond::Set: return b.CreateICmpNE(b.CreateAnd(a, operand), llvm::ConstantInt::get(a->getType(), 0));
    case JumpCond::Ne: return b.CreateICmpNE(a, operand);
    case JumpCond::Sgt: return b.CreateICmpSGT(a, operand);
    case JumpCond::Sge: return b.CreateICmpSGE(a, operand);
    case JumpCond::Lt: return b.CreateICmpULT(a, operand);
    case JumpCond::Le: return b.CreateICmpULE(a, operand);
    case JumpCond::Slt: return b.CreateICmpSLT(a, operand);
    case JumpCond::Sle: return b.CreateICmpSLE(a, operand);
    }
    return b.getFalse();
  }

  // ---- instructions ----
  void translateInsn() {
    const DecodedInsn &d = checked.decoded[slot];
    const Insn &insn = image.insns[slot];
    const uint32_t next = nextSlot(image, slot);
    switch (d.kind) {
    case InsnKind::Invalid:
      break; // refused by checkProgram
    case InsnKind::Alu:
      translateAlu(d, insn);
      break;
    case InsnKind::Neg:
      if (d.is64)
        setReg(insn.dst, b.CreateNeg(reg(insn.dst)));
      else
        setReg(insn.dst, b.CreateZExt(b.CreateNeg(low32(reg(insn.dst))), m.i64));
      break;
    case InsnKind::MovSx: {
      Value *narrow = b.CreateTrunc(reg(insn.src), b.getIntNTy(d.bits));
      setReg(insn.dst, d.is64 ? b.CreateSExt(narrow, m.i64) : b.CreateZExt(b.CreateSExt(narrow, m.i32), m.i64));
      break;
    }
    case InsnKind::Endian: {
      Value *narrow = b.CreateTrunc(reg(insn.dst), b.getIntNTy(d.bits));
      if (d.order != ByteOrder::ToLittle) // the host is little-endian: to-little only truncates
        narrow = b.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, narrow);
      setReg(insn.dst, b.CreateZExt(narrow, m.i64));
      break;
    }
    case InsnKind::LoadImm64:
      if (insn.src == 0)
        setReg(insn.dst, b.getInt64(loadImm64Value(insn, image.insns[slot + 1])));
      else if (insn.src == op::kPseudoFunc)
        setReg(insn.dst, b.getInt64(interp::functionRef(uint32_t(int64_t(slot) + 1 + insn.imm))));
      else
        setReg(insn.dst, constant(slot));
      break;
    case InsnKind::LoadPacket: {
      Value *offset = b.getInt64(uint64_t(int64_t(insn.imm)));
      if (d.indirect)
        offset = b.CreateAdd(offset, b.CreateSExt(low32(reg(insn.src)), m.i64));
      Value *value = b.CreateCall(m.rt.legacyPacketLoad, {run, programData, site(), offset, b.getInt32(d.size)});
      unwindIfFinished();
      setReg(0, value);
      break;
    }
    case InsnKind::Load:
      setReg(insn.dst, translateLoad(d, insn));
      break;
    case InsnKind::StoreImm:
      translateStore(d, insn, b.getInt64(uint64_t(int64_t(insn.imm))));
      break;
    case InsnKind::StoreReg:
      translateStore(d, insn, reg(insn.src));
      break;
    case InsnKind::Atomic:
      translateAtomic(d, insn);
      break;
    case InsnKind::Jump:
      b.CreateBr(edgeTo(uint32_t(int64_t(slot) + 1 + jumpOffsetOf(insn, d))));
      break;
    case InsnKind::CondJump: {
      Value *a = reg(insn.dst);
      Value *operand = d.srcIsReg ? reg(insn.src) : b.getInt64(uint64_t(int64_t(insn.imm)));
      if (!d.is64) {
        a = low32(a);
        operand = low32(operand);
      }
      b.CreateCondBr(compare(d.cond, a, operand), edgeTo(uint32_t(int64_t(slot) + 1 + insn.offset)),
                     blockAt.at(next));
      break;
    }
    case InsnKind::Call:
      if (d.call == CallKind::Local)
        translateLocalCall(m.functionAt(uint32_t(int64_t(slot) + 1 + insn.imm)));
      else if (insn.imm == op::kTailCallHelper)
        translateTailCall();
      else
        translateHelperCall();
      break;
    case InsnKind::CallReg:
      translateCallx(insn);
      break;
    case InsnKind::Exit:
      spillBudget();
      b.CreateRet(reg(0));
      break;
    }
  }

  Value *low32(Value *value) { return b.CreateTrunc(value, m.i32); }

  void translateAlu(const DecodedInsn &d, const Insn &insn) {
    llvm::IntegerType *type = d.is64 ? m.i64 : m.i32;
    Value *a = reg(insn.dst);
    Value *operand = d.srcIsReg ? reg(insn.src) : b.getInt64(uint64_t(int64_t(insn.imm)));
    if (!d.is64) {
      a = low32(a);
      operand = low32(operand);
    }
    const unsigned width = d.is64 ? 64 : 32;
    auto constantOf = [&](int64_t value) { return llvm::ConstantInt::get(type, uint64_t(value)); };
    Value *zero = constantOf(0);
    Value *minusOne = constantOf(-1);
    Value *result = nullptr;
    switch (d.alu) {
    case AluOp::Add: result = b.CreateAdd(a, operand); break;
    case AluOp::Sub: result = b.CreateSub(a, operand); break;
    case AluOp::Mul: result = b.CreateMul(a, operand); break;
    case AluOp::Or: result = b.CreateOr(a, operand); break;
    case AluOp::And: result = b.CreateAnd(a, operand); break;
    case AluOp::Xor: result = b.CreateXor(a, operand); break;
    case AluOp::Mov: result = operand; break;
    case AluOp::Lsh: result = b.CreateShl(a, b.CreateAnd(operand, constantOf(width - 1))); break;
    case AluOp::Rsh: result = b.CreateLShr(a, b.CreateAnd(operand, constantOf(width - 1))); break;
    case AluOp::Arsh: result = b.CreateAShr(a, b.CreateAnd(operand, constantOf(width - 1))); break;
    // Division by zero gives 0 and modulo by zero leaves dst (RFC 9669);
    // the host's division never sees a zero divisor.
    case AluOp::Div:
    case AluOp::Mod: {
      Value *isZero = b.CreateICmpEQ(operand, zero);
      Value *divisor = b.CreateSelect(isZero, constantOf(1), operand);
      result = d.alu == AluOp::Div ? b.CreateSelect(isZero, zero, b.CreateUDiv(a, divisor))
                                   : b.CreateSelect(isZero, a, b.CreateURem(a, divisor));
      break;
    }
    // Signed forms: INT_MIN / -1 wraps and INT_MIN % -1 is 0; the host's
    // division never sees -1 (which would trap on INT_MIN).
    case AluOp::SDiv:
    case AluOp::SMod: {
      Value *isZero = b.CreateICmpEQ(operand, zero);
      Value *isMinusOne = b.CreateICmpEQ(operand, minusOne);
      Value *divisor = b.CreateSelect(b.CreateOr(isZero, isMinusOne), constantOf(1), operand);
      if (d.alu == AluOp::SDiv)
        result = b.CreateSelect(isZero, zero, b.CreateSelect(isMinusOne, b.CreateNeg(a), b.CreateSDiv(a, divisor)));
      else
        result = b.CreateSelect(isZero, a, b.CreateSelect(isMinusOne, zero, b.CreateSRem(a, divisor)));
      break;
    }
    }
    setReg(insn.dst, d.is64 ? result : b.CreateZExt(result, m.i64));
  }

  // ---- memory ----
  Value *framePointerTo(int64_t offset) { return b.CreateConstGEP1_64(m.i8, frameTop, offset); }
  Value *hostPointer(Value *address) { return b.CreateIntToPtr(address, m.ptr); }

  // A condition under which the access must go to the runtime instead of
  // memory: a miss of the region cache (checked code), or an address in the
  // context accessor's region (unchecked code, when the access may reach
  // the context). nullptr: the access is plain.
  Value *slowPathCondition(Value *address, unsigned size, bool write) {
    if (checkedMode)
      return b.CreateNot(b.CreateCall(m.regionCheck(size, write), {regionCache, address}));
    if (!mayTouchContext[slot])
      return nullptr;
    return b.CreateICmpULT(b.CreateSub(address, contextBegin), contextSize);
  }

  // Splits the flow at `condition`: returns the fast and slow blocks and
  // the block where they join.
  struct Split {
    BasicBlock *fast, *slow, *join;
  };
  Split split(Value *condition) {
    Split s{BasicBlock::Create(m.context, "fast", function), BasicBlock::Create(m.context, "slow", function),
            BasicBlock::Create(m.context, "", function)};
    b.CreateCondBr(condition, s.slow, s.fast, llvm::MDBuilder(m.context).createBranchWeights(1, 1 << 10));
    return s;
  }

  Value *translateLoad(const DecodedInsn &d, const Insn &insn) {
    llvm::IntegerType *type = b.getIntNTy(d.size * 8);
    auto extend = [&](Value *value) { return d.signExtend ? b.CreateSExt(value, m.i64) : b.CreateZExt(value, m.i64); };
    if (insn.src == kFramePointer && insideFrame(insn.offset, d.size))
      return extend(b.CreateAlignedLoad(type, framePointerTo(insn.offset), llvm::Align(1)));
    Value *address = b.CreateAdd(reg(insn.src), b.getInt64(uint64_t(int64_t(insn.offset))));
    Value *slowCondition = slowPathCondition(address, d.size, false);
    if (!slowCondition)
      return extend(b.CreateAlignedLoad(type, hostPointer(address), llvm::Align(1)));

    Split s = split(slowCondition);
    b.SetInsertPoint(s.fast);
    Value *fastValue = extend(b.CreateAlignedLoad(type, hostPointer(address), llvm::Align(1)));
    b.CreateBr(s.join);
    b.SetInsertPoint(s.slow);
    Value *raw = b.CreateCall(m.rt.load, {run, programData, site(), address, b.getInt32(d.size)});
    unwindIfFinished();
    // A context accessor may widen a field (32-bit data -> a pointer):
    // zero-extending loads keep what it returns, as in the interpreter.
    Value *slowValue = d.signExtend ? b.CreateSExt(b.CreateTrunc(raw, type), m.i64) : raw;
    BasicBlock *slowEnd = b.GetInsertBlock();
    b.CreateBr(s.join);
    b.SetInsertPoint(s.join);
    llvm::PHINode *value = b.CreatePHI(m.i64, 2);
    value->addIncoming(fastValue, s.fast);
    value->addIncoming(slowValue, slowEnd);
    return value;
  }

  void translateStore(const DecodedInsn &d, const Insn &insn, Value *source) {
    llvm::IntegerType *type = b.getIntNTy(d.size * 8);
    Value *value = b.CreateTrunc(source, type);
    if (insn.dst == kFramePointer && insideFrame(insn.offset, d.size)) {
      b.CreateAlignedStore(value, framePointerTo(insn.offset), llvm::Align(1));
      return;
    }
    Value *address = b.CreateAdd(reg(insn.dst), b.getInt64(uint64_t(int64_t(insn.offset))));
    Value *slowCondition = slowPathCondition(address, d.size, true);
    if (!slowCondition) {
      b.CreateAlignedStore(value, hostPointer(address), llvm::Align(1));
      return;
    }
    Split s = split(slowCondition);
    b.SetInsertPoint(s.fast);
    b.CreateAlignedStore(value, hostPointer(address), llvm::Align(1));
    b.CreateBr(s.join);
    b.SetInsertPoint(s.slow);
    b.CreateCall(m.rt.store, {run, programData, site(), address, b.getInt32(d.size), b.CreateZExt(value, m.i64)});
    unwindIfFinished();
    b.CreateBr(s.join);
    b.SetInsertPoint(s.join);
  }

  void translateAtomic(const DecodedInsn &d, const Insn &insn) {
    const unsigned size = d.size;
    llvm::IntegerType *type = b.getIntNTy(size * 8);
    Value *pointer;
    if (insn.dst == kFramePointer && insideFrame(insn.offset, size)) {
      pointer = framePointerTo(insn.offset);
    } else {
      Value *address = b.CreateAdd(reg(insn.dst), b.getInt64(uint64_t(int64_t(insn.offset))));
      Value *slowCondition = slowPathCondition(address, size, true);
      if (!slowCondition) {
        pointer = hostPointer(address);
      } else {
        Split s = split(slowCondition);
        b.SetInsertPoint(s.fast);
        Value *fastPointer = hostPointer(address);
        b.CreateBr(s.join);
        b.SetInsertPoint(s.slow);
        Value *slowPointer = b.CreateCall(m.rt.atomicPointer, {run, programData, site(), address, b.getInt32(size)});
        unwindIfFinished();
        BasicBlock *slowEnd = b.GetInsertBlock();
        b.CreateBr(s.join);
        b.SetInsertPoint(s.join);
        llvm::PHINode *phi = b.CreatePHI(m.ptr, 2);
        phi->addIncoming(fastPointer, s.fast);
        phi->addIncoming(slowPointer, slowEnd);
        pointer = phi;
      }
    }

    const int32_t operation = insn.imm;
    Value *operand = b.CreateTrunc(reg(insn.src), type);
    Value *expected = b.CreateTrunc(reg(0), type);
    // Aligned: a real atomic, so maps shared with other threads stay
    // consistent. Misaligned (the kernel refuses these): the runtime's
    // plain read-modify-write, as the interpreter does.
    Value *aligned = b.CreateICmpEQ(b.CreateAnd(b.CreatePtrToInt(pointer, m.i64), b.getInt64(size - 1)),
                                    b.getInt64(0));
    BasicBlock *atomicBlock = BasicBlock::Create(m.context, "atomic", function);
    BasicBlock *misalignedBlock = BasicBlock::Create(m.context, "misaligned", function);
    BasicBlock *join = BasicBlock::Create(m.context, "", function);
    b.CreateCondBr(aligned, atomicBlock, misalignedBlock, llvm::MDBuilder(m.context).createBranchWeights(1 << 10, 1));

    b.SetInsertPoint(atomicBlock);
    Value *old;
    const auto ordering = llvm::AtomicOrdering::SequentiallyConsistent;
    if (d.atomic == AtomicOp::CmpXchg) {
      Value *pair = b.CreateAtomicCmpXchg(pointer, expected, operand, llvm::MaybeAlign(size), ordering, ordering);
      old = b.CreateExtractValue(pair, 0);
    } else {
      llvm::AtomicRMWInst::BinOp binop = llvm::AtomicRMWInst::Xchg;
      switch (d.atomic) {
      case AtomicOp::Add: binop = llvm::AtomicRMWInst::Add; break;
      case AtomicOp::Or: binop = llvm::AtomicRMWInst::Or; break;
      case AtomicOp::And: binop = llvm::AtomicRMWInst::And; break;
      case AtomicOp::Xor: binop = llvm::AtomicRMWInst::Xor; break;
      default: break;
      }
      old = b.CreateAtomicRMW(binop, pointer, operand, llvm::MaybeAlign(size), ordering);
    }
    b.CreateBr(join);

    b.SetInsertPoint(misalignedBlock);
    Value *misalignedOld = b.CreateTrunc(
        b.CreateCall(m.rt.misalignedAtomic, {pointer, b.getInt32(size), b.getInt32(uint32_t(operation)),
                                            b.CreateZExt(operand, m.i64), b.CreateZExt(expected, m.i64)}),
        type);
    b.CreateBr(join);

    b.SetInsertPoint(join);
    llvm::PHINode *oldValue = b.CreatePHI(type, 2);
    oldValue->addIncoming(old, atomicBlock);
    oldValue->addIncoming(misalignedOld, misalignedBlock);
    if (d.atomic == AtomicOp::CmpXchg)
      setReg(0, b.CreateZExt(oldValue, m.i64));
    else if (d.fetch)
      setReg(insn.src, b.CreateZExt(oldValue, m.i64));
  }

  // ---- calls ----
  std::vector<Value *> argumentRegisters() { return {reg(1), reg(2), reg(3), reg(4), reg(5)}; }

  void translateHelperCall() {
    if (checkedMode)
      setReg(0, callHelperFunction(argumentRegisters()));
    else
      translateTrustedHelperCall();
  }

  // The helper's function through the runtime (ebpfc_jit_call_helper); r0.
  Value *callHelperFunction(const std::vector<Value *> &registers) {
    spillBudget();
    std::vector<Value *> args = {run, programData, hostPointer(constant(slot)), site()};
    args.insert(args.end(), registers.begin(), registers.end());
    Value *result = b.CreateCall(m.rt.callHelper, args);
    reloadBudget();
    unwindIfFinished();
    return result;
  }

  // Trusted code first tries the helper's fast path (Helper::direct), when
  // the environment's helper has one; declined or absent, the helper's
  // function through the runtime.
  void translateTrustedHelperCall() {
    const uint32_t index = m.request.constants.indexOfSlot[slot];
    if (!directHelpers)
      directHelpers = programDataField(offsetof(JitProgramData, directHelpers), "direct_helpers");
    const std::vector<Value *> registers = argumentRegisters();
    BasicBlock *join = BasicBlock::Create(m.context, "helper_done", function);
    llvm::PHINode *result = llvm::PHINode::Create(m.i64, 3, "", join);

    // bpf_map_lookup_elem on an array the loader laid out: the kernel's
    // inlined lookup (index below max_entries, else NULL).
    if (m.request.constants.lookupMapSlot[index] != ConstantPlan::kNone) {
      Value *layout = b.CreateConstGEP1_64(m.i8, programDataField(offsetof(JitProgramData, arrayLayouts), "layouts"),
                                           uint64_t(index) * sizeof(ArrayLayout));
      auto layoutField = [&](size_t offset) {
        auto *load = b.CreateLoad(m.i64, b.CreateConstGEP1_64(m.i8, layout, offset));
        load->setMetadata(llvm::LLVMContext::MD_invariant_load, m.invariant);
        return load;
      };
      Value *values = layoutField(offsetof(ArrayLayout, values));
      BasicBlock *inlined = BasicBlock::Create(m.context, "array_lookup", function);
      BasicBlock *notInlined = BasicBlock::Create(m.context, "helper_call", function);
      b.CreateCondBr(b.CreateICmpNE(values, b.getInt64(0)), inlined, notInlined);
      b.SetInsertPoint(inlined);
      Value *key = b.CreateZExt(b.CreateLoad(m.i32, b.CreateIntToPtr(registers[1], m.ptr)), m.i64);
      Value *element = b.CreateAdd(values, b.CreateMul(key, layoutField(offsetof(ArrayLayout, stride))));
      Value *found = b.CreateSelect(b.CreateICmpULT(key, layoutField(offsetof(ArrayLayout, maxEntries))), element,
                                    b.getInt64(0));
      result->addIncoming(found, inlined);
      b.CreateBr(join);
      b.SetInsertPoint(notInlined);
    }

    auto *direct = b.CreateLoad(m.ptr, b.CreateConstGEP1_64(m.i64, directHelpers, index));
    direct->setMetadata(llvm::LLVMContext::MD_invariant_load, m.invariant);
    BasicBlock *fast = BasicBlock::Create(m.context, "helper_fast", function);
    BasicBlock *generic = BasicBlock::Create(m.context, "helper_generic", function);
    b.CreateCondBr(b.CreateIsNotNull(direct), fast, generic);

    b.SetInsertPoint(fast);
    std::vector<Value *> directArgs = {b.CreateLoad(m.ptr, runField(offsetof(JitRun, hostState)))};
    directArgs.insert(directArgs.end(), registers.begin(), registers.end());
    Value *answer = b.CreateCall(m.directHelperType, direct, directArgs);
    Value *fastValue = b.CreateExtractValue(answer, 0);
    b.CreateCondBr(b.CreateICmpNE(b.CreateExtractValue(answer, 1), b.getInt64(0)), join, generic);

    b.SetInsertPoint(generic);
    Value *genericValue = callHelperFunction(registers);
    BasicBlock *genericEnd = b.GetInsertBlock();
    b.CreateBr(join);

    b.SetInsertPoint(join);
    result->addIncoming(fastValue, fast);
    result->addIncoming(genericValue, genericEnd);
    setReg(0, result);
  }

  // A call of a compiled function of this program (direct, or through a
  // pointer for callx): the depth limit, the call site for fault reports,
  // the frame, the result.
  void emitLocalCall(llvm::FunctionCallee callee) {
    BasicBlock *call = BasicBlock::Create(m.context, "call", function);
    b.CreateCondBr(b.CreateICmpUGE(depth, b.getInt32(kMaxCallFrames)), faultBlock(CompiledFault::CallDepth), call,
                   llvm::MDBuilder(m.context).createBranchWeights(1, 1 << 20));
    b.SetInsertPoint(call);
    Value *callSite = b.CreateInBoundsGEP(m.i32, runField(offsetof(JitRun, callSites)), {b.CreateZExt(depth, m.i64)});
    b.CreateStore(b.getInt32(slot), callSite);
    Value *calleeDepth = b.CreateAdd(depth, b.getInt32(1));
    if (checkedMode) {
      b.CreateCall(m.rt.enterFrame, {run, calleeDepth});
      spillBudget();
    }
    std::vector<Value *> args = {run, programData};
    for (Value *argument : argumentRegisters())
      args.push_back(argument);
    args.push_back(calleeDepth);
    Value *result = b.CreateCall(callee, args);
    if (checkedMode) {
      b.CreateCall(m.rt.leaveFrame, {run, depth});
      reloadBudget();
    }
    unwindIfFinished();
    setReg(0, result);
  }

  void translateLocalCall(llvm::Function *callee) { emitLocalCall(callee); }

  // callx: a function value (ld_imm64 of a function) is a local call; any
  // other value is a helper id (as the conformance suite expects) or a
  // bad target.
  void translateCallx(const Insn &insn) {
    Value *target = reg(insn.dst);
    Value *isFunction = b.CreateICmpEQ(b.CreateLShr(target, 32), b.getInt64(interp::kFunctionRefTag >> 32));
    BasicBlock *functionBlock = BasicBlock::Create(m.context, "callx.function", function);
    BasicBlock *helperBlock = BasicBlock::Create(m.context, "callx.helper", function);
    BasicBlock *join = BasicBlock::Create(m.context, "", function);
    b.CreateCondBr(isFunction, functionBlock, helperBlock);

    b.SetInsertPoint(functionBlock);
    BasicBlock *call = BasicBlock::Create(m.context, "callx.call", function);
    llvm::SwitchInst *dispatch =
        b.CreateSwitch(low32(target), faultBlock(CompiledFault::BadCallTarget, target), uint32_t(m.functions().size()));
    b.SetInsertPoint(call);
    llvm::PHINode *callee = b.CreatePHI(m.ptr, uint32_t(m.functions().size()));
    for (const auto &[entrySlot, compiled] : m.functions()) {
      BasicBlock *caseBlock = BasicBlock::Create(m.context, "callx.case", function);
      dispatch->addCase(b.getInt32(entrySlot), caseBlock);
      llvm::IRBuilder<>(caseBlock).CreateBr(call);
      callee->addIncoming(compiled, caseBlock);
    }
    emitLocalCall(llvm::FunctionCallee(m.compiledType, callee));
    b.CreateBr(join);

    b.SetInsertPoint(helperBlock);
    spillBudget();
    std::vector<Value *> args = {run, programData, target, site()};
    for (Value *argument : argumentRegisters())
      args.push_back(argument);
    Value *result = b.CreateCall(m.rt.callxHelper, args);
    reloadBudget();
    unwindIfFinished();
    setReg(0, result);
    b.CreateBr(join);
    b.SetInsertPoint(join);
  }

  // bpf_tail_call(ctx, progArray, index): the target program replaces this
  // frame (a musttail call, so 33 tail calls do not grow the host stack);
  // an empty slot or a bad index falls through.
  void translateTailCall() {
    spillBudget();
    Value *target = b.CreateCall(m.rt.tailCall, {run, programData, site(), reg(2), reg(3)});
    unwindIfFinished();
    Value *entryPoint = b.CreateExtractValue(target, 0);
    BasicBlock *jump = BasicBlock::Create(m.context, "tailcall", function);
    BasicBlock *fallThrough = BasicBlock::Create(m.context, "", function);
    b.CreateCondBr(b.CreateIsNull(entryPoint), fallThrough, jump);
    b.SetInsertPoint(jump);
    std::vector<Value *> args = {run, b.CreateExtractValue(target, 1)};
    for (Value *argument : argumentRegisters())
      args.push_back(argument);
    args.push_back(depth);
    llvm::CallInst *call = b.CreateCall(m.compiledType, entryPoint, args);
    call->setTailCallKind(llvm::CallInst::TCK_MustTail);
    b.CreateRet(call);
    b.SetInsertPoint(fallThrough);
  }

  ModuleTranslator &m;
  const FunctionShape &shape;
  const std::vector<bool> &mayTouchContext;
  const ProgramImage &image;
  const CheckedProgram &checked;
  const bool checkedMode;
  llvm::Function *function;
  llvm::IRBuilder<> b;

  BasicBlock *entry = nullptr;
  std::map<uint32_t, BasicBlock *> blockAt;
  uint32_t slot = 0; // the instruction being translated
  std::array<llvm::AllocaInst *, 10> registers{};
  Value *run = nullptr, *programData = nullptr, *depth = nullptr, *depthShifted = nullptr;
  Value *constants = nullptr;
  Value *directHelpers = nullptr; // trusted code
  Value *frameTop = nullptr;     // pointer to r10
  Value *framePointer = nullptr; // r10 as an integer
  // Checked code.
  llvm::AllocaInst *budget = nullptr;
  Value *regionCache = nullptr;
  // Unchecked code.
  Value *contextBegin = nullptr, *contextSize = nullptr;
};

} // namespace

std::unique_ptr<llvm::Module> translateProgram(const TranslationRequest &request, llvm::LLVMContext &context,
                                               const llvm::DataLayout &layout, const llvm::Triple &triple) {
  auto module = std::make_unique<llvm::Module>(request.symbolPrefix, context);
  module->setDataLayout(layout);
  module->setTargetTriple(triple.str());
  const std::vector<FunctionShape> shapes = shapeFunctions(request.image, request.checked);
  const std::vector<std::vector<bool>> contextAccesses =
      request.checkedMode || request.contextIsPlainMemory
          ? std::vector<std::vector<bool>>(shapes.size(), std::vector<bool>(request.image.insns.size()))
                          : findContextAccesses(request.image, request.checked, shapes);
  ModuleTranslator translator(request, context, *module);
  translator.declareFunctions(shapes);
  for (size_t i = 0; i < shapes.size(); ++i)
    FunctionTranslator(translator, shapes[i], contextAccesses[i]).translate();
  return module;
}

} // namespace ebpfc::runtime::jit
