// Debug information for the lowered P4 program: a compile unit for the main
// .p4 file, locations on P4 lines (in any file of the program, through
// lexical block files), and the DWARF types the BPF backend turns into
// BTF, so maps are BTF-defined and verifier logs and -S listings show P4
// lines.
#pragma once

#include "frontend/p4/SourceMap.h"

#include <llvm/IR/DIBuilder.h>

#include <map>
#include <string>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace ebpfc::p4 {

class DebugInfo {
public:
  DebugInfo(llvm::Module &module, const SourceMap &sourceMap, uint32_t mainFile);

  llvm::DIBuilder &builder() { return builder_; }
  llvm::DICompileUnit *compileUnit() { return unit_; }
  llvm::DIFile *file(uint32_t fileIndex);

  // The program's entry: int name(struct <contextType> *ctx), at `loc`.
  llvm::DISubprogram *describeFunction(llvm::Function &function, Loc loc, const std::string &contextType);
  // A location in the function being described (null for unknown
  // locations: the instruction keeps none).
  llvm::DILocation *location(Loc loc);

  // C-like integer types, as clang names them (BTF keeps the names).
  llvm::DIType *integerType(unsigned bytes, bool isSigned);
  llvm::DIType *byteArray(uint64_t bytes);
  llvm::DIType *arrayOf(llvm::DIType *element, uint64_t count);
  llvm::DIType *pointerTo(llvm::DIType *type);

  struct Member {
    std::string name;
    llvm::DIType *type;
    uint64_t offsetBytes;
  };
  llvm::DICompositeType *structType(const std::string &name, uint64_t sizeBytes, const std::vector<Member> &members,
                                    Loc loc, bool isUnion = false);

  void finalize() { builder_.finalize(); }

private:
  llvm::DIScope *scopeFor(uint32_t fileIndex);

  llvm::Module &module_;
  const SourceMap &sourceMap_;
  uint32_t mainFile_;
  llvm::DIBuilder builder_;
  llvm::DICompileUnit *unit_ = nullptr;
  llvm::DISubprogram *subprogram_ = nullptr;
  std::map<uint32_t, llvm::DIFile *> files_;
  std::map<uint32_t, llvm::DILexicalBlockFile *> blockFiles_;
  std::map<std::pair<unsigned, bool>, llvm::DIType *> integers_;
};

} // namespace ebpfc::p4
