// Runs the ANTLR P4-16 parser over preprocessed text and builds the AST.
// Syntax errors become diagnostics at their file, line and column; any
// input, however malformed, gives diagnostics and never a crash.
#pragma once

#include "frontend/p4/Ast.h"
#include "frontend/p4/Preprocessor.h"
#include "ir/Diagnostics.h"

#include <memory>

namespace ebpfc::p4 {

// Null when the text has syntax errors (they are reported).
std::unique_ptr<Program> parseProgram(const PreprocessedSource &source, ir::DiagnosticEngine &diags);

} // namespace ebpfc::p4
