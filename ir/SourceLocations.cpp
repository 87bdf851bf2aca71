#include "ir/SourceLocations.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Instruction.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace ebpfc::ir {

namespace {

std::string displayPath(llvm::StringRef filename, llvm::StringRef directory, const std::string &mainSource) {
  llvm::SmallString<256> absolute(filename);
  if (!llvm::sys::path::is_absolute(absolute))
    llvm::sys::fs::make_absolute(directory, absolute);
  llvm::SmallString<256> main(mainSource);
  llvm::sys::fs::make_absolute(main);
  llvm::sys::path::remove_dots(absolute, true);
  llvm::sys::path::remove_dots(main, true);
  return absolute == main ? mainSource : std::string(absolute);
}

} // namespace

SourceLocation sourceLocationOf(const llvm::DILocation *location, const std::string &mainSource) {
  if (!location)
    return {};
  return {displayPath(location->getFilename(), location->getDirectory(), mainSource), location->getLine(),
          location->getColumn()};
}

SourceLocation sourceLocationOf(const llvm::DIFile *file, unsigned line, const std::string &mainSource) {
  if (!file)
    return {};
  return {displayPath(file->getFilename(), file->getDirectory(), mainSource), line, 0};
}

SourceLocation sourceLocationOf(const llvm::Instruction &instruction, const std::string &mainSource) {
  for (const llvm::Instruction *at = &instruction; at; at = at->getPrevNode())
    if (const llvm::DILocation *location = at->getDebugLoc().get(); location && location->getLine())
      return sourceLocationOf(location, mainSource);
  return {};
}

SourceLocation locationOf(const llvm::Function &function, const std::string &mainSource) {
  if (const llvm::DISubprogram *sp = function.getSubprogram())
    return sourceLocationOf(sp->getFile(), sp->getLine(), mainSource);
  return {};
}

SourceLocation locationOf(const llvm::GlobalVariable &global, const std::string &mainSource) {
  llvm::SmallVector<llvm::DIGlobalVariableExpression *, 1> expressions;
  global.getDebugInfo(expressions);
  if (!expressions.empty())
    if (const llvm::DIGlobalVariable *variable = expressions.front()->getVariable())
      return sourceLocationOf(variable->getFile(), variable->getLine(), mainSource);
  return {};
}

} // namespace ebpfc::ir
