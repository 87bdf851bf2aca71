#include "frontend/p4/DebugInfo.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace ebpfc::p4 {

DebugInfo::DebugInfo(llvm::Module &module, const SourceMap &sourceMap, uint32_t mainFile)
    : module_(module), sourceMap_(sourceMap), mainFile_(mainFile), builder_(module) {
  module.addModuleFlag(llvm::Module::Max, "Dwarf Version", 5);
  module.addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  // BTF is made from C-like DWARF; the P4 program describes itself that way.
  unit_ = builder_.createCompileUnit(llvm::dwarf::DW_LANG_C11, file(mainFile), "ebpfc P4-16 frontend",
                                    /*isOptimized=*/false, "", 0);
}

llvm::DIFile *DebugInfo::file(uint32_t fileIndex) {
  if (fileIndex == 0)
    fileIndex = mainFile_;
  auto it = files_.find(fileIndex);
  if (it != files_.end())
    return it->second;
  std::string path = sourceMap_.fileName(fileIndex);
  llvm::SmallString<256> directory;
  llvm::sys::fs::current_path(directory);
  llvm::DIFile *made = builder_.createFile(path, directory);
  files_[fileIndex] = made;
  return made;
}

llvm::DISubprogram *DebugInfo::describeFunction(llvm::Function &function, Loc loc, const std::string &contextType) {
  llvm::DIFile *f = file(loc.file ? loc.file : mainFile_);
  llvm::DICompositeType *context =
      builder_.createStructType(unit_, contextType, f, 0, 0, 0, llvm::DINode::FlagFwdDecl, nullptr, {});
  llvm::Metadata *types[] = {integerType(4, true), pointerTo(context)};
  llvm::DISubroutineType *signature = builder_.createSubroutineType(builder_.getOrCreateTypeArray(types));
  subprogram_ = builder_.createFunction(f, function.getName(), llvm::StringRef(), f, loc.line, signature, loc.line,
                                        llvm::DINode::FlagPrototyped, llvm::DISubprogram::SPFlagDefinition);
  function.setSubprogram(subprogram_);
  // BTF names function arguments after these variables; the kernel refuses
  // a FUNC whose arguments have no names.
  builder_.createParameterVariable(subprogram_, "ctx", 1, f, loc.line, pointerTo(context), /*AlwaysPreserve=*/true);
  blockFiles_.clear();
  return subprogram_;
}

llvm::DIScope *DebugInfo::scopeFor(uint32_t fileIndex) {
  if (!subprogram_)
    return nullptr;
  if (fileIndex == 0 || file(fileIndex) == subprogram_->getFile())
    return subprogram_;
  auto it = blockFiles_.find(fileIndex);
  if (it != blockFiles_.end())
    return it->second;
  llvm::DILexicalBlockFile *block = builder_.createLexicalBlockFile(subprogram_, file(fileIndex));
  blockFiles_[fileIndex] = block;
  return block;
}

llvm::DILocation *DebugInfo::location(Loc loc) {
  llvm::DIScope *scope = scopeFor(loc.file);
  if (!scope || !loc.valid())
    return nullptr;
  return llvm::DILocation::get(module_.getContext(), loc.line, loc.column, scope);
}

llvm::DIType *DebugInfo::integerType(unsigned bytes, bool isSigned) {
  llvm::DIType *&slot = integers_[{bytes, isSigned}];
  if (slot)
    return slot;
  std::string name;
  switch (bytes) {
  case 1: name = isSigned ? "signed char" : "unsigned char"; break;
  case 2: name = isSigned ? "short" : "unsigned short"; break;
  case 4: name = isSigned ? "int" : "unsigned int"; break;
  case 8: name = isSigned ? "long long" : "unsigned long long"; break;
  default: name = isSigned ? "__int128" : "unsigned __int128"; break;
  }
  unsigned encoding = isSigned ? llvm::dwarf::DW_ATE_signed : llvm::dwarf::DW_ATE_unsigned;
  if (bytes == 1)
    encoding = isSigned ? llvm::dwarf::DW_ATE_signed_char : llvm::dwarf::DW_ATE_unsigned_char;
  slot = builder_.createBasicType(name, bytes * 8, encoding);
  return slot;
}

llvm::DIType *DebugInfo::arrayOf(llvm::DIType *element, uint64_t count) {
  llvm::Metadata *range = builder_.getOrCreateSubrange(0, static_cast<int64_t>(count));
  return builder_.createArrayType(element->getSizeInBits() * count, 0, element, builder_.getOrCreateArray(range));
}

llvm::DIType *DebugInfo::byteArray(uint64_t bytes) { return arrayOf(integerType(1, false), bytes); }

llvm::DIType *DebugInfo::pointerTo(llvm::DIType *type) { return builder_.createPointerType(type, 64); }

llvm::DICompositeType *DebugInfo::structType(const std::string &name, uint64_t sizeBytes,
                                             const std::vector<Member> &members, Loc loc, bool isUnion) {
  llvm::DIFile *f = file(loc.file ? loc.file : mainFile_);
  llvm::DICompositeType *type =
      isUnion ? builder_.createUnionType(unit_, name, f, loc.line, sizeBytes * 8, 0, llvm::DINode::FlagZero, {})
              : builder_.createStructType(unit_, name, f, loc.line, sizeBytes * 8, 0, llvm::DINode::FlagZero,
                                          nullptr, {});
  std::vector<llvm::Metadata *> elements;
  for (const Member &m : members)
    elements.push_back(builder_.createMemberType(type, m.name, f, loc.line, m.type->getSizeInBits(), 0,
                                                 m.offsetBytes * 8, llvm::DINode::FlagZero, m.type));
  builder_.replaceArrays(type, builder_.getOrCreateArray(elements));
  return type;
}

} // namespace ebpfc::p4
