#include "frontend/p4/LoweringContext.h"

#include "ir/HelperTable.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

namespace ebpfc::p4 {

LoweringContext::LoweringContext(llvm::LLVMContext &llvmContext, std::unique_ptr<llvm::Module> module,
                                 const llvm::DataLayout &layout, Program &program, CheckedProgram &checked,
                                 TypeContext &types, const SourceMap &sourceMap, ir::DiagnosticEngine &diags,
                                 uint32_t mainFile)
    : llvm(llvmContext), module(std::move(module)), builder(llvmContext), debug(*this->module, sourceMap, mainFile),
      layouts(llvmContext, layout, debug), program(program), checked(checked), types(types), sourceMap(sourceMap),
      diags(diags) {}

void LoweringContext::error(Loc loc, std::string message) {
  failed_ = true;
  diags.error(sourceMap.toSourceLocation(loc), std::move(message));
}

void LoweringContext::unsupported(Loc loc, const std::string &what) {
  error(loc, what + " is not supported by the eBPF target");
}

void LoweringContext::at(Loc loc) {
  if (!loc.valid())
    return;
  currentLoc_ = loc;
  builder.SetCurrentDebugLocation(debug.location(loc));
}

llvm::BasicBlock *LoweringContext::newBlock(const std::string &name) {
  return llvm::BasicBlock::Create(llvm, name, function);
}

void LoweringContext::continueAfterTerminator() { builder.SetInsertPoint(newBlock("unreachable")); }

llvm::AllocaInst *LoweringContext::entryAlloca(llvm::Type *type, const std::string &name) {
  llvm::IRBuilder<> entry(&function->getEntryBlock(), function->getEntryBlock().begin());
  return entry.CreateAlloca(type, nullptr, name);
}

llvm::Value *LoweringContext::callHelper(const char *name, llvm::Type *returnType,
                                         llvm::ArrayRef<llvm::Value *> args) {
  const ir::HelperInfo *helper = ir::findHelper(name);
  std::vector<llvm::Type *> parameterTypes;
  for (llvm::Value *a : args)
    parameterTypes.push_back(a->getType());
  auto *signature = llvm::FunctionType::get(returnType, parameterTypes, false);
  // The BPF backend turns a call through a constant address into a call of
  // the helper with that id, as libbpf's helper declarations do.
  llvm::Constant *address = llvm::ConstantExpr::getIntToPtr(builder.getInt64(helper->id), pointer());
  return builder.CreateCall(signature, address, args);
}

llvm::GlobalVariable *LoweringContext::defineMap(const MapSpec &spec) {
  llvm::DIBuilder &di = debug.builder();
  std::vector<DebugInfo::Member> members;
  auto number = [&](const char *field, uint64_t value) {
    llvm::DIType *array = debug.arrayOf(debug.integerType(4, true), value);
    members.push_back({field, debug.pointerTo(array), members.size() * 8});
  };
  number("type", static_cast<uint64_t>(spec.type));
  number("max_entries", spec.maxEntries);
  if (spec.flags)
    number("map_flags", spec.flags);
  members.push_back({"key", debug.pointerTo(spec.keyType), members.size() * 8});
  members.push_back({"value", debug.pointerTo(spec.valueType), members.size() * 8});

  std::vector<llvm::Type *> pointers(members.size(), pointer());
  auto *type = llvm::StructType::get(llvm, pointers);
  auto *global = new llvm::GlobalVariable(*module, type, false, llvm::GlobalValue::ExternalLinkage,
                                          llvm::Constant::getNullValue(type), spec.name);
  global->setSection(".maps");
  global->setAlignment(llvm::Align(8));
  global->setDSOLocal(true);
  llvm::DICompositeType *definition = debug.structType("", members.size() * 8, members, spec.loc);
  llvm::DIFile *file = debug.file(spec.loc.file ? spec.loc.file : 0);
  global->addDebugInfo(di.createGlobalVariableExpression(debug.compileUnit(), spec.name, "", file, spec.loc.line,
                                                         definition, /*isLocalToUnit=*/false));
  keep(global);
  return global;
}

llvm::GlobalVariable *LoweringContext::zeroGlobal(const std::string &name, Loc loc) {
  auto *global = new llvm::GlobalVariable(*module, i32(), false, llvm::GlobalValue::ExternalLinkage,
                                          llvm::ConstantInt::get(i32(), 0), name);
  global->setAlignment(llvm::Align(4));
  global->setDSOLocal(true);
  global->addDebugInfo(debug.builder().createGlobalVariableExpression(
      debug.compileUnit(), name, "", debug.file(loc.file), loc.line, debug.integerType(4, false), false));
  keep(global);
  return global;
}

llvm::Value *LoweringContext::mapLookup(llvm::GlobalVariable *map, llvm::Value *key) {
  return callHelper("map_lookup_elem", pointer(), {map, key});
}

llvm::Value *LoweringContext::mapUpdate(llvm::GlobalVariable *map, llvm::Value *key, llvm::Value *value,
                                        uint64_t flags) {
  return callHelper("map_update_elem", i64(), {map, key, value, builder.getInt64(flags)});
}

llvm::Value *LoweringContext::scratchBytes(uint64_t size, uint64_t align, const std::string &name,
                                           llvm::DIType *debugType) {
  align = std::max<uint64_t>(align, 1);
  uint64_t offset = (scratchSize_ + align - 1) / align * align;
  scratchSize_ = offset + std::max<uint64_t>(size, 1);
  scratchAlign_ = std::max(scratchAlign_, std::min<uint64_t>(align, 8));
  std::string slotName = name;
  for (char &c : slotName)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  scratchSlots_.push_back({slotName + "_" + std::to_string(scratchSlots_.size()), offset, debugType});
  return byteAddress(scratchBase_, offset);
}

llvm::Value *LoweringContext::scratch(const Type *type, const std::string &name) {
  const Layout &layout = layouts.of(type);
  return scratchBytes(layout.size, layout.align, name, layout.debugType);
}

llvm::Value *LoweringContext::openScratch() {
  auto *type = llvm::StructType::get(llvm, {pointer(), pointer(), pointer(), pointer()});
  scratchMap_ = new llvm::GlobalVariable(*module, type, false, llvm::GlobalValue::ExternalLinkage,
                                         llvm::Constant::getNullValue(type), "ebpfc_p4_scratch");
  scratchMap_->setSection(".maps");
  scratchMap_->setAlignment(llvm::Align(8));
  scratchMap_->setDSOLocal(true);
  keep(scratchMap_);
  llvm::AllocaInst *key = entryAlloca(i32(), "scratch_key");
  builder.CreateStore(builder.getInt32(0), key);
  scratchBase_ = mapLookup(scratchMap_, key);
  return builder.CreateIsNull(scratchBase_);
}

void LoweringContext::closeScratch(llvm::Instruction *zeroAt, Loc loc) {
  uint64_t size = std::max<uint64_t>((scratchSize_ + 7) / 8 * 8, 8);
  {
    llvm::IRBuilderBase::InsertPointGuard guard(builder);
    builder.SetInsertPoint(zeroAt);
    zeroBytes(scratchBase_, size);
  }
  std::vector<DebugInfo::Member> members;
  for (const ScratchSlot &slot : scratchSlots_)
    if (slot.debugType && slot.offset + slot.debugType->getSizeInBits() / 8 <= size)
      members.push_back({slot.name, slot.debugType, slot.offset});
  llvm::DICompositeType *value = debug.structType("ebpfc_p4_scratch_t", size, members, loc);
  std::vector<DebugInfo::Member> definition;
  auto number = [&](const char *field, uint64_t n) {
    definition.push_back({field, debug.pointerTo(debug.arrayOf(debug.integerType(4, true), n)), definition.size() * 8});
  };
  number("type", static_cast<uint64_t>(ir::MapType::PercpuArray));
  number("max_entries", 1);
  definition.push_back({"key", debug.pointerTo(debug.integerType(4, false)), definition.size() * 8});
  definition.push_back({"value", debug.pointerTo(value), definition.size() * 8});
  llvm::DICompositeType *mapType = debug.structType("", definition.size() * 8, definition, loc);
  scratchMap_->addDebugInfo(debug.builder().createGlobalVariableExpression(
      debug.compileUnit(), scratchMap_->getName(), "", debug.file(loc.file), loc.line, mapType, false));
}

llvm::Value *LoweringContext::byteAddress(llvm::Value *base, uint64_t offset) {
  if (offset == 0)
    return base;
  return builder.CreateInBoundsGEP(i8(), base, builder.getInt64(offset));
}

llvm::Value *LoweringContext::loadValue(llvm::Value *address, const Type *type) {
  llvm::Type *valueType = layouts.valueType(type);
  const Layout &layout = layouts.of(type);
  llvm::Value *stored = builder.CreateAlignedLoad(layout.storage, address, llvm::Align(layout.align));
  if (valueType == layout.storage)
    return stored;
  if (type->kind == TypeKind::Bool)
    return builder.CreateICmpNE(stored, llvm::ConstantInt::get(layout.storage, 0));
  return builder.CreateTrunc(stored, valueType);
}

void LoweringContext::storeValue(llvm::Value *address, const Type *type, llvm::Value *value) {
  const Layout &layout = layouts.of(type);
  if (value->getType() != layout.storage) {
    const Type *bits = type->bitsRepresentation();
    value = bits && bits->isSigned ? builder.CreateSExt(value, layout.storage) : builder.CreateZExt(value, layout.storage);
  }
  builder.CreateAlignedStore(value, address, llvm::Align(layout.align));
}

// Copies and clears in pieces of at most 256 bytes: the BPF backend expands
// memcpy and memset inline only up to a limited number of stores.
void LoweringContext::copyBytes(llvm::Value *destination, llvm::Value *source, uint64_t size) {
  for (uint64_t done = 0; done < size; done += 256) {
    uint64_t chunk = std::min<uint64_t>(256, size - done);
    builder.CreateMemCpy(byteAddress(destination, done), llvm::MaybeAlign(1), byteAddress(source, done),
                         llvm::MaybeAlign(1), chunk);
  }
}

void LoweringContext::zeroBytes(llvm::Value *destination, uint64_t size) {
  for (uint64_t done = 0; done < size; done += 256) {
    uint64_t chunk = std::min<uint64_t>(256, size - done);
    builder.CreateMemSet(byteAddress(destination, done), builder.getInt8(0), chunk,
                         llvm::MaybeAlign(done % 8 == 0 ? 8 : 1));
  }
}

llvm::Value *LoweringContext::fieldAddress(llvm::Value *base, const Type *type, unsigned index) {
  return byteAddress(base, layouts.of(type).fieldOffsets[index]);
}

llvm::Value *LoweringContext::validAddress(llvm::Value *header, const Type *type) {
  return byteAddress(header, layouts.of(type).validOffset);
}

void LoweringContext::invalidateHeaders(llvm::Value *address, const Type *type) {
  switch (type->kind) {
  case TypeKind::Header:
    builder.CreateStore(builder.getInt8(0), validAddress(address, type));
    return;
  case TypeKind::Struct:
  case TypeKind::HeaderUnion:
  case TypeKind::Tuple:
    for (unsigned i = 0; i < type->fields.size(); ++i)
      invalidateHeaders(fieldAddress(address, type, i), type->fields[i].type);
    return;
  case TypeKind::Stack: {
    const Layout &element = layouts.of(type->underlying);
    for (unsigned i = 0; i < type->size; ++i)
      invalidateHeaders(byteAddress(address, i * element.size), type->underlying);
    builder.CreateStore(builder.getInt32(0), byteAddress(address, layouts.of(type).nextIndexOffset));
    return;
  }
  default:
    return;
  }
}

llvm::Constant *LoweringContext::constantValue(const Constant &c, const Type *type) {
  llvm::Type *valueType = layouts.valueType(type);
  if (!valueType)
    return nullptr;
  if (c.kind == Constant::Kind::Member)
    return llvm::ConstantInt::get(valueType, c.memberIndex);
  unsigned width = valueType->getIntegerBitWidth();
  const Type *bits = type->bitsRepresentation();
  llvm::APInt value = bits && bits->isSigned ? c.value.sextOrTrunc(width) : c.value.zextOrTrunc(width);
  return llvm::ConstantInt::get(llvm, value);
}

void LoweringContext::emitUsedList() { llvm::appendToCompilerUsed(*module, used_); }

} // namespace ebpfc::p4
