#include "passes/SpillLocals.h"

#include "ir/MapType.h"

#include <llvm/ADT/SetVector.h>
#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/DebugProgramInstruction.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <map>
#include <set>

namespace ebpfc::passes {

namespace {

constexpr const char *kMapBaseName = "ebpfc_spill";
constexpr uint64_t kSlotAlignment = 8;
constexpr int64_t kHelperMapLookupElem = 1;

uint64_t alignTo(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

bool containsPointer(llvm::Type *type) {
  if (type->isPointerTy())
    return true;
  if (auto *array = llvm::dyn_cast<llvm::ArrayType>(type))
    return containsPointer(array->getElementType());
  if (auto *vector = llvm::dyn_cast<llvm::VectorType>(type))
    return containsPointer(vector->getElementType());
  if (auto *structure = llvm::dyn_cast<llvm::StructType>(type))
    return llvm::any_of(structure->elements(), containsPointer);
  return false;
}

// Whether a pointer value is ever stored into the memory of `alloca`
// (through any address derived from it). The verifier rejects pointers in
// map values, so such locals must stay on the stack.
bool mayHoldPointer(llvm::AllocaInst &alloca) {
  if (containsPointer(alloca.getAllocatedType()))
    return true;
  llvm::SmallVector<llvm::Value *, 16> work{&alloca};
  llvm::SmallPtrSet<llvm::Value *, 16> seen{&alloca};
  while (!work.empty()) {
    llvm::Value *address = work.pop_back_val();
    for (llvm::User *user : address->users()) {
      if (auto *store = llvm::dyn_cast<llvm::StoreInst>(user)) {
        if (store->getPointerOperand() == address && containsPointer(store->getValueOperand()->getType()))
          return true;
      } else if (llvm::isa<llvm::GetElementPtrInst, llvm::CastInst, llvm::PHINode, llvm::SelectInst>(user)) {
        if (seen.insert(user).second)
          work.push_back(user);
      }
    }
  }
  return false;
}

struct FunctionBlock {
  llvm::Function *function = nullptr;
  std::vector<std::pair<llvm::AllocaInst *, uint64_t>> locals; // alloca, offset within the block
  uint64_t size = 0;
  uint64_t offset = 0; // within the map value
};

// Functions each function calls or references (callbacks), directly.
std::map<llvm::Function *, std::set<llvm::Function *>> referencedFunctions(llvm::Module &module) {
  std::map<llvm::Function *, std::set<llvm::Function *>> edges;
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    std::set<llvm::Function *> &out = edges[&function];
    for (llvm::BasicBlock &block : function)
      for (llvm::Instruction &instruction : block)
        for (llvm::Value *operand : instruction.operands())
          if (auto *callee = llvm::dyn_cast<llvm::Function>(operand->stripPointerCasts()))
            if (!callee->isDeclaration())
              out.insert(callee);
  }
  return edges;
}

std::set<llvm::Function *> reachable(llvm::Function *from,
                                     const std::map<llvm::Function *, std::set<llvm::Function *>> &edges) {
  std::set<llvm::Function *> seen;
  std::vector<llvm::Function *> work{from};
  while (!work.empty()) {
    llvm::Function *f = work.back();
    work.pop_back();
    auto it = edges.find(f);
    if (it == edges.end())
      continue;
    for (llvm::Function *callee : it->second)
      if (seen.insert(callee).second)
        work.push_back(callee);
  }
  return seen;
}

// Places every function's block at the lowest 8-byte offset that overlaps
// no block of a function that can be active at the same time. Returns the
// size of the whole value.
uint64_t layOut(std::vector<FunctionBlock> &blocks, llvm::Module &module, const ir::Module &program) {
  auto edges = referencedFunctions(module);
  std::map<llvm::Function *, std::set<llvm::Function *>> reach;
  for (FunctionBlock &block : blocks)
    reach[block.function] = reachable(block.function, edges);
  std::map<llvm::Function *, std::set<size_t>> programsUsing;
  for (size_t p = 0; p < program.programs.size(); ++p) {
    llvm::Function *entry = module.getFunction(program.programs[p].name);
    if (!entry)
      continue;
    programsUsing[entry].insert(p);
    for (llvm::Function *f : reachable(entry, edges))
      programsUsing[f].insert(p);
  }
  auto conflict = [&](llvm::Function *a, llvm::Function *b) {
    return reach[a].count(b) || reach[b].count(a) || programsUsing[a] != programsUsing[b];
  };
  uint64_t total = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    uint64_t offset = 0;
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t j = 0; j < i; ++j) {
        bool overlaps = offset < blocks[j].offset + blocks[j].size && blocks[j].offset < offset + blocks[i].size;
        if (overlaps && conflict(blocks[i].function, blocks[j].function)) {
          offset = alignTo(blocks[j].offset + blocks[j].size, kSlotAlignment);
          moved = true;
        }
      }
    }
    blocks[i].offset = offset;
    total = std::max(total, offset + blocks[i].size);
  }
  return total;
}

