// Name resolution, type checking and inference for P4-16, with constant
// folding. It fills the AST's `type`, `constant`, `declaration` and call
// fields, inserts the implicit casts P4 defines (integer literals take the
// width of the other operand), and reports every error at its source line
// in the same format as the C frontend.
#pragma once

#include "frontend/p4/Ast.h"
#include "frontend/p4/SourceMap.h"
#include "frontend/p4/Types.h"
#include "ir/Diagnostics.h"

#include <string>
#include <vector>

namespace ebpfc::p4 {

struct CheckedProgram {
  // Every error member, in declaration order: the index is its value.
  std::vector<std::string> errorNames;
  // The package instance named "main", null if there is none.
  const InstanceDecl *main = nullptr;
};

// False when errors were reported.
bool typeCheck(Program &program, TypeContext &types, const SourceMap &sourceMap, ir::DiagnosticEngine &diags,
               CheckedProgram &result);

} // namespace ebpfc::p4
