#include "passes/DebugLocations.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Instruction.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace ebpfc::passes {

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

ir::SourceLocation sourceLocationOf(const llvm::DILocation *location, const std::string &mainSource) {
  if (!location)
    return {};
  return {displayPath(location->getFilename(), location->getDirectory(), mainSource), location->getLine(),
          location->getColumn()};
}

ir::SourceLocation sourceLocationOf(const llvm::DIFile *file, unsigned line, const std::string &mainSource) {
  if (!file)
    return {};
  return {displayPath(file->getFilename(), file->getDirectory(), mainSource), line, 0};
}

ir::SourceLocation sourceLocationOf(const llvm::Instruction &instruction, const std::string &mainSource) {
  for (const llvm::Instruction *at = &instruction; at; at = at->getPrevNode())
    if (const llvm::DILocation *location = at->getDebugLoc().get(); location && location->getLine())
      return sourceLocationOf(location, mainSource);
  return {};
}

} // namespace ebpfc::passes