std::string freeGlobalName(const llvm::Module &module) {
  std::string name = kMapBaseName;
  for (unsigned n = 1; module.getNamedValue(name); ++n)
    name = std::string(kMapBaseName) + "_" + std::to_string(n);
  return name;
}

// The map definition libbpf reads from BTF:
//   struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);
//            __type(key, __u32); __type(value, __u8[SIZE]); } NAME SEC(".maps");
// (`__uint(n, v)` is `int (*n)[v]`, `__type(n, T)` is `T *n`). The kernel
// wants BTF types for both key and value, or for neither.
llvm::GlobalVariable *createScratchMap(llvm::Module &module, llvm::DICompileUnit &unit, const std::string &name,
                                       uint64_t valueSize) {
  llvm::LLVMContext &context = module.getContext();
  llvm::PointerType *pointer = llvm::PointerType::getUnqual(context);
  llvm::StructType *layout = llvm::StructType::get(context, {pointer, pointer, pointer, pointer});
  auto *map = new llvm::GlobalVariable(module, layout, false, llvm::GlobalValue::ExternalLinkage,
                                       llvm::Constant::getNullValue(layout), name);
  map->setSection(".maps");
  map->setAlignment(llvm::Align(8));
  map->setDSOLocal(true);

  llvm::DIBuilder builder(module, /*AllowUnresolved=*/false, &unit);
  llvm::DIFile *file = unit.getFile();
  llvm::DIBasicType *intType = builder.createBasicType("int", 32, llvm::dwarf::DW_ATE_signed);
  llvm::DIBasicType *u32Type = builder.createBasicType("unsigned int", 32, llvm::dwarf::DW_ATE_unsigned);
  llvm::DIBasicType *byteType = builder.createBasicType("unsigned char", 8, llvm::dwarf::DW_ATE_unsigned_char);
  auto array = [&](llvm::DIType *element, uint64_t elementBits, uint64_t count) {
    llvm::Metadata *range = builder.getOrCreateSubrange(0, static_cast<int64_t>(count));
    return builder.createArrayType(count * elementBits, elementBits, element, builder.getOrCreateArray({range}));
  };
  auto number = [&](uint64_t value) { return builder.createPointerType(array(intType, 32, value), 64); };
  llvm::DICompositeType *type =
      builder.createStructType(&unit, "", file, 0, 256, 64, llvm::DINode::FlagZero, nullptr, llvm::DINodeArray());
  std::vector<std::pair<const char *, llvm::DIType *>> fields = {
      {"type", number(static_cast<uint64_t>(ir::MapType::PercpuArray))},
      {"max_entries", number(1)},
      {"key", builder.createPointerType(u32Type, 64)},
      {"value", builder.createPointerType(array(byteType, 8, valueSize), 64)},
  };
  std::vector<llvm::Metadata *> members;
  for (size_t i = 0; i < fields.size(); ++i)
    members.push_back(builder.createMemberType(type, fields[i].first, file, 0, 64, 64, i * 64,
                                               llvm::DINode::FlagZero, fields[i].second));
  builder.replaceArrays(type, builder.getOrCreateArray(members));
  map->addDebugInfo(builder.createGlobalVariableExpression(&unit, name, name, file, 0, type, false));
  builder.finalize();
  return map;
}

