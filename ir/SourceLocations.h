// Source locations for diagnostics, from LLVM debug info: the main source as
// the user spelled it on the command line, other files as absolute paths.
#pragma once

#include "ir/Diagnostics.h"

#include <string>

namespace llvm {
class DIFile;
class DILocation;
class Function;
class GlobalVariable;
class Instruction;
} // namespace llvm

namespace ebpfc::ir {

// The location a debug location names itself (not where it was inlined);
// an invalid location for null.
SourceLocation sourceLocationOf(const llvm::DILocation *location, const std::string &mainSource);

// Line `line` of a file debug info names (column 0: unknown).
SourceLocation sourceLocationOf(const llvm::DIFile *file, unsigned line, const std::string &mainSource);

// The instruction's own debug location, or, when it has none, the nearest
// earlier one in its block, so that instructions LLVM created without a
// location still point at the statement they came from.
SourceLocation sourceLocationOf(const llvm::Instruction &instruction, const std::string &mainSource);

// Where a function or a global variable is defined (column 0).
SourceLocation locationOf(const llvm::Function &function, const std::string &mainSource);
SourceLocation locationOf(const llvm::GlobalVariable &global, const std::string &mainSource);

} // namespace ebpfc::ir
