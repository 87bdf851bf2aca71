// Source locations for diagnostics of passes that run on LLVM IR: from the
// debug location an instruction or a loop carries, printed the way the
// program model prints function and global locations (the main source as
// the user spelled it on the command line, other files as absolute paths).
#pragma once

#include "ir/Diagnostics.h"

#include <string>

namespace llvm {
class DIFile;
class DILocation;
class Instruction;
} // namespace llvm

namespace ebpfc::passes {

// The location a debug location names itself (not where it was inlined);
// an invalid location for null.
ir::SourceLocation sourceLocationOf(const llvm::DILocation *location, const std::string &mainSource);

// Line `line` of a file debug info names (column 0: unknown).
ir::SourceLocation sourceLocationOf(const llvm::DIFile *file, unsigned line, const std::string &mainSource);

// The instruction's own debug location, or, when it has none, the nearest
// earlier one in its block, so that instructions LLVM created without a
// location still point at the statement they came from.
ir::SourceLocation sourceLocationOf(const llvm::Instruction &instruction, const std::string &mainSource);

} // namespace ebpfc::passes