// Drops what described `alloca` as a stack variable: lifetime markers and
// debug records whose location is the alloca.
void forgetStackVariable(llvm::AllocaInst &alloca) {
  llvm::SmallVector<llvm::DbgVariableIntrinsic *, 4> intrinsics;
  llvm::SmallVector<llvm::DbgVariableRecord *, 4> records;
  llvm::findDbgUsers(intrinsics, &alloca, &records);
  for (llvm::DbgVariableIntrinsic *intrinsic : intrinsics)
    intrinsic->eraseFromParent();
  for (llvm::DbgVariableRecord *record : records)
    record->eraseFromParent();
  llvm::at::deleteAssignmentMarkers(&alloca);
  llvm::SmallVector<llvm::Value *, 16> work{&alloca};
  llvm::SmallPtrSet<llvm::Value *, 16> seen{&alloca};
  llvm::SmallVector<llvm::Instruction *, 8> lifetimes;
  while (!work.empty()) {
    llvm::Value *address = work.pop_back_val();
    for (llvm::User *user : address->users()) {
      auto *instruction = llvm::dyn_cast<llvm::Instruction>(user);
      if (!instruction)
        continue;
      if (instruction->isLifetimeStartOrEnd())
        lifetimes.push_back(instruction);
      // Stores tagged for assignment tracking of this variable lose the tag
      // with the markers above.
      instruction->setMetadata(llvm::LLVMContext::MD_DIAssignID, nullptr);
      if (llvm::isa<llvm::GetElementPtrInst, llvm::CastInst, llvm::PHINode, llvm::SelectInst>(instruction) &&
          seen.insert(instruction).second)
        work.push_back(instruction);
    }
  }
  for (llvm::Instruction *lifetime : lifetimes)
    lifetime->eraseFromParent();
  alloca.setMetadata(llvm::LLVMContext::MD_DIAssignID, nullptr);
}

// Looks up the scratch value on entry to the function, returns 0 when the
// lookup fails, and replaces the spilled allocas by fixed offsets into it.
void rewrite(FunctionBlock &block, llvm::GlobalVariable &map) {
  llvm::Function &function = *block.function;
  llvm::LLVMContext &context = function.getContext();
  llvm::BasicBlock &entry = function.getEntryBlock();
  llvm::DebugLoc location;
  if (llvm::DISubprogram *subprogram = function.getSubprogram())
    location = llvm::DILocation::get(context, subprogram->getScopeLine(), 0, subprogram);

  llvm::IRBuilder<> builder(&entry, entry.begin());
  builder.SetCurrentDebugLocation(location);
  llvm::AllocaInst *key = builder.CreateAlloca(builder.getInt32Ty(), nullptr, "ebpfc.spill.key");
  builder.SetInsertPoint(&entry, entry.getFirstNonPHIOrDbgOrAlloca());
  builder.CreateStore(builder.getInt32(0), key);
  llvm::PointerType *pointer = builder.getPtrTy();
  llvm::FunctionType *lookupType = llvm::FunctionType::get(pointer, {pointer, pointer}, false);
  llvm::Value *helper = llvm::ConstantExpr::getIntToPtr(builder.getInt64(kHelperMapLookupElem), pointer);
  llvm::Value *scratch = builder.CreateCall(lookupType, helper, {&map, key}, "ebpfc.spill");
  llvm::Value *missing = builder.CreateICmpEQ(scratch, llvm::ConstantPointerNull::get(pointer));

  llvm::Instruction *splitAt = &*builder.GetInsertPoint();
  // Static allocas after the split point would land in a non-entry block
  // and become dynamic stack allocations, which BPF cannot do.
  for (llvm::Instruction &instruction : llvm::make_early_inc_range(
           llvm::make_range(splitAt->getIterator(), entry.end())))
    if (auto *alloca = llvm::dyn_cast<llvm::AllocaInst>(&instruction); alloca && alloca->isStaticAlloca())
      alloca->moveBefore(key->getNextNode());
  llvm::BasicBlock *body = entry.splitBasicBlock(splitAt, "ebpfc.spill.found");
  llvm::BasicBlock *fail = llvm::BasicBlock::Create(context, "ebpfc.spill.missing", &function, body);
  entry.getTerminator()->eraseFromParent();
  builder.SetInsertPoint(&entry);
  builder.CreateCondBr(missing, fail, body);
  builder.SetInsertPoint(fail);
  if (function.getReturnType()->isVoidTy())
    builder.CreateRetVoid();
  else
    builder.CreateRet(llvm::Constant::getNullValue(function.getReturnType()));

  // The addresses are computed after the null check: the verifier refuses
  // arithmetic on a pointer that may still be null.
  builder.SetInsertPoint(body, body->getFirstInsertionPt());
  for (auto &[alloca, offset] : block.locals) {
    llvm::Value *address =
        builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), scratch, block.offset + offset, alloca->getName());
    forgetStackVariable(*alloca);
    alloca->replaceAllUsesWith(address);
    alloca->eraseFromParent();
  }
}

} // namespace

