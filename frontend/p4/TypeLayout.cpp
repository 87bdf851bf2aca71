#include "frontend/p4/TypeLayout.h"

#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/LLVMContext.h>

namespace ebpfc::p4 {

unsigned TypeLayouts::storageBytes(unsigned width) {
  if (width <= 8) return 1;
  if (width <= 16) return 2;
  if (width <= 32) return 4;
  if (width <= 64) return 8;
  if (width <= 128) return 16;
  return (width + 63) / 64 * 8;
}

llvm::DIType *TypeLayouts::integerDebugType(unsigned width, bool isSigned) {
  unsigned bytes = storageBytes(width);
  if (bytes <= 16)
    return debug_.integerType(bytes, isSigned);
  // BTF integers stop at 128 bits; wider values are shown as bytes.
  return debug_.byteArray(bytes);
}

llvm::Type *TypeLayouts::valueType(const Type *type) {
  switch (type->kind) {
  case TypeKind::Bool: return llvm::Type::getInt1Ty(context_);
  case TypeKind::Bits: return llvm::Type::getIntNTy(context_, type->width);
  case TypeKind::Error:
  case TypeKind::ActionEnum: return llvm::Type::getInt32Ty(context_);
  case TypeKind::Enum:
    return type->underlying ? valueType(type->underlying) : llvm::Type::getInt32Ty(context_);
  case TypeKind::NewType: return valueType(type->underlying);
  default: return nullptr;
  }
}

const Layout &TypeLayouts::of(const Type *type) {
  auto it = layouts_.find(type);
  if (it != layouts_.end())
    return it->second;
  Layout layout = compute(type);
  return layouts_.emplace(type, std::move(layout)).first->second;
}

Layout TypeLayouts::compute(const Type *type) {
  Layout layout;
  switch (type->kind) {
  case TypeKind::Bits: {
    unsigned bytes = storageBytes(type->width);
    layout.storage = llvm::Type::getIntNTy(context_, bytes * 8);
    layout.size = bytes;
    layout.align = std::min<uint64_t>(bytes, 8);
    layout.debugType = integerDebugType(type->width, type->isSigned);
    return layout;
  }
  case TypeKind::Bool:
    layout.storage = llvm::Type::getInt8Ty(context_);
    layout.size = layout.align = 1;
    layout.debugType = debug_.integerType(1, false);
    return layout;
  case TypeKind::Error:
  case TypeKind::ActionEnum:
    layout.storage = llvm::Type::getInt32Ty(context_);
    layout.size = layout.align = 4;
    layout.debugType = debug_.integerType(4, false);
    return layout;
  case TypeKind::Enum:
    if (type->underlying)
      return compute(type->underlying);
    layout.storage = llvm::Type::getInt32Ty(context_);
    layout.size = layout.align = 4;
    layout.debugType = debug_.integerType(4, false);
    return layout;
  case TypeKind::NewType: return compute(type->underlying);
  case TypeKind::Varbit: {
    uint64_t bytes = (type->width + 7) / 8;
    layout.storage = llvm::StructType::get(
        context_, {llvm::Type::getInt32Ty(context_), llvm::ArrayType::get(llvm::Type::getInt8Ty(context_), bytes)});
    layout.size = 4 + bytes;
    layout.size = (layout.size + 3) / 4 * 4;
    layout.align = 4;
    layout.dataOffset = 4;
    layout.debugType = debug_.structType(
        "varbit_" + std::to_string(type->width), layout.size,
        {{"length_in_bits", debug_.integerType(4, false), 0}, {"data", debug_.byteArray(bytes), 4}}, {});
    return layout;
  }
  case TypeKind::Struct:
  case TypeKind::Header:
  case TypeKind::Tuple: {
    std::vector<std::pair<std::string, const Type *>> fields;
    for (const TypeField &f : type->fields)
      fields.emplace_back(type->kind == TypeKind::Tuple ? "f" + f.name : f.name, f.type);
    Loc loc = type->declaration ? type->declaration->loc : Loc{};
    std::string name = type->kind == TypeKind::Tuple ? "tuple" : type->name;
    return structLayout(name, fields, type->kind == TypeKind::Header, loc);
  }
  case TypeKind::HeaderUnion: {
    std::vector<std::pair<std::string, const Type *>> fields;
    for (const TypeField &f : type->fields)
      fields.emplace_back(f.name, f.type);
    return structLayout(type->name, fields, false, type->declaration ? type->declaration->loc : Loc{});
  }
  case TypeKind::Stack: {
    const Layout &element = of(type->underlying);
    llvm::Type *array = llvm::ArrayType::get(element.storage, type->size);
    layout.storage = llvm::StructType::get(context_, {array, llvm::Type::getInt32Ty(context_)});
    const llvm::StructLayout *sl = dataLayout_.getStructLayout(llvm::cast<llvm::StructType>(layout.storage));
    layout.size = sl->getSizeInBytes();
    layout.align = sl->getAlignment().value();
    layout.nextIndexOffset = sl->getElementOffset(1);
    layout.debugType = debug_.structType(
        type->underlying->name + "_stack_" + std::to_string(type->size), layout.size,
        {{"elements", debug_.arrayOf(element.debugType, type->size), 0},
         {"next_index", debug_.integerType(4, false), layout.nextIndexOffset}},
        {});
    return layout;
  }
  default:
    layout.storage = llvm::Type::getInt8Ty(context_);
    layout.size = layout.align = 1;
    layout.debugType = debug_.integerType(1, false);
    return layout;
  }
}

Layout TypeLayouts::structLayout(const std::string &name,
                                 const std::vector<std::pair<std::string, const Type *>> &fields, bool withValid,
                                 Loc loc) {
  Layout layout;
  std::vector<llvm::Type *> members;
  for (const auto &f : fields)
    members.push_back(of(f.second).storage);
  if (withValid)
    members.push_back(llvm::Type::getInt8Ty(context_));
  if (members.empty())
    members.push_back(llvm::Type::getInt8Ty(context_)); // C has no empty structs
  auto *st = llvm::StructType::get(context_, members);
  const llvm::StructLayout *sl = dataLayout_.getStructLayout(st);
  layout.storage = st;
  layout.size = sl->getSizeInBytes();
  layout.align = sl->getAlignment().value();
  std::vector<DebugInfo::Member> debugMembers;
  for (size_t i = 0; i < fields.size(); ++i) {
    layout.fieldOffsets.push_back(sl->getElementOffset(static_cast<unsigned>(i)));
    debugMembers.push_back({fields[i].first, of(fields[i].second).debugType, layout.fieldOffsets.back()});
  }
  if (withValid) {
    layout.validOffset = sl->getElementOffset(static_cast<unsigned>(fields.size()));
    debugMembers.push_back({"ebpf_valid", debug_.integerType(1, false), layout.validOffset});
  }
  // Generic specializations share a P4 name; BTF needs distinct ones.
  unsigned &count = structNames_[name];
  std::string debugName = count++ == 0 ? name : name + "_" + std::to_string(count);
  layout.debugType = debug_.structType(debugName, layout.size, debugMembers, loc);
  return layout;
}

} // namespace ebpfc::p4