bool SpillLocals::run(ir::Module &module, PassContext &context) {
  if (!context.options.spillThreshold)
    return true;
  uint64_t threshold = *context.options.spillThreshold;
  llvm::Module &llvmModule = module.llvm();
  const llvm::DataLayout &layout = llvmModule.getDataLayout();

  std::vector<FunctionBlock> blocks;
  for (llvm::Function &function : llvmModule) {
    if (function.isDeclaration())
      continue;
    FunctionBlock block;
    block.function = &function;
    for (llvm::Instruction &instruction : function.getEntryBlock()) {
      auto *alloca = llvm::dyn_cast<llvm::AllocaInst>(&instruction);
      if (!alloca || !alloca->isStaticAlloca())
        continue;
      std::optional<llvm::TypeSize> size = alloca->getAllocationSize(layout);
      if (!size || size->isScalable() || size->getFixedValue() < threshold || mayHoldPointer(*alloca))
        continue;
      uint64_t alignment = std::max<uint64_t>(alloca->getAlign().value(), kSlotAlignment);
      block.size = alignTo(block.size, alignment);
      block.locals.emplace_back(alloca, block.size);
      block.size += size->getFixedValue();
    }
    if (!block.locals.empty()) {
      block.size = alignTo(block.size, kSlotAlignment);
      blocks.push_back(std::move(block));
    }
  }
  if (blocks.empty())
    return true;

  auto units = llvmModule.debug_compile_units();
  if (units.empty()) {
    context.diags.error("--spill-locals needs debug information for the map's BTF definition",
                        {{{}, "compile the source with ebpfc's frontends, which always emit it"}});
    return false;
  }
  uint64_t valueSize = layOut(blocks, llvmModule, module);
  std::string name = freeGlobalName(llvmModule);
  llvm::GlobalVariable *map = createScratchMap(llvmModule, **units.begin(), name, valueSize);
  for (FunctionBlock &block : blocks)
    rewrite(block, *map);

  ir::MapDef definition;
  definition.name = name;
  definition.type = static_cast<uint32_t>(ir::MapType::PercpuArray);
  definition.keySize = 4;
  definition.valueSize = static_cast<uint32_t>(valueSize);
  definition.maxEntries = 1;
  definition.keyType = "unsigned int";
  definition.valueType = "unsigned char[" + std::to_string(valueSize) + "]";
  module.maps.push_back(std::move(definition));
  return true;
}

} // namespace ebpfc::passes
